"""What a Rasa action server's answer (`{"events", "responses"}`) changes, as an
`ActionOutcome`; an answer of the wrong shape is an ActionError (rasa.md §3).

Pure (no rasa_sdk, no I/O): the in-process and the remote runner read answers alike.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from framework.action_calls import ActionError, ActionOutcome, OutgoingMessage, Reminder
from framework.actions.rasa_protocol import RESPONSE_PREFIX

__all__ = ["MAX_EVENTS", "MAX_RESPONSES", "MAX_TEXT", "outcome_of"]

log = logging.getLogger(__name__)

MAX_EVENTS = 200
MAX_RESPONSES = 50
MAX_TEXT = 4096
"""Limits of an answer: an action server that sends more is broken or hostile."""


@dataclass
class _Changes:
    """An outcome while the answer's events are read in order."""

    slots: dict[str, Any] = field(default_factory=dict)
    start: str | None = None
    reset_slots: bool = False
    restart: bool = False
    handoff: bool | None = None
    reminders: list[Reminder] = field(default_factory=list)


def outcome_of(body: object, known_slots: Collection[str]) -> ActionOutcome:
    """What an action server's answer (`{"events", "responses"}`) changes. Slots the bot
    does not have (like Rasa's `requested_slot`) and events Theke has no use for are left
    out with a debug log; an answer of the wrong shape is an ActionError."""
    if body is None:
        return ActionOutcome()
    if not isinstance(body, dict):
        raise ActionError("the action server's answer is not a JSON object")
    events = _listed(body, "events", MAX_EVENTS)
    responses = _listed(body, "responses", MAX_RESPONSES)
    changes = _Changes()
    for event in events:
        kind = _text_of(event, "event")
        if kind not in _EVENTS:
            log.debug("Rasa event %r left out: Theke has no use for it", kind)
            continue
        _EVENTS[kind](changes, event, known_slots)
    messages = tuple(m for m in map(_message, responses) if m is not None)
    return ActionOutcome(
        slots=changes.slots,
        messages=messages,
        start=changes.start,
        reset_slots=changes.reset_slots,
        restart=changes.restart,
        handoff=changes.handoff,
        reminders=tuple(changes.reminders),
    )


def _listed(body: Mapping[str, Any], key: str, limit: int) -> list[dict[str, Any]]:
    found = body.get(key) or []
    if not isinstance(found, list) or not all(isinstance(item, dict) for item in found):
        raise ActionError(f"the action server's {key!r} is not a list of objects")
    if len(found) > limit:
        raise ActionError(f"the action server sent {len(found)} {key} (at most {limit})")
    return found


def _text_of(data: Mapping[str, Any], key: str, optional: bool = False) -> str:
    value = data.get(key)
    if (value is None and optional) or (isinstance(value, str) and len(value) <= MAX_TEXT):
        return value or ""
    raise ActionError(f"the action server's {key!r} is not a text of at most {MAX_TEXT}")


def _slot_set(changes: _Changes, event: dict[str, Any], known: Collection[str]) -> None:
    name = _text_of(event, "name")
    if name in known:
        changes.slots[name] = event.get("value")
    else:
        log.debug("Rasa slot %r left out: the bot has no such slot", name)


def _reset(changes: _Changes, _event: dict[str, Any], _known: Collection[str]) -> None:
    changes.slots.clear()
    changes.reset_slots = True


def _restart(changes: _Changes, _event: dict[str, Any], _known: Collection[str]) -> None:
    changes.slots.clear()
    changes.restart = True


def _followup(changes: _Changes, event: dict[str, Any], _known: Collection[str]) -> None:
    changes.start = _text_of(event, "name")


def _handoff(to_person: bool) -> Callable[[_Changes, dict[str, Any], Collection[str]], None]:
    def apply(changes: _Changes, _event: dict[str, Any], _known: Collection[str]) -> None:
        changes.handoff = to_person

    return apply


def _reminder(changes: _Changes, event: dict[str, Any], _known: Collection[str]) -> None:
    """Rasa names a reminder itself when the action does not; Theke names it after its
    intent, so that `ReminderCancelled(intent_name=…)` finds it."""
    intent = _text_of(event, "intent", optional=True) or None
    name = _text_of(event, "name", optional=True) or intent
    if name is None:
        raise ActionError("the action server's reminder has neither a name nor an intent")
    at = None
    if event["event"] == "reminder":
        at = _moment(_text_of(event, "date_time"))
    changes.reminders.append(Reminder(name=name, at=at, flow=intent))


def _moment(text: str) -> datetime:
    """A time without a zone is the action server's local time, as Rasa reads it."""
    try:
        return datetime.fromisoformat(text).astimezone(UTC)
    except ValueError:
        raise ActionError(f"the action server's reminder time {text[:40]!r} is invalid") from None


_EVENTS: Mapping[str, Callable[[_Changes, dict[str, Any], Collection[str]], None]] = {
    "slot": _slot_set,
    "reset_slots": _reset,
    "restart": _restart,
    "followup": _followup,
    "pause": _handoff(True),
    "resume": _handoff(False),
    "reminder": _reminder,
    "cancel_reminder": _reminder,
}


def _message(response: dict[str, Any]) -> OutgoingMessage | None:
    """A collected `utter_message`: text, buttons, image, custom (`json_message`), or a
    response of the bot (`utter_<name>`). Elements and attachments are left out."""
    text = _text_of(response, "text", optional=True)
    image = _text_of(response, "image", optional=True) or None
    custom = response.get("custom") or response.get("json_message") or None
    if custom is not None and not isinstance(custom, dict):
        raise ActionError("the action server's 'custom' is not an object")
    buttons = _buttons(response.get("buttons") or [])
    named = _text_of(response, "response", optional=True)
    if named:
        if not named.startswith(RESPONSE_PREFIX):
            raise ActionError(f"the response {named[:60]!r} is not a text of the bot (utter_…)")
        name = named.removeprefix(RESPONSE_PREFIX)
        return OutgoingMessage(buttons=buttons, image=image, custom=custom, text_name=name)
    if not (text or buttons or image or custom):
        return None
    return OutgoingMessage(text=text, buttons=buttons, image=image, custom=custom)


def _buttons(buttons: object) -> tuple[tuple[str, str], ...]:
    if not isinstance(buttons, list) or not all(isinstance(b, dict) for b in buttons):
        raise ActionError("the action server's 'buttons' is not a list of objects")
    if len(buttons) > MAX_RESPONSES:
        raise ActionError(
            f"the action server sent {len(buttons)} buttons (at most {MAX_RESPONSES})"
        )
    titles = [_text_of(button, "title") for button in buttons]
    payloads = [_text_of(button, "payload", optional=True) for button in buttons]
    return tuple((title, payload or title) for title, payload in zip(titles, payloads, strict=True))
