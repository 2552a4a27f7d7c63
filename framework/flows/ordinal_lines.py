"""One pizza pointed at by its place in the order: "die zweite Pizza bitte doch ohne
Zwiebeln", "the second one large", "the last Salami with olives". The pizzas are counted as
the customer sees them in the cart, one by one (a line of two is the first and the second);
the one pointed at gets the choices the sentence names — split off its line when that line
holds more than one, so the others keep theirs."""

from __future__ import annotations

from typing import Final

from framework.flows.named_things import Thing, holds, lines_taking
from framework.flows.splitting_off import split_with
from framework.flows.turn import Turn
from framework.flows.understanding.matching import DEFINITE

__all__ = ["change_by_place"]

_PLACES: Final = {
    **dict.fromkeys(("erste", "ersten", "first"), 1),
    **dict.fromkeys(("zweite", "zweiten", "second", "2nd"), 2),
    **dict.fromkeys(("dritte", "dritten", "third", "3rd"), 3),
    **dict.fromkeys(("vierte", "vierten", "fourth", "4th"), 4),
    **dict.fromkeys(("letzte", "letzten", "last"), -1),
}
"""Ordinals and where they count from (-1: the last)."""


def change_by_place(turn: Turn, words: list[str], things: list[Thing]) -> str | None:
    """The change said back, or None when no pizza is pointed at by its place ("the second
    pizza", "die letzte Salami"), the sentence names no choice for it, or its place does not
    exist."""
    place = _place(words)
    if place is None:
        return None
    index, at = place
    items = [t for t in things if t.group is None]
    choices = [t for t in things if t.group is not None and t.start > index]
    if len(items) > 1 or not choices:
        return None
    units = [
        line
        for line in lines_taking(turn, choices)
        if not items or holds(line, items[0])
        for _ in range(line["quantity"])
    ]
    if len(units) < 2 or not -len(units) <= (at - 1 if at > 0 else at) < len(units):
        return None  # "the second" of one pizza points at nothing
    return split_with(turn, units[at - 1 if at > 0 else at], 1, choices, words)


def _place(words: list[str]) -> tuple[int, int] | None:
    """(where, which) of an ordinal said after "the"/"die": "die zweite", "the last"."""
    for index, word in enumerate(words[1:], 1):
        if word in _PLACES and words[index - 1] in DEFINITE:
            return index, _PLACES[word]
    return None
