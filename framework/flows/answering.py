"""A message that answers the question the conversation waits on.

In order: a confirmation of a remembered value; several values in one message; the plain
answer; a correction of an earlier answer; a digression; else a reprompt (and, after the
step's attempts, its `on_fail`).
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Final

from framework.flows.address_notes import note_for_the_driver
from framework.flows.address_parts import (
    house_number_fixed,
    remember_part,
    take_street_ahead,
    with_earlier_part,
)
from framework.flows.asked_about import taken_as_asked
from framework.flows.bot_slots import item_slots
from framework.flows.committing import committed, starts_with_yes, yes_first
from framework.flows.corrections import CORRECTION_MARKERS, cart_slots, correction
from framework.flows.done_ordering import done_ordering
from framework.flows.edit_words import CHANGE_OF_MIND
from framework.flows.events import Message
from framework.flows.implied_choices import address_chooses
from framework.flows.model import SINGLE, Slot
from framework.flows.not_on_menu import missing_taken_out, not_on_menu
from framework.flows.pending_items import (
    answered_beside_them,
    has_item,
    other_items,
    queue_other_items,
    share_with_waiting_items,
)
from framework.flows.repair import try_digression
from framework.flows.reprompting import reprompt
from framework.flows.session import Frame, move_on
from framework.flows.sharing_out import keep_the_count, share_out
from framework.flows.staying import without_what_stays
from framework.flows.turn import ORDER_COMPLETE, Turn
from framework.flows.understanding.extract import Mention
from framework.flows.understanding.lexicon import lexicon_for
from framework.flows.understanding.normalize import tokens
from framework.flows.understanding.second_thoughts import ALSO
from framework.flows.understanding.slot_values import (
    AnswerContext,
    Invalid,
    Valid,
    parse_answer,
)
from framework.flows.understanding.yesno import parse_yes_no

__all__ = ["answer"]


def answer(turn: Turn, message: Message) -> None:
    frame = turn.frame
    if frame is None:
        return
    slot = turn.slot(frame["wait"])
    message = taken_as_asked(turn, slot, message)  # "Klingt gut, nehm ich. Mittel."
    if frame.get("confirm") and _confirmation(turn, frame, slot, message):
        return
    if slot.type in ("text", "address") and try_digression(turn, message.text):
        return
    kept = _missing_said(turn, slot, message)
    if kept is None:
        return
    kept = without_what_stays(kept)  # "Mine keeps the ham": no extra ham
    asks = turn.flow(frame["flow"]).asks
    mentions, earlier = _mentions(turn, asks, kept)
    if not any(has_item(turn, m) for m in mentions) and not_on_menu(turn, slot, kept.text):
        return
    if not _beside_the_answer(turn, frame, slot, kept, mentions, earlier):
        _plain_answer(turn, frame, slot, kept, mentions)


def _plain_answer(
    turn: Turn, frame: Frame, slot: Slot, message: Message, mentions: list[Mention]
) -> None:
    """The message as the answer to the question: taken, or the question asked again."""
    lexicon = lexicon_for(turn.bot)
    ctx = AnswerContext(turn.bot, lexicon, turn.now, turn.lang, turn.session["cart"]["lines"])
    if slot.type == "address":
        take_street_ahead(turn, frame)
    text = with_earlier_part(frame, message.text) if slot.type == "address" else message.text
    parsed = parse_answer(slot, text, message.payload, ctx)
    if isinstance(parsed, Valid):
        turn.set_slot(slot.name, parsed.value)
        share_with_waiting_items(turn, slot, parsed.value, message.text)
        move_on(frame)
    elif not (
        address_chooses(turn, frame, slot, message.text)  # "Reuterplatz 3, 12047": delivery
        or _other_values(turn, slot, mentions)
        or try_digression(turn, message.text)
    ):
        if isinstance(parsed, Invalid) and parsed.reason == "incomplete_address":
            remember_part(frame, text)
        reprompt(turn, frame, slot, parsed, message.text)


def _missing_said(turn: Turn, slot: Slot, message: Message) -> Message | None:
    """The message without what is not on the menu, said so (`missing_taken_out`); None when
    nothing is left to answer with ("eine Pepsi und eine Sprite") or it was a yes that is no
    yes yet ("ja, und zwei Pepsi": the confirmation comes again)."""
    text = message.text if message.payload else missing_taken_out(turn, slot, message.text)
    if text == message.text:
        return message
    if not text.strip() or slot.role == "confirm":
        turn.reask()
        return None
    return replace(message, text=text)


def correct_beside_the_edit(turn: Turn, flow: str, asked: Slot, message: Message) -> None:
    """An earlier answer changed in the message that also edited the order at the
    confirmation ("Ja, aber nur ein Bier, und ich hol's doch selbst ab": the pickup too)."""
    _, earlier = _mentions(turn, turn.flow(flow).asks, message)
    made = cart_slots(turn)  # the edit took care of the order's lines
    kept = [{k: v for k, v in mention.items() if k not in made} for mention in earlier]
    correction(turn, asked, message, [mention for mention in kept if mention])


_NOT_PLAIN: Final = frozenset(
    {"aber", "but", "noch", "also", "ausser", "except", "und", "and", "statt", "instead", "plus"}
)
"""Words that make a yes at a confirmation more than a yes ("ja, aber …", "yes and …")."""


def _confirm(turn: Turn, frame: Frame, slot: Slot, message: Message) -> None:
    """A question that commits the order (`role: confirm`) takes only a plain yes or no.

    Items or options named with it change the order first: they go back to the flow that
    takes them, and the question comes again with the new order ("ja, noch zwei Wasser").
    A yes with anything else ("ja, aber …") is asked again, never taken as yes: a customer
    must never be asked to pay for an order they were still changing.
    """
    said = _EMPHATIC_END.sub("", message.text)  # "Ja, jetzt aber.": no "but"
    verdict = parse_yes_no(message.payload or said, plain=True)
    turn.session["flags"].pop(ORDER_COMPLETE, None)
    if _order_more(turn, message):
        if starts_with_yes(message.text):  # "yes, and two waters": that is the order
            turn.session["flags"][ORDER_COMPLETE] = True
        return
    if verdict is None or (verdict and _NOT_PLAIN & set(tokens(said))):
        unclear = frame.get("unclear") and not yes_first(turn, said)
        if message.payload or unclear or not committed(turn, said):
            frame["unclear"] = True  # after "just say yes", a yes first ("YES. Thank you!")
            turn.say_named("confirm_unclear")
            turn.reask()
            return
        verdict = True  # "Ok dann Karte. Ja, bestellen"
    turn.set_slot(slot.name, verdict)
    move_on(frame)


_EMPHATIC_END: Final = re.compile(
    r"[,\s]+(?:jetzt|nun|dann)\s+aber(?:\s+(?:wirklich|echt))?\s*[.!]*\s*$", re.IGNORECASE
)
"""A "jetzt aber" that ends a message is emphasis ("Ja, jetzt aber."), not a "but"."""


def _beside_the_answer(
    turn: Turn,
    frame: Frame,
    slot: Slot,
    message: Message,
    mentions: list[Mention],
    earlier: list[Mention],
) -> bool:
    """What a message can mean besides the plain answer: done ordering, more items at a
    question that takes none, the confirmation's rules, several values, a correction."""
    asks, ordering = turn.flow(frame["flow"]).asks, turn.ordering_flow()
    if house_number_fixed(turn, message):
        _order_more(turn, message)  # "… number 58, not 55 — and add a water, please"
        return True
    if note_for_the_driver(turn, message):
        return True
    if done_ordering(turn, frame, slot, message, not mentions and bool(asks)):
        return True
    if slot.role == "confirm":
        if not correction(turn, slot, message, earlier):
            _confirm(turn, frame, slot, message)
        return True
    if not _has_items_slot(turn, asks) and _order_more(turn, message):
        return True
    if slot.type == "yes_no" and ordering == frame["flow"] and _ONE_MORE.match(message.text):
        turn.set_slot(slot.name, True)  # "noch eine bitte": yes, and which one is asked next
        move_on(frame)
        return True
    if not any(has_item(turn, m) for m in mentions) and share_out(turn, frame, message.text):
        return True
    return _several_values(turn, frame, slot, mentions, message.text) or correction(
        turn, slot, message, earlier
    )


