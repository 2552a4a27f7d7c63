"""Bookings on the web: the customer's calendar entry behind its unguessable link, and the
admin API the business works its bookings with (as `theke bookings` does from the terminal):

    GET  /calendar/{token}.ics                               the booking's calendar entry
    GET  /admin/bookings?bot=&status=confirmed,held&from=&to=&staff=&limit=50   by start
    GET  /admin/bookings/{bot}/{number}                      with its history
    POST /admin/bookings/{bot}/{number}/cancel   {"agent": "lina", "note": "…"}
    POST /admin/bookings/{bot}/{number}/no_show  {"agent": "lina"}
    POST /admin/bookings/{bot}/{number}/move     {"agent": "lina", "start": "…", "staff": "anna"}

A cancel or move by the business is told to the customer in their chat (telling.py). The
agents' calendar page (calendar_page.py, under /inbox/calendar) is added with these routes.

Every admin call needs the admin key; `from`/`to`/`start` are ISO 8601 times with an offset. A
refused change is 409 with the reason (SlotTaken: the time is taken), an unknown number 404.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from aiohttp import web

from framework.admin import (
    admin_bot,
    authorize,
    numbered_record,
    page_limit,
    status_filter,
)
from framework.bookings.availability import Offer, new_hold
from framework.bookings.calendar_file import MEDIA_TYPE, calendar_file
from framework.bookings.plan import Plan
from framework.bookings.service import Bookings
from framework.bookings.telling import CANCELLED, MOVED, notice_item
from framework.channels.common import json_object, string_field
from framework.errors import BadRequest, NotFound
from framework.reception.calendar_page import add_calendar_page
from framework.stores.booking_checks import MAX_PAGE
from framework.stores.bookings import STATUSES, Booking, NewHold
from framework.stores.records import Inbox

__all__ = ["BOOKING_OFFICE", "BookingOffice", "add_booking_routes", "booking_json"]

_FURTHEST = 3 * 366 * 86400
"""How far ahead the business may move a booking, in seconds."""
_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,100}")


@dataclass(frozen=True, slots=True)
class BookingOffice:
    """The deployment's bookings, the plans of its bots that book, the conversations' inboxes
    (to tell a customer what the business changed) and the server's public URL."""

    bookings: Bookings
    plans: Mapping[str, Plan]
    inbox: Inbox | None = None
    links: str = ""

    async def tell(self, booking: Booking, text: str, note: str = "") -> None:
        """A notice about the business's change, for the customer who booked in a chat."""
        if self.inbox is None or not booking.conversation or booking.bot not in self.plans:
            return
        why = f"{text}:{len(booking.history)}"
        now = self.bookings.now()
        item = notice_item(booking, self.plans[booking.bot], text, self.links, now, why, note)
        await self.inbox(booking.conversation, item)

    def plan(self, bot: str) -> Plan:
        plan = self.plans.get(bot)
        if plan is None:
            raise NotFound(f"{bot} takes no bookings (no booking.yaml)")
        return plan


BOOKING_OFFICE = web.AppKey("booking_office", BookingOffice)


def booking_json(booking: Booking) -> dict[str, Any]:
    data = {name: getattr(booking, name) for name in Booking.__slots__}
    data["history"] = [event.to_json() for event in booking.history]
    return data


async def calendar_entry(request: web.Request) -> web.Response:
    token = request.match_info["token"]
    office = request.app[BOOKING_OFFICE]
    booking = await office.bookings.store.by_token(token) if _TOKEN.fullmatch(token) else None
    if booking is None or booking.bot not in office.plans:
        raise NotFound("no such calendar entry")
    body = calendar_file(booking, office.plans[booking.bot], office.bookings.now())
    return web.Response(
        body=body,
        content_type=MEDIA_TYPE,
        charset="utf-8",
        headers={"Content-Disposition": f'attachment; filename="booking-{booking.number}.ics"'},
    )


