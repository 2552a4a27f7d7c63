"""The booking store protocol: a bot's appointments and holds on its resources (staff, chairs,
rooms), with the one guarantee that matters: **no double booking**, enforced when a time is
taken, in the store, not only by the offer the customer saw.

A `Booking` starts as a **hold** (a lease, as Google's booking server calls it): the customer
picked a time, the store took it for them until `expires_at`. A hold is confirmed into a
booking (at once, or when its deposit is paid), released (the customer went another way, the
payment failed) or it expires. A confirmed booking can be moved (another time or resource,
atomically: the new time taken and the old one freed together), cancelled or marked as a
no-show. Statuses:

    held ──confirm──▶ confirmed ──cancel──▶ cancelled
      │                   │ └──no_show──▶ no_show
      ├──release──▶ released
      └──(expires_at passed, `expire`)──▶ expired

A time is taken on a resource for `[blocked_from, blocked_until)`: the appointment with its
buffers before and after. Two live bookings (confirmed, or held and not expired) of one
resource never overlap there — every backend checks it in the same atomic step that writes
(memory with no await in between, SQLite in one transaction on the file's thread, Redis in one
script on the bot's keys), so of 100 customers racing for the last time exactly one gets it
and the others `SlotTaken`.

Every booking has a number per bot (the customer reads "booking 1001"), a random `token` (the
unguessable part of its calendar link) and, when given, an idempotency `key`: a turn replayed
after a crash takes its hold again and gets the same booking, never a second one.

Reminders are durable timers kept with the booking: `remind_at` lists when to remind,
`claim_reminders` hands each due one out exactly once across workers (a dead worker's claimed
reminder is not sent twice; one claimed and not sent is lost, as a delivered message cannot
be un-sent — the service sends right after claiming).

Time is an argument of every call (no store reads a clock), so tests drive it: instants are
Unix seconds (UTC), as in every store.
"""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Protocol

from framework.errors import NotFound, ThekeError

__all__ = [
    "CANCELLED",
    "CONFIRMED",
    "EXPIRED",
    "FIRST_NUMBER",
    "HELD",
    "LIVE",
    "NO_SHOW",
    "RELEASED",
    "STATUSES",
    "Booking",
    "BookingError",
    "BookingEvent",
    "BookingNotFound",
    "BookingStore",
    "Busy",
    "DueReminder",
    "NewHold",
    "NotHeld",
    "SlotTaken",
    "StatusRefused",
]

FIRST_NUMBER = 1001
"""A bot's first booking number."""

HELD, CONFIRMED, RELEASED, EXPIRED, CANCELLED, NO_SHOW = (
    "held",
    "confirmed",
    "released",
    "expired",
    "cancelled",
    "no_show",
)
STATUSES = (HELD, CONFIRMED, RELEASED, EXPIRED, CANCELLED, NO_SHOW)
LIVE = frozenset({HELD, CONFIRMED})
"""The statuses that take their time (a held one only until it expires)."""


class BookingError(ThekeError, ValueError):
    """A booking or a change the rules refuse (a limit, a value out of range, an end before its
    start); the message says which. Not a StoreError: trying again changes nothing."""


class BookingNotFound(BookingError, NotFound):
    """A number the bot never gave."""


class SlotTaken(BookingError):
    """The time overlaps a live booking or hold of the same resource: someone came first.
    `taken_by` is the number of (one of) the bookings in the way."""

    def __init__(self, message: str, taken_by: int = 0) -> None:
        super().__init__(message)
        self.taken_by = taken_by


class NotHeld(BookingError):
    """A confirm or an extension of a hold that is no longer held (released, confirmed,
    cancelled) — or expired while its time was taken by someone else meanwhile."""


class StatusRefused(BookingError):
    """A change the booking's status does not allow (cancelling a released hold, moving a
    cancelled booking, marking a hold as no-show)."""


