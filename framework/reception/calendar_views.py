"""What the bookings calendar shows, read from the booking store and the bot's plan: the day or
week asked for (`?bot=&day=2026-12-11&view=day|week&staff=anna`), each staff member's days
(working hours, breaks, their confirmed bookings, live holds and no-shows) for the list, and
the same days as grids (calendar_grid.py). Times are the business's (its time zone). Plain
data for the templates; nothing here changes anything.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING
from urllib.parse import quote, urlencode
from zoneinfo import ZoneInfo

from framework.bookings.plan import Plan, Staff
from framework.errors import BadRequest
from framework.flows.model import label_for
from framework.money import Money, format_money
from framework.reception.calendar_grid import Entry, Grid, StaffDay, clock, grid
from framework.stores.booking_checks import MAX_PAGE
from framework.stores.bookings import CONFIRMED, HELD, NO_SHOW, Booking

if TYPE_CHECKING:  # web.py adds the calendar's routes: no import back at run time
    from framework.reception.web import BookingOffice

__all__ = [
    "PAGE",
    "Asked",
    "Calendar",
    "amount",
    "asked",
    "booking_href",
    "calendar",
    "checked_day",
    "clock",
    "day_name",
    "service_name",
    "status_label",
]

PAGE = "/inbox/calendar"
SHOWN = frozenset({HELD, CONFIRMED, NO_SHOW})
VIEWS = ("day", "week")
REACH = timedelta(days=3 * 366)
"""How far from today the pages look, back and ahead (no calendar of the year 9999)."""


def day_name(day: date, short: bool = False) -> str:
    return f"{day:%a} {day.day} {day:%b}" if short else f"{day:%A} {day.day} {day:%B %Y}"


def service_name(plan: Plan, service: str) -> str:
    found = plan.services.get(service)
    language = plan.business.language
    return label_for(found.name, language, language) if found else service


def status_label(booking: Booking, zone: ZoneInfo) -> str:
    if booking.status == HELD:
        return f"Held until {clock(datetime.fromtimestamp(booking.expires_at, zone))}"
    return booking.status.replace("_", "-").capitalize()  # Confirmed, No-show, Cancelled


def amount(plan: Plan, minor: int, currency: str) -> str:
    return format_money(Money(minor, currency), plan.business.locale) if currency else ""


def booking_href(bot: str, number: int) -> str:
    return f"{PAGE}/{quote(bot, safe='')}/{number}"


@dataclass(frozen=True, slots=True)
class Asked:
    """What the page shows: the day (or the week around it), one staff member or all."""

    bot: str
    day: date
    view: str
    staff: str

    @property
    def days(self) -> list[date]:
        if self.view == "day":
            return [self.day]
        monday = self.day - timedelta(days=self.day.weekday())
        return [monday + timedelta(days=n) for n in range(7)]

    def nav(self, today: date) -> dict[str, str]:
        """The links to the previous and next day (or week), today, and the other view."""
        step = timedelta(days=1 if self.view == "day" else 7)
        return {
            "previous": self.link(day=(self.day - step).isoformat()),
            "today": self.link(day=today.isoformat()),
            "next": self.link(day=(self.day + step).isoformat()),
            "day": self.link(view="day"),
            "week": self.link(view="week"),
        }

    def link(self, **changes: str) -> str:
        values = {"bot": self.bot, "day": self.day.isoformat(), "view": self.view}
        values |= {"staff": self.staff} if self.staff else {}
        return f"{PAGE}?{urlencode(values | changes)}"


def checked_day(text: str, default: date, today: date, what: str) -> date:
    """A day of a query (YYYY-MM-DD, `default` when none), within REACH of today."""
    try:
        day = date.fromisoformat(text[:40]) if text else default
    except ValueError:
        raise BadRequest(f"{what}: a date such as 2026-12-11, not {text[:40]!r}") from None
    if abs(day - today) > REACH:
        raise BadRequest(f"{what}: a day within {REACH.days} days of today")
    return day


def asked(plan: Plan, query: Mapping[str, str], today: date) -> Asked:
    """The page's query, checked: `day` (YYYY-MM-DD), `view` (day, week), `staff`."""
    day = checked_day(query.get("day", ""), today, today, "day")
    view = query.get("view") or "day"
    if view not in VIEWS:
        raise BadRequest("view: day or week")
    staff = query.get("staff") or ""
    if staff and staff not in plan.staff:
        raise BadRequest(f"staff: one of {', '.join(plan.staff)}")
    return Asked(plan.bot, day, view, staff)


