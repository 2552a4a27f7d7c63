"""Items the customer names while another one is being asked about: kept waiting, never
dropped, and given the answers that speak for all of them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from framework.flows.bot_slots import item_slots
from framework.flows.edit_words import ADDING, CHANGE_OF_MIND
from framework.flows.events import Message
from framework.flows.model import SINGLE, Slot
from framework.flows.people import names_someone
from framework.flows.scope import wrap_slot
from framework.flows.session import Frame, move_on, stop_waiting
from framework.flows.sold_out import refused_just_now
from framework.flows.turn import Turn
from framework.flows.understanding.extract import Mention, speaks_for_all
from framework.flows.understanding.lexicon import lexicon_for
from framework.flows.understanding.normalize import tokens
from framework.flows.understanding.segments import SENTENCES

__all__ = [
    "answered_beside_them",
    "give_waiting_items",
    "has_item",
    "queue_other_items",
    "share_with_waiting_items",
]


def has_item(turn: Turn, mention: Mention) -> bool:
    return not item_slots(turn.bot).isdisjoint(mention)


def share_with_waiting_items(turn: Turn, slot: Slot, value: Any, text: str) -> None:
    """ "Keine Extras, bei beiden nicht" while the first of two ordered pizzas is asked about:
    the answer is the waiting ones' too."""
    if speaks_for_all(text):
        give_waiting_items(turn, slot, value)


def give_waiting_items(turn: Turn, slot: Slot, value: Any) -> None:
    """The waiting items take this answer where they have none of their own."""
    for mention in turn.session["pending"]:
        if has_item(turn, mention):
            mention.setdefault(slot.name, value)


def other_items(turn: Turn, frame: Frame, mentions: list[Mention]) -> list[Mention]:
    """The mentions that name an item other than the one this flow is taking."""
    asks = turn.flow(frame["flow"]).asks
    slots = turn.session["slots"]
    current = {slots.get(name) for name in item_slots(turn.bot) & asks}
    return [m for m in mentions if has_item(turn, m) and not current & set(_items_of(turn, m))]


def queue_other_items(
    turn: Turn, frame: Frame, slot: Slot, mentions: list[Mention], text: str = ""
) -> bool:
    """ "Und ne Cola" while the extras of a Hawaii are asked: the cola is noted for after this
    line (never dropped) and the question comes again. Asked how many Hawaii, the customer
    who goes on to the next item ("und ein Bier", "2 Wasser") wants one, as a waiter takes it,
    unless they said several ("ein paar Cola", "die Kinder jeweils eine"): asked again.
    One who changes their mind ("nee warte, lieber Funghi") gets the other item instead.
    """
    others = other_items(turn, frame, mentions)
    if slot.type == "item" or not others:
        return False
    if _replaced(turn, frame, others[0], _changes_mind(turn, text)):
        return True
    turn.session["pending"].extend(others)
    vague = frame.get("several") == slot.name  # "ein paar Cola": several, never taken as one
    if (
        slot.role == "quantity"
        and not vague
        and len(others) == len(mentions)
        and turn.acceptable(slot.name, 1)
    ):
        turn.set_slot(slot.name, 1)
        move_on(frame)
        return True
    turn.say_named("noted_next")
    turn.reask()
    return True


def _an_extra(words: list[str], at: int) -> bool:
    """ "with extra ham": the word "extra" of an option, not of another item ("an extra
    beer")."""
    return words[at] == "extra" and at > 0 and words[at - 1] in ("with", "mit")


def answered_beside_them(
    turn: Turn,
    frame: Frame,
    slot: Slot,
    mentions: list[Mention],
    text: str,
    answer: Callable[[Turn, Message], None],
) -> bool:
    """ "Eine mit Zwiebeln drauf, die andere ohne alles. Und zwei Bier." at a pizza's extras:
    the beers wait their turn, and the sentences that name no item answer the question."""
    others = other_items(turn, frame, mentions)
    words = tokens(text)
    adding = {w for at, w in enumerate(words) if w in ADDING and not _an_extra(words, at)}
    if slot.type == "item" or not others or CHANGE_OF_MIND & set(words) or adding:
        return False
    sentences = [part.strip() for part in SENTENCES.findall(text) if part.strip()]
    rest = " ".join(s for s in sentences if not turn.orders_an_item(s))
    if not rest or not turn.kept_mentions(rest, [slot]):
        return False
    turn.session["pending"].extend(others)
    answer(turn, Message(rest, turn.now))
    return True


def _changes_mind(turn: Turn, text: str) -> bool:
    """ "nee warte, lieber Funghi", "actually a Tonno instead": the item asked about is not
    wanted after all ("doch noch eine Funghi" adds one; "Svenja will doch lieber eine Funghi"
    changes Svenja's)."""
    words = tokens(text)
    if not CHANGE_OF_MIND & set(words) or ADDING & set(words):
        return False
    if refused_just_now(turn.session) is not None:
        return False  # "a lemonade" — "sold out" — "a Fanta instead": instead of the lemonade
    return not names_someone(turn, text) and not _between_new_items(turn, words)


def _between_new_items(turn: Turn, words: list[str]) -> bool:
    """ "And a beer. Or, hmm, I'm driving — water instead": the change of mind comes after
    two items the message names, so it is between them, not about the one asked about."""
    change = next(index for index, word in enumerate(words) if word in CHANGE_OF_MIND)
    named = lexicon_for(turn.bot).items(frozenset()).find_all(words)
    return len([match for match in named if match.end <= change]) >= 2


def _replaced(turn: Turn, frame: Frame, mention: Mention, changing_mind: bool) -> bool:
    """Another item named replaces the one asked about, and the flow starts over with it,
    keeping its other answers and taking the mention's: in a flow that takes one item at a
    time (its item slot has `role: single`: a booking's service, "eigentlich lieber
    Shellac"), or when the customer changes their mind ("nee warte, lieber Funghi")."""
    single = [
        name
        for name in turn.flow(frame["flow"]).asks
        if turn.slot(name).type == "item" and (changing_mind or turn.slot(name).role == SINGLE)
    ]
    chosen = [mention[name] for name in single if name in mention]
    if not chosen or not turn.acceptable(single[0], chosen[0]):
        return False
    for name, value in mention.items():
        if name not in single:
            turn.set_slot(name, value)  # "lieber eine kleine Funghi": its size too
    turn.set_slot(single[0], chosen[0])
    shown = wrap_slot(turn.bot, single[0], chosen[0], turn.lang)
    turn.changed()
    turn.say_named("corrected", corrected=str(shown))
    turn.record("corrected", slots=[single[0]])
    stop_waiting(frame)
    frame["pc"] = 0
    return True


def _items_of(turn: Turn, mention: Mention) -> list[Any]:
    items = item_slots(turn.bot)
    return [value for name, value in mention.items() if name in items]