@dataclass(frozen=True, slots=True)
class BookingEvent:
    """One line of a booking's history."""

    at: float
    kind: str
    """held, confirmed, extended, released, expired, moved, cancelled, no_show, reminded."""
    by: str
    """customer, bot, system or agent:<name> (as for tickets)."""
    note: str = ""
    """A reason, or for a move the old time ("2026-12-04T15:00:00+00:00 anna")."""

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> BookingEvent:
        return cls(**data)


@dataclass(frozen=True, slots=True)
class NewHold:
    """What a hold is taken with: the service booked, on which resource, when (the appointment
    itself, `start`–`end`, and the time it blocks, with buffers), for whom, until when."""

    bot: str
    service: str
    """The service's id in the bot's booking section."""
    resource: str
    """The staff member's (or chair's, room's) id."""
    start: float
    end: float
    blocked_from: float
    blocked_until: float
    expires_at: float
    conversation: str = ""
    """The session key of the conversation it came from ("" for one made by the business)."""
    customer: dict[str, Any] = field(default_factory=dict)
    """How to reach the customer: channel, id, name, phone, email (JSON)."""
    lang: str = ""
    price_minor: int = 0
    deposit_minor: int = 0
    currency: str = ""
    remind_at: tuple[float, ...] = ()
    """When to remind the customer, earliest first (the service computes them)."""
    by: str = "bot"
    key: str = ""
    """Idempotency: a second hold of the bot with the same non-empty key takes nothing and
    returns the booking taken with it, as it is now."""


@dataclass(frozen=True, slots=True)
class Booking:
    bot: str
    number: int
    token: str
    """`<bot>-<22 random URL-safe characters>` (16 random bytes): the unguessable part of the
    booking's calendar link. The bot's name in front tells a store where to look (on Redis the
    bot's slot), so no index spans bots."""
    service: str
    resource: str
    start: float
    end: float
    blocked_from: float
    blocked_until: float
    status: str
    expires_at: float
    """When a hold lapses (0 once it is no longer a hold)."""
    conversation: str
    customer: dict[str, Any]
    lang: str
    price_minor: int
    deposit_minor: int
    currency: str
    remind_at: tuple[float, ...]
    reminded: int
    """How many of `remind_at` were handed out by `claim_reminders` (they go in order)."""
    sequence: int
    """The iCalendar SEQUENCE: 0, one more on every move and on cancelling."""
    created_at: float
    updated_at: float
    key: str = ""
    payment: str = ""
    """The order that paid its deposit (its number), "" for none: a refund goes there."""
    history: tuple[BookingEvent, ...] = ()
    """Oldest first, at most `booking_rules.MAX_EVENTS`: an extension or a move is refused
    (BookingError) when the history is nearly full, so the changes nobody can refuse (confirm,
    reminders, cancel, expire) always have room."""

    def changed(self, **changes: Any) -> Booking:
        return replace(self, **changes)

    def is_live(self, now: float) -> bool:
        """Whether it takes its time at `now`."""
        return self.status == CONFIRMED or (self.status == HELD and self.expires_at > now)


@dataclass(frozen=True, slots=True)
class Busy:
    """A span of a resource taken by a live booking or hold (for availability)."""

    resource: str
    blocked_from: float
    blocked_until: float
    number: int


@dataclass(frozen=True, slots=True)
class DueReminder:
    """A reminder handed out by `claim_reminders`: the booking (as it is now, `reminded`
    already counting this one) and which of its `remind_at` it is (0 = the first)."""

    booking: Booking
    index: int


