"""Who in a group a line is for, as the session keeps it: names and roles as people write them,
never a sentence's first word or a pizza."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from framework.flows import Message, load_bot, new_session, step
from framework.flows.understanding.not_names import not_a_name

PIZZA = load_bot(Path(__file__).resolve().parents[2] / "bots" / "pizza")
FRIDAY = datetime(2026, 11, 27, 19, 0, tzinfo=ZoneInfo("Europe/Berlin"))


def persons(text: str, lang: str = "de") -> list[tuple[str, str | None]]:
    session = step(PIZZA, new_session(PIZZA, lang=lang), Message(text, FRIDAY)).session
    return [(line["item"], line.get("person")) for line in session["cart"]["lines"]]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Für Tom eine große Salami ohne Extras, Lisa nimmt eine kleine Funghi ohne Extras",
            [("salami", "tom"), ("funghi", "lisa")],
        ),
        (
            "für mich eine große Salami ohne Extras und meine Frau nimmt eine kleine Tonno, ohne",
            [("salami", "ich"), ("tonno", "meine frau")],
        ),
        (
            "Sabine eine mittlere Vegetaria mit Oliven, Klaus eine große Prosciutto ohne Extras",
            [("vegetaria", "sabine"), ("prosciutto", "klaus")],
        ),
        ("Can I have a large Salami without extras", [("salami", None)]),
        ("Salami groß ohne Extras, Cola dazu", [("salami", None), ("cola", None)]),
        ("Lemme get a large Salami without extras", [("salami", None)]),
        ("Gimme a small Tonno without extras and a Fanta", [("tonno", None), ("fanta", None)]),
    ],
)
def test_whom_a_line_is_for(text: str, expected: list[tuple[str, str | None]]) -> None:
    assert persons(text) == expected


@pytest.mark.parametrize("word", ["Lemme", "Gimme", "Deliver", "Too", "Right", "Dazu", "Moment"])
def test_words_that_start_a_sentence_name_no_one(word: str) -> None:
    assert not_a_name(word)


@pytest.mark.parametrize("word", ["Tom", "Lisa", "Colan", "Mia"])
def test_names_are_names(word: str) -> None:
    assert not not_a_name(word)
