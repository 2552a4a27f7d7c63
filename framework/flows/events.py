"""What reaches the engine (events) and what it asks the runtime to do (effects).

The engine never reads a clock: every event carries `now`. Later subsystems add events
(a payment arrived, a timer fired, an agent wrote) and effects (start a payment, schedule a
timer, hand off) to these unions without changing how a turn works.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from framework.action_calls import ActionOutcome
    from framework.bill import Bill

__all__ = [
    "ActionDone",
    "ActionRequest",
    "AnswersKept",
    "BusinessEvent",
    "Button",
    "ConsentChange",
    "Effect",
    "Event",
    "HandoffNews",
    "HandoffRequest",
    "Link",
    "Message",
    "Notice",
    "OrderUpdate",
    "PaymentRequest",
    "Record",
    "Remember",
    "Reply",
    "SetTimer",
    "TagChange",
    "TicketNews",
    "Timer",
]


@dataclass(frozen=True, slots=True)
class Message:
    """A customer's message: typed text, or a button press (payload plus its title as text)."""

    text: str
    now: datetime
    payload: str | None = None
    attachment: str | None = None
    """The kind of what came with the text that is not text ("image", "sticker", "audio",
    "location"): a message without text but with one gets `media_without_text`."""
    reachable: bool = False
    """The customer's channel lets the business write later, outside a turn (WhatsApp,
    Telegram, a REST callback), unlike the web chat: flows read it as `reachable`."""


@dataclass(frozen=True, slots=True)
class Timer:
    """A timer the engine asked for (`SetTimer`) is due; `now` is when it fired."""

    name: str
    now: datetime


@dataclass(frozen=True, slots=True)
class OrderUpdate:
    """Where an order stands: the answer to this turn's `PaymentRequest` (`origin` is that
    request's origin), or news from outside (`origin="notice"`: a webhook, the business).

    `status` is an order status (orders.py) or "unavailable" when the payment provider could
    not be reached.
    """

    order: str
    status: str
    now: datetime
    origin: str = "notice"
    number: int = 0
    total: int = 0
    refunded: int = 0
    url: str | None = None
    in_chat: bool = False
    """The customer pays inside the chat (a Telegram invoice), not on a page behind `url`."""


@dataclass(frozen=True, slots=True)
class ActionDone:
    """The answer to an `ActionRequest`: what the action changes, or why it failed."""

    action: str
    now: datetime
    outcome: ActionOutcome | None = None
    error: str | None = None
    """Set when the action failed, was refused, timed out or is unknown (for the business;
    the customer sees the step's `on_error` block)."""
    message: str = ""
    """The customer's message the request was made about (shown to a following action)."""


@dataclass(frozen=True, slots=True)
class TicketNews:
    """The business answered a ticket of this conversation (`reply`) or moved it (`status`)."""

    number: int
    status: str
    now: datetime
    reply: str = ""


@dataclass(frozen=True, slots=True)
class HandoffNews:
    """What happened to the conversation's handoff: `queued` (its `position`), `claimed` (by
    `agent`), `said` (the agent's `text` for the customer), `changed` (the `slots` the agent
    set, or the `cart` change they made), `returned` to the bot, `closed`, or `timeout`
    (nobody came in time)."""

    state: str
    now: datetime
    agent: str = ""
    position: int = 0
    text: str = ""
    waited: float = 0.0
    """Seconds the customer waited in the queue before the person claimed it."""
    slots: Mapping[str, Any] = field(default_factory=dict)
    """`changed`: slot values the person set (as stored: ids for items and choices)."""
    cart: Mapping[str, Any] = field(default_factory=dict)
    """`changed`: a change of the cart the person made, as JSON (flows/cart_change.py)."""


@dataclass(frozen=True, slots=True)
class Notice:
    """The business tells the customer something: the bot's text `text` (a built-in one such
    as `booking_reminder`, or the bot's own) with `values` for its names."""

    text: str
    now: datetime
    values: Mapping[str, str] = field(default_factory=dict)


