"""What an agent changes from the bookings calendar, through the services the admin API uses:

    POST /inbox/calendar/{bot}/{number}/cancel   note=…     the customer is told in their chat
    POST /inbox/calendar/{bot}/{number}/move     slot=anna|2026-12-11T14:00:00+01:00   told too
    POST /inbox/calendar/{bot}/{number}/no_show  once the appointment has started
    POST /inbox/calendar/{bot}/new               service=, slot=, name=, phone=   a walk-in or a
                                                 phone customer: held and confirmed at once

A time is one of the free times the page offered, computed again here (never a time typed in):
the service's staff, their hours, breaks, days off, the holidays and what is taken, from now
on (the customers' `notice` is for the chat; a walk-in is booked for now). A time taken
meanwhile is refused as the store refuses a race it lost (SlotTaken), and nothing changes.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from framework.bookings.availability import Offer, free_times, new_hold, span_of
from framework.bookings.plan import Plan, Service
from framework.bookings.telling import CANCELLED, MOVED
from framework.errors import BadRequest
from framework.inbox.auth import Form, field
from framework.reception.calendar_grid import clock
from framework.reception.calendar_views import checked_day, service_name
from framework.stores.booking_checks import MAX_NOTE
from framework.stores.bookings import Booking, BookingError, SlotTaken

if TYPE_CHECKING:  # web.py adds the calendar's routes: no import back at run time
    from framework.reception.web import BookingOffice

__all__ = ["CHANGES", "Picking", "picking", "refusal", "walk_in"]

Change = Callable[["BookingOffice", Plan, Booking, Form, str], Awaitable[tuple[Booking, bool]]]
"""Changes a booking: the booking as changed, and whether its customer is told in their chat."""

MAX_NAME = 100
_PHONE = re.compile(r"\+?[0-9 ()/.-]{3,30}")
PICK = "Pick one of the free times first."
NOT_FREE = "That time is not free any more: someone took it meanwhile. Pick another free time."


@dataclass(frozen=True, slots=True)
class Picking:
    """The free times a form offers: of `service`, with `staff` ("" for anyone who does it),
    on `day`; each time as (the form's value, what the page says)."""

    service: Service
    staff: str
    day: date
    times: list[tuple[str, str]]
    who: list[tuple[str, str]]
    """The staff who do the service: (id, name)."""
    note: str = ""
    """Why there are none, where it is not the day's being full."""


def _today(office: BookingOffice, plan: Plan) -> date:
    return datetime.fromtimestamp(office.bookings.now(), plan.business.timezone).date()


async def free_offers(
    office: BookingOffice,
    plan: Plan,
    service: Service,
    staff: Sequence[str],
    day: date,
    moving: int = 0,
) -> list[Offer]:
    """Free times as the chat computes them, but from now on; the booking being moved (number
    `moving`) does not stand in its own way."""
    if day in plan.business.holidays or not staff:
        return []
    now = office.bookings.now()
    since, until = span_of([day], plan)
    busy = await office.bookings.store.busy(plan.bot, frozenset(staff), since, until, now)
    others = [span for span in busy if span.number != moving]
    business = replace(plan, notice=timedelta(0))
    moment = datetime.fromtimestamp(now, plan.business.timezone)
    return list(free_times(business, service, staff, [day], others, moment))


async def picking(
    office: BookingOffice,
    plan: Plan,
    service: Service,
    query: Mapping[str, str],
    default: date,
    moving: int = 0,
) -> Picking:
    """The free times for the query's day (`on`) and staff member (`staff`)."""
    day = checked_day(query.get("on", ""), default, _today(office, plan), "on")
    staff = query.get("staff", "")
    if staff and staff not in plan.staff:
        raise BadRequest(f"staff: one of {', '.join(plan.staff)}")
    if staff and staff not in service.staff:
        note = f"{plan.staff[staff].name} does not do {service_name(plan, service.id)}."
        return Picking(service, staff, day, [], _who(plan, service), note)
    offers = await free_offers(
        office, plan, service, [staff] if staff else service.staff, day, moving
    )
    times = [
        (f"{o.staff}|{o.start.isoformat()}", f"{clock(o.start)} with {plan.staff[o.staff].name}")
        for o in offers
    ]
    return Picking(service, staff, day, times, _who(plan, service))


def _who(plan: Plan, service: Service) -> list[tuple[str, str]]:
    return [(staff, plan.staff[staff].name) for staff in service.staff]


async def _picked(
    office: BookingOffice, plan: Plan, service: Service, form: Form, moving: int = 0
) -> Offer:
    """The free time the form's `slot` names, as it is free now."""
    staff, _, text = field(form, "slot").partition("|")
    try:
        start = datetime.fromisoformat(text)
        day = start.astimezone(plan.business.timezone).date()
    except (ValueError, OverflowError):
        raise BadRequest(PICK) from None
    if start.tzinfo is None or staff not in service.staff:
        raise BadRequest(PICK)
    checked_day(day.isoformat(), day, _today(office, plan), "slot")
    for offer in await free_offers(office, plan, service, [staff], day, moving):
        if offer.start == start:
            return offer
    raise SlotTaken(NOT_FREE)


def _service(plan: Plan, name: str) -> Service:
    service = plan.services.get(name)
    if service is None:
        raise BadRequest(f"{name[:64]!r} is no service of booking.yaml: pick one of the list.")
    return service


async def _cancel(
    office: BookingOffice, plan: Plan, booking: Booking, form: Form, by: str
) -> tuple[Booking, bool]:
    note = field(form, "note").strip()
    if len(note) > MAX_NOTE:
        raise BadRequest(f"The note is too long: at most {MAX_NOTE} characters.")
    now = office.bookings.now()
    done = await office.bookings.cancel(plan.bot, booking.number, by, now, note)
    await office.tell(done, CANCELLED, note)
    return done, bool(office.inbox and done.conversation)


async def _move(
    office: BookingOffice, plan: Plan, booking: Booking, form: Form, by: str
) -> tuple[Booking, bool]:
    service = _service(plan, booking.service)
    offer = await _picked(office, plan, service, form, booking.number)
    now = office.bookings.now()
    changes = new_hold(plan, service, offer, now, plan.hold)
    done = await office.bookings.move(plan.bot, booking.number, changes, by, now)
    await office.tell(done, MOVED)
    return done, bool(office.inbox and done.conversation)


async def _no_show(
    office: BookingOffice, plan: Plan, booking: Booking, form: Form, by: str
) -> tuple[Booking, bool]:
    done = await office.bookings.no_show(plan.bot, booking.number, by, office.bookings.now())
    return done, False


CHANGES: dict[str, Change] = {"cancel": _cancel, "move": _move, "no_show": _no_show}


def _customer(form: Form) -> dict[str, Any]:
    name, phone = field(form, "name").strip(), field(form, "phone").strip()
    if not name:
        raise BadRequest("Write the customer's name.")
    if len(name) > MAX_NAME:
        raise BadRequest(f"The name is too long: at most {MAX_NAME} characters.")
    if phone and not _PHONE.fullmatch(phone):
        raise BadRequest("The phone number: digits, spaces and + ( ) / . - only, at most 30.")
    return {"name": name, "phone": phone} if phone else {"name": name}


async def walk_in(office: BookingOffice, plan: Plan, form: Form, by: str) -> Booking:
    """A booking for a customer at the counter or on the phone: no conversation, nobody told."""
    service = _service(plan, field(form, "service"))
    customer = _customer(form)
    offer = await _picked(office, plan, service, form)
    now = office.bookings.now()
    new = new_hold(plan, service, offer, now, plan.hold, customer=customer, by=by)
    held = await office.bookings.hold(new, now)
    return await office.bookings.confirm(plan.bot, held.number, by, now)


def refusal(error: BookingError | BadRequest) -> tuple[str, int]:
    """What the page says of a refused change, and its status: nothing was changed."""
    if isinstance(error, SlotTaken):
        return NOT_FREE, 409
    if isinstance(error, BadRequest):
        return str(error), 400
    return f"Refused: {error} Nothing was changed.", 409
