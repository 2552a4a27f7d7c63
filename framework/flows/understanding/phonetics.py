"""Menu words as a voice input heard them: "zwo Pizza Margarete", "eine Kappritschosa", "mit
extra Hallo Penjos". Speech recognition writes a word it does not know as words that sound
alike; the Cologne phonetics (Kölner Phonetik, Postel 1969: letters to sound classes, repeats
and vowels after the first dropped) give "Margarete" and "Margherita" one code, 67472, as
"Hallo Penjos" and "Jalapeños" (05168). Everyday words share the short codes ("want" and
"Fanta"), so only a code of four classes or more is read, and only where the letters are alike
too. Read only in a message that was dictated (dictation.py); over every customer message of
tests/understanding read as if dictated, 6 of 6,203 change, each to the menu word meant."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from typing import Final

from rapidfuzz import fuzz

from framework.flows.understanding.normalize import normalize
from framework.flows.understanding.typos import is_frequent

__all__ = ["SoundIndex", "cologne"]

_VOWELS: Final = frozenset("aeijouy")
_SIMPLE = {"b": "1", "f": "3", "v": "3", "w": "3", "g": "4", "k": "4", "q": "4", "l": "5"}
_SIMPLE |= {"m": "6", "n": "6", "r": "7", "s": "8", "z": "8"}


def _letters(word: str) -> str:
    """The word's letters as the menu's words are kept ("Käse" → "kaese")."""
    plain = unicodedata.normalize("NFKD", normalize(word))  # "jalapeños": the n stays
    return "".join(c for c in plain if "a" <= c <= "z")


def _code(letter: str, before: str, after: str) -> str:
    if letter in _VOWELS:
        return "0"
    if letter in _SIMPLE:
        return _SIMPLE[letter]
    if letter == "p":
        return "3" if after == "h" else "1"
    if letter in "dt":
        return "8" if after and after in "csz" else "2"
    if letter == "x":
        return "8" if before and before in "ckq" else "48"
    if letter == "c":
        hard = "ahkloqrux" if not before else "ahkoqux"
        return "4" if after and after in hard and not (before and before in "sz") else "8"
    return ""  # h, and what is no letter of the alphabet


def cologne(word: str) -> str:
    """The word's Cologne phonetic code ("Margherita" → "67472")."""
    letters = _letters(word)
    codes = "".join(
        _code(letter, letters[at - 1] if at else "", letters[at + 1 : at + 2])
        for at, letter in enumerate(letters)
    )
    kept = [code for at, code in enumerate(codes) if not at or code != codes[at - 1]]
    return "".join(kept[:1] + [code for code in kept[1:] if code != "0"])


_SHORTEST: Final = 4
"""A code shorter than this is shared by too many everyday words ("want" and "Fanta": 362,
"eine" and "ham": 06) to tell them apart."""
_ALIKE: Final = 60
"""How alike the letters must be too (rapidfuzz's ratio): "Margarete" and "Margherita" 63,
"Hallo Penjos" and "Jalapeños" 70, "Kappritschosa" and "Capricciosa" 67."""


class SoundIndex:
    """The menu's one-word phrases by their sound."""

    def __init__(self, phrases: Iterable[tuple[tuple[str, ...], str]]) -> None:
        """`phrases`: (words, value); a sound of one value only is kept, by one of its words
        ("margherita" and "margarita" sound alike and are one pizza)."""
        self._known: set[str] = set()
        singles: dict[str, dict[str, str]] = {}
        for phrase, value in phrases:
            self._known.update(phrase)
            if len(phrase) == 1 and len(cologne(phrase[0])) >= _SHORTEST:
                singles.setdefault(cologne(phrase[0]), {}).setdefault(value, phrase[0])
        self._singles = {
            code: next(iter(words.values())) for code, words in singles.items() if len(words) == 1
        }

    def heard(self, text: str) -> str:
        """The text with the words that sound like a menu phrase, and are none, written as it."""
        words = text.split()
        read: list[str] = []
        at = 0
        while at < len(words):
            found, used = self._at(words, at)
            read.append(found)
            at += used
        return " ".join(read)

    def _at(self, words: list[str], at: int) -> tuple[str, int]:
        word = words[at]
        following = words[at + 1] if at + 1 < len(words) else ""
        if following and not self._is_known(word) and not self._is_known(following):
            joined = (
                None if is_frequent(_letters(following)) else self._sounds_like(word + following)
            )
            if joined is not None:  # "Hallo Penjos"
                return joined + _trailing(following), 2
        alike = None if self._is_known(word) else self._sounds_like(word)
        return (alike + _trailing(word), 1) if alike is not None else (word, 1)  # "Margarete"

    def _sounds_like(self, heard: str) -> str | None:
        """The menu word with the same code, when the code is long enough to tell words apart
        and the letters are alike too; None otherwise."""
        menu = self._singles.get(cologne(heard))
        if menu is None or fuzz.ratio(_letters(heard), menu) < _ALIKE:
            return None
        return menu

    def _is_known(self, word: str) -> bool:
        return _letters(word) in self._known or len(_letters(word)) < 2


def _trailing(word: str) -> str:
    """The punctuation a replaced word ended with ("Zero," keeps its comma)."""
    return word[len(word.rstrip(",.;:!?")) :]
