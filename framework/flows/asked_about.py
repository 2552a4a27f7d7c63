"""The item a customer just asked about, taken when they answer the item question as if it
were named: "was ist auf der Capricciosa?" — (the answer) — "Klingt gut, nehm ich. Mittel."
is a medium Capricciosa, not a question asked again."""

from __future__ import annotations

import re
from dataclasses import replace

from framework.flows.events import Message
from framework.flows.model import Slot
from framework.flows.turn import Turn
from framework.flows.understanding.lexicon import lexicon_for
from framework.flows.understanding.normalize import tokens

__all__ = ["remember_asked_about", "taken_as_asked"]

ASKED_ABOUT = "asked_about"
"""A session flag: [item id, turn] of the one item a question at the item question named."""
_TAKING = re.compile(
    r"\b(?:nehm(?:e)? ich|die nehm|nehm(?:e)? die|klingt gut|hört sich gut an|passt|genau die|"
    r"i'?ll (?:take|have) (?:it|that|one)|sounds good|that one|take it|go for it)\b",
    re.IGNORECASE,
)


def remember_asked_about(turn: Turn, slot: Slot | None, text: str) -> None:
    """After a question about one item, answered while the item question is open."""
    if slot is None or slot.type != "item":
        return
    found = {m.value for m in lexicon_for(turn.bot).items(slot.tags).find_all(tokens(text))}
    if len(found) == 1:
        turn.session["flags"][ASKED_ABOUT] = [found.pop(), turn.session["turns"]]


def taken_as_asked(turn: Turn, slot: Slot, message: Message) -> Message:
    """The message with the item asked about in front, when it takes that item ("nehm ich",
    "sounds good, medium") without naming one, in the turn right after the question."""
    about = turn.session["flags"].pop(ASKED_ABOUT, None)
    if slot.type != "item" or message.payload or not about:
        return message
    item, asked_in = about
    if asked_in != turn.session["turns"] - 1 or not _TAKING.search(message.text):
        return message
    if lexicon_for(turn.bot).items(frozenset()).find_all(tokens(message.text)):
        return message  # another item named: that one
    return replace(message, text=f"{item} {message.text}")
