"""Items a customer names that cannot be had (`available: false`): said so at once, never
shown in the order so far nor priced, and remembered for one turn. The next message's
"instead" is about the refused item, not the one the bot is asking about ("a Fanta
instead"), and an item that message names alone takes what was said with the refused one
("2 Limo" — "ist aus" — "dann Fanta": two Fanta)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from framework.flows.model import Slot
from framework.flows.scope import wrap_slot
from framework.flows.session import Session

if TYPE_CHECKING:
    from framework.flows.turn import Turn

__all__ = [
    "REFUSED",
    "can_be_had",
    "note_refused",
    "refuse",
    "refused_just_now",
    "taking_its_place",
]

REFUSED: Final = "refused"
"""A session flag: the turn that said an item cannot be had, and what was said with it."""


def refuse(turn: Turn, name: str, value: Any, said: dict[str, Any] | None = None) -> None:
    """Say that the item cannot be had, and remember it with what was `said` with it."""
    item = wrap_slot(turn.bot, name, value, turn.lang)
    turn.say_named("item_unavailable", unavailable=item)
    note_refused(turn.session, said or {})


def note_refused(session: Session, said: dict[str, Any]) -> None:
    session["flags"][REFUSED] = {"turn": session["turns"], "said": said}


def refused_just_now(session: Session) -> dict[str, Any] | None:
    """What was said with an item the last turn said cannot be had, if it said so."""
    refused: dict[str, Any] | None = session["flags"].get(REFUSED)
    return refused if refused and refused["turn"] == session["turns"] - 1 else None


def can_be_had(turn: Turn, mention: dict[str, Any]) -> bool:
    """Whether an item waiting its turn can be had; a sold-out one is refused now ("a
    Margherita and a lemonade": no lemonade in the order so far)."""
    for name, value in mention.items():
        if turn.slot(name).type == "item" and not turn.acceptable(name, value):
            refuse(turn, name, value, {key: v for key, v in mention.items() if key != name})
            return False
    return True


def taking_its_place(
    session: Session, found: list[dict[str, Any]], slots: list[Slot], items: frozenset[str]
) -> list[dict[str, Any]]:
    """The mentions of a message right after a refusal: one item named alone takes what was
    said with the refused one (of these slots) where it says nothing of its own."""
    refused = refused_just_now(session)
    if refused and len(found) == 1 and found[0].keys() & items:
        named = {slot.name for slot in slots}
        found[0] = {k: v for k, v in refused["said"].items() if k in named} | found[0]
    return found
