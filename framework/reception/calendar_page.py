"""The bookings calendar in the business area, for the agents who sign in to the agent inbox:

    GET  /calendar                                  → /inbox/calendar (the same query)
    GET  /inbox/calendar?bot=&day=2026-12-11&view=day|week&staff=anna
    GET  /inbox/calendar/{bot}/{number}?on=&staff=  one booking: cancel, move, no-show
    POST /inbox/calendar/{bot}/{number}/{change}    calendar_actions.py
    GET  /inbox/calendar/{bot}/new?service=&staff=&on=   a walk-in or phone booking
    POST /inbox/calendar/{bot}/new
    GET  /static/calendar/…                         the page's styles and script

The pages live under /inbox because the inbox's session cookie does (its path is /inbox): the
same sign-in, cookie and CSRF checks (framework/inbox/auth.py), the inbox's frame and styles.
An agent sees the bots it works that take bookings. Every form works without JavaScript; the
script only reloads the calendar's data every 30 seconds. A change is answered with a redirect
to the booking's day, or the page again saying why it was refused (nothing changed then).
"""

from __future__ import annotations

from datetime import datetime
from importlib import resources
from typing import TYPE_CHECKING, Any

from aiohttp import web

from framework.bookings.plan import Plan
from framework.edge.headers import nonce
from framework.errors import BadRequest, NotFound
from framework.inbox import auth, pages, views
from framework.reception import calendar_actions as actions
from framework.reception import calendar_views as shown
from framework.reception.calendar_grid import clock
from framework.reception.calendar_views import PAGE
from framework.stores.agents import SignedIn
from framework.stores.bookings import CONFIRMED, Booking, BookingError

if TYPE_CHECKING:
    from framework.reception.web import BookingOffice

__all__ = ["STATIC", "add_calendar_page"]

STATIC = "/static/calendar"
_OFFICE = web.AppKey("calendar_office", web.AppKey)
"""The key under which the app keeps its BookingOffice (web.py's, given by add_booking_routes:
this module cannot import web.py, which imports it)."""
_DONE = {
    "cancel": "Booking {} is cancelled.",
    "move": "Booking {} is moved.",
    "no_show": "Booking {} is marked as a no-show.",
    "new": "Booking {} is booked.",
}
TOLD = " The customer is told in their chat."


def _office(request: web.Request) -> BookingOffice:
    office: BookingOffice = request.app[request.app[_OFFICE]]
    return office


def _page(
    request: web.Request,
    signed: SignedIn,
    plan: Plan,
    template: str,
    status: int = 200,
    **values: Any,
) -> web.Response:
    """A calendar page in the inbox's frame (its styles, sign-out form and alert)."""
    page = pages.framed("framework.reception").get_template(template)
    text = page.render(
        static=pages.STATIC_PREFIX,
        own=STATIC,
        nonce=nonce(request),
        agent=signed,
        section="calendar",
        plan=plan,
        day_name=shown.day_name,
        clock=clock,
        people=[(key, person.name) for key, person in plan.staff.items()],
        **values,
    )
    answer = web.Response(text=text, content_type="text/html", status=status)
    answer.headers["Cache-Control"] = "no-store"
    return answer


def _bookable(request: web.Request, signed: SignedIn) -> list[str]:
    plans = _office(request).plans
    return [bot for bot in views.bots_of(request, signed.agent) if bot in plans]


def _plan(request: web.Request, signed: SignedIn, bot: str | None) -> Plan:
    """The plan of the bot asked for (else the agent's first that takes bookings)."""
    office = _office(request)
    name = bot or next(iter(_bookable(request, signed)), "")
    if name not in office.plans:
        raise NotFound(f"{name[:64]!r} takes no bookings here" if name else "no bot books here")
    views.may_work(request, signed.agent, name)
    return office.plans[name]


async def to_page(request: web.Request) -> web.Response:
    query = f"?{request.query_string}" if request.query_string else ""
    raise web.HTTPSeeOther(PAGE + query)


def _notice(query: Any) -> str:
    text, number = _DONE.get(query.get("done", "")), query.get("number", "")
    if text is None or not (number.isascii() and number.isdigit() and len(number) <= 12):
        return ""
    return text.format(number) + (TOLD if query.get("told") == "1" else "")


async def calendar_page(request: web.Request) -> web.Response:
    signed = await auth.signed_in(request, page=True)
    office = _office(request)
    plan = _plan(request, signed, request.query.get("bot"))
    now = office.bookings.now()
    today = datetime.fromtimestamp(now, plan.business.timezone).date()
    ask = shown.asked(plan, request.query, today)
    return _page(
        request,
        signed,
        plan,
        "calendar.html",
        title=f"Calendar {shown.day_name(ask.day, True)}",
        c=await shown.calendar(office, plan, ask, now),
        nav=ask.nav(today),
        bots=_bookable(request, signed),
        notice=_notice(request.query),
    )


