"""A bot text's category (`category: utility` or `marketing` beside its languages in `texts:`):
read into the model, the shipped airline's notifications utility and its offer marketing, and
a category that is neither, or one without any words, named where it stands by `theke check`."""

from __future__ import annotations

from pathlib import Path

import pytest

from framework.flows import load_bot
from tests.flows.test_reader_errors import TINY, problems_of, write_bot

AIRLINE = Path(__file__).resolve().parents[2] / "bots" / "airline"


def test_the_category_is_read_beside_the_languages(tmp_path: Path) -> None:
    texts = """texts:
  delayed:
    category: utility
    en: "Your flight is delayed."
  sale:
    category: marketing
    en: "Spring sale!"
  hello: "Hello"
"""
    bot = load_bot(write_bot(tmp_path / "bot", TINY + texts))
    found = {name: bot.texts[name].category for name in ("delayed", "sale", "hello")}
    assert found == {"delayed": "utility", "sale": "marketing", "hello": ""}
    assert set(bot.texts["delayed"].variants) == {"en"}  # the category is no language


def test_the_airline_tells_its_notifications_from_its_offers() -> None:
    texts = load_bot(AIRLINE).texts
    for news in ("flight_delayed", "gate_changed", "flight_cancelled", "boarding"):
        assert texts[news].category == "utility", news
    assert texts["spring_sale"].category == "marketing"


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ('  sale:\n    category: advertising\n    en: "Sale!"\n', "['marketing', 'utility']"),
        ("  sale:\n    category: marketing\n", "needs its words"),
    ],
)
def test_a_bad_category_is_named_where_it_stands(tmp_path: Path, text: str, said: str) -> None:
    problems = [p for p in problems_of(tmp_path, TINY + "texts:\n" + text) if not p.warning]
    assert problems, "theke check passed it"
    assert any(said in p.message and p.pos.line >= 10 for p in problems), problems
