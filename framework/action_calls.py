"""What an action is given and what it gives back, whoever runs it (Python, Rasa, HTTP).
At the top of the package because both the engine and the runners (framework/actions/) read
them.

The engine never calls an action itself: the `action:` step emits an `ActionRequest` with an
`ActionContext`, the driver (runtime, `theke chat`, `theke test`) finds the bot's runner that
knows the name, runs it within its timeout and answers with the `ActionOutcome`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from framework.errors import ThekeError

__all__ = [
    "ActionContext",
    "ActionError",
    "ActionOutcome",
    "ActionRunner",
    "OutgoingMessage",
    "Reminder",
    "arg_number",
    "arg_text",
]


class ActionError(ThekeError):
    """An action that failed, was refused, timed out or is unknown: the step's `on_error`
    branch runs (the message is for the business's logs, never shown to the customer)."""


@dataclass(frozen=True)
class ActionContext:
    """The conversation as an action sees it (read-only)."""

    action: str
    """The name the step calls."""
    args: Mapping[str, Any]
    """The step's `args:`, rendered."""
    request_id: str
    """Unique per call and stable when a crashed turn is replayed: an idempotency key."""
    bot: str
    sender: str
    """The conversation's customer id on its channel (Rasa's sender_id)."""
    channel: str
    lang: str
    slots: Mapping[str, Any]
    cart: Sequence[Mapping[str, Any]]
    """The cart's lines: item, options, quantity, unit price (minor units)."""
    profile: Mapping[str, Any]
    """What is remembered about the customer across conversations."""
    message: str
    """The customer's latest message."""
    now: datetime


@dataclass(frozen=True)
class OutgoingMessage:
    """A message an action wants the customer to see."""

    text: str = ""
    buttons: tuple[tuple[str, str], ...] = ()
    """(title, payload) pairs."""
    image: str | None = None
    custom: Mapping[str, Any] | None = None
    """Channel-specific content as given (Rasa's `custom`/`json_message`)."""
    text_name: str | None = None
    """One of the bot's texts instead of `text`, said in the customer's language with the
    slots as they are after the action (Rasa's `utter_message(response="utter_<name>")`)."""


@dataclass(frozen=True)
class Reminder:
    """A timer the action sets (Rasa's ReminderScheduled) or cancels (`at` None)."""

    name: str
    at: datetime | None
    flow: str | None = None
    """The flow to start when it fires (Rasa's intent of the reminder, mapped by name)."""


@dataclass(frozen=True)
class ActionOutcome:
    """What changes after an action. Empty: nothing (an action may only have side effects)."""

    slots: Mapping[str, Any] = field(default_factory=dict)
    """Slot values to set (None clears a slot)."""
    messages: tuple[OutgoingMessage, ...] = ()
    start: str | None = None
    """A flow to start after the step (Rasa's FollowupAction)."""
    reset_slots: bool = False
    """Forget every slot (Rasa's AllSlotsReset)."""
    restart: bool = False
    """Start the conversation afresh (Rasa's Restarted)."""
    handoff: bool | None = None
    """True: hand the conversation to a person (Rasa's ConversationPaused); False: back to
    the bot (ConversationResumed)."""
    reminders: tuple[Reminder, ...] = ()


class ActionRunner(Protocol):
    """Runs a bot's actions of one kind (its Python module, rasa-sdk in-process, a remote
    action server)."""

    def names(self) -> frozenset[str]:
        """The actions this runner knows (checked by `theke check`)."""
        ...

    async def run(self, context: ActionContext) -> ActionOutcome:
        """Run `context.action`; raises ActionError when it fails or is refused."""
        ...

    async def close(self) -> None: ...


def arg_text(value: Any) -> str:
    """An action's argument as text ("" for none), trimmed."""
    return "" if value is None else str(value).strip()


def arg_number(value: Any) -> int:
    """An argument naming a record by its number ("1001", "#1001"); 0 for anything else."""
    text = arg_text(value).lstrip("#")
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 12 else 0
