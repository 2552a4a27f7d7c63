"""A marketing broadcast to 100,000 holders of a SQLite consent ledger: the time to hand out
every notice (pacing off: what the store allows, not what the messengers do), notices per
second, the process's peak RSS, and a check that every holder got the notice exactly once and
nobody else did (1 % of those asked said STOP before it was sent).

    .venv/bin/python benchmarks/broadcast.py            # 100,000 holders
    .venv/bin/python benchmarks/broadcast.py --quick    # 10,000 (under 5 s)

Exit 1 when a holder got nothing or more than one notice, or a conversation that said STOP
got one.
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

from framework.broadcasts.service import Broadcasts
from framework.stores.consents import GRANTED, MARKETING, Consent, ConsentStore
from framework.stores.opening import open_broadcasts, open_consents, open_store
from framework.stores.records import StoreLimits

BOT, NOW = "shop", 1_800_000_000.0
SHOWN = "Darf Laden Lina dir hier Angebote schicken? Abmelden mit STOP."


def conversation(number: int) -> str:
    channel = ("whatsapp", "telegram", "web")[number % 3]
    return f"{BOT}:{channel}:{number:07d}"


async def seed(ledger: ConsentStore, count: int) -> set[str]:
    """`count` grants, every hundredth withdrawn again; the holders."""
    calls = []
    for number in range(count):
        key = conversation(number)
        calls.append(
            ledger.record(
                Consent(BOT, key, MARKETING, GRANTED, SHOWN, key.split(":")[1], "flow:x", NOW, "de")
            )
        )
    for start in range(0, len(calls), 1000):
        await asyncio.gather(*calls[start : start + 1000])
    stopped = [conversation(number) for number in range(0, count, 100)]
    for start in range(0, len(stopped), 1000):
        batch = stopped[start : start + 1000]
        await asyncio.gather(
            *(ledger.withdraw_all(BOT, key, "STOP", "web", "stop", NOW + 1) for key in batch)
        )
    return {conversation(number) for number in range(count)} - set(stopped)


def received(path: Path, broadcast_id: str) -> dict[str, int]:
    with sqlite3.connect(path) as db:
        rows = db.execute(
            "SELECT key, count(*) FROM inbox WHERE id = ? GROUP BY key",
            (f"broadcast:{broadcast_id}",),
        )
        return dict(rows.fetchall())


async def run(count: int) -> int:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "state.db"
        url = f"sqlite:///{path}"
        sessions = await open_store(url, StoreLimits())
        ledger, store = await open_consents(url), await open_broadcasts(url)
        started = time.perf_counter()
        holders = await seed(ledger, count)
        seeding = time.perf_counter() - started
        print(f"seeded {count:,} grants ({len(holders):,} holders) in {seeding:.1f} s")
        broadcasts = Broadcasts(store, ledger, {}, sessions.enqueue, lambda: NOW, rates=None)
        made = await broadcasts.create(BOT, "spring_offer", {"discount": "20 %"})
        await broadcasts.act(made.id, "send")
        started, steps = time.perf_counter(), 0
        while (await broadcasts.get(made.id)).status != "done":
            await broadcasts.sender.step()
            steps += 1
        took = time.perf_counter() - started
        final = await broadcasts.get(made.id)
        for closing in (sessions, ledger, store):
            await closing.close()
        got = received(path, made.id)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"handed out {final.queued:,} notices in {took:.2f} s ({steps} steps): "
        f"{final.queued / took:,.0f} notices/s; peak RSS {peak:.0f} MiB"
    )
    wrong = set(got) ^ holders
    twice = [key for key, times in got.items() if times != 1]
    if wrong or twice or final.queued != len(holders):
        print(
            f"WRONG: {len(wrong)} missing or unwanted, {len(twice)} more than once", file=sys.stderr
        )
        return 1
    print(f"every one of the {len(holders):,} holders got it once, nobody else")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="10,000 holders")
    parser.add_argument("--count", type=int, default=None)
    args = parser.parse_args()
    return asyncio.run(run(args.count or (10_000 if args.quick else 100_000)))


if __name__ == "__main__":
    sys.exit(main())
