"""Engine benchmark: turns per second on the pizza happy path, and the time to load a bot.

    .venv/bin/python benchmarks/engine.py [--conversations 2000] [--quick] [--varied]

Runs in one process on one core. Each conversation is a complete order (several items in one
message, a correction, delivery, address, confirmation, the pay step's payment request) on a
fresh session, so the numbers include session copying, understanding, templates and Babel
formatting. Every conversation is checked: it must end asking for 42,50 € and waiting for the
payment, else the run stops with an error. `--quick` (for CI) runs it in about a second.

`--varied` replays instead the customers' messages of every conversation under
tests/understanding/ once (thousands of distinct messages, each conversation on a fresh
session at its own time, checking only that no turn raises): the repeated order reads the same
nine messages again and again, so what the engine keeps per message text helps it more than it
helps customers who each write something new.
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

import yaml
from pizza_order import ORDER, TOTAL_MINOR

from framework.flows import Message, Session, StepResult, load_bot, new_session, step
from framework.flows.events import PaymentRequest

ROOT = Path(__file__).resolve().parent.parent
BOT = ROOT / "bots" / "pizza"
CONVERSATIONS = ROOT / "tests" / "understanding"
NOW = datetime(2026, 11, 27, 19, 0, tzinfo=ZoneInfo("Europe/Berlin"))
WAITING_FOR_PAYMENT = "$pay"
"""A frame's `wait` while its payment request is open (framework/flows/turn.py)."""


def unfinished(last: StepResult) -> str | None:
    """What is wrong with the end of an order, None when nothing is: its last turn asks the
    runtime to start a payment of the order's total, and the conversation waits for it with
    the three lines still in the cart (the cart is cleared once the payment arrives)."""
    session: Session = last.session
    requests = [e for e in last.effects if isinstance(e, PaymentRequest)]
    if [(r.action, r.bill.total if r.bill else None) for r in requests] != [("start", TOTAL_MINOR)]:
        return f"the last turn did not ask for one payment of {TOTAL_MINOR} cents: {requests}"
    if not session["stack"] or session["stack"][-1].get("wait") != WAITING_FOR_PAYMENT:
        return f"the conversation does not wait for the payment: {session['stack']}"
    if len(session["cart"]["lines"]) != 3:
        return f"the cart does not hold the three ordered lines: {session['cart']['lines']}"
    return None


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
            result = step(bot, session, Message(text, NOW))
            latencies.append(clock() - start)
            session = result.session
        problem = unfinished(result)
        if problem:
            raise SystemExit(f"the benchmark order did not end in its payment: {problem}")
    return latencies, time.perf_counter() - started


def customers() -> list[tuple[datetime, list[str]]]:
    """The time and the typed messages of every conversation under tests/understanding/, read
    with libyaml (1 s; the conversation tests' own reader, which keeps where every value was
    written for its messages, takes 15 s for them)."""
    return [
        (test["now"], [str(turn["user"]) for turn in test["turns"] if "user" in turn])
        for path in sorted(CONVERSATIONS.glob("**/*.yaml"))
        for test in yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)["tests"]
    ]


def measure_varied(conversations: list[tuple[datetime, list[str]]]) -> tuple[list[int], float]:
    """Per-turn latencies (ns) and the wall time of replaying every conversation once."""
    bot = load_bot(BOT)
    for _ in range(50):  # the lexicon, Babel's locales: warmed by the order's nine messages
        session = new_session(bot)
        for text in ORDER:
            session = step(bot, session, Message(text, NOW)).session
    latencies: list[int] = []
    clock = time.perf_counter_ns
    started = time.perf_counter()
    for now, texts in conversations:
        session = new_session(bot)
        for text in texts:
            start = clock()
            session = step(bot, session, Message(text, now)).session
            latencies.append(clock() - start)
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
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--conversations", type=int, default=2000)
    parser.add_argument(
        "--quick", action="store_true", help="CI: 50 conversations, fewer loads, one cold check"
    )
    parser.add_argument(
        "--varied", action="store_true", help="replay every tests/understanding conversation once"
    )
    args = parser.parse_args()
    if args.varied:
        replay = customers()
        latencies, wall_seconds = measure_varied(replay)
        print(f"conversations:    {len(replay)} (tests/understanding, each once)")
        print(f"distinct texts:   {len({text for _, texts in replay for text in texts})}")
        _print_turns(latencies, wall_seconds)
        return
    conversations, load_runs, cold_runs = (50, 3, 1) if args.quick else (args.conversations, 20, 3)
    measure_turns(50)  # warm caches (lexicon, Babel locales, compiled templates)
    latencies, wall_seconds = measure_turns(conversations)
    loads = measure_load(load_runs)
    cold = min(measure_cold_check() for _ in range(cold_runs))
    _print_turns(latencies, wall_seconds)
    load_ms = statistics.median(loads) * 1000
    print(f"load+check (warm process), median of {load_runs}: {load_ms:.1f} ms")
    print(f"theke check (cold process), best of {cold_runs}: {cold * 1000:.0f} ms")


def _print_turns(latencies: list[int], wall_seconds: float) -> None:
    print(f"turns:            {len(latencies)}")
    print(f"turns per second: {len(latencies) / wall_seconds:,.0f}  (wall clock, whole run)")
    print(f"per turn p50:     {percentile(latencies, 0.50):.0f} µs")
    print(f"per turn p99:     {percentile(latencies, 0.99):.0f} µs")


if __name__ == "__main__":
    main()
