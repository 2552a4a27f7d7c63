"""Extras a customer says they do not like ("Oliven mag ich gar nicht", "I don't like olives",
"I hate onions"): never put on, and taken off the one line that has them. Said after a
correction ("ich meinte Zwiebeln, nicht Oliven! Oliven mag ich gar nicht.") the dislike is the
reason, not another wish."""

from __future__ import annotations

from typing import Final

from framework.flows.cart import describe_line
from framework.flows.named_things import Thing, holds, many_choice_groups
from framework.flows.turn import Turn
from framework.flows.understanding.negation import rejects

__all__ = ["disliked"]

_DISLIKING: Final = frozenset({"hate", "hasse", "hass", "dislike"})
_LIKE: Final = frozenset({"like", "want", "mag", "moeg", "moechte", "will"})
_NOT: Final = frozenset({"dont", "t", "not", "nicht", "kein", "keine", "never", "nie"})


def disliked(turn: Turn, words: list[str], found: list[Thing]) -> str | None:
    """The change when every thing the sentence names is an extra it says is not liked: taken
    off the one line holding them ("" when no line does: nothing to change, nothing to put
    on; None when several do, or the sentence says something else)."""
    many = many_choice_groups(turn.bot)
    if not found or not all(t.group in many and _not_liked(words, t) for t in found):
        return None
    holding = [line for line in turn.session["cart"]["lines"] if any(holds(line, t) for t in found)]
    if len(holding) != 1:
        return None if holding else ""  # on several: the other rules ask or take them off
    line = holding[0]
    before = describe_line(turn.bot, turn.lang, line)
    for thing in found:
        chosen = line["options"].get(str(thing.group), [])
        line["options"][str(thing.group)] = [c for c in chosen if c != thing.value]
    turn.cart.reprice(line)
    return f"{before} → {describe_line(turn.bot, turn.lang, line)}"


def _not_liked(words: list[str], thing: Thing) -> bool:
    """ "Oliven mag ich (gar) nicht", "olives I don't like", "I hate olives", "I don't like
    olives", "ich mag keine Oliven"."""
    before = words[max(0, thing.start - 4) : thing.start]
    after = words[thing.end : thing.end + 4]
    if _DISLIKING & set(before):
        return True
    if _LIKE & set(before) and _NOT & set(before):
        return True
    return bool(_LIKE & set(after)) and rejects(after)
