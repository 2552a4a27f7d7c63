"""A worker SIGKILLed after an order was paid and before its event was kept or sent: real
`theke run` processes on one Redis, a real receiver, and the surviving worker's reconciler and
sender delivering order.paid after order.created, signed, each id once.

order.created is delivered before the payment: a worker killed while it held that event's lease
(either worker's sender may take it) would leave it, and order.paid behind it in the order's
stream, to the lease's end a minute later (events/delivery.py), which is not what this test
is about."""

from __future__ import annotations

import asyncio
import re
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from tests.events.test_receiver import SECRET, Receiver
from tests.payments.test_order_store import REDIS_URL, delete_keys, redis_client
from tests.runtime.processes import BOTS, Worker, post


@pytest.fixture
async def prefix() -> AsyncIterator[str]:
    """A key prefix of this test's own on the test Redis (its keys deleted after): neither an
    earlier test's orders and events nor another test run on the same Redis reach the
    workers."""
    client, prefix = await redis_client(), f"worker-crash-{uuid.uuid4().hex[:16]}"
    try:
        yield prefix
    finally:
        await delete_keys(client, prefix)


async def delivered_so_far(receiver: Receiver, prefix: str) -> None:
    """Until the receiver has an event and no other waits in the outbox under `prefix` nor is
    leased (the outbox's `due` streams, stores/redis/outbox.py)."""
    client = await redis_client()
    try:
        for _ in range(300):
            if receiver.received and not await client.zcard(f"{prefix}:{{%events}}:due"):
                return
            await asyncio.sleep(0.05)
        raise AssertionError(f"order.created was not delivered within 15 s: {receiver.received}")
    finally:
        await client.aclose()


def shop_workspace(folder: Path, redis_url: str, receiver: str) -> Path:
    (folder / "flows.yaml").write_text(
        f"version: 1\nbots:\n  - {BOTS / 'till'}\nstore: {redis_url}\n"
        "server: {host: 127.0.0.1, lease: 1s}\n"
        "payments: {provider: sandbox, reconcile: 1s}\n"
        f"events:\n  - {{url: '{receiver}', secret: 'env:THEKE_EVENTS_SECRET',"
        " types: [order.*]}\n",
        encoding="utf-8",
    )
    return folder / "flows.yaml"


async def test_a_worker_killed_between_paying_and_sending_loses_no_event(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, prefix: str
) -> None:
    monkeypatch.setenv("THEKE_SANDBOX_SECRET", uuid.uuid4().hex)
    monkeypatch.setenv("THEKE_EVENTS_SECRET", SECRET)
    receiver = Receiver(time.time)
    await receiver.start()
    workspace = shop_workspace(tmp_path, f"{REDIS_URL}?prefix={prefix}", receiver.url)
    doomed = Worker(workspace, fault="payment_applied:1")
    survivor = Worker(workspace)
    sender = f"paid-{uuid.uuid4().hex[:8]}"
    try:
        async with aiohttp.ClientSession() as http:
            await post(http, doomed, "till", sender, "buy", "m1")
            [reply] = await post(http, doomed, "till", sender, "2", "m2")
            await delivered_so_far(receiver, prefix)
            page = re.sub(r"^https?://[^/]+", doomed.url, reply["custom"]["url"])
            async with http.post(page, data={"decision": "pay"}, allow_redirects=False) as paid:
                assert paid.status == 303
        for _ in range(200):
            if doomed.process.poll() is not None:
                break
            await asyncio.sleep(0.05)
        assert doomed.process.poll() is not None, "the fault was not injected"
        for _ in range(150):
            if len(receiver.received) >= 2:
                break
            await asyncio.sleep(0.1)
        await asyncio.sleep(2.5)  # more rounds of the reconciler and the sender: nothing twice
    finally:
        doomed.kill()
        survivor.stop()
        await receiver.stop()
    types = [event["type"] for event in receiver.received]
    assert types == ["order.created", "order.paid"], types
    assert len(set(receiver.ids())) == 2 and receiver.forged == 0
    assert receiver.received[1]["data"]["order"]["status"] == "paid"
