"""Exactly once per request: an action's answer is kept under its request id before the turn
commits, and a replayed turn (its worker died before the commit) gets that answer instead of
calling the action again.

The answer (`ActionDone`: the outcome or the error) is kept as JSON text in the session's
store (`Store.keep_answer`), for as long as processed items are remembered (result_ttl).
Reading it back is exact for everything an action can return as JSON (a tuple among the slot
values comes back a list, as it would from the session), and forgiving: text that does not
read as an answer (corrupt, hostile, written by another version) counts as no answer, with a
warning, and never raises into the turn.

What happens when the store fails (docs/actions-exactly-once.md):
- it cannot be read before the call: the action is not called, the step's `on_error` branch
  runs. The commit that follows most likely fails too, and the turn is replayed later, when
  the store can say whether the action already ran.
- it cannot keep the answer after the call: the answer is still used (the action did what it
  did; the customer hears about it). If the turn's commit then fails as well, the replay
  calls the action again: for that call the guarantee is at-least-once, and the request id
  passed to the action (its idempotency key) is what lets the business's code notice.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime
from typing import Any, TypeVar

from framework.action_calls import ActionOutcome, OutgoingMessage, Reminder
from framework.flows.events import ActionDone, ActionRequest
from framework.stores.json_text import dump
from framework.stores.session_store import Store, StoreError

__all__ = ["answered_once", "read_answer", "write_answer"]

log = logging.getLogger("theke.actions")

T = TypeVar("T")

VERSION = 1
"""The format of a kept answer; an answer of another version is not read (the action runs)."""


class _Unreadable(ValueError):
    """Kept text that is not an answer of this format."""


def write_answer(done: ActionDone) -> str:
    """The answer as JSON text; TypeError or ValueError when a value is not JSON."""
    outcome = done.outcome
    return dump(
        {
            "v": VERSION,
            "action": done.action,
            "now": done.now.isoformat(),
            "outcome": None if outcome is None else _outcome_json(outcome),
            "error": done.error,
            "message": done.message,
        }
    )


def _outcome_json(outcome: ActionOutcome) -> dict[str, Any]:
    return {
        "slots": dict(outcome.slots),
        "messages": [_message_json(message) for message in outcome.messages],
        "start": outcome.start,
        "reset_slots": outcome.reset_slots,
        "restart": outcome.restart,
        "handoff": outcome.handoff,
        "reminders": [
            {"name": r.name, "at": None if r.at is None else r.at.isoformat(), "flow": r.flow}
            for r in outcome.reminders
        ],
    }


def _message_json(message: OutgoingMessage) -> dict[str, Any]:
    return {
        "text": message.text,
        "buttons": [list(button) for button in message.buttons],
        "image": message.image,
        "custom": None if message.custom is None else dict(message.custom),
        "text_name": message.text_name,
    }


def read_answer(text: str) -> ActionDone | None:
    """The answer `write_answer` wrote; None (and a warning) for anything else."""
    try:
        return _done(_object(json.loads(text)))
    except (ValueError, TypeError, KeyError, RecursionError) as error:
        # the error's name only: its text may quote what the answer holds
        unreadable = {"error": type(error).__name__}
        log.warning("kept action answer unreadable, taken as none", extra=unreadable)
        return None


def _done(data: Mapping[str, Any]) -> ActionDone:
    if data.get("v") != VERSION:
        raise _Unreadable(f"not version {VERSION}")
    outcome = data["outcome"]
    return ActionDone(
        action=_text(data["action"]),
        now=_time(data["now"]),
        outcome=None if outcome is None else _outcome(_object(outcome)),
        error=_maybe(_text, data["error"]),
        message=_text(data["message"]),
    )


def _outcome(data: Mapping[str, Any]) -> ActionOutcome:
    handoff = data["handoff"]
    return ActionOutcome(
        slots=_object(data["slots"]),
        messages=tuple(_message(_object(m)) for m in _list(data["messages"])),
        start=_maybe(_text, data["start"]),
        reset_slots=_flag(data["reset_slots"]),
        restart=_flag(data["restart"]),
        handoff=None if handoff is None else _flag(handoff),
        reminders=tuple(_reminder(_object(r)) for r in _list(data["reminders"])),
    )


def _message(data: Mapping[str, Any]) -> OutgoingMessage:
    custom = data["custom"]
    return OutgoingMessage(
        text=_text(data["text"]),
        buttons=tuple(_button(button) for button in _list(data["buttons"])),
        image=_maybe(_text, data["image"]),
        custom=None if custom is None else _object(custom),
        text_name=_maybe(_text, data["text_name"]),
    )


def _button(value: Any) -> tuple[str, str]:
    title, payload = _list(value)
    return _text(title), _text(payload)


def _reminder(data: Mapping[str, Any]) -> Reminder:
    return Reminder(
        name=_text(data["name"]),
        at=_maybe(_time, data["at"]),
        flow=_maybe(_text, data["flow"]),
    )


def _object(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _Unreadable(f"an object expected, not {type(value).__name__}")
    return value


def _list(value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise _Unreadable(f"a list expected, not {type(value).__name__}")
    return value


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise _Unreadable(f"a text expected, not {type(value).__name__}")
    return value


def _flag(value: Any) -> bool:
    if not isinstance(value, bool):
        raise _Unreadable(f"true or false expected, not {type(value).__name__}")
    return value


def _time(value: Any) -> datetime:
    return datetime.fromisoformat(_text(value))


def _maybe(read: Callable[[Any], T], value: Any) -> T | None:
    return None if value is None else read(value)


async def answered_once(
    store: Store,
    key: str,
    request_id: str,
    request: ActionRequest,
    perform: Callable[[], Awaitable[ActionDone]],
) -> ActionDone:
    """The answer kept for the request, or `perform`'s, kept before it is returned."""
    fields = {"action": request.action, "request": request_id}
    try:
        kept = await store.kept_answer(key, request_id)
    except StoreError as error:
        log.warning(
            "kept action answers unreadable, action not called",
            extra={**fields, "error": str(error)},
        )
        failed = "not called: the store could not say whether it ran already"
        return ActionDone(request.action, request.now, None, failed, request.message)
    done = None if kept is None else read_answer(kept)
    if done is not None and done.action == request.action:  # (another: the flows changed)
        return done
    done = await perform()
    try:
        await store.keep_answer(key, request_id, write_answer(done))
    except (StoreError, TypeError, ValueError) as error:
        log.warning(
            "action answer not kept: a replayed turn would call it again",
            extra={**fields, "error": repr(error)},
        )
    return done
