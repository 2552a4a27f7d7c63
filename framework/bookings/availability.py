"""Free times: a service's possible starts, given who works when and what is taken.

Slots are computed, never stored (as at Cal.com): the working ranges of each staff member who
can do the service, on the days the customer wants, on a grid (every 15 minutes by default),
minus breaks, days off, holidays, and the spans of live bookings and holds (with the service's
buffers before and after), not before `notice` from now and not after the `horizon`.

Local times are walked as the clock on the studio's wall shows them and each is turned into an
instant of the business's zone: a time that does not exist (the hour skipped when clocks go
forward) is never offered, and an appointment's end is its start plus its minutes in real
time (across the hour repeated when clocks go back it ends by the wall clock an hour "early").

What is offered (`choose`): distinct start times, the earliest first, spread at least an hour
apart (or over several days) so that three offers are three real alternatives; a clock time
asked for comes first when it is free, then the nearest ones that day (of two as near, the
later: who says "at 3" often cannot come sooner).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from itertools import groupby
from typing import Any

from framework.bookings.plan import Plan, Service, Staff
from framework.bookings.wishes import TimeWish
from framework.stores.bookings import Busy, NewHold

__all__ = ["Offer", "choose", "free_times", "new_hold", "search_days", "span_of"]

SPREAD = timedelta(hours=1)
"""Offers of one day lie at least this far apart."""


@dataclass(frozen=True, slots=True)
class Offer:
    """A free time: the appointment `start`–`end` (aware, the business's zone) with `staff`."""

    start: datetime
    end: datetime
    staff: str

    @classmethod
    def at(cls, start: datetime, service: Service, staff: str) -> Offer:
        """The appointment of `service` starting at `start` (its end in real time)."""
        end = datetime.fromtimestamp(start.timestamp() + service.minutes * 60, start.tzinfo)
        return cls(start, end, staff)

    def blocked(self, service: Service) -> tuple[float, float]:
        """The span it takes on the staff member's calendar (Unix seconds), with buffers."""
        return (
            self.start.timestamp() - service.buffer_before * 60,
            self.end.timestamp() + service.buffer_after * 60,
        )


def new_hold(
    plan: Plan,
    service: Service,
    offer: Offer,
    now: float,
    keep: timedelta,
    **who: Any,
) -> NewHold:
    """The hold of `offer` for `keep` from `now`, with the reminders still ahead; `who` gives
    conversation, customer, lang, key, by."""
    start = offer.start.timestamp()
    blocked_from, blocked_until = offer.blocked(service)
    reminders = (start - before.total_seconds() for before in plan.reminders)
    return NewHold(
        bot=plan.bot,
        service=service.id,
        resource=offer.staff,
        start=start,
        end=offer.end.timestamp(),
        blocked_from=blocked_from,
        blocked_until=blocked_until,
        expires_at=now + keep.total_seconds(),
        price_minor=service.price.minor,
        deposit_minor=service.deposit.minor if service.deposit else 0,
        currency=service.price.currency,
        remind_at=tuple(moment for moment in reminders if moment > now),
        **who,
    )


def search_days(plan: Plan, wish: TimeWish, now: datetime) -> list[date]:
    """The days to look at, in order: the wish's days or every day of the horizon, without
    the excluded ones and the business's holidays."""
    today = now.astimezone(plan.business.timezone).date()
    last = (now + plan.horizon).astimezone(plan.business.timezone).date()
    days = wish.days or tuple(today + timedelta(days=n) for n in range((last - today).days + 1))
    excluded = set(wish.not_days) | plan.business.holidays
    return [day for day in days if today <= day <= last and day not in excluded]


def span_of(days: Sequence[date], plan: Plan) -> tuple[float, float]:
    """Unix seconds from the start of the first day to the end of the last (with a day's
    margin for buffers), for asking the store what is busy."""
    zone = plan.business.timezone
    first = datetime.combine(days[0], time(0), zone) - timedelta(days=1)
    last = datetime.combine(days[-1], time(0), zone) + timedelta(days=2)
    return first.timestamp(), last.timestamp()


def free_times(
    plan: Plan,
    service: Service,
    staff: Sequence[str],
    days: Sequence[date],
    busy: Sequence[Busy],
    now: datetime,
) -> Iterator[Offer]:
    """Every free start for `service` with one of `staff` on `days`, day by day, by time."""
    earliest = now.timestamp() + plan.notice.total_seconds()
    latest = now.timestamp() + plan.horizon.total_seconds()
    taken = _Taken(busy)
    for day in days:
        found = [
            offer
            for person in staff
            for offer in _day_of(plan, service, plan.staff[person], day, taken)
            if earliest <= offer.start.timestamp() <= latest
        ]
        yield from sorted(
            found, key=lambda offer: (offer.start.timestamp(), staff.index(offer.staff))
        )


def choose(offers: Iterator[Offer], wish: TimeWish, limit: int) -> list[Offer]:
    """What to offer: at most `limit` offers at distinct times (see the module's docstring).
    Reads the offers day by day and stops once it has them: a wish without a day does not
    walk the whole horizon."""
    chosen: list[Offer] = []
    for _, day in groupby(offers, key=lambda offer: offer.start.date()):
        wanted = [offer for offer in day if _in_windows(offer, wish)]
        if wish.exact is not None:
            exact = wish.exact
            # Equally near, later first: who says "at 3" often cannot come before.
            wanted.sort(
                key=lambda offer: (_minutes_from(offer.start, exact), offer.start.time() < exact)
            )
        for offer in wanted:
            if all(_apart(offer, other) for other in chosen):
                chosen.append(offer)
            if len(chosen) == limit:
                return _asked_first(chosen, wish)
    return _asked_first(chosen, wish)


def _asked_first(chosen: list[Offer], wish: TimeWish) -> list[Offer]:
    if wish.exact is None:
        return chosen
    exact = wish.exact
    return sorted(chosen, key=lambda offer: _minutes_from(offer.start, exact) > 0)


def _in_windows(offer: Offer, wish: TimeWish) -> bool:
    """Within the wished times of day: that day's own where days differ ("morgen früh oder
    Donnerstag abends"), else the wish's."""
    clock = offer.start.time().replace(tzinfo=None)
    day = offer.start.date()
    for own in wish.per_day:
        if own.day == day:
            if own.exact is not None:
                return (clock.hour, clock.minute) == (own.exact.hour, own.exact.minute)
            return not own.windows or any(a <= clock < b for a, b in own.windows)
    return not wish.windows or any(a <= clock < b for a, b in wish.windows)


def _minutes_from(moment: datetime, clock: time) -> int:
    wall = moment.hour * 60 + moment.minute
    return abs(wall - (clock.hour * 60 + clock.minute))


def _apart(offer: Offer, other: Offer) -> bool:
    if offer.start.date() != other.start.date():
        return True
    return abs(offer.start.timestamp() - other.start.timestamp()) >= SPREAD.total_seconds()


class _Taken:
    """The busy spans per resource, sorted, for an overlap test in O(log n)."""

    def __init__(self, busy: Sequence[Busy]) -> None:
        spans: dict[str, list[tuple[float, float]]] = {}
        for span in busy:
            spans.setdefault(span.resource, []).append((span.blocked_from, span.blocked_until))
        self._spans = {resource: sorted(found) for resource, found in spans.items()}
        self._starts = {r: [start for start, _ in found] for r, found in self._spans.items()}

    def free(self, resource: str, start: float, end: float) -> bool:
        spans = self._spans.get(resource)
        if not spans:
            return True
        after = bisect_left(self._starts[resource], end)
        # Live spans of one resource never overlap: the one before `after` ends last.
        return after == 0 or spans[after - 1][1] <= start


def _day_of(
    plan: Plan, service: Service, person: Staff, day: date, taken: _Taken
) -> Iterator[Offer]:
    if day in person.days_off:
        return
    zone, step = plan.business.timezone, plan.grid
    length = service.minutes * 60
    before, after = service.buffer_before * 60, service.buffer_after * 60
    pauses = [_span(day, pause, zone) for pause in person.breaks]
    for opens, closes in person.hours.get(day.weekday(), ()):
        close = _span(day, (opens, closes), zone)[1]
        wall = datetime.combine(day, opens)
        while wall.time() < closes and wall.date() == day:
            start = _instant(day, wall.time(), zone)
            wall += step
            if start is None:
                continue
            begins = start.timestamp()
            ends = begins + length
            if ends > close:
                break
            if any(begins < until and ends > since for since, until in pauses):
                continue
            if taken.free(person.id, begins - before, ends + after):
                end = datetime.fromtimestamp(ends, zone)
                yield Offer(start, end, person.id)


def _instant(day: date, clock: time, zone: tzinfo) -> datetime | None:
    """The local wall time as an aware datetime, None when it does not exist (DST gap)."""
    moment = datetime.combine(day, clock, zone)
    back = moment.astimezone(UTC).astimezone(moment.tzinfo)
    if back.replace(tzinfo=None) != moment.replace(tzinfo=None):
        return None
    return moment


def _span(day: date, clocks: tuple[time, time], zone: tzinfo) -> tuple[float, float]:
    """A range of local clock times on `day` as Unix seconds (a time in a DST gap is read as
    the clock shows it just after the change)."""
    since, until = (datetime.combine(day, clock, zone).timestamp() for clock in clocks)
    return since, until
