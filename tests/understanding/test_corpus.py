"""The understanding corpus as a guard (benchmarks/understanding.py reports it in full).

- No conversation may ever end with the customer asked to pay for anything other than what
  they ordered: the worst failure a shop bot can have.
- The share of conversations that go as the customer expects may not fall below what was
  reached (a ratchet: raise FLOOR as understanding improves; the aim is 90 %).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))

from understanding import Case, review_corpus  # noqa: E402  (a script folder, not a package)

FLOOR = 0.82
"""Reached on 2026-12-03 (187 of 270); the aim is 0.90."""


def cases() -> list[Case]:
    found = review_corpus()
    assert len(found) >= 250, "the corpus is missing"
    return found


def test_no_customer_is_asked_to_pay_for_what_they_did_not_order() -> None:
    wrong = [
        f"{case.lang}/{case.category}: {case.review.test.name}: {case.review.wrong_payments}"
        for case in cases()
        if case.review.wrong_payments
    ]
    assert wrong == []


def test_the_share_understood_does_not_fall() -> None:
    found = cases()
    share = sum(case.review.passed for case in found) / len(found)
    assert share >= FLOOR, f"{share:.1%} of the corpus passes, below the floor of {FLOOR:.0%}"
