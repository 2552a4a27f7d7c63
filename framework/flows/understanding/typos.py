"""Typing slips that a similarity score misses: two letters swapped, a neighbouring key hit, a
first consonant softened as a dialect speaks it.

"slaami", "lrage", "wasswr" and "grpße" are one slip away from a menu word, but a ratio of
shared letters puts them as far from it as two unrelated changes would. The slips that fingers
make on a phone or a keyboard are few: two neighbouring letters typed in the wrong order, or
the key next to the right one (on a German QWERTZ or an English QWERTY keyboard). Exactly one
such slip is forgiven, and only where it leads to one known word; a word one *arbitrary* letter
away ("lange" and "large") is another word, not a slip, and so is every frequent German or
English word ("Nacht" is no slip of "macht", nor "often" of "offen"): common_words.txt, made
with wordfreq (`pip install wordfreq`):

    [w for lang in ("de", "en") for w in wordfreq.top_n_list(lang, 20000)], folded as
    normalize.py folds, ASCII letters only, three letters or more
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache, lru_cache
from operator import ne
from pathlib import Path
from typing import Final

__all__ = ["SlipReader", "is_frequent", "short_slip"]

_LAYOUTS: Final = (("qwertzuiop", "asdfghjkl", "yxcvbnm"), ("qwertyuiop", "asdfghjkl", "zxcvbnm"))
"""The letter rows of German QWERTZ and English QWERTY."""


def _neighbours() -> dict[str, frozenset[str]]:
    """Each letter's neighbouring keys on either layout: left and right in its row, and the
    two or three it touches in the rows above and below (the rows are staggered)."""
    near: dict[str, set[str]] = {}
    for rows in _LAYOUTS:
        for index, row in enumerate(rows):
            touching = [rows[other] for other in (index - 1, index + 1) if 0 <= other < len(rows)]
            for position, key in enumerate(row):
                keys = near.setdefault(key, set())
                for other in (row, *touching):
                    keys.update(other[max(0, position - 1) : position + 2])
    return {key: frozenset(keys - {key}) for key, keys in near.items()}


_NEAR: Final = _neighbours()
_SOFTENED: Final = frozenset(map(frozenset, ("bp", "dt", "gk", "gc")))
"""A hard consonant that Saxon, Franconian or Bavarian speech softens at a word's start, and
writes so ("ne Gola", "a Bizza"): one such letter is a slip too."""
_SOUNDING_ALIKE: Final = frozenset(map(frozenset, ("vw", "kc")))
"""Letters that sound alike wherever they stand, written as heard ("Oliwe" in Baden and
Swabia, "Kola"): one such letter is a slip too."""
_ENDING_ALIKE: Final = frozenset("iy")
"""A last letter written as heard: "Salamy" (not "Pryce", a name, for "price")."""
_SHORTEST: Final = 5
"""Shorter words are left alone: "mit" and "mir", "eine" and "eins" are all real words."""


@cache
def _common_words() -> frozenset[str]:
    lines = (Path(__file__).parent / "common_words.txt").read_text(encoding="utf-8").splitlines()
    return frozenset(line for line in lines if line and not line.startswith("#"))


def is_frequent(word: str) -> bool:
    """Whether the word is one of the frequent German or English words (never a slip, nor an
    abbreviation)."""
    return word in _common_words()


def _one_slip(typed: str, known: str) -> bool:
    """Whether `typed` is `known` with one swap of neighbouring letters or one neighbouring
    key (same length; the caller compares only words of equal length)."""
    if len(typed) == len(known) and sum(map(ne, typed, known)) > 2:
        return False  # most known words: out before the letters are looked at one by one
    differ = [index for index, (a, b) in enumerate(zip(typed, known, strict=True)) if a != b]
    if len(differ) == 1:
        index = differ[0]
        pair = frozenset((typed[index], known[index]))
        softened = index == 0 and pair in _SOFTENED
        ending = index == len(typed) - 1 and pair == _ENDING_ALIKE
        alike = softened or ending or pair in _SOUNDING_ALIKE
        return alike or typed[index] in _NEAR.get(known[index], frozenset())
    return _swapped(typed, known, differ)


@lru_cache(maxsize=8)
def _of_length(known: frozenset[str]) -> dict[int, tuple[str, ...]]:
    """The known words by their length."""
    lengths: dict[int, list[str]] = {}
    for word in known:
        lengths.setdefault(len(word), []).append(word)
    return {length: tuple(words) for length, words in lengths.items()}


def _differ(typed: str, known: str) -> list[int]:
    """Where two words of one length differ."""
    return [at for at, (a, b) in enumerate(zip(typed, known, strict=True)) if a != b]


def _swapped(typed: str, known: str, differ: list[int]) -> bool:
    """Whether the places where the words differ are two neighbouring letters swapped."""
    if len(differ) != 2:
        return False
    first, second = differ
    return second == first + 1 and typed[first] == known[second] and typed[second] == known[first]


class SlipReader:
    """The one known word a typed word is a slip of, among a fixed vocabulary."""

    def __init__(self, vocabulary: Iterable[str]) -> None:
        self._by_length: dict[int, list[str]] = {}
        for word in vocabulary:
            if len(word) >= _SHORTEST and word.isalpha():
                self._by_length.setdefault(len(word), []).append(word)

    def read(self, typed: str) -> str | None:
        if len(typed) < _SHORTEST or typed in _common_words():
            return None
        found = {known for known in self._by_length.get(len(typed), ()) if _one_slip(typed, known)}
        return found.pop() if len(found) == 1 else None


def short_slip(typed: str, known: frozenset[str], *, counted: bool = False) -> str | None:
    """The one known word that `typed` (three or four letters) is one slip of ("cila" of
    "cola"; "tono" of "tonno", a double letter typed once), when `typed` is no frequent word
    ("hier" is one key from "bier"); `counted` (right after a number: "1 coal"), a frequent
    word too when two of its neighbouring letters are swapped. Callers ask only where a name
    must stand, right after a count ("2 Cila")."""
    if not 3 <= len(typed) < _SHORTEST or typed in known:
        return None
    if typed in _common_words():
        if not counted:
            return None
        swapped = {
            word
            for word in _of_length(known).get(len(typed), ())
            if (word[0] == typed[0] or word[-1] == typed[-1])  # one of them stays in a swap
            and _swapped(typed, word, _differ(typed, word))
        }
        return swapped.pop() if len(swapped) == 1 else None
    found = {word for word in known if len(word) == len(typed) and _one_slip(typed, word)}
    found |= {word for word in known if _one_of_double(typed, word)}
    return found.pop() if len(found) == 1 else None


def _one_of_double(typed: str, known: str) -> bool:
    """Whether `typed` is `known` with one of a double letter typed once ("tono": "tonno")."""
    return len(known) == len(typed) + 1 and any(
        known[index] == known[index + 1] and known[:index] + known[index + 1 :] == typed
        for index in range(len(known) - 1)
    )
