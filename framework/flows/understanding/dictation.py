"""Messages dictated by voice, read as if typed: spoken punctuation ("Komma", "Punkt",
"comma", "period", "full stop") as its mark, and a house number or postcode said in words
("Flughafenstraße zweiunddreißig Komma eins zwei null fünf drei Berlin", "Sonnenallee seventy
five") as digits. Only a message with spoken punctuation and no written punctuation is read
so: "zwei Komma fünf" typed by hand stays as it is (homophones.py reads "to large" too)."""

from __future__ import annotations

import re
from typing import Final

from framework.flows.understanding.normalize import normalize
from framework.flows.understanding.numbers import word_to_number

__all__ = ["undictated"]

_MARKS: Final = {
    ("komma",): ",",
    ("punkt",): ".",
    ("fragezeichen",): "?",
    ("ausrufezeichen",): "!",
    ("doppelpunkt",): ":",
    ("neue", "zeile"): "\n",
    ("comma",): ",",
    ("period",): ".",
    ("full", "stop"): ".",
    ("question", "mark"): "?",
    ("exclamation", "mark"): "!",
    ("exclamation", "point"): "!",
    ("colon",): ":",
    ("new", "line"): "\n",
}
_FIRSTS: Final = frozenset(key[0] for key in _MARKS)
_WRITTEN: Final = re.compile(r"[,.;:!?]")
_DIGITS: Final = frozenset(range(10))
_TENS: Final = frozenset(range(20, 100, 10))
_STREET: Final = re.compile(
    r"(?:stra(?:ß|ss)e|str|weg|allee|platz|damm|ring|gasse|ufer|chaussee|street|road|avenue|lane)$",
    re.IGNORECASE,
)


def undictated(text: str) -> str:
    """The message with its spoken punctuation and spoken numbers written, when dictated."""
    if _WRITTEN.search(text) or not _FIRSTS & set(text.casefold().split()):
        return text  # typed, or no mark said: most messages, read at once
    words = text.split()
    if not any(_spoken_mark(words, at) for at in range(len(words))):
        return text
    written: list[str] = []
    at = 0
    while at < len(words):
        mark = _mark_at(words, at)
        if mark is not None:
            key, sign = mark
            written[-1:] = [written[-1] + sign] if written else []
            at += len(key)
            continue
        number, used = _number_at(words, at, written)
        written.append(number if number is not None else words[at])
        at += used
    return " ".join(written) or text  # only marks ("Punkt"): a word, as typed


def _spoken_mark(words: list[str], at: int) -> bool:
    """A mark said between words, not a decimal comma between numbers ("zwei Komma fünf")."""
    mark = _mark_at(words, at)
    if mark is None:
        return False
    before = word_to_number(normalize(words[at - 1])) if at > 0 else None
    after_at = at + len(mark[0])
    after = word_to_number(normalize(words[after_at])) if after_at < len(words) else None
    return before is None or after is None


def _mark_at(words: list[str], at: int) -> tuple[tuple[str, ...], str] | None:
    for key, sign in _MARKS.items():
        if tuple(word.casefold() for word in words[at : at + len(key)]) == key:
            return key, sign
    return None


def _number_at(words: list[str], at: int, written: list[str]) -> tuple[str | None, int]:
    """Digits for the number said from `at` (a postcode's digits one by one, "seventy five",
    "zweiunddreißig", a house number after a street), and how many words it took."""
    values = [word_to_number(normalize(word)) for word in words[at : at + 6]]
    run = 0
    while run < len(values) and values[run] in _DIGITS:
        run += 1
    if run >= 3:  # "eins zwei null fünf drei", "one two zero four five"
        return "".join(str(value) for value in values[:run]), run
    first = values[0] if values else None
    if first in _TENS and len(values) > 1 and values[1] in _DIGITS - {0}:
        return str(first + values[1]), 2  # "seventy five"
    after_street = bool(written) and _STREET.search(written[-1]) is not None
    if first is not None and (first >= 10 or after_street):
        return str(first), 1
    return None, 1
