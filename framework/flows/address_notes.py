"""Notes for the driver said after the address: "Und es ist im 2. Stock, auf der Klingel steht
Öztürk/Weber", "oh and it's the back building, buzzer Smith". They go with the address (the
confirmation shows them, the order carries them), instead of being asked about again."""

from __future__ import annotations

import re
from typing import Final

from framework.flows.bot_slots import asked_choices
from framework.flows.events import Message
from framework.flows.turn import Turn
from framework.flows.understanding.normalize import tokens
from framework.flows.understanding.segments import SENTENCE_END

__all__ = ["note_for_the_driver", "with_notes_after"]

_NOTE_WORDS: Final = frozenset(
    {"stock", "etage", "og", "klingel", "klingelschild", "hinterhaus", "vorderhaus", "aufgang"}
    | {"seitenfluegel", "hof", "wohnung", "tuer", "floor", "buzzer", "bell", "doorbell"}
    | {"apartment", "apt", "flat", "suite", "entrance", "building", "backyard", "gate", "code"}
)
_LEAD: Final = re.compile(
    r"^\s*(?:(?:und|and|oh|ach|ah|ja|yes|also|ps|p\.s\.|noch was|one more thing)[\s,.:!-]+)*",
    re.IGNORECASE,
)
_MAX: Final = 120


def note_for_the_driver(turn: Turn, message: Message) -> bool:
    """Add the message to the address as its note, say so and ask the open question again:
    when an address is known, the message speaks of floors, bells or buildings, and orders
    nothing."""
    text = message.text.strip()
    if message.payload or not text or len(text) > _MAX or not _NOTE_WORDS & set(tokens(text)):
        return False
    if turn.orders_an_item(text) or _changes_a_choice(turn, text):
        return False  # "2 Bier in den 2. Stock" orders; "… Wir holen doch selber ab"
    for name, value in turn.session["slots"].items():
        if turn.slot(name).type == "address" and isinstance(value, str) and value:
            note = _LEAD.sub("", text).rstrip(" .!")
            if not note or note.lower() in value.lower():
                return False
            turn.set_slot(name, f"{value} ({note})")
            turn.say_named("order_changed", change=turn.session["slots"][name])
            turn.reask()
            return True
    return False


def _changes_a_choice(turn: Turn, text: str) -> bool:
    """Whether the message makes another choice than the one made ("ihre Wohnung ist gleich
    ums Eck. Wir holen doch selber ab": pickup, no note for a driver)."""
    slots = [slot for _name, slot in asked_choices(turn.bot)]
    chosen = turn.session["slots"]
    return any(
        chosen.get(name) not in (None, value)
        for mention in turn.kept_mentions(text, slots)
        for name, value in mention.items()
    )


_PIECES: Final = re.compile(rf"{SENTENCE_END}|[,;]\s*|\n", re.IGNORECASE)
"""Sentences and clauses, a floor's ordinal kept ("Seitenflügel 2. OG")."""


def with_notes_after(text: str, address: str) -> str:
    """The address with the notes for the driver said right after it in the same message
    ("… 12045 Berlin, Hinterhof dritte Etage. Klingel is kaputt, einfach anrufen"): the
    pieces after it that speak of floors, bells or buildings, up to the first that does not."""
    at = text.find(address)
    if at < 0:
        return address
    notes = []
    for piece in _PIECES.split(text[at + len(address) :]):
        piece = piece.strip(" .!,;")
        if not piece:
            continue
        if not _NOTE_WORDS & set(tokens(piece)) or len(piece) > _MAX:
            break
        notes.append(piece)
    return ", ".join([address, *notes])