_ONE_MORE: Final = re.compile(
    r"^\s*(?:(?:und|and|ja|yes|oh)[,\s]+)?"
    r"(?:noch\s+(?:eine[ns]?|eins|mehr|was)|one more|another(?: one)?)"
    r"(?:[,\s]+(?:bitte|please|pls))?\s*[.!]*\s*$",
    re.IGNORECASE,
)
"""At "anything else?": more, of something not named yet ("noch eine bitte", "one more")."""


def _has_items_slot(turn: Turn, asks: frozenset[str]) -> bool:
    return not item_slots(turn.bot).isdisjoint(asks)


def _order_more(turn: Turn, message: Message) -> bool:
    """Items named at a question of a flow that takes none ("Liefern oder abholen?" — "eine
    kleine Funghi und eine Margherita", "ja, noch zwei Wasser") are ordered, never dropped:
    they go back to the ordering flow, which then comes back here."""
    ordering = turn.ordering_flow()
    frame = turn.frame
    if ordering is None or message.payload or frame is None or frame["flow"] == ordering:
        return False
    mentions = turn.order_mentions(message.text)
    if not any(has_item(turn, mention) for mention in mentions):
        return False
    if _names_what_is_asked_about(turn, frame, ordering, message.text):
        return False
    _answered_beside_items(turn, frame, message.text)
    turn.session["pending"].extend(mentions)
    turn.repeat(ordering, frozenset())
    return True


