"""Conversation repair every bot gets for free: commands, digressions, language switches.

The phrases and texts come from `defaults.yaml` and can be overridden per bot
(`commands:` and `texts:`); a command set to `false` is switched off.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Final

from framework.flows.events import ConsentChange, Message
from framework.flows.flow_follow_ups import followed_up, note_answering_flow
from framework.flows.handoff import request_handoff, withdraw_handoff
from framework.flows.linking import link, unlink
from framework.flows.model import ChoiceSet
from framework.flows.order_cancel import offer_cancel
from framework.flows.paying import ask_payment_link, ask_payment_status, cancel_payment
from framework.flows.turn import Turn
from framework.flows.understanding.language import guesses, requested_language
from framework.flows.understanding.lexicon import lexicon_for
from framework.flows.understanding.normalize import tokens
from framework.flows.understanding.yesno import says_done

__all__ = ["COMMANDS", "command_said", "switch_language", "try_digression"]


def _forget_conversation(turn: Turn) -> None:
    session = turn.session
    session["stack"].clear()
    session["pending"].clear()
    session["slots"].clear()
    turn.cart.clear()
    turn.changed()


def _cancel(turn: Turn) -> None:
    if cancel_payment(turn) or withdraw_handoff(turn):
        return
    if not turn.session["stack"] and not turn.session["cart"]["lines"]:
        if not offer_cancel(turn):
            turn.say_named("nothing_to_cancel")
        return
    _forget_conversation(turn)
    turn.record("cancelled")
    turn.say_named("cancelled")


def _restart(turn: Turn) -> None:
    if cancel_payment(turn):  # an open payment request is cancelled first, never left behind
        return
    _forget_conversation(turn)
    turn.say_named("restarted")
    if turn.bot.start is not None:
        turn.start_flow(turn.bot.start)


def _help(turn: Turn) -> None:
    turn.say_named("help")
    turn.reask()


def _human(turn: Turn) -> None:
    """A person is asked for (or, outside the hours, the customer hears when); the bot goes on
    with the open question meanwhile."""
    request_handoff(turn, "asked for a person")
    turn.reask()


def _thanks(turn: Turn) -> None:
    """Thanks and goodbye, with no question open, get a friendly word, not the greeting."""
    turn.say_named("thanks")


def _wait(turn: Turn) -> None:
    """ "Warte", "Moment", "one sec": a friendly word; the open question stays open, unasked."""
    turn.say_named("waiting")


def _forget_me(turn: Turn) -> None:
    """The customer's remembered values are deleted, and this conversation's copies of them:
    nothing is offered "as last time" again."""
    turn.forget()
    for name, slot in turn.bot.slots.items():
        if slot.remember and name in turn.session["slots"]:
            turn.set_slot(name, None)
    turn.say_named("forgotten")
    turn.reask()


def _stop_marketing(turn: Turn) -> None:
    """STOP: no message the business starts any more (offers, notifications), said once."""
    turn.session["flags"]["marketing_stopped"] = turn.now.isoformat()
    turn.effects.append(ConsentChange(True, turn.heard))
    turn.record("marketing_stopped")
    turn.say_named("marketing_stopped")
    turn.reask()


def _explain_stop(turn: Turn) -> None:
    """ "How do I unsubscribe?": how STOP works, and nothing withdrawn (they asked, they did not
    say it); the open question stays open."""
    turn.say_named("stop_how")
    turn.reask()


STOPS: Final = ("stop", "stop_messages")
"""The commands that withdraw: STOP alone ("STOP", "abmelden") and in a sentence ("please stop
messaging me", "hört auf, mir zu schreiben")."""
_ASKING_HOW: Final = frozenset({"how", "wie", "wo", "where", "what", "was", "is", "gibt", "gibts"})
"""First words of a question about STOP rather than a request to stop: "how do I
unsubscribe?", "wie kann ich mich abmelden?" ("can you stop messaging me?" asks to stop)."""


def _asks_how_to_stop(turn: Turn, text: str) -> bool:
    words = tokens(text)
    if len(words) < 3 or words[0] not in _ASKING_HOW:
        return False
    lexicon = lexicon_for(turn.bot)
    return any(lexicon.says_command(text, command) for command in STOPS)


def _resume(turn: Turn) -> None:
    """START after a STOP takes it back; without one it is a fresh start (Telegram's /start)."""
    if turn.session["flags"].pop("marketing_stopped", None) is None:
        if turn.session["turns"] or turn.bot.start is None:
            _restart(turn)
        else:
            turn.start_flow(turn.bot.start)  # the very first message: just the greeting
        return
    turn.effects.append(ConsentChange(False, turn.heard))
    turn.record("marketing_resumed")
    turn.say_named("marketing_resumed")
    turn.reask()


COMMANDS: Mapping[str, Callable[[Turn], None]] = {
    "cancel": _cancel,
    "restart": _restart,
    "help": _help,
    "human": _human,
    "thanks": _thanks,
    "stop": _stop_marketing,
    "stop_messages": _stop_marketing,
    "stop_how": _explain_stop,
    "resume": _resume,
    "forget_me": _forget_me,
    "wait": _wait,
    "payment_status": ask_payment_status,
    "payment_link": ask_payment_link,
    "link": link,
    "unlink": unlink,
}


def command_said(turn: Turn, message: Message) -> str | None:
    """The built-in command a message (or its button) says — unless the bot's own words say
    it in this context: a choice of the open question (an option `human`), a trigger
    ("Termin stornieren") or a knowledge phrase ("didn't help") wins over a command phrase."""
    choices = _open_choices(turn)
    payload = message.payload
    if payload in COMMANDS and (choices is None or payload not in choices.choices):
        return payload
    if not payload and _asks_how_to_stop(turn, message.text):
        return "stop_how"
    lexicon = lexicon_for(turn.bot)
    own = () if choices is None else (lexicon.choices(choices),)
    command = lexicon.command(payload or message.text, own)
    if command == "cancel" and not payload and _nothing_more(turn, message.text):
        return None
    return command


def _nothing_more(turn: Turn, text: str) -> bool:
    """ "Ach doch nix, das war's" when the order asks for one more item: nothing more, not
    a cancel of what the cart holds (the customer said their order is complete)."""
    frame = turn.frame
    if frame is None or frame["flow"] != turn.ordering_flow() or not turn.session["cart"]["lines"]:
        return False
    asked = turn.bot.slots.get(frame.get("wait") or "")
    return asked is not None and asked.type == "item" and says_done(text)


def _open_choices(turn: Turn) -> ChoiceSet | None:
    frame = turn.frame
    slot = turn.bot.slots.get(frame.get("wait") or "") if frame is not None else None
    return slot.choices if slot is not None else None


def switch_language(turn: Turn, text: str) -> bool:
    """Follow the customer's language; True when they explicitly asked for one."""
    languages = turn.bot.business.languages
    requested = requested_language(text)
    if requested in languages:
        turn.session["lang"] = requested
        turn.changed()
        turn.say_named("language_switched")
        turn.reask()
        return True
    lexicon = lexicon_for(turn.bot)
    least = 1 if turn.session["turns"] == 0 else 2
    key = ("guesses", text, least)
    guessed, single = lexicon.kept(key, guesses, text, languages, lexicon.language_words, least, 1)
    hinted = _hinted(turn, single)
    if guessed is None and hinted is not None:
        guessed = hinted  # "big" — "none": two short answers in English
    if guessed is not None and guessed != turn.lang:
        turn.session["lang"] = guessed
        turn.changed()
    return False


LANGUAGE_HINT: Final = "language_hint"
"""A session flag: the other language one word of the last message was in ("big")."""


def _hinted(turn: Turn, single: str | None) -> str | None:
    """The other language when this message and the one before each have a word of it and
    none of the current one: a terse customer ("big", "none", "delivery") is followed from
    their second such answer; one word in an address ("Donaustraße") never switches."""
    flags = turn.session["flags"]
    before = flags.pop(LANGUAGE_HINT, None)
    if single is None or single == turn.lang:
        return None
    if before == single:
        return single
    flags[LANGUAGE_HINT] = single
    return None


def try_digression(turn: Turn, text: str) -> bool:
    """Answer a question that belongs to another flow, then come back to this one."""
    frame = turn.frame
    if frame is None or not turn.flow(frame["flow"]).interruptible:
        return False
    active = frozenset(f["flow"] for f in turn.session["stack"])
    target = lexicon_for(turn.bot).trigger(text, exclude=active) or followed_up(turn, text)
    if target is None or target in active:
        return False
    turn.reask()
    frame["interrupted"] = True
    turn.start_flow(target, digression=True)
    note_answering_flow(turn, target)
    return True
