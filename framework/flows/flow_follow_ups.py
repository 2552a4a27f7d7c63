"""A short question that follows an answer given by a flow of its own ("Öffnungszeiten?" —
"und am Sonntag?", "what about Saturday?", naming no catalog item): that flow again, whose
text reads what the new question asks (`business.day_asked`), as the knowledge's follow-ups
do (follow_ups.py).

Only flows that ask nothing (they answer) are followed up, and only in the message right
after theirs."""

from __future__ import annotations

from typing import Final

from framework.flows.follow_ups import follow_up
from framework.flows.turn import Turn
from framework.flows.understanding.lexicon import lexicon_for

__all__ = ["followed_up", "note_answering_flow"]

ANSWERED_BY: Final = "answered_by"
"""A session flag: the flow that answered the last message and the turn it did."""


def note_answering_flow(turn: Turn, name: str) -> None:
    """Remember a flow started by its trigger that only answers."""
    if not turn.flow(name).asks:
        turn.session["flags"][ANSWERED_BY] = {"flow": name, "turn": turn.session["turns"]}


def followed_up(turn: Turn, text: str) -> str | None:
    """The flow that answered the message before, when this one is a short follow-up."""
    answered = turn.session["flags"].pop(ANSWERED_BY, None)
    if not isinstance(answered, dict) or answered.get("turn") != turn.session["turns"] - 1:
        return None
    flow = answered.get("flow")
    if not isinstance(flow, str) or lexicon_for(turn.bot).names_items(text):
        return None  # "and a large salami?" orders
    return flow if follow_up(text, [flow]) else None
