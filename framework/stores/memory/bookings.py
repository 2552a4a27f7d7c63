"""The reference booking store: plain dicts in one process's memory (the contract suite's
yardstick and the test double). No method awaits, so on one event loop each runs whole: the
overlap check and the write of a hold never interleave with another's, numbers are never given
twice, and each expired hold or due reminder is handed out once."""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Set as AbstractSet

from framework.stores import booking_checks as checked
from framework.stores import booking_rules as rules
from framework.stores.bookings import (
    FIRST_NUMBER,
    Booking,
    Busy,
    DueReminder,
    NewHold,
)

__all__ = ["MemoryBookings"]


class MemoryBookings(rules.ChangedByRule):
    def __init__(self) -> None:
        self._bookings: dict[tuple[str, int], Booking] = {}
        self._last: dict[str, int] = {}
        """bot -> the last number it gave."""
        self._keys: dict[tuple[str, str], int] = {}
        """(bot, key) -> the number of the booking held with that key."""
        self._tokens: dict[str, tuple[str, int]] = {}

    def _of(self, bot: str) -> list[Booking]:
        return [booking for (of, _), booking in self._bookings.items() if of == bot]

    def _in_the_way(self, booking: Booking, now: float) -> int:
        spans = (
            rules.span_of(other)
            for other in self._of(booking.bot)
            if other.resource == booking.resource
        )
        return rules.first_in_the_way(spans, booking, now)

    async def hold(self, new: NewHold, now: float) -> Booking:
        draft = checked.held(new, now)
        known = self._keys.get((draft.bot, draft.key)) if draft.key else None
        if known is not None:
            return self._bookings[draft.bot, known]
        taken = self._in_the_way(draft, now)
        if taken:
            raise rules.slot_taken(draft, taken)
        number = self._last[draft.bot] = self._last.get(draft.bot, FIRST_NUMBER - 1) + 1
        if draft.key:
            self._keys[draft.bot, draft.key] = number
        self._tokens[draft.token] = (draft.bot, number)
        stored = self._bookings[draft.bot, number] = draft.changed(number=number)
        return stored

    def _find(self, bot: str, number: int) -> Booking | None:
        return self._bookings.get((bot, number)) if checked.could_exist(bot, number) else None

    async def _changed(self, bot: str, number: int, change: rules.Change, now: float) -> Booking:
        old = rules.existing(self._find(bot, number), bot, number)
        new = rules.decide(old, change, now, lambda booking: self._in_the_way(booking, now))
        self._bookings[bot, number] = new
        return new

    def _due(
        self, due_of: Callable[[Booking], float | None], now: float, limit: int
    ) -> list[Booking]:
        """The bookings due by `now`, soonest first (then by bot and number)."""
        due = [
            (at, b.bot, b.number)
            for b in self._bookings.values()
            if (at := due_of(b)) is not None and at <= now
        ]
        return [self._bookings[bot, number] for _, bot, number in sorted(due)[:limit]]

    def _keep(self, booking: Booking) -> Booking:
        self._bookings[booking.bot, booking.number] = booking
        return booking

    async def expire(self, now: float, limit: int = 100) -> list[Booking]:
        at, limit = checked.moment(now), checked.check_limit(limit)
        expired = [rules.expiring(booking, at) for booking in self._due(rules.hold_due, at, limit)]
        return [self._keep(booking) for booking in expired if booking is not None]

    async def claim_reminders(self, now: float, limit: int = 100) -> list[DueReminder]:
        at, limit = checked.moment(now), checked.check_limit(limit)
        due = self._due(rules.reminder_due, at, limit)
        claimed = [rules.reminding(booking, at) for booking in due]
        return [due for due in claimed if due is not None and self._keep(due.booking)]

    async def busy(
        self, bot: str, resources: AbstractSet[str], start: float, end: float, now: float
    ) -> list[Busy]:
        wanted, low, high, at = checked.check_busy(bot, resources, start, end, now)
        found = [(b.resource, rules.span_of(b)) for b in self._of(bot) if b.resource in wanted]
        return rules.busy_spans(found, low, high, at)

    async def get(self, bot: str, number: int) -> Booking | None:
        return self._find(bot, number)

    async def by_token(self, token: str) -> Booking | None:
        if checked.token_bot(token) is None:
            return None
        found = self._tokens.get(token)
        return None if found is None else self._bookings[found]

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
        conversation, low, high = checked.check_query(
            bot, statuses, conversation, resource, start, end, limit
        )
        found = [
            booking
            for booking in self._of(bot)
            if checked.matches(booking, statuses, conversation, resource, low, high)
        ]
        return sorted(found, key=lambda booking: (booking.start, booking.number))[:limit]

    async def close(self) -> None:
        """Nothing to release."""
