"""What the runtime keeps in a store: inbox items, claims, commits, log entries.

All of it is plain JSON-able data, so every store persists it the same way.
"""

from __future__ import annotations

import functools
import math
import re
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, TypedDict

__all__ = [
    "HANDOFF",
    "MESSAGE",
    "NOTE",
    "NOTICE",
    "ORDER",
    "STATUS",
    "TICKET",
    "TIMER",
    "Claim",
    "Commit",
    "Inbox",
    "InboxItem",
    "LogEntry",
    "Peeked",
    "SessionKey",
    "StoreLimits",
    "has_lone_surrogate",
    "iso_time",
    "session_without_profile",
    "shows_something",
    "timer_item_id",
    "without_lone_surrogates",
]

DAY = 86_400.0


@dataclass(frozen=True, slots=True)
class StoreLimits:
    """How long a store keeps things (seconds) and how much of a conversation's log."""

    session_ttl: float = 30 * DAY
    """An idle session (its state, inbox and timers) is forgotten after this."""
    profile_ttl: float = 365 * DAY
    """Remembered values (a delivery address) outlive sessions."""
    result_ttl: float = DAY
    """How long a message id is deduplicated and its turn's place in the log remembered, so a
    retried webhook gets the replies (those still in the log) instead of a second turn."""
    history_ttl: float = DAY
    """The conversation log (what a reloaded chat page shows) is kept this long after the last
    turn; the state and remembered values stay longer. A later turn starts a fresh log whose
    sequence numbers continue the old ones."""
    log_length: int = 50
    """Log entries kept per session: what a reloaded chat page shows."""

    def __post_init__(self) -> None:
        ttls = (self.session_ttl, self.profile_ttl, self.result_ttl, self.history_ttl)
        if self.log_length < 1 or min(ttls) <= 0:
            raise ValueError("store limits must be positive")


_LONE_SURROGATE = re.compile(r"[\ud800-\udfff]")
"""In a Python str every surrogate is lone: a valid pair is one code point. (The escapes are
the pattern's, not the literal's: a compiler such as mypyc takes no surrogate in a literal.)"""


def has_lone_surrogate(text: str) -> bool:
    """Whether `text` holds half a UTF-16 pair, which no UTF-8 text can hold."""
    return _LONE_SURROGATE.search(text) is not None


