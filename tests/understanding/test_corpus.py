"""The understanding corpus as a guard (benchmarks/understanding.py reports it in full).

- No conversation may ever end with the customer asked to pay for anything other than what
  they ordered: the worst failure a shop bot can have.
- The share of conversations that go as the customer expects may not fall below what was
  reached (a ratchet: raise FLOOR as understanding improves; the aim is 90 %).

Both hold for the held-out conversations too (tests/understanding/holdout/ and holdout2/):
written the same way but not used to tune the understanding, they say what new customers will
meet; only their wrong payments were looked into.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))

from understanding import (  # noqa: E402  (a script folder)
    CORPUS,
    GROUPS,
    HOLDOUT,
    HOLDOUT2,
    HOLDOUT3,
    HOLDOUT4,
    HOLDOUT5,
    Case,
    review_corpus,
)

FLOORS = {
    CORPUS: 0.90,
    HOLDOUT: 0.85,
    HOLDOUT2: 0.83,
    HOLDOUT3: 0.64,
    GROUPS: 0.83,
    HOLDOUT4: 0.70,
    HOLDOUT5: 0.58,
}
"""Reached on 2026-12-04 (afternoon), after the work on the blind sixth set (benchmarks/
README.md, "Results, 2026-12-04 (afternoon)"): 313 of 346, 61 of 70, 64 of 75, 43 of 65,
25 of 30, 58 of 80 and 42 of 70. Earlier: 289 of 346 on 2026-12-03 (the corpus grew by 76
conversations of the kinds understood worst, of which 17 passed when written); the fourth
set measured 37 of 80 and the fifth 17 of 70 when first run, before they became tuning
material. The aim is 0.90 on every set."""
KNOWN_WRONG_PAYMENTS = {HOLDOUT5: 2}
"""Wrong payments that the stricter count of 2026-12-04 found and that are not fixed yet (a
link for another total than the one the test agreed last, at a turn that asserts no total:
before, only a turn's own total was compared). 15 were found; these 2 remain (a line made
large for "both of them" after asking which one; "my daughter says hers with extra ham" put on
both Hawaii). A ratchet: it may only go down, and every other set allows none."""
SIZES = {
    CORPUS: 340,
    HOLDOUT: 70,
    HOLDOUT2: 75,
    HOLDOUT3: 65,
    GROUPS: 30,
    HOLDOUT4: 80,
    HOLDOUT5: 70,
}
CORPORA = pytest.mark.parametrize("corpus", list(FLOORS), ids=lambda path: path.name)


def cases(corpus: Path) -> list[Case]:
    found = review_corpus(corpus)
    assert len(found) >= SIZES[corpus], f"{corpus} is missing"
    return found


@CORPORA
def test_no_customer_is_asked_to_pay_for_what_they_did_not_order(corpus: Path) -> None:
    wrong = [
        f"{case.lang}/{case.category}: {case.review.test.name}: {case.review.wrong_payments}"
        for case in cases(corpus)
        if case.review.wrong_payments
    ]
    assert len(wrong) <= KNOWN_WRONG_PAYMENTS.get(corpus, 0), wrong


@CORPORA
def test_the_share_understood_does_not_fall(corpus: Path) -> None:
    found = cases(corpus)
    share = sum(case.review.passed for case in found) / len(found)
    floor = FLOORS[corpus]
    assert share >= floor, f"{share:.1%} of {corpus.name} passes, below the floor of {floor:.0%}"
