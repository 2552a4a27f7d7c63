"""The per-conversation rate limiter with a million senders: time per message and memory.

Each sender writes once, in turn, as a flood of invented senders would (the worst case: every
key is new, none has refilled its bucket); then the first 10,000 write again. The old limiter
rebuilt its whole table on every message once it held 100,000 keys (13.5 ms a message past
100,000); this one drops a few keys from the front per message and never holds more than
CAPACITY.

    .venv/bin/python benchmarks/ratelimit.py            # 1,000,000 senders
    .venv/bin/python benchmarks/ratelimit.py --quick    # 100,000 (make bench-smoke)

Exits 1 when the table outgrows CAPACITY or a message costs more than 100 us on average.
"""

from __future__ import annotations

import argparse
import sys
import time
import tracemalloc

from framework.runtime.ratelimit import CAPACITY, RateLimiter

CHECKPOINTS = (10_000, 100_000, 200_000, 500_000, 1_000_000)
BUDGET = 100e-6
"""Seconds a message may cost on average: the old limiter's 13.5 ms would fail by 100 times."""


def run(senders: int, rate: float | None, memory: bool) -> bool:
    """`rate` messages a second (None: all in the same instant, so no bucket refills)."""
    clock = [0.0]
    step = 1.0 / rate if rate else 0.0
    limiter = RateLimiter(30, 60, clock=lambda: clock[0])
    keys = [f"pizza:rest:sender-{n:07d}" for n in range(senders)]
    if memory:
        tracemalloc.start()
    ok, started = True, time.perf_counter()
    for done, key in enumerate(keys, 1):
        clock[0] += step
        limiter.allow(key)
        if done in CHECKPOINTS or done == senders:
            each = (time.perf_counter() - started) / done
            size = tracemalloc.get_traced_memory()[0] / 1e6 if memory else float("nan")
            print(f"{done:>10,} {each * 1e6:>11.2f} {len(limiter):>10,} {size:>7.1f}")
            ok = ok and (memory or each < BUDGET) and len(limiter) <= CAPACITY
    again = time.perf_counter()
    assert all(limiter.allow(key) for key in keys[:10_000])  # forgotten or refilled: admitted
    print(f"  the first 10,000 again: {(time.perf_counter() - again) / 10_000 * 1e6:.2f} us each")
    if memory:
        tracemalloc.stop()
    return ok


SCENARIOS = (
    ("10,000 messages a second (buckets refill after 2 s)", 10_000.0),
    ("all at once (no bucket refills: the table fills to CAPACITY)", None),
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100,000 senders")
    args = parser.parse_args()
    senders, ok = (100_000 if args.quick else 1_000_000), True
    for title, rate in SCENARIOS:
        for memory in (False, True):
            print(f"{title}{', memory traced (slower)' if memory else ''}:")
            print(f"{'senders':>10} {'us/message':>11} {'keys kept':>10} {'MB now':>7}")
            ok = run(senders, rate, memory) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
