"""The admin API of business events on the real app and a real SQLite file: GET /admin/events
lists what a real receiver refused with 410 Gone, POST /admin/events/retry sends it again (the
sender's next round delivers it), both only with the admin key, and bad input is a 400."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from framework.app import create_app
from framework.events.emitting import event_id
from framework.events.setup import EVENTS, BusinessEvents, open_events
from framework.flows import load_bot
from framework.workspace import Workspace
from tests.clocks import Clock
from tests.events.test_receiver import SECRET, Receiver

TILL = Path(__file__).parents[1] / "runtime" / "bots" / "till"
ADMIN_KEY = "test-admin-key-0123456789"
FIELDS = {"key", "event", "type", "url", "attempts", "error", "created_at", "given_up_at", "body"}


def admin(key: str = ADMIN_KEY) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


class Shop:
    def __init__(self, client: TestClient, receiver: Receiver, refused: list[str]) -> None:
        self.client, self.receiver, self.refused = client, receiver, refused
        """`refused`: the ids of the events given up, the latest first."""

    @property
    def events(self) -> BusinessEvents:
        return self.client.app[EVENTS]

    async def listed(self, query: str = "") -> list[dict[str, Any]]:
        response = await self.client.get(f"/admin/events{query}", headers=admin())
        assert response.status == 200, await response.text()
        found: list[dict[str, Any]] = (await response.json())["undeliverable"]
        return found

    async def retry(self, **kwargs: Any) -> Any:
        response = await self.client.post("/admin/events/retry", headers=admin(), **kwargs)
        return response.status, await response.json()


async def refuse_three(workspace: Workspace, receiver: Receiver, clock: Clock) -> list[str]:
    """Three events of one conversation the receiver answered 410 Gone, before the server
    starts (its sender then finds nothing due: no round of it races the test's)."""
    events = await open_events(workspace, clock=clock)
    receiver.statuses = [410]
    ids = [event_id("admin-test", str(n)) for n in range(3)]
    for id in ids:
        await events.events.emit("till", "till:rest:ada", "order.paid", {"n": id}, id=id)
    for _ in ids:
        await events.deliver()
        clock.now += 60
    await events.close()
    return ids[::-1]


@pytest.fixture
async def shop(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Shop]:
    monkeypatch.setenv("THEKE_TEST_ADMIN_KEY", ADMIN_KEY)
    monkeypatch.setenv("THEKE_EVENTS_SECRET", SECRET)
    monkeypatch.setattr("framework.app.DELIVER_EVERY", 3600.0)  # the test drives the sender
    clock = Clock()
    receiver = Receiver(clock)
    await receiver.start()
    workspace = Workspace(
        root=tmp_path,
        bots=(TILL,),
        store="sqlite:///state.db",
        admin_key="env:THEKE_TEST_ADMIN_KEY",
        events=({"url": receiver.url, "secret": "env:THEKE_EVENTS_SECRET"},),
    )
    refused = await refuse_three(workspace, receiver, clock)
    app = create_app(workspace, {"till": load_bot(TILL)}, clock=clock, tick=3600)
    client = TestClient(TestServer(app))
    await client.start_server()
    yield Shop(client, receiver, refused)
    await client.close()
    await receiver.stop()


async def test_the_given_up_events_are_listed_latest_first(shop: Shop) -> None:
    listed = await shop.listed()
    assert [item["event"] for item in listed] == shop.refused
    assert all(set(item) == FIELDS for item in listed)
    first = listed[0]
    assert (first["type"], first["url"], first["attempts"], first["error"]) == (
        "order.paid",
        shop.receiver.url,
        1,
        "HTTP 410 Gone",
    )
    assert first["given_up_at"] > listed[1]["given_up_at"]
    assert [item["event"] for item in await shop.listed("?limit=1")] == shop.refused[:1]
    assert len(await shop.listed("?limit=500")) == 3


async def test_retry_by_key_then_all_and_the_next_round_sends_them(shop: Shop) -> None:
    latest, middle, earliest = await shop.listed()
    assert await shop.retry(json={"keys": [middle["key"], middle["key"], "nope"]}) == (
        200,
        {"requeued": 1},
    )
    assert [item["key"] for item in await shop.listed()] == [latest["key"], earliest["key"]]
    shop.receiver.statuses = [200]
    assert await shop.events.deliver() == 1
    assert shop.receiver.ids() == [middle["event"]]
    assert await shop.retry(json={"keys": [middle["key"]]}) == (200, {"requeued": 0})
    assert await shop.retry(json={}) == (200, {"requeued": 2})
    assert await shop.listed() == []
    for _ in range(2):  # one conversation: one event a round
        assert await shop.events.deliver() == 1
    assert shop.receiver.ids() == [middle["event"], latest["event"], earliest["event"]]
    assert await shop.retry() == (200, {"requeued": 0})  # no body: all, and none are left


@pytest.mark.parametrize(
    "headers",
    [{}, admin("wrong"), {"Authorization": ADMIN_KEY}, {"Authorization": f"Basic {ADMIN_KEY}"}],
)
async def test_the_events_admin_api_needs_the_key(shop: Shop, headers: dict[str, str]) -> None:
    for response in [
        await shop.client.get("/admin/events", headers=headers),
        await shop.client.post("/admin/events/retry", headers=headers, json={}),
    ]:
        assert response.status == 403
        assert "admin key" in (await response.json())["error"]
    assert len(await shop.listed()) == 3  # nothing was sent again


@pytest.mark.parametrize(
    "limit", ["0", "501", "-1", "+5", " 5", "5.0", "1e2", "", "\u0663", "\uff15", "9" * 30]
)
async def test_limit_is_a_number_from_1_to_500_in_ascii_digits(shop: Shop, limit: str) -> None:
    response = await shop.client.get("/admin/events", params={"limit": limit}, headers=admin())
    assert response.status == 400
    assert "limit" in (await response.json())["error"]


@pytest.mark.parametrize(
    "body",
    [
        {"data": b"not json"},
        {"data": b'{"keys": ["'},
        {"data": b"\xff\xfe"},
        {"json": ["keys"]},
        {"json": {"keys": "nope"}},
        {"json": {"keys": [1]}},
        {"json": {"keys": [["nope"]]}},
        {"json": {"keys": {"nope": 1}}},
        {"json": {"keys": [f"k{n}" for n in range(501)]}},
    ],
)
async def test_a_bad_retry_body_is_refused_and_changes_nothing(
    shop: Shop, body: dict[str, Any]
) -> None:
    status, answer = await shop.retry(**body)
    assert status == 400 and answer["error"]
    assert len(await shop.listed()) == 3
