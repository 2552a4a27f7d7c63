"""A value after "nicht"/"not" is the one not meant (negation.py), in answers and orders."""

from pathlib import Path

import pytest

from framework.flows import load_bot
from framework.flows.understanding.extract import extract_mentions
from framework.flows.understanding.lexicon import lexicon_for
from framework.flows.understanding.negation import dropped, negated

PIZZA = Path(__file__).resolve().parents[3] / "bots" / "pizza"


@pytest.mark.parametrize(
    ("words", "start", "expected"),
    [
        (["mittel", "nicht", "gross"], 2, True),
        (["nicht", "die", "grosse"], 2, True),
        (["not", "the", "large"], 2, True),
        (["mittel", "nicht", "gross"], 0, False),
        (["gross"], 0, False),
        (["die", "grosse"], 1, False),
        (["we", "don", "t", "want", "to", "collect", "it"], 5, True),
        (["so", "don", "t", "deliver"], 3, True),
        (["we", "want", "to", "collect", "it"], 3, False),
        (["abholen", "will", "ich", "nicht", "ich", "bin", "krank"], 0, True),
        (["abholen", "will", "ich", "heute"], 0, False),
        (["mehr", "brauch", "ma", "nicht"], 0, True),
        (["dass", "ich", "sie", "nicht", "bei", "regen", "abholen", "muss"], 6, True),
        (["dass", "ich", "sie", "nicht", "bei", "regen", "abholen", "muss", "sondern"], 6, True),
        (["weil", "ich", "nicht", "warten", "will", "abholen"], 5, False),
        (["ich", "sie", "nicht", "bei", "regen", "abholen", "muss"], 5, False),
    ],
)
def test_negated(words: list[str], start: int, expected: bool) -> None:
    assert negated(words, start) is expected


@pytest.mark.parametrize(
    ("text", "mention"),
    [
        ("Sorry, vertippt – zwei, nicht drei.", {"quantity": 2}),
        ("sorry, I meant three, not four", {"quantity": 3}),
        ("eine Salami, mittel, nicht groß", {"item": "salami", "size": "medium", "quantity": 1}),
    ],
)
def test_the_negated_value_is_not_read(text: str, mention: dict[str, object]) -> None:
    bot = load_bot(PIZZA)
    slots = [bot.slots[name] for name in sorted(bot.flows["order"].asks)]
    assert extract_mentions(text, slots, lexicon_for(bot)) == [mention]


@pytest.mark.parametrize(
    ("text", "value", "expected"),
    [
        ("so drop the delivery fee please", "delivery", True),
        ("remove the olives", "olives", True),
        ("delivery please, drop nothing", "delivery", False),
        ("the delivery fee is fine", "delivery", False),
    ],
)
def test_a_value_asked_to_go_is_dropped(text: str, value: str, expected: bool) -> None:
    words = text.split()
    assert dropped(words, words.index(value)) is expected