async def list_bookings(request: web.Request) -> web.Response:
    authorize(request)
    query = request.query
    bot = admin_bot(request, query.get("bot"))
    plan = request.app[BOOKING_OFFICE].plan(bot)
    staff = query.get("staff") or None
    if staff is not None and staff not in plan.staff:
        raise BadRequest(f"staff is one of {', '.join(plan.staff)}")
    since = _moment(query["from"], "from") if "from" in query else None
    until = _moment(query["to"], "to") if "to" in query else None
    if since is not None and until is not None and until <= since:
        raise BadRequest("to is after from")
    limit = page_limit(query.get("limit", "50"))
    if limit > MAX_PAGE:
        raise BadRequest(f"limit is a number from 1 to {MAX_PAGE}")
    found = await request.app[BOOKING_OFFICE].bookings.store.list(
        bot, status_filter(query.get("status"), STATUSES), None, staff, since, until, limit
    )
    return web.json_response({"bookings": [booking_json(b) | {"history": []} for b in found]})


async def show_booking(request: web.Request) -> web.Response:
    authorize(request)
    bot, number = numbered_record(request, "booking")
    booking = await request.app[BOOKING_OFFICE].bookings.store.get(bot, number)
    if booking is None:
        raise NotFound(f"no booking {number} of {bot}")
    return web.json_response(booking_json(booking))


async def change_booking(request: web.Request) -> web.Response:
    authorize(request)
    bot, number = numbered_record(request, "booking")
    office = request.app[BOOKING_OFFICE]
    body = await json_object(request)
    by = "agent:" + string_field(body, "agent", 64)
    change, now = request.match_info["change"], office.bookings.now()
    if change == "cancel":
        note = str(body.get("note") or "")[:500]
        changed = await office.bookings.cancel(bot, number, by, now, note)
        await office.tell(changed, CANCELLED, note)
    elif change == "no_show":
        changed = await office.bookings.no_show(bot, number, by, now)
    elif change == "move":
        changes = await _moved(office, bot, number, body)
        changed = await office.bookings.move(bot, number, changes, by, now)
        await office.tell(changed, MOVED)
    else:
        raise BadRequest(f"unknown change {change!r}: cancel, no_show, move")
    return web.json_response(booking_json(changed))


async def _moved(office: BookingOffice, bot: str, number: int, body: dict[str, Any]) -> NewHold:
    booking = await office.bookings.store.get(bot, number)
    if booking is None:
        raise NotFound(f"no booking {number} of {bot}")
    plan = office.plan(bot)
    staff = str(body.get("staff") or booking.resource)
    if staff not in plan.staff:
        raise BadRequest(f"staff is one of {', '.join(plan.staff)}")
    start = _moment(string_field(body, "start", 40), "start")
    now = office.bookings.now()
    if not now <= start <= now + _FURTHEST:
        raise BadRequest("start: a time from now to three years ahead")
    service = plan.services[booking.service]
    offer = Offer.at(datetime.fromtimestamp(start, plan.business.timezone), service, staff)
    return new_hold(plan, service, offer, office.bookings.now(), plan.hold)


def _moment(text: str, what: str) -> float:
    """An ISO 8601 time with its offset, between 1970 and 9000 (no store keeps others)."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise BadRequest(f"{what}: an ISO 8601 time such as 2026-12-05T14:00+01:00") from None
    if moment.tzinfo is None:
        raise BadRequest(f"{what}: give the offset too, e.g. 2026-12-05T14:00+01:00")
    if not 1970 < moment.year < 9000:
        raise BadRequest(f"{what}: a time between the years 1970 and 9000")
    return moment.timestamp()


def add_booking_routes(app: web.Application) -> None:
    router = app.router
    router.add_get("/calendar/{token}.ics", calendar_entry)
    router.add_get("/admin/bookings", list_bookings)
    router.add_get("/admin/bookings/{bot}/{number}", show_booking)
    router.add_post("/admin/bookings/{bot}/{number}/{change}", change_booking)
    add_calendar_page(app, BOOKING_OFFICE)
