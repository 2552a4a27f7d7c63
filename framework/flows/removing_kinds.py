"""Removing a whole kind of thing from the order: "doch keine Getränke", "no drinks after
all", "drop the drinks", "die Getränke bitte weg" — every line whose item has the tag the
words name (the catalog's `tags:` words, or the tag itself: "drinks"), when no item is named."""

from __future__ import annotations

from typing import Final

from framework.flows.cart import describe_line
from framework.flows.edit_words import REMOVING, WHOSE, WITHOUT
from framework.flows.shared_lines import one_of_shared, shared_lines
from framework.flows.turn import Turn
from framework.flows.understanding.lexicon import lexicon_for

__all__ = ["remove_kind"]

_NONE_OF: Final = WITHOUT | REMOVING | {"nix", "nichts", "none"}


def remove_kind(turn: Turn, words: list[str]) -> str | None:
    """The lines of the kind the sentence refuses, taken out and said back; None when it
    refuses no kind that is in the order (or names more than one)."""
    if not _NONE_OF & set(words):
        return None
    found = lexicon_for(turn.bot).kinds_found(words)
    kinds = {match.value for match in found}
    if len(kinds) != 1 or not any(_refused(words, match.start) for match in found):
        return None
    [kind] = kinds
    items = turn.bot.catalog.items
    lines = turn.session["cart"]["lines"]
    if not WHOSE.isdisjoint(words):  # "scrap Lisa's drink": one of a line they share
        return _one_of_shared(turn, kind)
    going = [line for line in lines if kind in items[line["item"]].tags]
    if not going or len(going) == len(lines):
        return None  # nothing of it, or everything: a cancel is said otherwise
    lines[:] = [line for line in lines if line not in going]
    without = "ohne" if turn.lang == "de" else "without"
    return ", ".join(f"{without} {describe_line(turn.bot, turn.lang, line)}" for line in going)


def _refused(words: list[str], at: int) -> bool:
    """Whether the sentence refuses the kind named at `at`: a word of removing anywhere
    ("drop the drinks", "die Getränke bitte weg"), or "no", "keine", "ohne" right before it
    ("doch keine Getränke", "ohne die Getränke") — not one before another thing ("Ich hole die
    Pizzas selbst ab, keine Lieferung" keeps the pizzas)."""
    if not (_NONE_OF - WITHOUT).isdisjoint(words):
        return True
    return not WITHOUT.isdisjoint(words[max(0, at - _BEFORE) : at])


_BEFORE: Final = 2
"""Words between "keine" and the kind at most ("keine der Getränke", "no more drinks")."""


def _one_of_shared(turn: Turn, kind: str) -> str | None:
    """ "Scrap Lisa's drink" when the drinks were ordered one each but not by name ("a Fanta
    for each of us"): one of the one shared line of that kind; None unless there is exactly
    one such line (a person's own lines are people.py's)."""
    items = turn.bot.catalog.items
    shared = [line for line in shared_lines(turn) if kind in items[line["item"]].tags]
    return one_of_shared(turn, shared[0]) if len(shared) == 1 else None