def _answered_beside_items(turn: Turn, frame: Frame, text: str) -> None:
    """ "Dann noch ne Cola dazu und liefern" at "liefern oder abholen?": the choice is kept,
    and "anything else?" is not asked after the Cola."""
    wait = turn.bot.slots.get(str(frame.get("wait")))
    if wait is None or wait.type != "choice":
        return
    said = [m[wait.name] for m in turn.mentions(text, [wait]) if wait.name in m]
    if len(said) == 1 and turn.acceptable(wait.name, said[0]):
        turn.set_slot(wait.name, said[0])
        turn.session["flags"][ORDER_COMPLETE] = True


def _names_what_is_asked_about(turn: Turn, frame: Frame, ordering: str, text: str) -> bool:
    """ "Genau, die Pediküre" to "Deinen Termin 1002: Pediküre … absagen?": where the ordering
    flow books one thing at a time (an appointment), a yes or no that names a service says
    which booking it is about, and orders nothing ("ja, noch zwei Wasser" at a pizzeria does)."""
    wait = frame.get("wait")
    if not wait or turn.slot(wait).type != "yes_no":
        return False
    single = any(
        turn.slot(name).type == "item" and turn.slot(name).role == SINGLE
        for name in turn.flow(ordering).asks
    )
    return single and parse_yes_no(text) is not None


def _mentions(
    turn: Turn, asks: frozenset[str], message: Message
) -> tuple[list[Mention], list[Mention]]:
    """What the message names for this flow's slots, and for those and the slots the cart
    lines were built from (what a correction may name)."""
    if message.payload:
        return [], []
    mentions = turn.mentions(message.text, turn.slots(asks))
    others = cart_slots(turn) - asks
    if not others:
        return mentions, mentions
    return mentions, turn.mentions(message.text, turn.slots(asks | others))


def _confirmation(turn: Turn, frame: Frame, slot: Slot, message: Message) -> bool:
    """'Same address as last time?' — yes keeps it, no asks afresh, anything else is an answer."""
    verdict = parse_yes_no(message.payload or message.text)
    if verdict is None:
        return False
    if verdict:
        turn.set_slot(slot.name, turn.session["profile"][slot.name])
        move_on(frame)
    else:
        turn.reask()
        frame["fresh"] = True
    return True


