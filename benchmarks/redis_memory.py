"""Redis memory of real pizza sessions: what 100,000 customers cost in RAM.

    .venv/bin/python benchmarks/redis_memory.py [--sessions 100000] [--orders 300] [--quick]

Starts a throwaway `redis-server` on a free port (no persistence) and runs `--orders` complete
pizza orders through the real runtime (`Runtime` on `RedisStore`, the pizza bot, the REST
channel's message ids, a clock at 2026-11-27 19:00 when the pizzeria is open): nine messages,
two pizzas and a cola, a second pizza with extra cheese, a size changed, delivery, an address,
confirmed; then the pay step's link is paid on the sandbox provider, whose webhook resumes
the conversation (thanks, cart cleared). The orders themselves are kept in memory, not in this
Redis: what is measured is the sessions. It then clones those sessions with DUMP/RESTORE
(pipelined, new customer ids, the same hash-tag scheme, the same TTLs, their entries in the
timer index too) up to `--sessions` and prints Redis's `used_memory` per session and in all:

(a) right after the orders: the log (what a reloaded chat page shows), the results and the
    seen message ids are there, and the timer index still lists the cancelled timers;
(b) idle, history_ttl later (a day): every session key whose TTL ends by then is deleted, as
    Redis would expire it (log, results, seen), and the timer index is settled, as the
    workers' ticks do; what stays is what an idle customer costs for session_ttl (30 days).

An order that does not end paid and thanked stops the run with an error. `--quick` (for CI):
20 orders cloned to 2,000 sessions, a few seconds.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path

from pizza_order import ORDER, TOTAL
from redis.asyncio import Redis

from framework.flows import load_bot
from framework.payments.sandbox import SandboxProvider
from framework.payments.service import Payments, order_id
from framework.runtime.turns import Runtime
from framework.stores.memory.orders import MemoryOrders
from framework.stores.records import InboxItem, LogEntry, SessionKey, StoreLimits, iso_time
from framework.stores.redis.sessions import RedisStore

NOW = datetime.fromisoformat("2026-11-27T19:00:00+01:00").timestamp()
PIZZA = Path(__file__).resolve().parent.parent / "bots" / "pizza"
BATCH = 500
"""Sessions cloned per pipeline."""
TARGET = 300e6
"""100,000 idle sessions must fit in this many bytes."""


def customer(number: int) -> SessionKey:
    return SessionKey("pizza", "rest", f"customer-{number:06d}")


class Shop:
    """The runtime with the sandbox provider: its webhooks are delivered straight to Payments,
    whose turns run at once; what each paid conversation said is kept for the check."""

    def __init__(self, store: RedisStore) -> None:
        orders = MemoryOrders()
        self.sandbox = SandboxProvider(orders, "bench-secret", "http://bench.test", lambda: NOW)
        self.sandbox.emit = self._webhook
        self.payments = Payments(
            orders, self.sandbox, self._resume, public_url="http://bench.test", clock=lambda: NOW
        )
        bots = {"pizza": load_bot(PIZZA)}
        self.runtime = Runtime(store, bots, clock=lambda: NOW, payments=self.payments)
        self.resumed: dict[str, list[LogEntry]] = {}

    async def _webhook(self, body: bytes, headers: Mapping[str, str]) -> None:
        outcome = await self.payments.webhook(body, headers)
        if outcome != "applied":
            raise RuntimeError(f"the sandbox's webhook was not applied: {outcome}")

    async def _resume(self, session: str, item: InboxItem) -> None:
        self.resumed[session] = await self.runtime.submit(SessionKey.parse(session), item)

    async def pay(self, key: SessionKey, item_id: str) -> list[LogEntry]:
        """Pay the order the message `item_id` placed; what the conversation said then."""
        placed = await self.payments.orders.get(order_id(str(key), item_id))
        if placed is None or placed.checkout is None:
            raise RuntimeError(f"{key}: no payment request for its order: {placed}")
        await self.sandbox.pay(placed.checkout, approve=True)
        return self.resumed.pop(str(key), [])


def said(entries: list[LogEntry], words: str) -> bool:
    return any(entry.get("from") == "bot" and words in str(entry.get("text")) for entry in entries)


async def order(shop: Shop, key: SessionKey) -> None:
    """One complete order, message by message as the REST channel hands them over, then paid."""
    for text in ORDER:
        item = InboxItem.message(f"rest:{uuid.uuid4().hex}", iso_time(NOW), text)
        replies = await shop.runtime.submit(key, item)
    if not said(replies, TOTAL):
        raise RuntimeError(f"the order of {key} did not ask for {TOTAL} €: {replies}")
    thanks = await shop.pay(key, item.id)
    if not said(thanks, "bezahlt"):
        raise RuntimeError(f"the paid order of {key} was not thanked for: {thanks}")


async def run_orders(shop: Shop, orders: int, concurrency: int) -> None:
    customers = iter(range(orders))

    async def worker() -> None:
        for number in customers:
            await order(shop, customer(number))

    await asyncio.gather(*(worker() for _ in range(concurrency)))


async def settle(runtime: Runtime, store: RedisStore, now: float) -> None:
    """The workers' background tick at `now` until it finds nothing more to clean up in the
    indexes: no announced session with an empty inbox, no timer entry due by `now`."""
    pending, _, timers, _ = store.index_keys
    while await store._redis.zcard(pending) or await store._redis.zcount(timers, "-inf", now):
        await runtime.tick(now)


async def clone(store: RedisStore, raw: Redis, orders: int, sessions: int) -> None:
    """Copy the ordered sessions (keys with their TTLs, timer index entries) to new customers."""
    _, _, timer_index, versions = store.index_keys
    templates = []
    for number in range(orders):
        name = str(customer(number))
        pipe = raw.pipeline(transaction=False)
        for key in store.session_keys(name):
            pipe.dump(key)
            pipe.pttl(key)
        pipe.zscore(timer_index, name)
        pipe.hget(versions, name)
        *dumped, due, version = await pipe.execute()
        keys = [(d, max(t, 0)) for d, t in zip(dumped[::2], dumped[1::2], strict=True)]
        templates.append((keys, due, version))
    for start in range(orders, sessions, BATCH):
        pipe = raw.pipeline(transaction=False)
        for number in range(start, min(start + BATCH, sessions)):
            keys, due, version = templates[number % orders]
            name = str(customer(number))
            for key, (dumped, ttl) in zip(store.session_keys(name), keys, strict=True):
                if dumped is not None:
                    pipe.restore(key, ttl, dumped)
            if due is not None:
                pipe.zadd(timer_index, {name: due})
                pipe.hset(versions, name, version)
        await pipe.execute()


async def expire_history(runtime: Runtime, store: RedisStore, raw: Redis, sessions: int) -> None:
    """What history_ttl of idleness does: session keys whose TTL ends by then are gone, and the
    workers' ticks have settled the timer index (the order cancelled its timers)."""
    idle = store._limits.history_ttl
    for start in range(0, sessions, BATCH):
        names = [
            key for n in range(start, min(start + BATCH, sessions)) for key in keys_of(store, n)
        ]
        pipe = raw.pipeline(transaction=False)
        for name in names:
            pipe.pttl(name)
        ttls = await pipe.execute()
        expired = [name for name, ttl in zip(names, ttls, strict=True) if 0 <= ttl <= idle * 1000]
        if expired:
            await raw.delete(*expired)
    await settle(runtime, store, NOW + idle)


