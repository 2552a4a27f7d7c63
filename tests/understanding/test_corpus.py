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
    Case,
    review_corpus,
)

FLOORS = {
    CORPUS: 0.87,
    HOLDOUT: 0.75,
    HOLDOUT2: 0.75,
    HOLDOUT3: 0.52,
    GROUPS: 0.83,
    HOLDOUT4: 0.52,
}
"""Reached on 2026-12-03: 289 of 346 (the corpus grew by 76 conversations of the kinds
understood worst — questions in the middle, addresses in pieces, stories, dialect, answers
ahead — of which 17 passed when written), 52 of 70, 55 of 75 (44 when first measured,
before its wrong payments were fixed) and 32 of 65 (the third, written that evening as three
personas: 29 when first measured; 32 after the group-order work on other material); the aim
is 0.90. The group orders (tuning material: 7 of 30 with 13 wrong payments when written) reached
25 of 30 on 2026-12-04; then dialect and "das wär's" work on the corpus (294 of 346) gave the
held-out sets 53 of 70, 56 of 75 and 34 of 65. On 2026-12-04 the fourth set (80, written
by a helper who knew only the offer sheet) measured 37 of 80 when first run; it became tuning
material (52 % after the first fixes), and the corpus reached 303 of 346."""
SIZES = {CORPUS: 340, HOLDOUT: 70, HOLDOUT2: 75, HOLDOUT3: 65, GROUPS: 30, HOLDOUT4: 80}
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
    assert wrong == []


@CORPORA
def test_the_share_understood_does_not_fall(corpus: Path) -> None:
    found = cases(corpus)
    share = sum(case.review.passed for case in found) / len(found)
    floor = FLOORS[corpus]
    assert share >= floor, f"{share:.1%} of {corpus.name} passes, below the floor of {floor:.0%}"
