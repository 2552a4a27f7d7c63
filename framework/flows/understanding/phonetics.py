"""Menu words as a voice input heard them: "zwo Pizza Margarete", "eine Dia Vola mit extra Hallo
Penjos", "drei Kohle Zero". Speech recognition writes a word it does not know as words that
sound alike; the Cologne phonetics (Kölner Phonetik, Postel 1969: letters to sound classes,
repeats and vowels after the first dropped) give "Margarete" and "Margherita" one code, 67472,
as "Hallo Penjos" and "Jalapeños" (05168). Read only in a message that was dictated
(dictation.py), where such words are likely; a typed "Kohle" stays money."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

__all__ = ["SoundIndex", "cologne"]

_VOWELS = frozenset("aeijouy")
_SIMPLE = {"b": "1", "f": "3", "v": "3", "w": "3", "g": "4", "k": "4", "q": "4", "l": "5"}
_SIMPLE |= {"m": "6", "n": "6", "r": "7", "s": "8", "z": "8"}


def _letters(word: str) -> str:
    plain = unicodedata.normalize("NFKD", word.casefold().replace("ß", "ss"))
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


_SHORTEST = 4
"""A code shorter than this is shared by too many words ("Kohle", "Kiel", "Cola": 45) to
stand alone; as part of a phrase of two ("Kohle Zero") it may."""


class SoundIndex:
    """The menu's phrases of one and two words by their sound."""

    def __init__(self, phrases: Iterable[tuple[tuple[str, ...], str]]) -> None:
        """`phrases`: (words, value); a sound read as one value only is kept, by one of its
        phrases ("margherita" and "margarita" sound alike and are one pizza)."""
        self._known: set[str] = set()
        singles: dict[str, dict[str, str]] = {}
        pairs: dict[tuple[str, ...], dict[str, tuple[str, ...]]] = {}
        for phrase, value in phrases:
            self._known.update(phrase)
            if len(phrase) == 1 and len(cologne(phrase[0])) >= _SHORTEST - 1:
                singles.setdefault(cologne(phrase[0]), {}).setdefault(value, phrase[0])
            elif len(phrase) == 2:
                pairs.setdefault(tuple(map(cologne, phrase)), {}).setdefault(value, phrase)
        self._singles = {
            code: next(iter(words.values())) for code, words in singles.items() if len(words) == 1
        }
        self._pairs = {
            codes: next(iter(found.values())) for codes, found in pairs.items() if len(found) == 1
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
        known = (self._is_known(word), self._is_known(following)) if following else (True, True)
        pair = self._pairs.get((cologne(word), cologne(following))) if not all(known) else None
        if pair is not None:  # "Kohle Zero"
            return " ".join(pair) + _trailing(following), 2
        joined = cologne(word + following) if not any(known) else ""
        if len(joined) >= _SHORTEST - 1 and joined in self._singles:  # "Dia Vola"
            return self._singles[joined] + _trailing(following), 2
        code = cologne(word)
        if len(code) >= _SHORTEST and code in self._singles and not self._is_known(word):
            return self._singles[code] + _trailing(word), 1  # "Margarete"
        return word, 1

    def _is_known(self, word: str) -> bool:
        return _letters(word) in self._known or len(_letters(word)) < 2


def _trailing(word: str) -> str:
    """The punctuation a replaced word ended with ("Zero," keeps its comma)."""
    return word[len(word.rstrip(",.;:!?")) :]
