"""Answers to questions the bot asks later, said before they are asked ("zum Abholen", "I'll
pick it up", "liefern an Hauptstr. 3, 12047 Berlin"): kept, so the question is not asked."""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Final

from framework.flows.address_notes import with_notes_after
from framework.flows.address_parts import note_street_ahead
from framework.flows.bot_slots import asked_choices
from framework.flows.edit_words import CHANGE_OF_MIND
from framework.flows.events import Message
from framework.flows.implied_choices import note_implied_choices
from framework.flows.model import Bot
from framework.flows.turn import Turn
from framework.flows.understanding.normalize import tokens
from framework.flows.understanding.questions import wishes
from framework.flows.understanding.slot_values import find_address

__all__ = ["note_answers_ahead"]


def note_answers_ahead(turn: Turn, message: Message, asks: frozenset[str]) -> bool:
    """Answers to questions the bot asks later, in another flow, said now ("zum Abholen",
    "I'll pick it up"): kept, so the question is not asked again. Only choice questions the
    customer has not answered yet (or changes their mind about), and an address; whether
    anything was kept."""
    if message.payload:
        return False
    changing = not _CHANGING.isdisjoint(tokens(message.text))
    ahead = turn.session["flags"].get(AHEAD, [])
    later = [
        slot
        for name, slot in asked_choices(turn.bot)
        if name not in asks and (changing or name in ahead or name not in turn.session["slots"])
    ]
    frame = turn.frame
    asked = str(frame.get("wait") or "") if frame is not None else ""
    values, street_alone = _addresses_ahead(turn, message.text, asked)
    if later:  # "how long does delivery take?" chooses nothing: only what is said or asked for
        found = turn.kept_mentions(" ".join(wishes(message.text)), later)
        values |= {name: value for mention in found for name, value in mention.items()}
    kept = [name for name, value in values.items() if turn.acceptable(name, value)]
    for name in kept:
        turn.set_slot(name, values[name])
    if kept:
        turn.session["flags"][AHEAD] = sorted({*ahead, *kept})
    note_implied_choices(turn, kept)  # an address said ahead: delivery
    return bool(values) or street_alone


AHEAD: Final = "chosen_ahead"
"""The choices kept from a message before their question was asked: a later message that
makes another changes them, as an answer would ("… sollte endlich zur Abholung an die Straße
…" in a story, then "Bitte liefern an die Hobrechtstraße 30": delivery)."""
_THEN: Final = frozenset({"dann", "then", "halt", "eben", "no"})
"""A choice made in consequence of what the bot said ("es fehlen noch 3,50 €" — "dann hol
ich's halt selber ab", "then I'll come and fetch it myself"; Swabian "no hol i's ab") changes
the earlier one."""
_CHANGING: Final = CHANGE_OF_MIND | _THEN


def _addresses_ahead(turn: Turn, text: str, asked: str) -> tuple[dict[str, Any], bool]:
    """An address said before it is asked ("liefern an Hauptstr. 3, 12047 Berlin", "Delivery
    please. Address is Pannierstraße 5, 12047 Berlin"), and whether the message was only a
    street, kept for the address question ("Hermannstraße" at "anything else?")."""
    said = turn.session["slots"]
    slots = [name for name in _address_slots(turn.bot) if name != asked and name not in said]
    address = find_address(text) if slots else None
    if slots and address is None:
        return {}, note_street_ahead(turn, text)  # "bitte liefern in die Flughafenstraße"
    if address is None:
        return {}, False
    return dict.fromkeys(slots, with_notes_after(" ".join(text.split()), address)), False


@lru_cache(maxsize=32)
def _address_slots(bot: Bot) -> tuple[str, ...]:
    """The bot's address slots (found once per loaded bot)."""
    return tuple(name for name, slot in bot.slots.items() if slot.type == "address")
