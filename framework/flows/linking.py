"""A customer joins their conversations on several channels into one contact (docs/contacts.md):
the built-in commands `link` and `unlink`, and a link code typed on its own.

- `link` without a code ("Chats verbinden", "link my account"): the contact desk makes a code
  for this conversation (`contact.link_code`), said with `link_code`.
- `link` with a code ("link code K7M4QX"), or "Code K7M4QX" while no question is open (an open
  question's answer wins: a booking code is no link code): the desk joins the conversation
  that made the code with this one (`contact.link`), said with `linked`, `link_unknown`,
  `link_same_channel` or `link_already`.
- The code alone ("K7M4QX") while no question is open is tried quietly: joined, it is said;
  otherwise the message goes on as one the bot does not know (its fallback or start flow,
  or `not_understood`) — a bot whose customers type booking codes keeps its behaviour, and
  a guess learns nothing.
- A conversation may try MAX_WRONG codes the desk did not know within an hour (the session
  flag `link_wrong` keeps their times); past that it hears `link_too_many` and the desk is not
  asked.
- `unlink` ("Chats trennen", "unlink"): this conversation leaves its contact
  (`contact.unlink`): `unlinked`, or `not_linked` when it was alone.

The desk's work is an ActionRequest answered within the turn (flows/requests.py); `link_done`
applies its answer and asks the open question again. A desk that fails says `link_failed`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Final

from framework.flows.events import ActionDone, ActionRequest, Message
from framework.flows.link_codes import MINUTES, code_alone, code_in
from framework.flows.steps import Act
from framework.flows.turn import Turn

__all__ = [
    "LINK",
    "LINK_ACTIONS",
    "LINK_CODE",
    "MAX_WRONG",
    "UNLINK",
    "link",
    "link_done",
    "link_typed",
    "unlink",
]

LINK_CODE, LINK, UNLINK = "contact.link_code", "contact.link", "contact.unlink"
LINK_ACTIONS: Final = frozenset({LINK_CODE, LINK, UNLINK})
MAX_WRONG: Final = 5
"""Codes a conversation may get wrong within WRONG_WINDOW."""
WRONG_WINDOW: Final = timedelta(hours=1)
WRONG: Final = "link_wrong"
QUIET: Final = "link_quiet"
"""The session flag of a code typed alone: the flow to start when it links nothing."""

_SAID: Mapping[str, str] = {
    "linked": "linked",
    "unknown": "link_unknown",
    "same_channel": "link_same_channel",
    "already": "link_already",
    "unlinked": "unlinked",
    "alone": "not_linked",
}
"""The desk's result -> the text the customer reads."""


def _ask(turn: Turn, action: str, args: Mapping[str, str]) -> None:
    turn.effects.append(
        ActionRequest(
            action,
            dict(args),
            turn.bot.actions.timeout.total_seconds(),
            turn.lang,
            {},
            (),
            {},
            turn.heard[:200],
            turn.now,
        )
    )


def _recent_wrong(turn: Turn) -> list[float]:
    since = (turn.now - WRONG_WINDOW).timestamp()
    kept = turn.session["flags"].get(WRONG)
    return [t for t in kept if isinstance(t, float) and t > since] if isinstance(kept, list) else []


def _redeem(turn: Turn, code: str) -> None:
    if len(_recent_wrong(turn)) >= MAX_WRONG:
        turn.record("link_refused", reason="too_many")
        turn.say_named("link_too_many")
        turn.reask()
        return
    _ask(turn, LINK, {"code": code})


def link(turn: Turn) -> None:
    """The `link` command: a code asked for, or the one the message names tried."""
    code = code_in(turn.heard)
    if code is None:
        _ask(turn, LINK_CODE, {})
    else:
        _redeem(turn, code)


def unlink(turn: Turn) -> None:
    """The `unlink` command: this conversation split off its contact."""
    _ask(turn, UNLINK, {})


def link_typed(turn: Turn, message: Message) -> bool:
    """A code typed on its own while no question is open: tried (True)."""
    frame = turn.frame
    if message.payload or (frame is not None and frame.get("wait")):
        return False
    typed = code_alone(message.text)
    if typed is None:
        return False
    code, said = typed
    if not said:
        if len(_recent_wrong(turn)) >= MAX_WRONG:
            return False
        bot = turn.bot
        fallback = bot.fallback if turn.session["turns"] and bot.fallback else bot.start
        turn.session["flags"][QUIET] = fallback or ""
    _redeem(turn, code)
    return True


def _quietly_nothing(turn: Turn, fallback: str | None, result: str) -> bool:
    """A code typed alone that joined nothing: the message as one the bot does not know."""
    if fallback is None or result in ("linked", "already"):
        return False
    if fallback in turn.bot.flows:
        turn.start_flow(fallback)
    else:
        turn.say_named("not_understood")
    return True


def link_done(turn: Turn, done: ActionDone, step: Act | None) -> bool:
    """The desk's answer said to the customer (False: not a linking command's answer, such as
    one a flow's `action:` step (`step`, waiting) asked for itself)."""
    if done.action not in LINK_ACTIONS or (step is not None and step.action == done.action):
        return False
    flags, outcome = turn.session["flags"], done.outcome
    quiet = flags.pop(QUIET, None) if done.action == LINK else None
    result = "" if outcome is None else str(outcome.slots.get("result", ""))
    if result == "unknown":
        flags[WRONG] = [*_recent_wrong(turn), turn.now.timestamp()][-MAX_WRONG:]
    if done.action == LINK_CODE and outcome is not None and outcome.slots.get("code"):
        turn.say_named("link_code", code=str(outcome.slots["code"]), minutes=MINUTES)
    elif _quietly_nothing(turn, quiet, result):
        turn.record("link_code_unknown_typed_alone")
        return True
    elif result in _SAID:
        turn.record(f"contact_{result}")
        turn.say_named(_SAID[result])
    else:
        turn.record("link_failed", error=(done.error or result)[:200])
        turn.say_named("link_failed")
    turn.reask()
    return True
