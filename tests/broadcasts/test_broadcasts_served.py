"""Broadcasts through the real app on SQLite, two app instances on one file (two workers):
three customers of a shop asked for offers in the chat (consent `marketing`), one said STOP;
a broadcast reaches exactly the other two, each once — with both workers' loops sending at
once, and when a worker dies after handing out a page and before saving its cursor. Pause,
resume, cancel, the preview's counts and texts, and refusals."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from framework.app import create_app
from framework.broadcasts.service import Broadcasts
from framework.flows import load_bot
from framework.outreach.broadcasts_web import BROADCASTS
from framework.stores.broadcasts import CANCELLED, DONE, PAUSED, SENDING
from framework.workspace import Workspace
from tests.served import everything_said, say

NOW = 1796036400.0  # 2026-11-30 12:00 UTC
KEY = "shop-admin-key"
AUTH = {"Authorization": f"Bearer {KEY}"}
BOT = """
name: shop
business:
  name: Laden Lina
  locale: de-DE
  languages: [de, en]
  currency: EUR
  timezone: Europe/Berlin
slots:
  granted: {type: text}
  discount: {type: text}
texts:
  offers_question:
    de: "Darf Laden Lina dir hier Angebote schicken? Abmelden mit STOP."
  spring_offer:
    de: "Frühlingsangebot bei Laden Lina: {{ discount }} auf alles!"
    en: "Spring offer at Laden Lina: {{ discount }} off everything!"
flows:
  offers:
    triggers: [angebote]
    steps:
      - action: consent.grant
        args: {purpose: marketing, text: "{{ texts.offers_question }}", flow: offers}
        save: {granted: granted}
      - say: "Gern, du bekommst unsere Angebote."
