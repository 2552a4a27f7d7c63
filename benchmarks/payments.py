"""Payments end to end in one process: how fast a paid webhook resumes its conversation.

For each of N conversations of the `till` test bot on a real store (SQLite file or Redis):
"buy", "2" (the order and the sandbox checkout are created in that turn), the customer pays on
the sandbox, then the signed webhook is delivered. Measured: the turn that creates the payment
request, and the webhook from arrival to the conversation's "Paid" entry in its log (verify,
dedupe, re-read the checkout, compare-and-set the order, announce, the turn). Then the same
webhooks again: the duplicates' cost. A step that goes wrong stops the run with an error.

    .venv/bin/python benchmarks/payments.py --store sqlite --conversations 300
    .venv/bin/python benchmarks/payments.py --store redis --conversations 300
    .venv/bin/python benchmarks/payments.py --store redis --quick     # CI: 10 conversations

Redis is `REDIS_URL` (else database 15 of 127.0.0.1:6379); the run's keys, under a prefix of
their own, are deleted at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
import uuid
from collections.abc import Mapping
from pathlib import Path

from framework.flows import load_bot
from framework.payments.sandbox import SandboxProvider
from framework.payments.service import Payments
from framework.runtime.turns import Runtime
from framework.stores.order_store import OrderStore
from framework.stores.records import InboxItem, SessionKey, StoreLimits, iso_time
from framework.stores.redis.orders import RedisOrders
from framework.stores.session_store import Store
from framework.stores.sqlite.orders import SqliteOrders

TILL = load_bot(Path(__file__).parent.parent / "tests" / "runtime" / "bots" / "till")


async def open_stores(kind: str, folder: Path, prefix: str) -> tuple[Store, OrderStore]:
    if kind == "sqlite":
        from framework.stores.sqlite.sessions import SqliteStore

        path = folder / "state.db"
        return await SqliteStore.open(str(path), StoreLimits()), await SqliteOrders.open(path)
    from framework.stores.redis.sessions import RedisStore

    return (
        RedisStore.from_url(redis_url(), StoreLimits(), prefix=prefix),
        RedisOrders.from_url(redis_url(), prefix),
    )


async def forget(kind: str, prefix: str) -> None:
    """Delete what a Redis run left (its sessions and orders, under the run's prefix)."""
    if kind != "redis":
        return
    from redis.asyncio import Redis

    client = Redis.from_url(redis_url())
    async for key in client.scan_iter(match=f"{prefix}:*", count=1000):
        await client.delete(key)
    await client.aclose()


def redis_url() -> str:
    return os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15")


def check(condition: bool, problem: str) -> None:
    if not condition:
        raise RuntimeError(problem)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def line(name: str, seconds: list[float]) -> str:
    ms = [s * 1000 for s in seconds]
    return (
        f"{name:<34} p50 {statistics.median(ms):6.2f} ms   p99 {percentile(ms, 0.99):6.2f} ms"
        f"   {len(ms) / sum(seconds):7.0f}/s one at a time"
    )


async def run(kind: str, conversations: int) -> None:
    prefix = f"bench-{uuid.uuid4().hex}"
    with tempfile.TemporaryDirectory() as folder:
        store, orders = await open_stores(kind, Path(folder), prefix)
        try:
            await measure(kind, conversations, store, orders)
        finally:
            await orders.close()
            await store.close()
            await forget(kind, prefix)


async def measure(kind: str, conversations: int, store: Store, orders: OrderStore) -> None:
    events: dict[str, tuple[bytes, Mapping[str, str]]] = {}
    sandbox = SandboxProvider(orders, "bench-secret", "http://bench.test")

    async def notify(session: str, item: InboxItem) -> None:
        await store.enqueue(session, item)
        await runtime.drain(session)

    payments = Payments(orders, sandbox, notify, public_url="http://bench.test")
    runtime = Runtime(store, {"till": TILL}, payments=payments)
    starts, webhooks, duplicates = [], [], []
    for n in range(conversations):
        key = f"till:rest:bench{n}"
        session = SessionKey.parse(key)
        now = iso_time(time.time())
        await runtime.submit(session, InboxItem.message(uuid.uuid4().hex, now, "buy"))
        began = time.perf_counter()
        await runtime.submit(session, InboxItem.message(uuid.uuid4().hex, now, "2"))
        starts.append(time.perf_counter() - began)
        [order] = await orders.list("till", limit=1)
        if order.checkout is None:
            raise RuntimeError(f"{key}: no payment request for {order}")

        async def capture(body: bytes, headers: Mapping[str, str], key: str = key) -> None:
            events[key] = (body, headers)

        sandbox.emit = capture
        await sandbox.pay(order.checkout, approve=True)
        body, headers = events[key]
        began = time.perf_counter()
        outcome = await payments.webhook(body, headers)
        webhooks.append(time.perf_counter() - began)
        check(outcome == "applied", f"{key}: the paid webhook was {outcome}")
        log = await store.log(key, 0, 50)
        check(log[-1]["text"].startswith("Paid: order"), f"{key}: not resumed: {log[-1]}")
    for body, headers in events.values():
        began = time.perf_counter()
        outcome = await payments.webhook(body, headers)
        duplicates.append(time.perf_counter() - began)
        check(outcome == "duplicate", f"a webhook sent again was {outcome}")
    print(f"{kind}, {conversations} conversations")
    print(line("turn that creates the request", starts))
    print(line("paid webhook → chat resumed", webhooks))
    print(line("duplicate webhook", duplicates))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--store", choices=["sqlite", "redis"], default="sqlite")
    parser.add_argument("--conversations", type=int, default=300)
    parser.add_argument("--quick", action="store_true", help="CI: 10 conversations")
    args = parser.parse_args()
    asyncio.run(run(args.store, 10 if args.quick else args.conversations))


if __name__ == "__main__":
    main()