Event = Message | Timer | OrderUpdate | ActionDone | TicketNews | HandoffNews | Notice
"""Later issues add outside events (an agent wrote) to this union."""


@dataclass(frozen=True, slots=True)
class Button:
    title: str
    payload: str


@dataclass(frozen=True, slots=True)
class Link:
    """A button that opens a web page (a payment page) instead of answering."""

    title: str
    url: str


@dataclass(frozen=True, slots=True)
class Reply:
    """A message for the customer; channels map buttons and lists to their own widgets."""

    text: str
    buttons: tuple[Button, ...] = ()
    list_button: str | None = None
    image: str | None = None
    link: Link | None = None
    custom: Mapping[str, Any] | None = None
    """Content for the business's own client as an action gave it (Rasa's `json_message`):
    REST and callback clients get it as `custom`; messengers and the web chat show the text."""

    @property
    def is_list(self) -> bool:
        return self.list_button is not None


@dataclass(frozen=True, slots=True)
class Remember:
    """Keep a slot value for this customer across conversations (e.g. the delivery address)."""

    slot: str
    value: Any


@dataclass(frozen=True, slots=True)
class Record:
    """A fact for the business: marketing stopped, a human requested, an order confirmed."""

    name: str
    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class SetTimer:
    """Fire `Timer(name)` at `at` for this session, replacing a timer of that name; None cancels."""

    name: str
    at: datetime | None


@dataclass(frozen=True, slots=True)
class PaymentRequest:
    """Ask the runtime to start, check, cancel or expire a payment; it answers with an
    OrderUpdate.

    `origin` says why (start, check, renew, remind, expiry, cancel) so the answer can be
    worded for it. `order` is None only for "start".
    """

    action: str
    origin: str
    order: str | None = None
    bill: Bill | None = None
    expires_at: datetime | None = None
    delivery: Mapping[str, Any] = field(default_factory=dict)
    lang: str = ""


@dataclass(frozen=True, slots=True)
class ActionRequest:
    """Ask the driver to run one of the business's actions; it answers with ActionDone.
    What the action sees of the conversation travels with the request (the engine's copy)."""

    action: str
    args: Mapping[str, Any]
    timeout: float
    """Seconds the action may take before it counts as failed."""
    lang: str
    slots: Mapping[str, Any]
    cart: tuple[Mapping[str, Any], ...]
    profile: Mapping[str, Any]
    message: str
    now: datetime


@dataclass(frozen=True, slots=True)
class BusinessEvent:
    """An event for the business's webhooks (`emit:` step): a dotted type and its data."""

    type: str
    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class HandoffRequest:
    """Put the conversation in the bot's queue for a person (the runtime does it, idempotently:
    a conversation already waiting or held keeps its place), or take it out again
    (`withdrawn`: the customer no longer wants one)."""

    reason: str
    withdrawn: bool = False


@dataclass(frozen=True, slots=True)
class ConsentChange:
    """The customer stopped every message the business starts (STOP: `stopped`) or took the
    stop back (START); `said` is their words, the evidence. The runtime writes it to the
    consent ledger in the same turn (framework/consents/service.py), idempotently."""

    stopped: bool
    said: str


@dataclass(frozen=True, slots=True)
class TagChange:
    """Tags given to the conversation's contact (`tag:`) and taken from it (`untag:`); the
    runtime writes the turn's changes to the contact store before the turn is committed
    (framework/runtime/contact_notes.py), idempotently."""

    add: tuple[str, ...] = ()
    remove: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class AnswersKept:
    """Answers kept on the conversation's contact (`note:`): (name, the answer as text) pairs,
    each in place of the one of its name; written with the turn's tags (TagChange)."""

    answers: tuple[tuple[str, str], ...]


Effect = (
    Reply
    | Remember
    | Record
    | ConsentChange
    | TagChange
    | AnswersKept
    | SetTimer
    | PaymentRequest
    | ActionRequest
    | BusinessEvent
    | HandoffRequest
)
