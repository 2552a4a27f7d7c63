"""A booking as an iCalendar file (RFC 5545, scheduling per RFC 5546), written by icalendar.

One stable UID per booking, so a calendar app updates the entry it has instead of adding a
second one: SEQUENCE counts the booking's moves (and its cancelling), METHOD is REQUEST for a
booking that stands and CANCEL once it is cancelled (the app then removes it). Times carry the
business's zone with its VTIMEZONE, so the entry is right on any device, across DST changes.
"""

from __future__ import annotations

from datetime import UTC, datetime

from icalendar import Calendar, Event

from framework.bookings.plan import Plan
from framework.flows.model import label_for
from framework.stores.bookings import CANCELLED, Booking

__all__ = ["MEDIA_TYPE", "calendar_file"]

MEDIA_TYPE = "text/calendar"


def calendar_file(booking: Booking, plan: Plan, now: float) -> bytes:
    zone = plan.business.timezone
    cancelled = booking.status == CANCELLED
    calendar = Calendar()
    calendar.add("prodid", "-//Theke//Bookings//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if cancelled else "REQUEST")
    event = Event()
    event.add("uid", f"{booking.bot}-{booking.number}@bookings.theke")
    event.add("dtstamp", datetime.fromtimestamp(now, UTC))
    event.add("dtstart", datetime.fromtimestamp(booking.start, zone))
    event.add("dtend", datetime.fromtimestamp(booking.end, zone))
    event.add("sequence", booking.sequence)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("summary", _summary(booking, plan))
    if plan.business.address:
        event.add("location", f"{plan.business.name}, {plan.business.address}")
    event.add("description", _description(booking, plan))
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return bytes(calendar.to_ical())


def _summary(booking: Booking, plan: Plan) -> str:
    service = plan.services.get(booking.service)
    lang = booking.lang or plan.business.language
    name = label_for(service.name, lang, plan.business.language) if service else booking.service
    return f"{name} – {plan.business.name}"


def _description(booking: Booking, plan: Plan) -> str:
    staff = plan.staff.get(booking.resource)
    who = staff.name if staff else booking.resource
    phone = f" · {plan.business.phone}" if plan.business.phone else ""
    return f"#{booking.number} · {who}{phone}"