def _several_values(
    turn: Turn, frame: Frame, slot: Slot, mentions: list[Mention], text: str
) -> bool:
    """'2 große Salami und eine Cola': fill what the first names, queue the rest."""
    if not mentions:
        return False
    first = mentions[0]
    if slot.type == "yes_no" and any(has_item(turn, m) for m in mentions):
        turn.set_slot(slot.name, True)  # "eine Cola" to "anything else?" means yes, and a cola
        turn.session["pending"].extend(mentions)  # "that's it" with them: done_ordering
        move_on(frame)
        return True
    another = bool(other_items(turn, frame, mentions[:1]))
    counted_other = slot.role == "quantity" and another
    # "Noch eine große Salami mit Zwiebeln" at a Hawaii's extras: another pizza, whose extras
    # are not the Hawaii's (unless the customer changes their mind: "doch lieber eine Salami")
    further = another and slot.type != "item" and not _changes_its_answer(text, slot)
    if slot.name not in first and _none_beside_items(turn, frame, slot, mentions, text):
        return True
    if (slot.name not in first or counted_other or further) and (
        answered_beside_them(turn, frame, slot, mentions, text, answer)
        or queue_other_items(turn, frame, slot, mentions, text)
    ):
        return True
    if slot.name not in first or (len(first) == 1 and len(mentions) == 1):
        return False
    keep_the_count(turn, first, text)
    turn.fill(_without_unasked_changes(turn, slot, first, text))
    turn.session["pending"].extend(mentions[1:])
    turn.changed()
    if slot.name in turn.session["slots"]:
        move_on(frame)
        return True
    return False


def _changes_its_answer(text: str, asked: Slot) -> bool:
    """Whether an item named at another question changes the earlier answer ("doch lieber eine
    Salami"), not adds one: "Dann noch eine große Margherita" ("then" with "noch") adds, and
    so does "dann für mich eine mittlere Margherita" at the extras of a pizza whose size was
    said (for someone else; not "then no Tonno, … for him", "dann nur für mich eine Salami",
    nor at the size of a pizza only asked about: "is the Diavola hot? … For meself then, a
    medium Prosciutto")."""
    words = set(tokens(text))
    markers = CORRECTION_MARKERS & words
    for_someone = asked.type == "choices" and bool(_FOR & words) and _ONLY_OR_NOT.isdisjoint(words)
    return bool(markers) and not (markers <= _THEN and (ALSO & words or for_someone))


_THEN: Final = frozenset({"dann", "then"})
_FOR: Final = frozenset({"fuer", "for"})
_ONLY_OR_NOT: Final = frozenset({"nur", "only", "just", "no", "not", "nicht", "kein", "keine"})


def _without_unasked_changes(turn: Turn, asked: Slot, mention: Mention, text: str) -> Mention:
    """The mention without one-pick choices that would silently change an earlier answer
    ("Nein, keine Extras. Einfach ganz normal." to the extras of a small Margherita: "normal"
    is a size, but the customer changed nothing), unless the message says it changes one or
    names the item again with it ("OK, one large Capricciosa with extra ham")."""
    if CORRECTION_MARKERS & set(tokens(text)) or has_item(turn, mention):
        return mention
    slots = turn.session["slots"]
    return {
        name: value
        for name, value in mention.items()
        if name == asked.name or turn.slot(name).type != "choice" or slots.get(name, value) == value
    }


def _none_beside_items(
    turn: Turn, frame: Frame, slot: Slot, mentions: list[Mention], text: str
) -> bool:
    """ "None, plus three beers" to the extras of three Funghis: no extras for them, and the
    beers come next (they were queued and the extras asked again)."""
    others = other_items(turn, frame, mentions)
    if slot.type != "choices" or not others or CHANGE_OF_MIND & set(tokens(text)):
        return False  # "nee warte, lieber Funghi" is no "no extras"
    ctx = AnswerContext(turn.bot, lexicon_for(turn.bot), turn.now, turn.lang, [])
    parsed = parse_answer(slot, text, None, ctx)
    if not (isinstance(parsed, Valid) and parsed.value == []):
        return False
    turn.set_slot(slot.name, [])
    turn.session["pending"].extend(others)
    move_on(frame)
    return True


def _other_values(turn: Turn, asked: Slot, mentions: list[Mention]) -> bool:
    """Answers to questions not asked yet ('groß' while asked for the pizza): keep them, re-ask."""
    if not mentions:
        return False
    fresh = {
        name: value
        for name, value in mentions[0].items()
        if name != asked.name and name not in turn.session["slots"]
    }
    if not fresh:
        return False
    turn.fill(fresh)
    turn.reask()
    return True
