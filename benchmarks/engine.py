"""Engine benchmark: turns per second on the pizza happy path, and the time to load a bot.

    .venv/bin/python benchmarks/engine.py [--conversations 2000]

Runs in one process on one core. Each conversation is a complete order (several items in one
message, a correction, delivery, address, confirmation) on a fresh session, so the numbers
include session copying, understanding, templates and Babel formatting.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from pizza_order import ORDER

from framework.flows import Message, load_bot, new_session, step

BOT = Path(__file__).resolve().parent.parent / "bots" / "pizza"
NOW = datetime(2026, 11, 27, 19, 0, tzinfo=ZoneInfo("Europe/Berlin"))


def measure_turns(conversations: int) -> tuple[list[int], float]:
    """Per-turn latencies (ns) and the wall time of the whole run (s)."""
    bot = load_bot(BOT)
    latencies: list[int] = []
    clock = time.perf_counter_ns
    started = time.perf_counter()
    for _ in range(conversations):
        session = new_session(bot)
        for text in ORDER:
            start = clock()
            session = step(bot, session, Message(text, NOW)).session
            latencies.append(clock() - start)
        if session["stack"] or session["cart"]["lines"]:
            raise SystemExit("the benchmark order did not complete: check bots/pizza")
    return latencies, time.perf_counter() - started


def measure_load(runs: int) -> list[float]:
    """Load and check in-process (imports already done), as a long-running server would."""
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        load_bot(BOT)
        timings.append(time.perf_counter() - start)
    return timings


def measure_cold_check() -> float:
    """`theke check bots/pizza` as a fresh process, interpreter start and imports included."""
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "framework.cli", "check", str(BOT)],
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - start


def percentile(values: list[int], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))] / 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--conversations", type=int, default=2000)
    args = parser.parse_args()
    measure_turns(50)  # warm caches (lexicon, Babel locales, compiled templates)
    latencies, wall_seconds = measure_turns(args.conversations)
    loads = measure_load(20)
    cold = min(measure_cold_check() for _ in range(3))
    print(f"turns:            {len(latencies)}")
    print(f"turns per second: {len(latencies) / wall_seconds:,.0f}  (wall clock, whole run)")
    print(f"per turn p50:     {percentile(latencies, 0.50):.0f} µs")
    print(f"per turn p99:     {percentile(latencies, 0.99):.0f} µs")
    print(f"load+check (warm process), median: {statistics.median(loads) * 1000:.1f} ms")
    print(f"theke check (cold process), best of 3: {cold * 1000:.0f} ms")


if __name__ == "__main__":
    main()
