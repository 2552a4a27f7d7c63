"""Actions in the served app: the runtime runs them for REST conversations, gives each call an
idempotency key naming neither the customer nor the message, keeps a slow action from holding
up other conversations, and ends a hanging one at the session's lease."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer

from framework.app import create_app
from framework.flows import load_bot
from framework.stores.memory.sessions import MemoryStore
from framework.stores.session_store import Store
from framework.workspace import Workspace

NOON = 1796036400.0  # 2026-11-30 12:00 UTC

BOT = """
name: desk
business: {name: Desk, locale: en-GB, languages: [en], currency: EUR, timezone: Europe/Berlin}
slots:
  answer: {type: text}
flows:
  wait:
    triggers: [wait]
    steps:
      - action: wait_for_release
        timeout: 30s
        on_error:
          - say: gave up
      - say: "released: {{ answer }}"
  release:
    triggers: [release]
    steps:
      - action: release
      - say: "release sent"
  key:
    triggers: [key]
    steps:
      - action: key
      - say: "{{ answer }}"
  card:
    triggers: [card]
    steps:
      - action: card
  hang:
    triggers: [hang]
    steps:
      - action: hang
        timeout: 60s
        on_error:
          - say: the shop did not answer in time
"""

ACTIONS = """
import asyncio
from framework.actions import action

RELEASED = asyncio.Event()

@action("wait_for_release")
async def wait_for_release(context):
    await RELEASED.wait()
    return {"answer": "by " + context.sender}

@action("release")
async def release(context):
    RELEASED.set()

@action("key")
async def key(context):
    return {"answer": context.request_id}

@action("card")
async def card(context):
    from framework.actions import ActionOutcome, OutgoingMessage
    return ActionOutcome(messages=(OutgoingMessage("Your table", custom={"table": 7}),))

@action("hang")
async def hang(context):
    await asyncio.sleep(3600)
"""


@pytest.fixture
async def desk(tmp_path: Path) -> AsyncIterator[TestClient]:
    folder = tmp_path / "desk"
    folder.mkdir()
    (folder / "bot.yaml").write_text(BOT, encoding="utf-8")
    (folder / "actions.py").write_text(ACTIONS, encoding="utf-8")
    bot = load_bot(folder)
    store = MemoryStore()

    async def opener() -> Store:
        return store

    workspace = Workspace(root=tmp_path, bots=(folder,))
    app = create_app(workspace, {bot.name: bot}, store=opener, clock=lambda: NOON, lease=2.0)
    client = TestClient(TestServer(app))
    await client.start_server()
    yield client
    await client.close()


async def say(client: TestClient, sender: str, text: str, message_id: str = "") -> list[str]:
    body = {"sender": sender, "message": text, **({"message_id": message_id} if message_id else {})}
    response = await client.post("/webhooks/rest/webhook", json=body)
    assert response.status == 200, await response.text()
    return [reply["text"] for reply in await response.json()]


async def test_a_waiting_action_does_not_hold_up_another_conversation(desk: TestClient) -> None:
    """Ada's action waits until Bo's runs: were conversations served one after the other,
    Ada's would wait forever (and end in its on_error block after 30 s)."""
    ada = asyncio.ensure_future(say(desk, "ada", "wait"))
    await asyncio.sleep(0.1)
    assert await say(desk, "bo", "release") == ["release sent"]
    assert await ada == ["released: by ada"]


async def test_each_call_gets_a_key_that_names_neither_customer_nor_message(
    desk: TestClient,
) -> None:
    (first,) = await say(desk, "+491511234567", "key", message_id="m-1")
    (second,) = await say(desk, "+491511234567", "key", message_id="m-2")
    assert re.fullmatch(r"[0-9a-f]{24}-1", first) and first != second
    assert "491511234567" not in first and "m-1" not in first
    assert await say(desk, "+491511234567", "key", message_id="m-1") == [first]  # a retry


async def test_an_actions_custom_content_reaches_a_rest_client(desk: TestClient) -> None:
    response = await desk.post("/webhooks/rest/webhook", json={"sender": "di", "message": "card"})
    [reply] = await response.json()
    assert (reply["text"], reply["custom"]) == ("Your table", {"table": 7})


async def test_a_hanging_action_ends_within_the_sessions_lease(desk: TestClient) -> None:
    """The step allows 60 s, but the session is leased for 2 s: the action ends before the
    lease does, so no other worker runs the turn (and the action) a second time."""
    assert await say(desk, "cy", "hang") == ["the shop did not answer in time"]
