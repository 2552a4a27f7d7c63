"""How well the pizza bot understands customers: the share of realistic conversations that go
as the customer expects, per language and category, and every conversation in which the bot
asked for money it should not have.

    .venv/bin/python benchmarks/understanding.py [--failures] [--category remove] [--lang en]
    .venv/bin/python benchmarks/understanding.py --set holdout   (or holdout2, holdout3, …)

`--set holdout` measures tests/understanding/holdout/<lang>.yaml instead, `--set holdout2` the
second such set: conversations written the same way but never used to tune the understanding
(only their wrong payments were fixed, as bugs of their own kind), so their share is the
honest estimate of what new customers meet.

The conversations are tests/understanding/corpus/<lang>/<category>.yaml, written by authors
who knew only the pizzeria's offer (tests/understanding/OFFER.md) and what each customer
wants, not the understanding code. Every conversation starts in the bot's own language
(German), as a real customer's does, whatever language its file is in: following the customer
is part of what is measured. A conversation passes when every expectation of every turn holds.
A "wrong payment" is a turn where the bot sent a payment link the customer did not ask for, or
one for a cart other than the one they ordered.
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from framework.flows import load_bot
from framework.testing.conversations import Review, load_tests, review_test

ROOT = Path(__file__).resolve().parent.parent
BOT = ROOT / "bots" / "pizza"
CORPUS = ROOT / "tests" / "understanding" / "corpus"
HOLDOUT = ROOT / "tests" / "understanding" / "holdout"
HOLDOUT2 = ROOT / "tests" / "understanding" / "holdout2"
HOLDOUT3 = ROOT / "tests" / "understanding" / "holdout3"
HOLDOUT4 = ROOT / "tests" / "understanding" / "holdout4"
HOLDOUT5 = ROOT / "tests" / "understanding" / "holdout5"
GROUPS = ROOT / "tests" / "understanding" / "groups"
"""Group orders (who gets what), tuning material: in the guard with its own floor."""
SETS = {
    folder.name: folder
    for folder in sorted(CORPUS.parent.iterdir())
    if folder.is_dir() and any(folder.glob("**/*.yaml"))
}
"""Every folder of conversations under tests/understanding, by its name: the corpus, the
groups and the held-out sets (holdout, holdout2, …)."""


@dataclass(frozen=True)
class Case:
    lang: str
    category: str
    review: Review


def review_corpus(corpus: Path = CORPUS) -> list[Case]:
    bot = load_bot(BOT)
    cases = []
    for path in sorted([*corpus.glob("*/*.yaml"), *corpus.glob("*.yaml")]):
        lang, category = (
            (path.stem, corpus.name) if path.parent == corpus else (path.parent.name, path.stem)
        )
        for test in load_tests(path):
            review = review_test(bot, test, lang=bot.business.language)
            cases.append(Case(lang, category, review))
    return cases


def share(cases: list[Case]) -> str:
    passed = sum(case.review.passed for case in cases)
    return f"{passed:>4}/{len(cases):<4} {100 * passed / max(1, len(cases)):5.1f} %"


def report(cases: list[Case], show_failures: bool) -> None:
    groups: dict[tuple[str, str], list[Case]] = defaultdict(list)
    for case in cases:
        groups[(case.category, case.lang)].append(case)
    print(f"{'category':<16} {'lang':<4} {'passed':>16}")
    for (category, lang), group in sorted(groups.items()):
        print(f"{category:<16} {lang:<4} {share(group)}")
    for lang in sorted({case.lang for case in cases}):
        print(f"{'all':<16} {lang:<4} {share([c for c in cases if c.lang == lang])}")
    print(f"{'all':<16} {'':<4} {share(cases)}")
    wrong = [case for case in cases if case.review.wrong_payments]
    print(f"\nconversations with a wrong payment request: {len(wrong)}")
    for case in wrong:
        test = case.review.test
        print(f"  {case.lang}/{case.category}: {test.name}: {case.review.wrong_payments[0]}")
    if show_failures:
        for case in cases:
            if not case.review.passed and case.review.failure is not None:
                print(f"\n--- {case.lang}/{case.category}\n{case.review.failure}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--failures", action="store_true", help="print each failed transcript")
    parser.add_argument("--category", help="only this category")
    parser.add_argument("--lang", help="only this language (de, en)")
    parser.add_argument(
        "--set", choices=SETS, default="corpus", help="the corpus, or a held-out set"
    )
    args = parser.parse_args()
    cases = [
        case
        for case in review_corpus(SETS[args.set])
        if args.category in (None, case.category) and args.lang in (None, case.lang)
    ]
    if not cases:
        print("no conversations in the corpus", file=sys.stderr)
        return 1
    report(cases, args.failures)
    return 0


if __name__ == "__main__":
    sys.exit(main())
