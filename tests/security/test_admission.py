"""Admission control: who may start a turn, and how often.

The attacks: one client invents a new sender for every message (each costs the store a
session) — nothing stopped it; a crowd of addresses does the same to one bot; a WhatsApp or
Telegram customer floods a conversation — 80 of 80 WhatsApp messages were processed where REST
stops at 60; and a client retries a message it already got an answer for while its conversation
is over the limit — that must get the stored answer, never 429.
(The limiter's cost with a million senders is a benchmark: benchmarks/ratelimit.py.)
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestClient, TestServer

from framework.app import create_app
from framework.channels.common import CONTEXT
from framework.flows import load_bot
from framework.runtime.ratelimit import RateLimiter
from framework.stores.memory.sessions import MemoryStore
from framework.stores.session_store import Store
from framework.workspace import Workspace, read_workspace
from tests.fakes import webhooks as wa
from tests.fakes.graph_api import APP_SECRET

ROOT = Path(__file__).resolve().parents[2]
COUNTER = ROOT / "tests" / "runtime" / "bots" / "counter"
REST = "/webhooks/rest/webhook"
TG_SECRET = "tg-secret-0123"
NOWHERE = "http://127.0.0.1:9"  # the bot's answers to messengers go nowhere: not the point here


async def serve(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, **settings: Any) -> TestClient:
    for name, value in {"WA_S": APP_SECRET, "WA_V": "v", "WA_T": "t", "TG_T": "1:x"}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("TG_S", TG_SECRET)
    channels = {
        "rest": {},
        "web": {},
        "whatsapp": {
            "app_secret": "env:WA_S",
            "verify_token": "env:WA_V",
            "token": "env:WA_T",
            "api_base": NOWHERE,
            "numbers": {wa.BUSINESS.phone_number_id: {"bot": "counter"}},
        },
        "telegram": {
            "api_base": NOWHERE,
            "bots": {"counter": {"token": "env:TG_T", "secret_token": "env:TG_S"}},
        },
    }
    store = MemoryStore()

    async def opener() -> Store:
        return store

    workspace = Workspace(root=tmp_path, bots=(COUNTER,), channels=channels, **settings)
    app = create_app(workspace, {"counter": load_bot(COUNTER)}, store=opener)
    client = TestClient(TestServer(app))
    await client.start_server()
    return client


@pytest.fixture
async def strict(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[TestClient]:
    """Five messages at once per conversation, then one a minute; three new conversations
    from an address, six of the bot on a channel."""
    client = await serve(
        tmp_path, monkeypatch, burst=5, messages_per_minute=1, new_per_address=3, new_per_bot=6
    )
    yield client
    await client.close()


async def post_from(client: TestClient, address: str, body: dict[str, Any]) -> tuple[int, Any]:
    """A REST message from the local address `address` (127.0.0.x: every one is this host)."""
    connector = aiohttp.TCPConnector(local_addr=(address, 0))
    async with (
        aiohttp.ClientSession(connector=connector) as session,
        session.post(f"http://127.0.0.1:{client.port}{REST}", json=body) as response,
    ):
        return response.status, (await response.json(), response.headers.get("Retry-After"))


async def test_a_client_inventing_senders_is_stopped_by_its_address(strict: TestClient) -> None:
    statuses = [
        (await post_from(strict, "127.0.0.2", {"sender": f"fake-{n}", "message": "hi"}))[0]
        for n in range(5)
    ]
    assert statuses == [200, 200, 200, 429, 429]  # before: 200 for every invented sender
    status, (body, retry_after) = await post_from(
        strict, "127.0.0.2", {"sender": "fake-9", "message": "hi"}
    )
    assert status == 429 and "new conversations" in body["error"] and int(retry_after) >= 1
    # A conversation already going on goes on; other addresses are not affected.
    assert (await post_from(strict, "127.0.0.2", {"sender": "fake-0", "message": "hi"}))[0] == 200
    assert (await post_from(strict, "127.0.0.3", {"sender": "calm", "message": "hi"}))[0] == 200


async def test_a_crowd_of_addresses_is_stopped_by_the_bot(strict: TestClient) -> None:
    statuses = [
        (await post_from(strict, f"127.0.1.{n}", {"sender": f"crowd-{n}", "message": "hi"}))[0]
        for n in range(1, 9)
    ]
    assert statuses == [200] * 6 + [429] * 2


async def test_a_retried_message_gets_its_stored_answer_even_over_the_limit(
    strict: TestClient,
) -> None:
    first = await strict.post(REST, json={"sender": "ada", "message": "m0", "message_id": "m-0"})
    answer = await first.json()
    for n in range(1, 5):
        await strict.post(REST, json={"sender": "ada", "message": f"m{n}", "message_id": f"m-{n}"})
    over = await strict.post(REST, json={"sender": "ada", "message": "m5", "message_id": "m-5"})
    assert over.status == 429
    again = await strict.post(REST, json={"sender": "ada", "message": "m0", "message_id": "m-0"})
    assert again.status == 200  # before: 429, the retry was limited before it was deduplicated
    assert await again.json() == answer


async def metric(client: TestClient, name: str) -> float:
    text = client.app[CONTEXT].runtime.metrics.exposition().decode()
    return sum(float(line.split()[-1]) for line in text.splitlines() if line.startswith(name))


async def customer_turns(client: TestClient, key: str, expected: int) -> list[str]:
    store = client.app[CONTEXT].runtime.store
    for _ in range(200):
        said = [e["text"] for e in await store.log(key, 0, 500) if e["from"] == "customer"]
        if len(said) >= expected:
            await asyncio.sleep(0.2)  # and no more come
            return [e["text"] for e in await store.log(key, 0, 500) if e["from"] == "customer"]
        await asyncio.sleep(0.02)
    raise AssertionError(f"only {said}")


async def test_whatsapp_messages_are_held_to_the_conversations_limit(strict: TestClient) -> None:
    messages = [wa.text(f"m{n}", wamid=f"wamid.flood-{n}") for n in range(80)]
    body = json.dumps(wa.inbound(*messages)).encode()
    headers = {"X-Hub-Signature-256": wa.signature(body, APP_SECRET)}
    response = await strict.post("/webhooks/whatsapp", data=body, headers=headers)
    assert response.status == 200  # never make Meta retry
    key = f"counter:whatsapp:{wa.CUSTOMER.user_id}"
    said = await customer_turns(strict, key, 5)
    assert said == [f"m{n}" for n in range(5)]  # before: all 80 ran
    limited = 'theke_rejected_requests_total{reason="rate_limited"}'
    assert await metric(strict, limited) == 75
    # Meta delivers the same webhook again: duplicates, not over the limit, and nothing runs.
    again = await strict.post("/webhooks/whatsapp", data=body, headers=headers)
    assert again.status == 200
    assert await metric(strict, "theke_duplicate_messages_total") == 5
    assert await customer_turns(strict, key, 5) == said


async def test_telegram_messages_are_held_to_the_conversations_limit(strict: TestClient) -> None:
    headers = {"X-Telegram-Bot-Api-Secret-Token": TG_SECRET}
    for n in range(12):
        update = {
            "update_id": 100 + n,
            "message": {
                "message_id": n,
                "date": 1795802400,
                "chat": {"id": 4242, "type": "private", "first_name": "Ada"},
                "from": {"id": 4242, "is_bot": False, "first_name": "Ada"},
                "text": f"t{n}",
            },
        }
        answer = await strict.post("/webhooks/telegram/counter", json=update, headers=headers)
        assert answer.status == 200
    said = await customer_turns(strict, "counter:telegram:4242", 5)
    assert said == [f"t{n}" for n in range(5)]


def test_the_limiter_stays_bounded_with_a_million_senders() -> None:
    """Memory, not time (that is benchmarks/ratelimit.py): all at one instant, so no bucket
    refills and every key would be kept."""
    limiter = RateLimiter(30, 60, clock=lambda: 0.0, capacity=1000)
    for n in range(1_000_000):
        assert limiter.allow(f"sender-{n}")
    assert len(limiter) == 1000


def test_a_full_bucket_is_forgotten() -> None:
    now = [0.0]
    limiter = RateLimiter(60, 2, clock=lambda: now[0])
    for n in range(100):
        limiter.allow(f"sender-{n}")
    now[0] = 10.0  # every bucket is full again: nothing to remember
    for n in range(100):
        limiter.allow(f"later-{n}")
    assert len(limiter) <= 100 + 2


def test_the_limits_are_read_from_flows_yaml(tmp_path: Path) -> None:
    (tmp_path / "flows.yaml").write_text(
        f"bots: [{COUNTER}]\nlimits:\n  new_conversations: {{per_address: 5, per_bot: 50}}\n"
    )
    workspace, problems = read_workspace(tmp_path)
    assert problems == [] and workspace is not None
    assert (workspace.new_per_address, workspace.new_per_bot) == (5, 50)
