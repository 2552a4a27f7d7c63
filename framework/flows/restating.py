"""A customer who repeats their order because they think the bot missed it ("2 große Salami
und eine Cola" again), or sums it up at the confirmation: the same order, never twice."""

from __future__ import annotations

import re
from typing import Any, Final

from framework.flows.answers_ahead import note_answers_ahead
from framework.flows.edit_words import CHANGE_OF_MIND, CHANGING
from framework.flows.events import Message
from framework.flows.people import names_a_newcomer, names_someone
from framework.flows.session import CartLine, move_on
from framework.flows.turn import Turn
from framework.flows.understanding.normalize import tokens
from framework.flows.understanding.second_thoughts import ALSO
from framework.flows.understanding.yesno import says_done

__all__ = ["MORE", "RECENT_TURNS", "beyond_restated", "restated"]
MORE: Final = frozenset(
    {
        "noch",
        "auch",
        "weitere",
        "weiteren",
        "another",
        "more",
        "too",
        "plus",
        "add",
        "second",
        "zweite",
        "zweiten",
    }
)
"""Words that make a repeated item a further one ("noch eine Cola", "another coke", "add a
second Coke")."""
_ALREADY: Final = frozenset(
    {
        "asked",
        "ordered",
        "said",
        "missed",
        "forgot",
        "forgotten",
        "got",
        "did",
        "bestellt",
        "gesagt",
        "vergessen",
        "notiert",
        "mitbekommen",
        "untergegangen",
        "geschrieben",
        "hatte",
    }
)
"""Words that speak of what was ordered before ("I asked for a water too", "hast du die Cola
mitbekommen?"): the "too" of such a message is no further item."""
_ONCE_MORE: Final = re.compile(r"\bonce more\b")
""""Once more: one large Margherita …": the order said again, not a further one."""
RECENT_TURNS: Final = 2
_CHANGES: Final = CHANGE_OF_MIND | CHANGING


def restated(turn: Turn, text: str) -> bool:
    """The customer repeats what they ordered in the last turns (they think the bot missed
    it), or sums it up at the confirmation: every item the message names is already in a
    line added just now (any line, at the confirmation), as said."""
    lines = turn.session["cart"]["lines"]
    ordering = turn.ordering_flow()
    said = tokens(text)
    words = set(said) - ({"more"} if _ONCE_MORE.search(" ".join(said)) else set())
    if not lines or ordering is None or (MORE & words and not _ALREADY & words):
        return False
    if _CHANGES & words or names_a_newcomer(turn, text):
        return False  # "ach, die Cola lieber als Zero": a change, not the order said again
    asks = turn.slots(turn.flow(ordering).asks)
    mentions = turn.names_for_order(text)
    items = [slot.name for slot in asks if slot.type == "item"]
    if not mentions or not all(any(name in m for name in items) for m in mentions):
        return False
    now, frame = turn.session["turns"], turn.frame
    asked = turn.slot(frame["wait"]) if frame is not None and frame.get("wait") else None
    confirming = asked is not None and asked.role == "confirm"  # "so that's X and Y, right?"
    recent = [
        line
        for line in lines
        if confirming or now - line.get("said", -RECENT_TURNS - 1) <= RECENT_TURNS
    ]
    return all(any(_as_said(turn, m, line, asks) for line in recent) for m in mentions)


_PARTS: Final = re.compile(r"[,;]+|\s(?:und|and|plus|sowie)\s", re.IGNORECASE)


def beyond_restated(turn: Turn, text: str) -> str | None:
    """What a message adds to a restatement of the last turn's order ("a medium hawaii, no
    extras" — "yes a medium hawaii and also a coke": only the coke is new), or None when no
    part of it restates or nothing is left. A restated part is one that names only items of
    lines added in the last turns, as said, for nobody in particular and without "another"."""
    now = turn.session["turns"]
    lines = turn.session["cart"]["lines"]
    if not any(now - line.get("said", -RECENT_TURNS - 1) <= RECENT_TURNS for line in lines):
        return None  # nothing ordered in the last turns that could be said again
    parts = [part for part in _PARTS.split(text) if part.strip()]
    if len(parts) < 2 or names_a_newcomer(turn, text):  # "Kurt kommt auch, für ihn …"
        return None
    kept, adding = [], False
    for part in parts:
        if adding or not _restates(turn, part):
            kept.append(part)  # "noch eine kleine Margherita und Wasser": the water is more too
        adding = adding or not ALSO.isdisjoint(tokens(part))
    if len(kept) == len(parts) or not kept:
        return None
    return ", ".join(part.strip() for part in kept)


def _restates(turn: Turn, part: str) -> bool:
    return restated(turn, part) and not names_someone(turn, part)


def _as_said(turn: Turn, mention: dict[str, Any], line: CartLine, asks: list[Any]) -> bool:
    chosen = {choice for choices in line["options"].values() for choice in choices}
    for slot in asks:
        value = mention.get(slot.name)
        if value is None:
            continue
        if slot.type == "item" and value != line["item"]:
            return False
        if slot.role == "quantity" and value != line["quantity"]:
            return False
        if slot.type in ("choice", "choices") and not set(_listed(value)) <= chosen:
            return False
    return True


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def answer_beside_restatement(turn: Turn, message: Message) -> None:
    """A restatement may answer the open question too ("my order is one small diavola and
    one beer, for pickup"), or say it is all ("dann die 2 kleinen Margherita zum Abholen,
    sonst nichts" at "anything else?"): kept when it does; the question is asked again
    otherwise."""
    frame = turn.frame
    note_answers_ahead(turn, message, frozenset())
    if frame is None or not frame.get("wait"):
        return
    slot = turn.slot(frame["wait"])
    if slot.name in turn.session["slots"] and slot.type != "yes_no":
        frame.pop("wait", None)  # answered ahead just now: the flow goes on
        frame["pc"] += 1
        return
    ordering = frame["flow"] == turn.ordering_flow()
    if ordering and slot.type == "yes_no" and slot.role != "confirm" and says_done(message.text):
        turn.set_slot(slot.name, False)
        move_on(frame)
        return
    turn.reask()
