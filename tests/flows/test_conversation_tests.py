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
