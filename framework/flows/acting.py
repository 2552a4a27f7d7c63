"""The `action:` step: the business's code asked in the middle of a flow.

The step renders its arguments, emits an `ActionRequest` carrying what the action may see of
the conversation, and waits. The driver answers within the same turn with `ActionDone`
(flows/requests.py): its outcome is applied here — slot values (renamed by the step's `save:`),
messages, a flow to start, reminders, a reset, a restart or a handoff — and the flow goes on;
a failure runs the step's `on_error` block instead. Messages from an action are shown as
written, never rendered as templates: they are data, not flow text.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Final

from framework.action_calls import ActionOutcome, OutgoingMessage, Reminder
from framework.flows.events import ActionDone, ActionRequest, Button, SetTimer
from framework.flows.handoff import withdraw_handoff
from framework.flows.repair import COMMANDS
from framework.flows.session import Frame
from framework.flows.steps import WAIT, Act, Ask, HttpCall
from framework.flows.turn import Turn

__all__ = [
    "REMINDER_PREFIX",
    "WAIT_ACTION",
    "action_done",
    "reminder_fired",
    "start_action",
    "waiting_action",
]

WAIT_ACTION: Final = "__action__"
"""What a frame waits for while its action runs."""

REMINDER_PREFIX: Final = "action:"
"""Timers an action set are named `action:<name>`; the flow each starts when it fires is kept
in the session's flags (`reminders`), so that cancelling by name finds it."""

MAX_HEARD: Final = 2000
"""Characters of the customer's latest message an action is shown."""


def start_action(step: Act, turn: Turn, given: Mapping[str, Any] | None = None) -> int:
    """Ask for the step's action with its rendered args (and `given`, what the step's own
    executor adds: the words a consent question was shown with)."""
    frame = turn.frame
    assert frame is not None
    session = turn.session
    args = {name: turn.unwrap(turn.value(value)) for name, value in step.args}
    turn.effects.append(
        ActionRequest(
            step.action,
            {**args, **(given or {})},
            (step.timeout or turn.bot.actions.timeout).total_seconds(),
            turn.lang,
            dict(session["slots"]),
            tuple(dict(line) for line in session["cart"]["lines"]),
            dict(session["profile"]),
            turn.heard[:MAX_HEARD],
            turn.now,
        )
    )
    frame["wait"] = WAIT_ACTION
    return WAIT


def waiting_action(turn: Turn) -> Act | None:
    """The action step the conversation waits for, if it does."""
    frame = turn.frame
    if frame is None or frame.get("wait") != WAIT_ACTION:
        return None
    step = turn.flow(frame["flow"]).program[frame["pc"]]
    return step if isinstance(step, Act) else None


def action_done(turn: Turn, done: ActionDone) -> None:
    """Apply an action's answer to the step waiting for it (a stale answer changes nothing)."""
    step, frame = waiting_action(turn), turn.frame
    if step is None or frame is None or step.action != done.action:
        turn.record("action_answer_ignored", action=done.action)
        return
    frame.pop("wait")
    if done.outcome is None:
        turn.record("action_failed", action=done.action, error=done.error or "")
        frame["pc"] = frame["pc"] + 1 if step.on_error is None else step.on_error
        return
    frame["pc"] += 1
    turn.record("action_done", action=done.action)
    _apply(turn, step, done.outcome)
    _ask_again_if_refused(turn, frame, step)


def _ask_again_if_refused(turn: Turn, frame: Frame, step: Act) -> None:
    """A validation (`validate:` of an ask) that cleared the answer: the question again."""
    if step.validates is None:
        return
    asked = turn.flow(frame["flow"]).program[step.validates]
    if isinstance(asked, Ask) and asked.slot not in turn.session["slots"]:
        frame["pc"] = step.validates


def _apply(turn: Turn, step: Act, outcome: ActionOutcome) -> None:
    if outcome.restart:
        COMMANDS["restart"](turn)
        return
    if outcome.reset_slots:
        turn.session["slots"].clear()
        turn.changed()
    _set_slots(turn, step, outcome.slots)
    for message in outcome.messages:
        _show(turn, message)
    for reminder in outcome.reminders:
        _remind(turn, reminder)
    if outcome.handoff:
        COMMANDS["human"](turn)  # Rasa's ConversationPaused
    elif outcome.handoff is False:
        withdraw_handoff(turn)  # ConversationResumed: the bot goes on
    if outcome.start is not None:
        _start(turn, outcome.start)


def _set_slots(turn: Turn, step: Act, values: Mapping[str, Any]) -> None:
    """`save:` paths into their slots; an action's other results into the slots of their own
    names (an HTTP step's only through `save:`)."""
    for path, slot in step.save:
        found = _at(values, path.split("."))
        if found is _MISSING:
            turn.record("action_value_missing", action=step.action, value=path)
        else:
            turn.set_slot(slot, found)
    if isinstance(step, HttpCall):
        return
    saved = {path.split(".")[0] for path, _slot in step.save}
    for name, value in values.items():
        if name in saved:
            continue
        if name in turn.bot.slots:
            turn.set_slot(name, value)
        else:
            turn.record("action_value_ignored", action=step.action, value=name)


_MISSING: Final = object()


def _at(value: Any, path: list[str]) -> Any:
    """The part of a result a dotted path names (`body.items.0.name`), or _MISSING."""
    for part in path:
        if isinstance(value, Mapping) and part in value:
            value = value[part]
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return _MISSING
    return value


def _show(turn: Turn, message: OutgoingMessage) -> None:
    buttons = tuple(Button(str(title), str(payload)) for title, payload in message.buttons)
    text = message.text
    if message.text_name is not None:
        if message.text_name not in turn.bot.texts:
            turn.record("action_text_unknown", text=message.text_name)
            return
        text = turn.text(message.text_name)
    turn.reply(text, buttons, None, message.image, None, message.custom)


def _remind(turn: Turn, reminder: Reminder) -> None:
    flows: dict[str, str] = turn.session["flags"].setdefault("reminders", {})
    if reminder.at is None:
        flows.pop(reminder.name, None)
        turn.effects.append(SetTimer(f"{REMINDER_PREFIX}{reminder.name}", None))
        return
    flows[reminder.name] = reminder.flow or ""
    at = _aware(reminder.at, turn.now)
    turn.effects.append(SetTimer(f"{REMINDER_PREFIX}{reminder.name}", at))


def _aware(at: datetime, now: datetime) -> datetime:
    return at if at.tzinfo is not None else at.replace(tzinfo=now.tzinfo)


def _start(turn: Turn, flow: str) -> None:
    if flow in turn.bot.flows:
        turn.start_flow(flow)
    else:
        turn.record("action_flow_unknown", flow=flow)


def reminder_fired(turn: Turn, name: str) -> bool:
    """A timer an action set: start its flow (False: not an action's timer)."""
    if not name.startswith(REMINDER_PREFIX):
        return False
    flows: dict[str, str] = turn.session["flags"].get("reminders", {})
    flow = flows.pop(name.removeprefix(REMINDER_PREFIX), None)
    if flow:
        _start(turn, flow)
    return True
