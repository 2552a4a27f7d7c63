"""Clauses that say a thing stays as it is ("Mine keeps the ham", "meine behält den
Schinken", "die Salami bleibt groß"): at an open question they answer nothing and order
nothing; the ham a Hawaii keeps is not an extra."""

from __future__ import annotations

import re
from dataclasses import replace
from itertools import pairwise
from typing import Final

from framework.flows.edit_words import STAYS
from framework.flows.events import Message
from framework.flows.understanding.normalize import tokens

__all__ = ["without_staying_clauses", "without_what_stays"]

_CLAUSES: Final = re.compile(r"(?<=[.!?;,])\s+")
_SAYING_MORE: Final = frozenset(
    {"bei", "with", "noch", "also", "auch", "another", "more", "mehr"}
    | {"und", "and", "dazu", "plus", "aber", "but", "statt", "instead"}
)
"""Words that make such a clause a choice or say more after all ("es bleibt bei der kleinen",
"stays with the large one", "the Salami stays large and a Coke")."""
_STILL_ONLY: Final = frozenset(
    {("still", "just"), ("still", "only"), ("weiterhin", "nur"), ("trotzdem", "nur")}
)
"""Two words in a row that say a count stays as it was ("Still just the one Cola Zero, he's
got water", "weiterhin nur eine Cola")."""


def without_what_stays(message: Message) -> Message:
    """The message without its clauses that only say what stays as it is (all of it when
    that is all it says: "The Vegetaria stays as is" answers nothing either way)."""
    if message.payload:
        return message
    return replace(message, text=without_staying_clauses(message.text))


def without_staying_clauses(text: str) -> str:
    """The text without its clauses that only say what stays as it is ("… the same pizza,
    the water stays one": no water ordered); the text as it is when that is all it says."""
    clauses = _CLAUSES.split(text)
    kept = [clause for clause in clauses if not _only_stays(tokens(clause))]
    return text if not kept or len(kept) == len(clauses) else " ".join(kept)


def _only_stays(words: list[str]) -> bool:
    stays = not STAYS.isdisjoint(words) or not _STILL_ONLY.isdisjoint(pairwise(words))
    return stays and _SAYING_MORE.isdisjoint(words)