def keys_of(store: RedisStore, number: int) -> tuple[str, ...]:
    return tuple(store.session_keys(str(customer(number))))


async def used_memory(raw: Redis) -> int:
    return int((await raw.info("memory"))["used_memory"])


async def report(label: str, store: RedisStore, raw: Redis, base: int, sessions: int) -> int:
    total = await used_memory(raw) - base
    print(f"\n{label}")
    print(f"  used_memory: {total / 1e6:,.1f} MB for {sessions:,} sessions")
    print(f"  per session: {total / sessions:,.0f} bytes")
    print(f"  for 100,000: {total / sessions * 100_000 / 1e6:,.1f} MB")
    parts: dict[str, float] = {}
    sample = min(sessions, 200)
    for number in range(sample):
        for part, name in store.session_keys(str(customer(number)))._asdict().items():
            usage = await raw.memory_usage(name, samples=0) or 0
            parts[part] = parts.get(part, 0) + usage / sample
    print("  MEMORY USAGE per session key (average of 200):", end="")
    print("".join(f" {part} {size:,.0f}" for part, size in parts.items() if size))
    index = [await raw.memory_usage(name, samples=0) or 0 for name in store.index_keys]
    print(f"  index keys: {sum(index) / sessions:,.0f} bytes per session")
    return total


async def measure(url: str, sessions: int, orders: int, concurrency: int) -> None:
    raw = Redis.from_url(url)
    store = RedisStore.from_url(url, StoreLimits())
    shop = Shop(store)
    runtime = shop.runtime
    base = await used_memory(raw)
    started = time.perf_counter()
    await run_orders(shop, orders, concurrency)
    await settle(runtime, store, NOW)  # a worker's next tick cleans up the pending index
    ordered = time.perf_counter() - started
    print(f"{orders} real orders ({len(ORDER)} messages and a payment each) in {ordered:.1f} s")
    started = time.perf_counter()
    await clone(store, raw, orders, sessions)
    print(f"cloned to {sessions:,} sessions in {time.perf_counter() - started:.1f} s")
    await report("(a) right after the orders", store, raw, base, sessions)
    await expire_history(runtime, store, raw, sessions)
    idle = await report("(b) idle, after history_ttl (a day)", store, raw, base, sessions)
    verdict = "met" if idle / sessions * 100_000 < TARGET else "NOT met"
    print(f"\ntarget: 100,000 idle sessions under {TARGET / 1e6:.0f} MB: {verdict}")
    await store.close()
    await raw.aclose()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=100_000)
    parser.add_argument("--orders", type=int, default=300, help="real orders run (the rest cloned)")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--quick", action="store_true", help="CI: 20 orders, 2,000 sessions")
    options = parser.parse_args()
    if options.quick:
        options.orders, options.sessions = 20, 2_000
    if not 0 < options.orders <= options.sessions:
        parser.error("--orders must be between 1 and --sessions")
    server = shutil.which("redis-server")
    if server is None:
        sys.exit("redis-server is not installed")
    port = free_port()
    command = [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly"]
    process = subprocess.Popen([*command, "no"], stdout=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        version = subprocess.run([server, "--version"], capture_output=True, text=True).stdout
        print(version.strip())
        url = f"redis://127.0.0.1:{port}/0"
        asyncio.run(measure(url, options.sessions, options.orders, options.concurrency))
    finally:
        process.terminate()
        process.wait(timeout=10)


if __name__ == "__main__":
    main()
