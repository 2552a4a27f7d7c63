"""The conversation-test format itself: a misspelt expectation is refused instead of checking
nothing, and `not_bot` fails a turn whose replies say what they must not."""

from __future__ import annotations

from pathlib import Path

import pytest

from framework.errors import FlowError
from framework.flows import load_bot
from framework.testing.conversations import load_tests, review_test

PIZZA = Path(__file__).resolve().parents[2] / "bots" / "pizza"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "tests.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("tests:\n  - turns:\n      - user: hallo\n        cart_totl: 3\n", "'cart_totl'"),
        ("tests:\n  - turns:\n      - user: hallo\n        bots: [Hallo]\n", "'bots'"),
        ("tests:\n  - nmae: x\n    turns:\n      - user: hallo\n", "'nmae'"),
        ("tests:\n  - turns:\n      - hallo\n", "a turn is a mapping"),
    ],
)
def test_an_unknown_key_is_refused_with_its_name_and_place(
    tmp_path: Path, text: str, named: str
) -> None:
    with pytest.raises(FlowError, match="test 1") as raised:
        load_tests(write(tmp_path, text))
    assert named in str(raised.value)


def test_not_bot_fails_a_turn_whose_reply_says_it_and_passes_one_that_does_not(
    tmp_path: Path,
) -> None:
    bot = load_bot(PIZZA)
    said, unsaid = load_tests(
        write(
            tmp_path,
            "tests:\n"
            "  - turns:\n      - user: hallo\n        not_bot: [Willkommen]\n"
            "  - turns:\n      - user: hallo\n        not_bot: [{pattern: '(?i)bezahl'}]\n",
        )
    )
    failed = review_test(bot, said)
    assert not failed.passed
    assert "a reply matches 'Willkommen'" in failed.problems[0]
    assert review_test(bot, unsaid).passed


AGREED_THEN_PAID = """
tests:
  - name: agreed one total, paid another
    turns:
      - user: eine große Salami ohne Extras
        cart_total: {agreed}
      - user: nein
      - user: abholen
      - user: ja
        link: true
"""


@pytest.mark.parametrize(("agreed", "wrong"), [("12.50", False), ("9.50", True)])
def test_a_link_for_another_total_than_the_one_agreed_is_a_wrong_payment(
    tmp_path: Path, agreed: str, wrong: bool
) -> None:
    """The link turn asserts no total: the total the test agreed last is what the customer
    may be asked to pay (12,50 € for a large Salami)."""
    bot = load_bot(PIZZA)
    (test,) = load_tests(write(tmp_path, AGREED_THEN_PAID.format(agreed=agreed)))
    review = review_test(bot, test)
    assert bool(review.wrong_payments) is wrong
    assert review.passed is not wrong
