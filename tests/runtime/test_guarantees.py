"""DESIGN.md's runtime guarantees, in one process, on every store.

The counter bot numbers its turns ("#7 hello"), so a lost, repeated or reordered turn shows.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer

from framework.app import create_app
from framework.flows import load_bot
from framework.stores.records import InboxItem, StoreLimits
from framework.stores.session_store import Store
from framework.workspace import Workspace
from tests.runtime.conftest import open_test_store, redis_url_for

COUNTER = Path(__file__).parent / "bots" / "counter"


class RecordingStore:
    """The real store underneath; remembers the order in which items were enqueued."""

    def __init__(self, inner: Store) -> None:
        self.inner = inner
        self.enqueued: list[str] = []

    async def enqueue(self, key: str, item: InboxItem) -> bool:
        accepted = await self.inner.enqueue(key, item)
        if accepted:
            self.enqueued.append(item.text)
        return accepted

    def __getattr__(self, name: str) -> object:
        return getattr(self.inner, name)


@pytest.fixture
async def server(
    store_kind: str, tmp_path: Path, request: pytest.FixtureRequest
) -> AsyncIterator[tuple[TestClient, RecordingStore]]:
    url = redis_url_for(store_kind, request)
    limits = StoreLimits(log_length=1000)
    store = RecordingStore(await open_test_store(store_kind, tmp_path, url, limits))

    async def opener() -> Store:
        return store  # type: ignore[return-value]

    workspace = Workspace(root=tmp_path, bots=(COUNTER,), burst=1000)
    app = create_app(workspace, {"counter": load_bot(COUNTER)}, store=opener)
    async with TestClient(TestServer(app)) as client:
        yield client, store


async def post(
    client: TestClient, sender: str, text: str, message_id: str | None = None
) -> list[dict]:
    body = {"sender": sender, "message": text}
    if message_id is not None:
        body["message_id"] = message_id
    response = await client.post("/webhooks/rest/webhook", json=body)
    assert response.status == 200, await response.text()
    return await response.json()


async def test_a_burst_to_one_session_is_handled_one_at_a_time_in_order(server) -> None:
    client, store = server
    await post(client, "ada", "hello")
    replies = await asyncio.gather(*(post(client, "ada", f"m{n}", f"id{n}") for n in range(50)))
    numbered = {}
    for answer in replies:
        turn, text = re.match(r"#(\d+) (\S+)", answer[0]["text"]).groups()  # type: ignore[union-attr]
        numbered[int(turn)] = text
    assert sorted(numbered) == list(range(1, 51))  # every turn once, no gap, no repeat
    arrival = [text for text in store.enqueued if text != "hello"]
    assert [numbered[turn] for turn in range(1, 51)] == arrival  # processed in arrival order
    log = await store.log("counter:rest:ada", after=0, limit=500)
    speakers = [entry["from"] for entry in log]
    # one turn at a time: each customer entry is followed by its own replies, never interleaved
    assert speakers == ["customer", "bot"] + ["customer", "bot", "bot"] * 50


async def test_the_same_message_id_three_times_is_handled_once(server) -> None:
    client, store = server
    await post(client, "bob", "hello")
    answers = await asyncio.gather(*(post(client, "bob", "pizza", "same-id") for _ in range(3)))
    assert answers[0] == answers[1] == answers[2]
    assert answers[0][0]["text"] == "#1 pizza"
    follow_up = await post(client, "bob", "next", "other-id")
    assert follow_up[0]["text"] == "#2 next"
    log = await store.log("counter:rest:bob", after=0)
    assert [e["text"] for e in log if e["from"] == "customer"] == ["hello", "pizza", "next"]


async def test_sessions_do_not_wait_for_each_other(server) -> None:
    client, _store = server
    senders = [f"customer-{n}" for n in range(30)]
    await asyncio.gather(*(post(client, sender, "hello") for sender in senders))
    answers = await asyncio.gather(*(post(client, sender, sender) for sender in senders))
    assert [answer[0]["text"] for answer in answers] == [f"#1 {s}" for s in senders]