async def _booking(request: web.Request, plan: Plan) -> Booking:
    number = int(request.match_info["number"])
    booking = await _office(request).bookings.store.get(plan.bot, number)
    if booking is None:
        raise NotFound(f"no booking {number} of {plan.bot}")
    return booking


async def booking_page(request: web.Request, problem: str = "", status: int = 200) -> web.Response:
    """One booking with what can be done to it (also the answer to a refused change)."""
    signed = await auth.signed_in(request, page=True)
    office = _office(request)
    plan = _plan(request, signed, request.match_info["bot"])
    booking = await _booking(request, plan)
    zone, now = plan.business.timezone, office.bookings.now()
    start, end = (datetime.fromtimestamp(t, zone) for t in (booking.start, booking.end))
    service = plan.services.get(booking.service)
    pick = None
    if booking.status == CONFIRMED and service is not None:
        query = request.query
        pick = await actions.picking(office, plan, service, query, start.date(), booking.number)
    return _page(
        request,
        signed,
        plan,
        "calendar_booking.html",
        status,
        title=f"Booking {booking.number}",
        b=booking,
        start=start,
        end=end,
        status_text=shown.status_label(booking, zone),
        service=shown.service_name(plan, booking.service),
        staff=plan.staff[booking.resource].name if booking.resource in plan.staff else "",
        pick=pick,
        started=booking.start <= now,
        price=shown.amount(plan, booking.price_minor, booking.currency),
        deposit=shown.amount(plan, booking.deposit_minor, booking.currency),
        problem=problem,
        back=shown.Asked(plan.bot, start.date(), "day", "").link(),
        href=shown.booking_href(plan.bot, booking.number),
        at=lambda moment: f"{datetime.fromtimestamp(moment, zone):%Y-%m-%d %H:%M}",
    )


async def new_page(request: web.Request, problem: str = "", status: int = 200) -> web.Response:
    """The form for a walk-in or phone booking: a service, a day, a free time, the customer."""
    signed = await auth.signed_in(request, page=True)
    office = _office(request)
    plan = _plan(request, signed, request.match_info["bot"])
    name = request.query.get("service") or next(iter(plan.services))
    if name not in plan.services:
        raise BadRequest(f"service: one of {', '.join(plan.services)}")
    today = datetime.fromtimestamp(office.bookings.now(), plan.business.timezone).date()
    pick = await actions.picking(office, plan, plan.services[name], request.query, today)
    return _page(
        request,
        signed,
        plan,
        "calendar_new.html",
        status,
        title="New booking",
        pick=pick,
        services=[(key, shown.service_name(plan, key)) for key in plan.services],
        problem=problem,
        back=shown.Asked(plan.bot, pick.day, "day", "").link(),
        href=f"{PAGE}/{plan.bot}/new",
    )


def _after(plan: Plan, booking: Booking, done: str, told: bool) -> web.HTTPSeeOther:
    """To the booking's day, saying what was done."""
    day = datetime.fromtimestamp(booking.start, plan.business.timezone).date()
    query = {"done": done, "number": str(booking.number)} | ({"told": "1"} if told else {})
    return web.HTTPSeeOther(shown.Asked(plan.bot, day, "day", "").link(**query))


async def change_booking(request: web.Request) -> web.Response:
    signed, form = await auth.changing(request)
    change = actions.CHANGES.get(request.match_info["change"])
    if change is None:
        raise NotFound("no such change: cancel, move, no_show")
    plan = _plan(request, signed, request.match_info["bot"])
    booking = await _booking(request, plan)
    office = _office(request)
    try:
        changed, told = await change(office, plan, booking, form, f"agent:{signed.agent.name}")
    except (BookingError, BadRequest) as error:
        return await booking_page(request, *actions.refusal(error))
    raise _after(plan, changed, request.match_info["change"], told)


async def create_booking(request: web.Request) -> web.Response:
    signed, form = await auth.changing(request)
    plan = _plan(request, signed, request.match_info["bot"])
    office = _office(request)
    try:
        made = await actions.walk_in(office, plan, form, f"agent:{signed.agent.name}")
    except (BookingError, BadRequest) as error:
        return await new_page(request, *actions.refusal(error))
    raise _after(plan, made, "new", False)


def add_calendar_page(app: web.Application, office: web.AppKey[BookingOffice]) -> None:
    app[_OFFICE] = office
    static = resources.files("framework.reception").joinpath("static")
    one = PAGE + r"/{bot}/{number:\d{1,12}}"
    app.router.add_routes(
        [
            web.get("/calendar", to_page),
            web.get(PAGE, calendar_page),
            web.get(PAGE + "/{bot}/new", new_page),
            web.post(PAGE + "/{bot}/new", create_booking),
            web.get(one, booking_page),
            web.post(one + "/{change}", change_booking),
            web.static(STATIC, str(static)),
        ]
    )
