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
    r"i'?ll (?:take|have) (?:it|that|one)|sounds good|that one|take it|go for it|"
    r"eine?n? davon|one of (?:those|them|these)|add (?:one|it|that)|(?:take|have) one|"
    r"dann eine?n?|nehm(?:e)? ich eine?n?)\b",
    re.IGNORECASE,
)


def remember_asked_about(turn: Turn, slot: Slot | None, text: str) -> None:
    """After a question about one item, answered while the item question (or the ordering
    flow's "anything else?") is open."""
    if slot is None or not _takes_items(turn, slot):
        return
    found = {m.value for m in lexicon_for(turn.bot).items(slot.tags).find_all(tokens(text))}
    if len(found) == 1:
        turn.session["flags"][ASKED_ABOUT] = [
            " ".join([*found, *_choices_said(turn, text)]),
            turn.session["turns"],
        ]


def taken_as_asked(turn: Turn, slot: Slot, message: Message) -> Message:
    """The message with the item asked about in front (and the choices the question gave it:
    "was kostet eine mittlere Salami?" — "ok, eine davon"), when it takes that item ("nehm
    ich", "sounds good, medium") without naming one, in the turn right after the question."""
    about = turn.session["flags"].pop(ASKED_ABOUT, None)
    if not about or message.payload or not _takes_items(turn, slot):
        return message
    item, asked_in = about
    if asked_in != turn.session["turns"] - 1 or not _TAKING.search(message.text):
        return message
    if lexicon_for(turn.bot).items(frozenset()).find_all(tokens(message.text)):
        return message  # another item named: that one
    return replace(message, text=f"{item} {message.text}")


def _choices_said(turn: Turn, text: str) -> list[str]:
    """The choices the question gave the item ("eine *mittlere* Salami"), by their ids."""
    choosing = {n for n, s in turn.bot.slots.items() if s.type == "choice" and s.choices}
    mentions = turn.order_mentions(text)
    return [
        str(m[n]) for m in mentions[:1] if len(mentions) == 1 for n in sorted(choosing & set(m))
    ]


def _takes_items(turn: Turn, slot: Slot) -> bool:
    """The item question, or a yes/no of the ordering flow ("Noch etwas dazu?"), where
    "was kostet eine mittlere Salami?" — "ok, dann eine davon" orders it."""
    frame = turn.frame
    ordering = frame is not None and frame["flow"] == turn.ordering_flow()
    return slot.type == "item" or (slot.type == "yes_no" and ordering)
