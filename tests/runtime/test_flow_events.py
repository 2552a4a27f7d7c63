"""A flow's own events (`emit:`) and a handoff request reach the business's webhook from a
served conversation: signed, with the flow's data rendered, the customer as a reference
only; a flow cannot forge Theke's own event types."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from framework.app import create_app
from framework.events import EVENTS
from framework.flows import load_bot
from framework.flows.language.reader import read_bot
from framework.stores.memory.sessions import MemoryStore
from framework.stores.session_store import Store
from framework.workspace import Workspace
from tests.fakes.signed_hooks import signed_hooks

NOON = 1796036400.0
SECRET = "whsec_flow_events_0123456789abcdef01234567"

BOT = """
name: desk
business: {name: Desk, locale: en-GB, languages: [en], currency: EUR, timezone: Europe/Berlin}
slots:
  problem: {type: text}
flows:
  complain:
    triggers: [complaint]
    steps:
      - ask: problem
        text: What went wrong?
      - emit:
          type: complaint.received
          data: {problem: "{{ problem }}", note: "said: {{ problem }}", channel_kind: chat}
      - say: Thank you, we have passed it on.
"""


@pytest.fixture
async def receiver() -> AsyncIterator[tuple[list[dict[str, Any]], str]]:
    async with signed_hooks(SECRET, NOON) as hooks:
        yield hooks


@pytest.fixture
async def desk(
    tmp_path: Path, receiver: tuple[list[dict[str, Any]], str], monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[TestClient]:
    monkeypatch.setenv("DESK_HOOK_SECRET", SECRET)
    folder = tmp_path / "desk"
    folder.mkdir()
    (folder / "bot.yaml").write_text(BOT, encoding="utf-8")
    bot = load_bot(folder)
    store = MemoryStore()

    async def opener() -> Store:
        return store

    subscription = {"url": receiver[1], "secret": "env:DESK_HOOK_SECRET", "types": ["*"]}
    workspace = Workspace(root=tmp_path, bots=(folder,), events=(subscription,))
    app = create_app(workspace, {bot.name: bot}, store=opener, clock=lambda: NOON)
    client = TestClient(TestServer(app))
    await client.start_server()
    yield client
    await client.close()


async def deliver_all(client: TestClient) -> None:
    """One event per conversation goes out per round (they stay in order): rounds until none."""
    while await client.app[EVENTS].deliver():
        pass


async def say(client: TestClient, sender: str, text: str) -> list[str]:
    response = await client.post("/webhooks/rest/webhook", json={"sender": sender, "message": text})
    assert response.status == 200
    return [reply["text"] for reply in await response.json()]


async def test_a_flows_event_and_a_handoff_reach_the_business_signed(
    desk: TestClient, receiver: tuple[list[dict[str, Any]], str]
) -> None:
    await say(desk, "+4915112345678", "complaint")
    assert await say(desk, "+4915112345678", "the pizza came cold and late") == [
        "Thank you, we have passed it on."
    ]
    await say(desk, "+4915112345678", "I want to talk to a person")
    await deliver_all(desk)
    received = receiver[0]
    assert [event["type"] for event in received] == [
        "complaint.received",
        "conversation.handoff_requested",
    ]
    complaint = received[0]
    assert complaint["data"] == {
        "problem": "the pizza came cold and late",
        "note": "said: the pizza came cold and late",
        "channel_kind": "chat",
    }
    assert complaint["bot"] == "desk"
    assert "4915112345678" not in json.dumps(received)
    assert complaint["customer"] == received[1]["customer"]  # one customer, one reference


async def test_a_retried_message_adds_no_second_event(
    desk: TestClient, receiver: tuple[list[dict[str, Any]], str]
) -> None:
    body = {"sender": "bo", "message": "complaint", "message_id": "m1"}
    await desk.post("/webhooks/rest/webhook", json=body)
    for _ in range(2):
        body = {"sender": "bo", "message": "wrong size", "message_id": "m2"}
        assert (await desk.post("/webhooks/rest/webhook", json=body)).status == 200
    await deliver_all(desk)
    assert [event["type"] for event in receiver[0]] == ["complaint.received"]


def test_a_flow_cannot_forge_thekes_own_events(tmp_path: Path) -> None:
    (tmp_path / "bot.yaml").write_text(
        BOT.replace("type: complaint.received", "type: order.paid"), encoding="utf-8"
    )
    _bot, problems = read_bot(tmp_path)
    assert any("'order.paid' is one of Theke's own events" in str(p) for p in problems)
