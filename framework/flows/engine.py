"""The engine: `step(bot, session, event) -> (session, effects)`, pure.

It never awaits, never reads a clock (time arrives in the event) and never mutates the session
it is given. A failure inside a flow (a template that cannot render, a cart step given an
unknown item) returns the *unchanged* session with an apology and a `flow_error` record, so a
broken flow file can never leave a conversation half-updated.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from functools import lru_cache
from typing import Any, Final, cast

from framework.errors import FlowError, ThekeError
from framework.flows.acting import action_done, reminder_fired, waiting_action
from framework.flows.answering import answer, correct_beside_the_edit
from framework.flows.answers_ahead import note_answers_ahead
from framework.flows.asked_about import extras_taken
from framework.flows.bot_slots import item_slots
from framework.flows.catalog_answers import PRICES_ANSWERED
from framework.flows.closest import closest_answered
from framework.flows.described_items import take_described
from framework.flows.editing import edit_order
from framework.flows.events import (
    ActionDone,
    Effect,
    Event,
    HandoffNews,
    Message,
    Notice,
    OrderUpdate,
    Record,
    Reply,
    SetTimer,
    TicketNews,
    Timer,
)
from framework.flows.execution import run
from framework.flows.flow_follow_ups import note_answering_flow
from framework.flows.follow_ups import KNOWN_BEFORE
from framework.flows.handoff import handoff_news, to_person
from framework.flows.in_between import answered_in_between
from framework.flows.in_progress import cart_so_far, editing_in_progress
from framework.flows.linking import link_done, link_typed
from framework.flows.model import SINGLE, Bot
from framework.flows.named_lines import show_named, take_out_named
from framework.flows.not_on_menu import not_on_menu_at_start, without_missing
from framework.flows.notices import notice
from framework.flows.one_of_several import one_of_several
from framework.flows.order_cancel import cancel_answer
from framework.flows.order_checks import (
    answer_after_the_order,
    the_order_checked,
)
from framework.flows.paying import order_update, payment_timer, waiting_message, waiting_payment
from framework.flows.people import note_people
from framework.flows.plain_answers import is_plain_answer
from framework.flows.quoted_cart import beside_the_quote
from framework.flows.repair import COMMANDS, command_said, switch_language, try_digression
from framework.flows.restated_changed import restated_changed
from framework.flows.restating import answer_beside_restatement, beyond_restated, restated
from framework.flows.same_again import give_the_copies, same_again
from framework.flows.session import Session, copy_session, session_problems
from framework.flows.ticket_news import ticket_news
from framework.flows.told_aside import flow_asked, tell_beside
from framework.flows.turn import ORDER_COMPLETE, Turn
from framework.flows.understanding.dictation import undictated
from framework.flows.understanding.extract import Mention
from framework.flows.understanding.lexicon import lexicon_for
from framework.flows.understanding.normalize import tokens
from framework.flows.understanding.questions import is_question, without_asked_choices
from framework.flows.understanding.yesno import says_done
from framework.flows.which_line import ask_which_of, which_one_answered

__all__ = ["MAX_MESSAGE_CHARS", "SessionError", "StepResult", "step"]

MAX_MESSAGE_CHARS: Final = 4096
"""Longer messages are refused politely (WhatsApp allows 4096 characters of text)."""


class SessionError(FlowError):
    """A stored session that is not a valid session of this schema version."""


@dataclass(frozen=True, slots=True)
class StepResult:
    session: Session
    effects: list[Effect]

    @property
    def replies(self) -> list[Reply]:
        return [effect for effect in self.effects if isinstance(effect, Reply)]


_NEWS: Mapping[type, Callable[[Turn, Any], None]] = {
    OrderUpdate: order_update,
    TicketNews: ticket_news,
    HandoffNews: handoff_news,
    Notice: notice,
}
"""News from outside the conversation and what tells it to the customer."""


def step(bot: Bot, stored: Mapping[str, Any], event: Event) -> StepResult:
    """The turn of `event` on a session as stored (checked first: SessionError when its shape
    is wrong)."""
    problems = session_problems(stored)
    if problems:
        raise SessionError("the session cannot be used: " + "; ".join(problems))
    session = cast(Session, stored)
    turn = Turn(bot, copy_session(session), event.now, so_far=cart_so_far)
    take_out_named(turn.session)
    try:
        _upgrade(turn)
        if isinstance(event, Timer) and not payment_timer(turn, event):
            _timer(turn, event)
        else:
            news = _NEWS.get(type(event))
            if news is not None:
                news(turn, event)
            elif isinstance(event, ActionDone):
                turn.heard = event.message
                if not link_done(turn, event, waiting_action(turn)):
                    action_done(turn, event)
            elif isinstance(event, Message):
                _handle(turn, event)
            run(turn)
            answer_after_the_order(turn)
            if isinstance(event, Message) and not event.payload:
                note_people(turn, event.text)
                give_the_copies(turn)
            _schedule_timeouts(turn)
        show_named(turn)
    except ThekeError as error:
        return _failed(bot, session, error, turn)
    finally:
        turn.close()
    turn.session["turns"] += 1
    return StepResult(turn.session, turn.effects)


def _failed(bot: Bot, session: Session, error: ThekeError, turn: Turn) -> StepResult:
    unchanged = copy_session(session)
    unchanged["turns"] += 1
    apology = bot.texts["error"].template(session["lang"], bot.business.language).source
    frame = turn.frame
    flow = frame["flow"] if frame is not None else None
    record = Record("flow_error", {"error": str(error), "flow": flow})
    return StepResult(unchanged, [Reply(apology), record])


def _upgrade(turn: Turn) -> None:
    """A session started on another version of the bot restarts gracefully (see docs)."""
    session = turn.session
    if session["digest"] == turn.bot.digest:
        return
    session["digest"] = turn.bot.digest
    if session["stack"] or session["cart"]["lines"]:
        session["stack"].clear()
        session["pending"].clear()
        session["slots"].clear()
        turn.cart.clear()
        turn.record("restarted_after_update")
        turn.say_named("flow_updated")


REMINDER, EXPIRE = "reminder", "expire"


def _schedule_timeouts(turn: Turn) -> None:
    """While the conversation waits for the customer, remind them once, then let it expire.

    While it waits for a payment, the payment request's own reminder and expiry apply.
    """
    session, timeouts = turn.session, turn.bot.timeouts
    session["flags"]["active_at"] = turn.now.isoformat()
    waiting = bool(session["stack"]) and waiting_payment(turn) is None
    reminder = timeouts.reminder
    turn.effects.append(
        SetTimer(REMINDER, turn.now + reminder if waiting and reminder is not None else None)
    )
    turn.effects.append(SetTimer(EXPIRE, turn.now + timeouts.expire if waiting else None))


def _timer(turn: Turn, timer: Timer) -> None:
    """A reminder or expiry that a later message made stale does nothing."""
    if reminder_fired(turn, timer.name):
        run(turn)
        return
    session = turn.session
    active_at = session["flags"].get("active_at")
    idle = turn.now - datetime.fromisoformat(active_at) if active_at else None
    limit = turn.bot.timeouts.reminder if timer.name == REMINDER else turn.bot.timeouts.expire
    if not session["stack"] or idle is None or limit is None or idle < limit:
        return
    if timer.name == REMINDER:
        turn.say_named("still_there")
        turn.record("reminded")
    elif timer.name == EXPIRE:
        turn.end_conversation()
        turn.cart.clear()
        turn.say_named("expired")
        turn.record("expired")


def _nothing_to_read(turn: Turn, message: Message) -> None:
    """A message without text: a photo or a sticker alone is told that the bot reads text
    (and recorded once per message), an empty one that nothing arrived."""
    if message.attachment:
        turn.say_named("media_without_text")
        turn.record("media_without_text", kind=message.attachment)
    else:
        turn.say_named("empty_message")
    turn.reask()


def _handle(turn: Turn, message: Message) -> None:
    text = message.text
    if to_person(turn):
        return  # a person holds (or is asked for) the conversation: the message is theirs
    if len(text) > MAX_MESSAGE_CHARS:
        turn.say_named("message_too_long")
        turn.reask()
        return
    if not text.strip() and not message.payload:
        _nothing_to_read(turn, message)
        return
    turn.heard = text
    flags = turn.session["flags"]
    flags["reachable"] = message.reachable
    before = (flags.pop(PRICES_ANSWERED, False), flags.pop(KNOWN_BEFORE, []))
    written = undictated(text)  # "… Komma das war alles Punkt"
    if written != text:  # "… zwo Pizza Margarete …": what the voice input heard
        written = lexicon_for(turn.bot).heard(written)
    _understand(turn, message if written == text else replace(message, text=written), before)


def _understand(turn: Turn, message: Message, before: tuple[bool, list[str]]) -> None:
    """What a message means, in order: the answer an action waited for, a cancel, a language,
    a command, a check of the order, a question, an edit of the order, a restatement, an
    answer, a new start."""
    if _action_unanswered(turn, message) or cancel_answer(turn, message):
        return
    if switch_language(turn, message.text) or _command(turn, message):
        return
    if not message.payload and is_plain_answer(turn, message.text):  # "mittel", "nein"
        answer(turn, message)
        return
    described = take_described(turn, message)  # "ne große Pizza mit Schinken": which one?
    read = None if described is None else the_order_checked(turn, described)  # "so that's …?"
    if read is None or answered_in_between(turn, read, *before):
        return
    pointed = None if read.payload else one_of_several(turn, read.text)  # "bei einer Zwiebeln"
    if pointed is not None:
        read = replace(read, text=pointed[0])
    elif not read.payload:
        read = replace(read, text=which_one_answered(turn, read.text))  # "auf die Funghi"
    _take(turn, read)
    if pointed is not None:
        ask_which_of(turn, pointed[1], pointed[2])


def _take(turn: Turn, message: Message) -> None:
    """The message as an edit of the order, a restatement, an answer or a new start."""
    frame = turn.frame
    message = message if message.payload else _as_ordered(turn, message)
    text = message.text
    asked = turn.bot.slots.get(frame.get("wait") or "") if frame is not None else None
    if waiting_payment(turn) is not None:
        if not try_digression(turn, text):
            waiting_message(turn)
    elif not message.payload and (restated_changed(turn, text) or same_again(turn, text)):
        return
    elif not message.payload and editing_in_progress(turn, text, edit_order):
        if frame is not None and asked is not None and asked.role == "confirm":
            correct_beside_the_edit(turn, frame["flow"], asked, message)
    elif not message.payload and restated(turn, text):
        turn.say_named("already_noted")
        answer_beside_restatement(turn, message)
    elif frame is not None and frame.get("wait"):
        added = None if message.payload else beyond_restated(turn, text)
        answer(turn, message if added is None else replace(message, text=added))
    elif not link_typed(turn, message):
        _start(turn, message)


def _as_ordered(turn: Turn, message: Message) -> Message:
    """What a typed message says for the order: beside the cart it quotes, the extras a price
    question asked about put on ("how much is extra cheese?" … "ok, put it on"), without its
    questions about something else."""
    quoted = beside_the_quote(turn, message.text)
    message = message if quoted is None else replace(message, text=quoted)
    put_on = extras_taken(turn, message.text)
    if put_on is not None:
        return replace(message, text=put_on)
    frame = turn.frame
    return _without_questions(turn, message) if frame is not None and frame.get("wait") else message


def _without_questions(turn: Turn, message: Message) -> Message:
    """The order beside questions about something else ("A Cola. Is the Tonno with
    onions?"): what they ask is not ordered, and a question nothing answered is said to be
    one the bot cannot answer, never passed over in silence."""
    names_items = lexicon_for(turn.bot).names_items
    ordered = without_asked_choices(message.text, names_items, answering=True)
    if ordered == message.text:
        return message
    answered = (e for e in turn.effects if isinstance(e, Record))
    if not any(record.name == "question_answered" for record in answered):
        turn.say_named("not_known")
    return replace(message, text=ordered)


def _action_unanswered(turn: Turn, message: Message) -> bool:
    """A message while an action's request went unanswered (a turn with more requests than
    the driver answers): the action failed. True when the flow waits for another one."""
    step = waiting_action(turn)
    if step is None:
        return False
    action_done(turn, ActionDone(step.action, message.now, error="the request was not answered"))
    run(turn)
    return waiting_action(turn) is not None


def _command(turn: Turn, message: Message) -> bool:
    """A built-in command ("abbrechen"), or a cancel and a new order ("alles löschen, neu: …")."""
    lexicon = lexicon_for(turn.bot)
    payload = message.payload
    command = command_said(turn, message)
    if command == "thanks" and turn.frame is not None and turn.frame.get("wait"):
        command = None  # "nein danke", "danke" to a question answer it; thanks only in between
    if command is not None:
        COMMANDS[command](turn)
        return True
    fresh = None if payload else lexicon.fresh_start(message.text)
    if fresh is None:
        return False
    if turn.session["stack"] or turn.session["cart"]["lines"]:
        COMMANDS["cancel"](turn)  # with nothing begun, "never mind, a Diavola" is the order
    _start(turn, Message(fresh, message.now))
    return True


def _start(turn: Turn, message: Message) -> None:
    """No question is open: a trigger phrase, or a message naming catalog items, starts a flow."""
    bot, lexicon = turn.bot, lexicon_for(turn.bot)
    text = message.text if message.payload else without_missing(turn, message.text)
    note_answers_ahead(turn, message, frozenset())  # "möchte was liefern lassen"
    names_items = lexicon.names_items(text)
    if not names_items and not message.payload and not_on_menu_at_start(turn, text):
        return  # "eine Quattro Stagioni groß bitte", "do you have a BBQ chicken pizza?"
    target, aside = flow_asked(turn, message, text, names_items)
    candidates = (target,) if target else _item_flows(bot)
    ordered_text = without_asked_choices(text, lexicon.names_items)  # "… how much is extra cheese?"
    for name in candidates:
        slots = turn.slots(bot.flows[name].asks)
        mentions = turn.mentions(ordered_text, slots)
        ordered = any(not item_slots(bot).isdisjoint(mention) for mention in mentions)
        if target or ordered or _counted_kind(turn, text, mentions):
            if not (target or ordered):
                _one_if_said(turn, name, text, mentions)  # "can I get a large": one
            _begin(turn, name, mentions, aside)
            if ordered and says_done(text):  # "…, liefern an Weserstr. 80, das wär alles"
                turn.session["flags"][ORDER_COMPLETE] = True  # no "anything else?" then
            return
    if turn.session["turns"] and lexicon.says_command(text, "thanks"):
        COMMANDS["thanks"](turn)  # "Thanks a lot, I'll drop by with a friend soon"
        return
    _nothing_started(turn, text, missing_said=text != message.text)


def _nothing_started(turn: Turn, text: str, missing_said: bool) -> None:
    """A message that starts no flow: the fallback flow, the greeting, or what comes next."""
    bot = turn.bot
    fallback = bot.fallback if turn.session["turns"] and bot.fallback else bot.start
    if missing_said and turn.ordering_flow() is not None:
        fallback = turn.ordering_flow()  # "zwei Quattro Stagioni, mittel": missing, then what?
    if fallback is None:
        turn.say_named("not_understood")
    elif fallback == bot.start and turn.session["turns"] and is_question(text):
        if not closest_answered(turn, text):  # "what's the closest thing you have?"
            turn.say_named("not_known")  # "which one would you recommend?": no second greeting
    else:
        turn.start_flow(fallback)


def _begin(turn: Turn, name: str, mentions: list[Mention], aside: str | None) -> None:
    """The flow started with what the message named, and a flow that only tells asked beside."""
    turn.start_flow(name)
    note_answering_flow(turn, name)
    if mentions:
        turn.take_next(_one_at_a_time(turn, name, mentions))
    if aside is not None:
        tell_beside(turn, aside)


def _counted_kind(turn: Turn, text: str, mentions: list[Mention]) -> bool:
    """ "Two small ones", "zwei große bitte", "ich nehm eine große": a count and a size
    without the item, an order whose item is asked next (its count and size kept)."""
    counted = bool(_ONE & set(tokens(text)))
    return any(
        (counted or any(turn.slot(n).role == "quantity" for n in m))
        and any(turn.slot(n).type == "choice" for n in m)
        for m in mentions
    )


_ONE: Final = frozenset({"eine", "einen", "ein", "a", "an", "one"})


def _one_if_said(turn: Turn, flow: str, text: str, mentions: list[Mention]) -> None:
    counts = [n for n in sorted(turn.flow(flow).asks) if turn.slot(n).role == "quantity"]
    if counts and _ONE & set(tokens(text)):
        for mention in mentions:
            mention.setdefault(counts[0], 1)


def _one_at_a_time(turn: Turn, flow: str, mentions: list[Mention]) -> list[Mention]:
    """A flow that takes one item (`role: single`: a booking's service) takes the last one
    named: "ich hatte immer Shellac, jetzt hätte ich gern Gelnägel" means the gel nails."""
    single = any(
        turn.slot(name).type == "item" and turn.slot(name).role == SINGLE
        for name in turn.bot.flows[flow].asks
    )
    return mentions[-1:] if single else mentions


@lru_cache(maxsize=32)  # as many bots as lexicon_for keeps: a reloaded bot frees its old one
def _item_flows(bot: Bot) -> tuple[str, ...]:
    """The flows that take catalog items (found once per loaded bot)."""
    takes = {name for name, slot in bot.slots.items() if slot.type == "item"}
    return tuple(name for name, flow in bot.flows.items() if takes & flow.asks)
