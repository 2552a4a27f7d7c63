"""What the runtime keeps in a store: inbox items, claims, commits, log entries.

All of it is plain JSON-able data, so every store persists it the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

__all__ = [
    "Claim",
    "Commit",
    "InboxItem",
    "LogEntry",
    "SessionKey",
    "StoreLimits",
    "iso_time",
    "session_without_profile",
    "timer_item_id",
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


def iso_time(moment: float) -> str:
    return datetime.fromtimestamp(moment, UTC).isoformat()


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


@dataclass(frozen=True, slots=True)
class InboxItem:
    """Something that happened to a session, waiting for its turn.

    `id` deduplicates: a channel's message id, `timer:<name>:<due>` for a fired timer,
    `order:<order id>:<status>` for news about an order (its `order` holds the news), or
    `status:<message id>:<status>` for a messenger's delivery report (`status`). `meta` is what a
    messenger channel knows besides the text: how to reply, an attachment, the sender's phone.
    `received_at` becomes the event's `now`, so a turn replayed after a crash is the same turn.
    """

    id: str
    received_at: str
    text: str = ""
    payload: str | None = None
    timer: str | None = None
    order: dict[str, Any] | None = None
    status: dict[str, Any] | None = None
    meta: dict[str, Any] | None = None

    @property
    def time(self) -> datetime:
        return datetime.fromisoformat(self.received_at)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "received_at": self.received_at,
            "text": self.text,
            "payload": self.payload,
            "timer": self.timer,
            "order": self.order,
            "status": self.status,
            "meta": self.meta,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> InboxItem:
        return cls(
            id=str(data["id"]),
            received_at=str(data["received_at"]),
            text=str(data.get("text", "")),
            payload=data.get("payload"),
            timer=data.get("timer"),
            order=data.get("order"),
            status=data.get("status"),
            meta=data.get("meta"),
        )


LogEntry = dict[str, Any]
"""One line of a session's conversation log: `{"seq", "from": "customer"|"bot", "text", ...}`."""


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


@dataclass(slots=True)
class Commit:
    """Everything one turn changes, written in one atomic step.

    The inbox item is consumed, the session and profile replaced, the log entries appended
    (their sequence range kept as the item's result for retries), timers set or cancelled
    (None).
    """

    item_id: str
    session: dict[str, Any]
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
