"""The engine's Python function calls a turn: a measure of its work that, unlike time, is the
same on a busy machine, and cheap enough to guard in CI (tests/flows/test_engine_budget.py).

    .venv/bin/python benchmarks/engine_calls.py [--json]   # the order and the varied chats

Counts every call the profiler hook sees, of Python functions and of built-in ones, during the
turns only: the pizza order after 20 orders of warm-up (the lexicon, Babel's locales, the
texts kept per message), and the first conversations of `engine.py --varied`, each once (every
message new, as a real customer's). A count moves a little with the hash seed (the order in
which a set's members are tried); callgrind (`engine_instructions.py`) counts instructions.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterable
from datetime import datetime
from types import FrameType
from typing import Any

from engine import BOT, NOW, customers
from pizza_order import ORDER

from framework.flows import Bot, Message, load_bot, new_session, step

VARIED = 300
"""The varied conversations counted: ~1,400 turns, a few seconds under the hook."""


def calls_per_turn(bot: Bot, chats: Iterable[tuple[datetime, list[str]]]) -> float:
    """The calls a turn of these conversations makes, each started anew."""
    calls = 0

    def count(frame: FrameType, event: str, arg: Any) -> None:
        nonlocal calls
        if event == "call" or event == "c_call":
            calls += 1

    turns = 0
    hook: Callable[[FrameType, str, Any], None] = count
    for now, texts in chats:
        session = new_session(bot)
        for text in texts:
            message = Message(text, now)
            sys.setprofile(hook)
            session = step(bot, session, message).session
            sys.setprofile(None)
            turns += 1
    return (calls - 2 * turns) / turns  # less the hook's own setprofile calls


def warmed_bot() -> Bot:
    bot = load_bot(BOT)
    for _ in range(20):
        session = new_session(bot)
        for text in ORDER:
            session = step(bot, session, Message(text, NOW)).session
    return bot


def order_calls(bot: Bot) -> float:
    return calls_per_turn(bot, [(NOW, list(ORDER))] * 20)


def varied_calls(bot: Bot, conversations: int = VARIED) -> float:
    return calls_per_turn(bot, customers()[:conversations])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--varied", type=int, default=VARIED, help="varied conversations")
    parser.add_argument("--json", action="store_true", help='{"order": …, "varied": …}')
    args = parser.parse_args()
    bot = warmed_bot()
    order, varied = order_calls(bot), varied_calls(bot, args.varied)
    if args.json:
        print(json.dumps({"order": round(order), "varied": round(varied)}))
        return
    print(f"the order:  {order:,.0f} calls a turn")
    print(f"varied:     {varied:,.0f} calls a turn ({args.varied} chats)")


if __name__ == "__main__":
    main()