@dataclass(frozen=True, slots=True)
class Calendar:
    asked: Asked
    title: str
    people: list[tuple[str, list[StaffDay]]]
    grids: list[Grid]
    today: date
    updated: str


def _minutes(moment: float, day: date, zone: ZoneInfo) -> int:
    local = datetime.fromtimestamp(moment, zone)
    if local.date() != day:
        return 0 if local.date() < day else 24 * 60
    return local.hour * 60 + local.minute


def _entry(booking: Booking, plan: Plan, day: date) -> Entry:
    zone = plan.business.timezone
    start, end = (datetime.fromtimestamp(t, zone) for t in (booking.start, booking.end))
    name = booking.customer.get("name")
    return Entry(
        booking.number,
        f"{clock(start)}–{clock(end)}",
        service_name(plan, booking.service),
        name if isinstance(name, str) else "",
        booking.status,
        status_label(booking, zone),
        booking_href(booking.bot, booking.number),
        _minutes(booking.start, day, zone),
        _minutes(booking.end, day, zone),
    )


def _closed(plan: Plan, person: Staff, day: date) -> str:
    if day in plan.business.holidays:
        return "Closed (holiday)"
    if day in person.days_off:
        return "Day off"
    return "" if person.hours.get(day.weekday()) else "Not working"


def _staff_day(plan: Plan, person: Staff, day: date, found: Sequence[Booking]) -> StaffDay:
    zone = plan.business.timezone
    since = datetime.combine(day, time(0), zone).timestamp()
    until = datetime.combine(day + timedelta(days=1), time(0), zone).timestamp()
    mine = [b for b in found if b.resource == person.id and b.start < until and b.end > since]
    closed = _closed(plan, person, day)
    return StaffDay(
        person.id,
        person.name,
        day,
        () if closed else person.hours.get(day.weekday(), ()),
        () if closed else person.breaks,
        closed,
        tuple(_entry(b, plan, day) for b in mine),
    )


async def _bookings(office: BookingOffice, ask: Asked, now: float, zone: ZoneInfo) -> list[Booking]:
    """The live and no-show bookings of the days shown (page by page, by start)."""
    days = ask.days
    since = datetime.combine(days[0], time(0), zone).timestamp()
    until = datetime.combine(days[-1] + timedelta(days=1), time(0), zone).timestamp()
    found: dict[int, Booking] = {}
    while True:
        page = await office.bookings.store.list(
            ask.bot, SHOWN, None, ask.staff or None, since, until, MAX_PAGE
        )
        found.update((booking.number, booking) for booking in page)
        if len(page) < MAX_PAGE or page[-1].start <= since:
            break
        since = page[-1].start
    return [b for b in found.values() if b.status != HELD or b.expires_at > now]


async def calendar(office: BookingOffice, plan: Plan, ask: Asked, now: float) -> Calendar:
    zone = plan.business.timezone
    found = await _bookings(office, ask, now, zone)
    staff = [plan.staff[ask.staff]] if ask.staff else list(plan.staff.values())
    people = [
        (person.name, [_staff_day(plan, person, day, found) for day in ask.days])
        for person in staff
    ]
    if ask.view == "day":
        grids = [grid("", [days[0] for _, days in people])]
        title = day_name(ask.day)
    else:
        grids = [grid(name, days) for name, days in people]
        first, last = ask.days[0], ask.days[-1]
        title = f"Week of {day_name(first, True)} – {day_name(last)}"
    moment = datetime.fromtimestamp(now, zone)
    return Calendar(ask, title, people, grids, moment.date(), f"{moment:%H:%M:%S}")