"""
OFFER = "Frühlingsangebot bei Laden Lina: 20 % auf alles!"
CUSTOMERS = ("ada", "ben", "dora")


class Crash(Exception):
    """A worker dying between handing out a page and saving its cursor."""


class Shop:
    def __init__(self, tmp_path: Path) -> None:
        self.now, self.crash = NOW, False
        folder = tmp_path / "shop"
        folder.mkdir()
        (folder / "bot.yaml").write_text(BOT, encoding="utf-8")
        self.bot = load_bot(folder)
        self.workspace = Workspace(
            root=tmp_path, bots=(folder,), store=f"sqlite:///{tmp_path / 'state.db'}"
        )

    def fault(self, stage: str) -> None:
        if stage == "broadcast_handed_out" and self.crash:
            self.crash = False
            raise Crash(stage)

    async def client(self) -> TestClient:
        app = create_app(
            self.workspace, {"shop": self.bot}, clock=lambda: self.now, fault=self.fault
        )
        client = TestClient(TestServer(app))
        await client.start_server()
        return client


@pytest.fixture
async def shop(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Any]:
    """The shop served by two workers on one file; ada, ben and dora asked for offers, dora
    then said STOP."""
    monkeypatch.setenv("THEKE_ADMIN_KEY", KEY)
    shop = Shop(tmp_path)
    first, second = await shop.client(), await shop.client()
    try:
        for customer in CUSTOMERS:
            assert (await say(first, customer, "angebote"))[0].startswith("Gern")
        assert (await say(first, "dora", "STOP"))[0].startswith("Erledigt")
        yield shop, first, second
    finally:
        await first.close()
        await second.close()


async def post(client: TestClient, path: str, body: Any = None, status: int = 200) -> Any:
    response = await client.post(path, json=body, headers=AUTH)
    assert response.status == status, await response.text()
    return await response.json()


async def created(client: TestClient, **changes: Any) -> str:
    body = {"bot": "shop", "text": "spring_offer", "values": {"discount": "20 %"}} | changes
    made = await post(client, "/admin/broadcasts", body, 201)
    assert made["status"] == "draft" and made["purpose"] == "marketing"
    return str(made["id"])


async def offers(client: TestClient, expected: list[int]) -> list[int]:
    """How many offers each of CUSTOMERS got, once it is `expected` (or after a short wait)."""
    for _ in range(150):
        if await _counts(client) == expected:
            break
        await asyncio.sleep(0.02)
    await asyncio.sleep(0.05)  # anything more would have come by now
    return await _counts(client)


async def _counts(client: TestClient) -> list[int]:
    said = [await everything_said(client, customer) for customer in CUSTOMERS]
    return [sum(text == OFFER for text in texts) for texts in said]


def broadcasts(client: TestClient) -> Broadcasts:
    return client.server.app[BROADCASTS]


async def sent_out(client: TestClient, broadcast_id: str, step: Callable[[], Any]) -> None:
    """`step` until the broadcast is done."""
    for _ in range(200):
        if (await status(client, broadcast_id))["status"] == DONE:
            return
        await step()
        await asyncio.sleep(0.01)
    raise AssertionError("never done")


async def status(client: TestClient, broadcast_id: str) -> dict[str, Any]:
    response = await client.get(f"/admin/broadcasts/{broadcast_id}", headers=AUTH)
    assert response.status == 200, await response.text()
    found: dict[str, Any] = await response.json()
    return found


async def test_two_workers_send_it_once_to_those_who_hold_the_consent(shop: Any) -> None:
    _, first, second = shop
    broadcast_id = await created(first)
    preview = await post(first, f"/admin/broadcasts/{broadcast_id}/preview")
    assert preview["conversations"] == 2 and preview["channels"] == {"rest": 2}
    assert preview["texts"]["de"] == OFFER
    assert preview["texts"]["en"] == "Spring offer at Laden Lina: 20 % off everything!"
    assert (await post(second, f"/admin/broadcasts/{broadcast_id}/send"))["status"] == SENDING

    async def both() -> None:
        await asyncio.gather(*(broadcasts(c).sender.step() for c in (first, second, first, second)))

    await sent_out(first, broadcast_id, both)
    final = await status(second, broadcast_id)
    assert (final["queued"], final["cursor"]) == (2, "shop:rest:ben")
    assert await offers(first, [1, 1, 0]) == [1, 1, 0]


async def test_a_worker_dying_after_a_page_costs_nothing_twice(shop: Any) -> None:
    state, first, second = shop
    broadcast_id = await created(first)
    await post(first, f"/admin/broadcasts/{broadcast_id}/send")
    state.crash = True
    for _ in range(300):  # this step or a worker's loop dies after handing out the page
        if not state.crash:
            break
        with contextlib.suppress(Crash):
            await broadcasts(first).sender.step()
        await asyncio.sleep(0.01)
    assert not state.crash
    assert await offers(first, [1, 1, 0]) == [1, 1, 0]  # handed out
    kept = await status(first, broadcast_id)
    assert (kept["status"], kept["cursor"], kept["queued"]) == (SENDING, "", 0)  # not saved
    state.now += 61  # the dead worker's lease runs out

    await sent_out(first, broadcast_id, broadcasts(second).sender.step)
    assert (await status(first, broadcast_id))["queued"] == 2
    assert await offers(first, [1, 1, 0]) == [1, 1, 0]


async def test_pause_resume_and_cancel_stop_and_go_on_at_the_cursor(shop: Any) -> None:
    _, first, second = shop
    broadcast_id = await created(first)
    assert (await post(first, f"/admin/broadcasts/{broadcast_id}/pause", status=409))["error"]
    await post(first, f"/admin/broadcasts/{broadcast_id}/send")
    assert (await post(second, f"/admin/broadcasts/{broadcast_id}/pause"))["status"] == PAUSED
    for _ in range(3):
        assert await broadcasts(first).sender.step() is None  # nothing is sending
    assert await offers(first, [0, 0, 0]) == [0, 0, 0]
    await post(first, f"/admin/broadcasts/{broadcast_id}/resume")

    await sent_out(first, broadcast_id, broadcasts(first).sender.step)
    assert await offers(first, [1, 1, 0]) == [1, 1, 0]
    other = await created(first)
    await post(first, f"/admin/broadcasts/{other}/send")
    await post(first, f"/admin/broadcasts/{other}/pause")
    assert (await post(first, f"/admin/broadcasts/{other}/cancel"))["status"] == CANCELLED
    assert (await post(first, f"/admin/broadcasts/{other}/resume", status=409))["error"]
    assert await broadcasts(first).sender.step() is None
    assert await offers(first, [1, 1, 0]) == [1, 1, 0]


async def test_a_stop_after_the_start_is_heard(shop: Any) -> None:
    _, first, _ = shop
    broadcast_id = await created(first)
    await post(first, f"/admin/broadcasts/{broadcast_id}/send")
    await say(first, "ben", "stop")

    await sent_out(first, broadcast_id, broadcasts(first).sender.step)
    assert (await status(first, broadcast_id))["queued"] == 1
    assert await offers(first, [1, 0, 0]) == [1, 0, 0]


async def test_a_language_filter_counts_and_sends_only_that_language(shop: Any) -> None:
    _, first, _ = shop
    broadcast_id = await created(first, lang="en")
    preview = await post(first, f"/admin/broadcasts/{broadcast_id}/preview")
    assert (preview["conversations"], list(preview["texts"])) == (0, ["en"])


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"text": "no_such_text"}, 400),
        ({"purpose": "everyone"}, 400),
        ({"purpose": "notify:a b; DROP"}, 400),
        ({"purpose": ["marketing"]}, 400),
        ({"lang": "deutsch!"}, 400),
        ({"values": {f"v{n}": "x" for n in range(50)}}, 400),
        ({"values": {"discount": "x" * 10_000}}, 400),
        ({"values": "20 %"}, 400),
        ({"bot": "pizza"}, 400),
        ({"bot": None}, 400),
    ],
)
async def test_bad_broadcasts_are_refused(shop: Any, body: dict[str, Any], status: int) -> None:
    _, first, _ = shop
    full = {"bot": "shop", "text": "spring_offer", "values": {"discount": "1"}} | body
    response = await first.post("/admin/broadcasts", json=full, headers=AUTH)
    assert response.status == status, await response.text()
    assert "error" in await response.json()


async def test_unknown_ids_actions_and_missing_keys_are_refused(shop: Any) -> None:
    _, first, _ = shop
    broadcast_id = await created(first)
    for path, code in [
        ("/admin/broadcasts/nobody/send", 404),
        ("/admin/broadcasts/%F0%9F%92%A5/send", 404),
        (f"/admin/broadcasts/{broadcast_id}/explode", 404),
    ]:
        response = await first.post(path, headers=AUTH)
        assert response.status == code, await response.text()
    assert (await first.get("/admin/broadcasts/nobody", headers=AUTH)).status == 404
    assert (await first.post(f"/admin/broadcasts/{broadcast_id}/send")).status == 403
    bad = {"Authorization": "Bearer wrong"}
    assert (await first.post("/admin/broadcasts", json={}, headers=bad)).status == 403
    assert (await first.post("/admin/broadcasts", data=b"{", headers=AUTH)).status == 400
    assert (await status(first, broadcast_id))["status"] == "draft"