def without_lone_surrogates(value: Any) -> Any:
    """`value` (text, or JSON-like data) with each lone surrogate replaced by U+FFFD. ASCII
    text (`isascii` reads a flag CPython keeps) holds none: most ids, keys and words."""
    if isinstance(value, str):
        return value if value.isascii() else _LONE_SURROGATE.sub("\ufffd", value)
    if isinstance(value, dict):
        return {
            without_lone_surrogates(key): without_lone_surrogates(item)
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return [without_lone_surrogates(item) for item in value]
    return value


Inbox = Callable[[str, "InboxItem"], Awaitable[Any]]
"""Puts an item into a conversation's inbox (the session store's `enqueue`): how everything
outside a conversation (tickets, handoffs, bookings, notifications) tells it news."""


_YEAR_10000 = 253_402_300_800.0
"""The first moment (epoch seconds) whose year `isoformat` writes with five digits."""


def iso_time(moment: float) -> str:
    """`datetime.fromtimestamp(moment, UTC).isoformat()`, the same text (microseconds rounded
    half to even, left out when 0), without a datetime for every message: the text of its
    whole second is kept for the next call, a server stamps many a second (11,000 instructions
    for each `isoformat`; benchmarks/README.md, 2026-12-05 morning)."""
    if not 0.0 <= moment < _YEAR_10000:  # before 1970 (modf's sign), after 9999, NaN
        return datetime.fromtimestamp(moment, UTC).isoformat()
    fraction, whole = math.modf(moment)
    micro = round(fraction * 1e6)
    if micro == 1_000_000:
        micro, whole = 0, whole + 1.0
    second = _second_text(whole)
    return f"{second}.{micro:06d}+00:00" if micro else f"{second}+00:00"


@functools.lru_cache(maxsize=4)
def _second_text(whole: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(whole))


def timer_item_id(name: str, due: float) -> str:
    """The inbox id of a fired timer: the same timer can only ever fire once."""
    return f"timer:{name}:{due:.3f}"


@dataclass(frozen=True, slots=True)
class SessionKey:
    """One conversation: a customer of a bot on a channel."""

    bot: str
    channel: str
    customer: str

    def __str__(self) -> str:
        return f"{self.bot}:{self.channel}:{self.customer}"

    @classmethod
    def parse(cls, text: str) -> SessionKey:
        bot, channel, customer = text.split(":", 2)
        return cls(bot, channel, customer)


MESSAGE, TIMER, ORDER, STATUS, NOTE = "message", "timer", "order", "status", "note"
TICKET, HANDOFF, NOTICE = "ticket", "handoff", "notice"
"""The kinds of inbox items: what a customer wrote, a fired timer, news about an order, a
messenger's delivery report, a note for the business's inbox, news about a ticket, news about
a person taking the conversation over, and a notice: one of the bot's texts the business
tells the customer (a booking's reminder, a booking moved), with its values."""


@dataclass(frozen=True, slots=True)
class InboxItem:
    """Something that happened to a session, waiting for its turn: its `kind` and its `data`.

    `id` deduplicates: a channel's message id, `timer:<name>:<due>` for a fired timer,
    `order:<order id>:<status>` for news about an order, `status:<message id>:<status>` for a
    messenger's delivery report. `received_at` becomes the event's `now`, so a turn replayed
    after a crash is the same turn. The runtime dispatches on `kind` through one table
    (runtime/turns.py); a new kind of news is a new kind here and a handler there.

    A message's data: `text`, `payload` (a pressed button's), `meta` (what a messenger channel
    knows besides the text: how to reply, an attachment, the sender's phone). A timer's: `name`.
    """

    id: str
    received_at: str
    kind: str = MESSAGE
    data: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        """A lone surrogate (half of a broken emoji from a webhook payload) becomes U+FFFD
        here, where everything from outside enters: no store, script or page meets one."""
        object.__setattr__(self, "id", without_lone_surrogates(self.id))
        object.__setattr__(self, "data", without_lone_surrogates(self.data))

    @classmethod
    def message(
        cls,
        id: str,
        received_at: str,
        text: str,
        payload: str | None = None,
        meta: dict[str, Any] | None = None,
    ) -> InboxItem:
        data: dict[str, Any] = {"text": text, "payload": payload}
        if meta:
            data["meta"] = meta
        return cls(id, received_at, MESSAGE, data)

    @classmethod
    def notice(
        cls,
        id: str,
        received_at: str,
        text: str,
        values: Mapping[str, str],
        purpose: str,
        **more: Any,
    ) -> InboxItem:
        """The business tells the customer the bot's text `text` with `values`, for `purpose`:
        a consent's (`marketing`, `notify:<topic>`), which the conversation must hold when it
        is said and when it leaves, or the customer's own transaction (`transaction:booking`).
        The runtime says no notice without one (runtime/notice_consent.py). `more`: what else
        the runtime needs to say it (a broadcast's WhatsApp template)."""
        data = {"text": text, "values": dict(values), "purpose": purpose, **more}
        return cls(id, received_at, NOTICE, data)

    @classmethod
    def fired(cls, name: str, due: float, received_at: str) -> InboxItem:
        """The item of a timer that fell due (its id makes it fire once)."""
        return cls(timer_item_id(name, due), received_at, TIMER, {"name": name})

    @property
    def time(self) -> datetime:
        return datetime.fromisoformat(self.received_at)

    @property
    def text(self) -> str:
        return str(self.data.get("text", ""))

    @property
    def payload(self) -> str | None:
        payload = self.data.get("payload")
        return None if payload is None else str(payload)

    @property
    def meta(self) -> dict[str, Any]:
        meta: dict[str, Any] = self.data.get("meta") or {}
        return meta

    @property
    def purpose(self) -> str:
        """A notice's purpose ("": none, and such a notice is never said)."""
        return str(self.data.get("purpose") or "")

    @property
    def timer(self) -> str | None:
        """A timer item's name; None for every other kind."""
        return str(self.data["name"]) if self.kind == TIMER else None

    def with_payload(self, payload: str | None) -> InboxItem:
        return replace(self, data={**self.data, "payload": payload})

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "received_at": self.received_at,
            "kind": self.kind,
            "data": self.data,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> InboxItem:
        if "kind" not in data:
            return _from_fields(data)
        return cls(str(data["id"]), str(data["received_at"]), str(data["kind"]), data["data"])


def _from_fields(data: dict[str, Any]) -> InboxItem:
    """An item kept before items had a kind (one optional field per kind of news)."""
    item_id, received_at = str(data["id"]), str(data["received_at"])
    if data.get("timer") is not None:
        return InboxItem(item_id, received_at, TIMER, {"name": data["timer"]})
    for kind in (ORDER, STATUS):
        if data.get(kind) is not None:
            return InboxItem(item_id, received_at, kind, dict(data[kind]))
    meta = data.get("meta") or {}
    if "note" in meta:
        return InboxItem(item_id, received_at, NOTE, dict(meta["note"]))
    return InboxItem.message(
        item_id, received_at, str(data.get("text", "")), data.get("payload"), meta
    )


class ButtonData(TypedDict):
    title: str
    payload: str


class LinkData(TypedDict):
    """A button that opens a page (the payment link)."""

    title: str
    url: str


class Outgoing(TypedDict, total=False):
    """A bot message as every channel renders it (the bot's part of a log entry)."""

    text: str
    buttons: list[ButtonData]
    list_button: str
    """The label of the button that opens the choices as a list (WhatsApp's list message)."""
    image: str
    link: LinkData
    custom: dict[str, Any]
    """An action's content for the business's own client (REST's `custom`)."""


def shows_something(message: Outgoing) -> bool:
    """Whether a messenger has anything to show of a message (an action's `custom` content
    alone is for REST clients only)."""
    return bool(
        message.get("text") or message.get("buttons") or message.get("image") or message.get("link")
    )


LogEntry = TypedDict(
    "LogEntry",
    {
        "seq": int,
        "from": str,
        "text": str,
        "buttons": list[ButtonData],
        "list_button": str,
        "image": str,
        "link": LinkData,
        "custom": dict[str, Any],
        "attachment": Any,
        "kind": str,
        "failed_seq": int | None,
        "conversation": str,
        "at": str,
        "payment": str | None,
        "checkout": str,
        "amount": int,
        "currency": str,
        "delivery": dict[str, Any],
        "broadcast": str,
        "purpose": str,
        "whatsapp_template": dict[str, Any],
    },
    total=False,
)
"""One line of a session's conversation log: `from` is customer, bot or system; a bot's line is
an `Outgoing` message (with `broadcast`, the id of the broadcast it told, `purpose`, the
purpose of the notice it told, and `whatsapp_template` when WhatsApp sends it as that
template); a system note (an
undelivered message, a payment that names no order) says what happened in `kind` and its
details."""


@dataclass(slots=True)
class Claim:
    """A session leased to one worker: its state and the next item of its inbox."""

    key: str
    token: str
    lease: float
    """How long the lease lasts (seconds): a commit that hands on a next item renews it."""
    session: dict[str, Any] | None
    profile: dict[str, Any]
    item: InboxItem
    seq: int = 0
    """The sequence number of the last entry of the session's log."""


@dataclass(frozen=True, slots=True)
class Peeked:
    """A conversation's state as its store keeps it, read without a lease (`Store.peek`): what
    the last committed turn left, as a claim would load it, and may be a moment old."""

    session: dict[str, Any]
    """The state the last commit wrote (its "profile" member put back when kept apart)."""
    seq: int = 0
    """The sequence number of the last entry of the session's log."""

    @property
    def customer_at(self) -> datetime | None:
        """When the customer last wrote, as the turn of their message noted it (None: never,
        or not readable)."""
        flags = self.session.get("flags")
        noted = flags.get("customer_at") if isinstance(flags, dict) else None
        try:
            return datetime.fromisoformat(noted) if isinstance(noted, str) else None
        except ValueError:
            return None


@dataclass(slots=True)
class Commit:
    """Everything one turn changes, written in one atomic step.

    The inbox item is consumed, the session and profile replaced, the log entries appended
    (their sequence range kept as the item's result for retries), timers set or cancelled
    (None).
    """

    item_id: str
    session: Mapping[str, Any]
    profile: dict[str, Any]
    entries: list[LogEntry]
    timers: dict[str, float | None] = field(default_factory=dict)


def session_without_profile(commit: Commit, limits: StoreLimits) -> dict[str, Any] | None:
    """The commit's session without its "profile" member, when that member is the commit's
    profile and the profile is kept at least as long as the session: a store then keeps the
    profile once and puts it back into the session it loads. None: keep the session whole."""
    session = commit.session
    if limits.profile_ttl < limits.session_ttl or session.get("profile") != commit.profile:
        return None
    return {name: value for name, value in session.items() if name != "profile"}
