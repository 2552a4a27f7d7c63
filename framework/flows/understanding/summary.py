"""The order said again at the end of a message, opened with "so": "… she'll just have a
Fanta. So one medium Quattro Formaggi for me, and a Fanta for her, please." orders one Fanta,
not two. An item the summing-up sentence names again is ordered as it says there; the
earlier sentences' parts that named it are the same thing, said before."""

from __future__ import annotations

from typing import Final

from framework.flows.understanding.lexicon import Lexicon
from framework.flows.understanding.second_thoughts import Part
from framework.flows.understanding.story import items_named

__all__ = ["without_summed_up"]

_SO: Final = ["so"]
"""The word that opens a summing-up ("So one medium …"); not "also", an addition in English."""


def without_summed_up(sentences: list[list[Part]], lexicon: Lexicon) -> list[list[Part]]:
    """The sentences, those before a summing-up one without their parts that name only
    items the summing-up names again."""
    for at, parts in enumerate(sentences[1:], 1):
        if parts and parts[0][0][:1] == _SO:
            return _before_it(sentences, at, lexicon)
    return sentences


def _before_it(sentences: list[list[Part]], at: int, lexicon: Lexicon) -> list[list[Part]]:
    again = {value for part in sentences[at] for value in items_named(part, lexicon)}
    if not again:
        return sentences
    return [
        [part for part in parts if not _said_again(part, again, lexicon)] if index < at else parts
        for index, parts in enumerate(sentences)
    ]


def _said_again(part: Part, again: set[str], lexicon: Lexicon) -> bool:
    named = items_named(part, lexicon)
    return bool(named) and named <= again