class BookingStore(Protocol):
    async def hold(self, new: NewHold, now: float) -> Booking:
        """Take the time: a booking in status held with the bot's next number, or SlotTaken
        when `[blocked_from, blocked_until)` overlaps a live booking or unexpired hold of the
        resource. Idempotent on a non-empty key."""
        ...

    async def extend(self, bot: str, number: int, expires_at: float, now: float) -> Booking:
        """Keep a hold longer (while its deposit's payment request is open), to an
        `expires_at` after now. NotHeld when it is not held or already expired."""
        ...

    async def confirm(
        self, bot: str, number: int, by: str, now: float, payment: str = ""
    ) -> Booking:
        """Held → confirmed (expires_at 0), with `payment`: the order that paid its deposit.
        A hold that expired is confirmed when its time is still free (a payment arrived late:
        the customer gets their appointment); NotHeld when someone took the time meanwhile, or
        the hold was released. Confirming a confirmed booking returns it unchanged (a payment
        webhook delivered twice)."""
        ...

    async def release(self, bot: str, number: int, by: str, now: float, note: str = "") -> Booking:
        """Held → released (the customer chose another time, the payment failed). Releasing a
        released or expired hold returns it unchanged; StatusRefused for a confirmed one
        (that is a cancel)."""
        ...

    async def cancel(self, bot: str, number: int, by: str, now: float, note: str = "") -> Booking:
        """Confirmed → cancelled (sequence + 1); a cancelled one is returned unchanged;
        StatusRefused otherwise."""
        ...

    async def move(
        self,
        bot: str,
        number: int,
        changes: NewHold,
        by: str,
        now: float,
    ) -> Booking:
        """Give a confirmed booking `changes`' resource, start, end, blocked span and
        remind_at (nothing else of `changes` is used), in one atomic step: SlotTaken when the
        new span overlaps another live booking of that resource (the booking itself does not
        count), and then nothing changed. Sequence + 1, `reminded` back to the reminders
        already past at `now`."""
        ...

    async def no_show(self, bot: str, number: int, by: str, now: float) -> Booking:
        """Confirmed → no_show, once its start has passed (StatusRefused before); a no-show is
        returned unchanged (marked twice)."""
        ...

    async def expire(self, now: float, limit: int = 100) -> list[Booking]:
        """Every bot's holds whose expires_at ≤ now, now expired, at most `limit` (1 to
        `booking_checks.MAX_CLAIM`): each one returned by exactly one call, across workers."""
        ...

    async def claim_reminders(self, now: float, limit: int = 100) -> list[DueReminder]:
        """Every bot's confirmed bookings with a reminder due (`remind_at[reminded] ≤ now`),
        each reminder handed out by exactly one call across workers, at most `limit` (1 to
        `booking_checks.MAX_CLAIM`). Reminders of bookings no longer confirmed are never
        handed out; several due at once (a worker was down) are handed out as the latest one
        only, the earlier ones counted as claimed."""
        ...

    async def busy(
        self, bot: str, resources: AbstractSet[str], start: float, end: float, now: float
    ) -> list[Busy]:
        """The live spans of those resources that overlap `[start, end)`, by blocked_from (then
        resource and number)."""
        ...

    async def get(self, bot: str, number: int) -> Booking | None: ...

    async def by_token(self, token: str) -> Booking | None:
        """The booking whose calendar link carries `token` (any bot)."""
        ...

    async def list(
        self,
        bot: str,
        statuses: AbstractSet[str] | None = None,
        conversation: str | None = None,
        resource: str | None = None,
        start: float | None = None,
        end: float | None = None,
        limit: int = 50,
    ) -> list[Booking]:
        """The bot's bookings, by start (then number): only those statuses, that
        conversation's, that resource's, only those whose appointment (`start`–`end`, not the
        buffers) overlaps `[start, end)`, at most `limit` (1 to `booking_checks.MAX_PAGE`)."""
        ...

    async def forget_customer(self, bot: str, number: int, ref: str, now: float) -> Booking:
        """Erase the customer from the booking, which the business keeps (booking_erasure.py):
        no conversation, the customer only `ref` (a pseudonym, "" for none), no notes in its
        history, no more reminders. Forgetting again changes nothing."""
        ...

    async def close(self) -> None: ...
