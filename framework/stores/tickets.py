"""The ticket store protocol: a bot's support tickets, numbered per bot, with their history.

A `Ticket` is opened from a `NewTicket` (what a flow or an agent gives: checked and limited
when it is made) and gets the bot's next number from the store: 1001, 1002, ..., atomic across
workers, never given twice. Every change appends `TicketEvent`s to its history and sets
`updated_at` in one atomic step, so two workers changing one ticket at once lose nothing.

Statuses move forward only: open → pending (waiting for the customer) → solved → closed, any
jump ahead allowed. One way back, as at Zendesk: a customer's comment on a pending or solved
ticket reopens it. Closed is final: nothing more can be added. The rules, the limits and the
JSON live in ticket_rules.py, once for every backend.

Time is an argument of every call (no store reads a clock), so tests drive it.
"""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Protocol

from framework.errors import NotFound, ThekeError

__all__ = [
    "AGENT",
    "BOT",
    "CLOSED",
    "COMMENT",
    "CREATED",
    "CUSTOMER",
    "FIRST_NUMBER",
    "OPEN",
    "PENDING",
    "PRIORITIES",
    "SOLVED",
    "STATUS",
    "STATUSES",
    "SYSTEM",
    "HistoryFull",
    "NewTicket",
    "StatusRefused",
    "Ticket",
    "TicketClosed",
    "TicketError",
    "TicketEvent",
    "TicketNotFound",
    "TicketStore",
]

FIRST_NUMBER = 1001
"""A bot's first ticket number: customers read "ticket 1001", not "ticket 1"."""

OPEN, PENDING, SOLVED, CLOSED = "open", "pending", "solved", "closed"
STATUSES = (OPEN, PENDING, SOLVED, CLOSED)
"""In the order a ticket moves through them."""
PRIORITIES = ("low", "normal", "high", "urgent")

CREATED, STATUS, COMMENT = "created", "status", "comment"
"""The kinds of history events."""
CUSTOMER, BOT, SYSTEM, AGENT = "customer", "bot", "system", "agent:"
"""Who made a change: the customer, the bot, the system, or `agent:<name>`."""


class TicketError(ThekeError, ValueError):
    """A ticket or a change the rules refuse (a limit, a value out of range); the message says
    which and what to do. Not a StoreError: trying again changes nothing."""


class TicketNotFound(TicketError, NotFound):
    """A change to a ticket number the bot never gave."""


class StatusRefused(TicketError):
    """A status change backwards (or to the status the ticket has): statuses move forward only,
    and only a customer's comment reopens a ticket."""


class TicketClosed(TicketError):
    """A change to a closed ticket: closed is final."""


class HistoryFull(TicketError):
    """A change beyond the most events a ticket keeps (`ticket_rules.MAX_EVENTS`)."""


@dataclass(frozen=True, slots=True)
class TicketEvent:
    """One line of a ticket's history."""

    at: float
    kind: str
    """created, status or comment."""
    by: str
    """customer, bot, system or agent:<name>."""
    text: str = ""
    """A comment's text, or the note given with a status change."""
    public: bool = True
    """Whether the customer sees it (an agent's internal note is not public)."""
    from_status: str = ""
    """A status change's old status ("" for created)."""
    to_status: str = ""
    """A status change's new status (open for created)."""

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TicketEvent:
        return cls(**data)


@dataclass(frozen=True, slots=True)
class NewTicket:
    """What a ticket is opened with. A store checks it (`ticket_rules.opened`: a TicketError
    says what is wrong) before it gives a number."""

    bot: str
    subject: str
    category: str = ""
    priority: str = "normal"
    contact: dict[str, Any] = field(default_factory=dict)
    """How to reach the customer: channel, address, phone, email, name, ... (JSON)."""
    slots: dict[str, Any] = field(default_factory=dict)
    """What the flow collected (JSON)."""
    conversation: str = ""
    """The session key of the conversation it came from ("" for none)."""
    lang: str = ""
    by: str = BOT
    """Who opens it: the created event's author."""
    key: str = ""
    """What makes opening it idempotent ("" for nothing): a second create of the bot with the
    same key opens nothing and uses no number, it gets the ticket opened with that key (as it
    is now). The flow step's request id, so a turn replayed after a crash opens one ticket."""


@dataclass(frozen=True, slots=True)
class Ticket:
    bot: str
    number: int
    subject: str
    category: str
    priority: str
    status: str
    contact: dict[str, Any]
    slots: dict[str, Any]
    conversation: str
    lang: str
    created_at: float
    updated_at: float
    key: str = ""
    """The key it was opened with ("" for none)."""
    history: tuple[TicketEvent, ...] = ()
    """Oldest first; the first is the created event."""

    def changed(self, **changes: Any) -> Ticket:
        return replace(self, **changes)

    def head_json(self) -> dict[str, Any]:
        """Everything but the history, as JSON."""
        data = asdict(self)
        del data["history"]
        return data


class TicketStore(Protocol):
    async def create(self, ticket: NewTicket, now: float) -> Ticket:
        """Open the ticket with the bot's next number (FIRST_NUMBER, then one more each time,
        never given twice), status open and a created event. Idempotent on a non-empty
        `ticket.key`: the bot's ticket opened with that key is returned as it is now."""
        ...

    async def get(self, bot: str, number: int) -> Ticket | None:
        """The bot's ticket with that number; None when the bot never gave it."""
        ...

    async def list(
        self,
        bot: str,
        statuses: AbstractSet[str] | None = None,
        conversation: str | None = None,
        limit: int = 50,
        before_number: int | None = None,
    ) -> list[Ticket]:
        """The bot's tickets, newest (highest number) first: only those statuses, only that
        conversation's, only numbers below `before_number` (the last number of the previous
        page), at most `limit` (1 to `ticket_rules.MAX_PAGE`)."""
        ...

    async def comment(
        self, bot: str, number: int, by: str, text: str, public: bool, now: float
    ) -> Ticket:
        """Add a comment; a customer's comment on a pending or solved ticket reopens it (a
        status event follows the comment). TicketClosed on a closed ticket, TicketNotFound for
        a number never given, HistoryFull beyond the limit."""
        ...

    async def set_status(
        self, bot: str, number: int, status: str, by: str, now: float, note: str | None = None
    ) -> Ticket:
        """Move the ticket forward to `status`, with `note` as the status event's text (the
        customer sees status changes). StatusRefused backwards or to the same status,
        TicketClosed once closed."""
        ...

    async def erase_conversation(self, bot: str, conversation: str) -> int:
        """Delete the conversation's tickets with their history (the person's data erased:
        contact, slots, comments); how many there were. Their numbers are not given again."""
        ...

    async def close(self) -> None: ...
