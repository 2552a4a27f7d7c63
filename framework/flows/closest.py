"""What comes closest to something not on the menu, asked right after the bot said it has none
("„Quattro Stagioni“ haben wir leider nicht" — "Was kommt der am nächsten?", "what's the
closest thing you have?"): the items alike again, or what the bot's knowledge said of it
("no pepperoni pizza as such – the Salami is mild, the Diavola …"), never "I don't know"."""

from __future__ import annotations

import re
from typing import Final

from framework.flows.model import label_for
from framework.flows.turn import Turn

__all__ = ["closest_answered", "names_of", "note_missing"]

MISSING: Final = "missing"
"""A session flag: the thing said to be missing, what is alike, the knowledge said of it."""
_RECENT_TURNS: Final = 2
_CLOSEST: Final = re.compile(
    r"\b(?:closest|nearest|similar|alternatives?|instead|comes? close|am n(?:ä|ae)chsten"
    r"|(?:ä|ae)hnlich\w*|stattdessen|alternativ\w*|vergleichbar\w*|so (?:was|etwas) wie"
    r"|sowas wie|was anderes|something else|what else)\b",
    re.IGNORECASE,
)


def note_missing(turn: Turn, thing: str, alike: list[str], entries: list[str]) -> None:
    turn.session["flags"][MISSING] = {
        "thing": thing,
        "alike": alike,
        "entries": entries,
        "turn": turn.session["turns"],
    }


def names_of(turn: Turn, items: list[str]) -> str:
    """The items' names in the conversation's language, joined for a text."""
    catalog, default = turn.bot.catalog.items, turn.bot.business.language
    return ", ".join(label_for(catalog[item].name, turn.lang, default) for item in items)


def closest_answered(turn: Turn, text: str) -> bool:
    """Answer a question what comes closest to what was just said to be missing; False when
    the message asks no such thing, or nothing is known to come close."""
    missing = turn.session["flags"].get(MISSING)
    if not isinstance(missing, dict) or _CLOSEST.search(text[:300]) is None:
        return False
    if turn.session["turns"] - missing["turn"] > _RECENT_TURNS:
        return False
    for entry in missing["entries"]:
        if entry in turn.bot.knowledge:
            turn.say(turn.bot.knowledge[entry].answer)
    alike = [item for item in missing["alike"] if item in turn.bot.catalog.items]
    if alike:
        turn.say_named("closest_to", thing=missing["thing"], like=names_of(turn, alike))
    return bool(alike or missing["entries"])
