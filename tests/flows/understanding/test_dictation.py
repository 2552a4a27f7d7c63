"""Dictated messages and sound-alike numbers, read as typed (dictation.py, homophones.py)."""

from __future__ import annotations

import pytest

from framework.flows.understanding.dictation import undictated
from framework.flows.understanding.normalize import tokens


@pytest.mark.parametrize(
    ("said", "read"),
    [
        (
            "nein danke Komma das war alles Punkt liefern an Flughafenstraße zweiunddreißig "
            "Komma eins zwei null fünf drei Berlin Punkt",
            "nein danke, das war alles. liefern an Flughafenstraße 32, 12053 Berlin.",
        ),
        (
            "no thanks comma deliver to Sonnenallee seventy five comma one two zero four five "
            "Berlin full stop",
            "no thanks, deliver to Sonnenallee 75, 12045 Berlin.",
        ),
        ("Weserstraße fünf Punkt", "Weserstraße 5."),
        ("is that all question mark", "is that all?"),
    ],
)
def test_dictated_messages_are_read_as_written(said: str, read: str) -> None:
    assert undictated(said) == read


@pytest.mark.parametrize(
    "typed",
    [
        "zwei Komma fünf",  # a decimal comma said between numbers
        "eine Salami, Punkt 18 Uhr",  # written punctuation: typed, not dictated
        "Punkt",
        "",
        "Komma " * 2000,
    ],
)
def test_typed_messages_stay_as_they_are(typed: str) -> None:
    assert undictated(typed) == typed


def test_a_long_dictation_is_read_whole_and_quickly() -> None:
    said = "eine Salami Punkt " * 500
    assert undictated(said).count("Salami.") == 500


@pytest.mark.parametrize(
    ("said", "read"),
    [
        ("i'd like to large", ["two", "large"]),
        ("and for cokes", ["four", "cola"]),
        ("change it to large", ["to", "large"]),
        ("a pizza for kids", ["for", "kids"]),
    ],
)
def test_sound_alike_numbers_only_where_an_order_is_said(said: str, read: list[str]) -> None:
    words = tokens(said)
    assert words[-2:] == read
