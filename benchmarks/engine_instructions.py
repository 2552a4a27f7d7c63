"""The engine's turns for callgrind, which counts instructions the same on a busy machine.

    valgrind --tool=callgrind --callgrind-out-file=cg.out \\
        .venv/bin/python benchmarks/engine_instructions.py 60 [--varied]
    grep totals cg.out

Loads the pizza bot and runs 20 orders (the lexicon, Babel's locales), then N more orders, or
the first N conversations of `engine.py --varied`. A turn's instructions are the difference
between a run with N and one with 0, divided by the turns (`--count` prints them).
"""

from __future__ import annotations

import argparse

from engine import BOT, NOW, customers
from pizza_order import ORDER

from framework.flows import Message, load_bot, new_session, step


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("n", type=int, help="orders (or varied conversations) after the warm-up")
    parser.add_argument("--varied", action="store_true", help="the tests/understanding chats")
    parser.add_argument("--count", action="store_true", help="print the turns, run nothing")
    args = parser.parse_args()
    chats = customers()[: args.n] if args.varied else [(NOW, list(ORDER))] * args.n
    if args.count:
        print(sum(len(texts) for _, texts in chats))
        return
    bot = load_bot(BOT)
    for now, texts in [(NOW, list(ORDER))] * 20 + chats:
        session = new_session(bot)
        for text in texts:
            session = step(bot, session, Message(text, now)).session


if __name__ == "__main__":
    main()
