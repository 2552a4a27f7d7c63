"""`theke bookings`: the business's side of bookings, from the terminal.

    theke bookings list [--status confirmed,held] [--from 2026-12-05] [--days 7] [--staff anna]
    theke bookings show NUMBER [--json]
    theke bookings cancel NUMBER --agent NAME [--note TEXT]    the customer is told in their chat
    theke bookings move NUMBER --start 2026-12-05T15:00 [--staff anna] --agent NAME
    theke bookings no-show NUMBER --agent NAME

It opens the workspace's stores (the same SQLite file or Redis the server uses) and acts as the
admin API does: the change is kept atomically (a move onto a taken time changes nothing), the
business's webhooks hear of it, and the customer's notice goes into their conversation's inbox,
where the running server tells them. Dates without an offset are the business's local time.
"""

from __future__ import annotations

import argparse
import asyncio
from datetime import date, datetime, time, timedelta

from framework.bookings.availability import Offer, new_hold
from framework.bookings.telling import CANCELLED, MOVED
from framework.errors import ThekeError
from framework.events.setup import open_events
from framework.flows.language.reader import load_bot
from framework.reception.setup import open_booking_office
from framework.reception.web import BookingOffice, booking_json
from framework.stores.bookings import STATUSES, Booking, BookingError, NewHold
from framework.stores.opening import open_store
from framework.terminal import ascii_json, count_option, local_time, printable, status_option
from framework.workspace import Workspace, served_bot_name, workspace_for_command

__all__ = ["run_bookings"]


def run_bookings(args: argparse.Namespace) -> int:
    workspace = workspace_for_command(args.workspace)
    return asyncio.run(_bookings(workspace, args))


async def _bookings(workspace: Workspace, args: argparse.Namespace) -> int:
    bot = served_bot_name(workspace, args.bot)
    bots = {loaded.name: loaded for loaded in map(load_bot, workspace.bots)}
    sessions = await open_store(workspace.store, workspace.limits, workspace.root)
    events = await open_events(workspace)
    office = await open_booking_office(workspace, bots, events.events, sessions.enqueue)
    try:
        office.plan(bot)
        if args.action == "list":
            _print_list(await _listed(office, bot, args))
            return 0
        booking = await _act(office, bot, _number(args.number), args)
        print(ascii_json(booking_json(booking)) if args.json else _details(booking))
        return 0
    except BookingError as error:
        raise ThekeError(str(error)) from None
    finally:
        await office.bookings.store.close()
        await events.close()
        await sessions.close()


async def _listed(office: BookingOffice, bot: str, args: argparse.Namespace) -> list[Booking]:
    zone = office.plan(bot).business.timezone
    first = _day(args.since) if args.since else datetime.now(zone).date()
    start = datetime.combine(first, time(0), zone)
    end = start + timedelta(days=count_option(args.days, "--days", 366))
    return await office.bookings.store.list(
        bot,
        status_option(args.status, STATUSES),
        None,
        args.staff or None,
        start.timestamp(),
        end.timestamp(),
        count_option(args.limit, "--limit", 200),
    )


async def _act(office: BookingOffice, bot: str, number: int, args: argparse.Namespace) -> Booking:
    store, now = office.bookings.store, office.bookings.now()
    booking = await store.get(bot, number)
    if booking is None:
        raise ThekeError(f"{bot} has no booking {number}")
    if args.action == "show":
        return booking
    if not args.agent:
        raise ThekeError(f"{args.action} needs --agent NAME: who does it (kept in the history)")
    by = f"agent:{args.agent}"
    if args.action == "cancel":
        done = await office.bookings.cancel(bot, number, by, now, args.note or "")
        await office.tell(done, CANCELLED, args.note or "")
        return done
    if args.action == "no-show":
        return await office.bookings.no_show(bot, number, by, now)
    changes = _moved(office, booking, args)
    done = await office.bookings.move(bot, number, changes, by, now)
    await office.tell(done, MOVED)
    return done


def _moved(office: BookingOffice, booking: Booking, args: argparse.Namespace) -> NewHold:
    plan = office.plan(booking.bot)
    if not args.start:
        raise ThekeError("move needs --start, e.g. --start 2026-12-05T15:00")
    staff = args.staff or booking.resource
    if staff not in plan.staff:
        raise ThekeError(f"--staff is one of {', '.join(plan.staff)}")
    try:
        start = datetime.fromisoformat(args.start)
    except ValueError:
        raise ThekeError("--start is a date and time such as 2026-12-05T15:00") from None
    zone = plan.business.timezone
    start = start.replace(tzinfo=zone) if start.tzinfo is None else start.astimezone(zone)
    service = plan.services[booking.service]
    offer = Offer.at(start, service, staff)
    return new_hold(plan, service, offer, office.bookings.now(), plan.hold)


def _number(text: str | None) -> int:
    digits = (text or "").lstrip("#")
    if not (digits.isascii() and digits.isdigit() and len(digits) <= 12):
        raise ThekeError("name the booking by its number, e.g. `theke bookings show 1001`")
    return int(digits)


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ThekeError("--from is a date such as 2026-12-05") from None


def _print_list(found: list[Booking]) -> None:
    if not found:
        print("no bookings")
    for booking in found:
        print(
            f"{booking.number:<7} {local_time(booking.start)}  {printable(booking.status):<9} "
            f"{printable(booking.resource):<10} {printable(booking.service, 30)}"
        )


def _details(booking: Booking) -> str:
    rows = [
        f"Booking {booking.number} ({printable(booking.bot)}) – {printable(booking.status)}",
        f"  {printable(booking.service)} with {printable(booking.resource)}, "
        f"{local_time(booking.start)} – {local_time(booking.end)}",
    ]
    rows += [f"  customer {printable(k)}: {printable(v)}" for k, v in booking.customer.items()]
    for event in booking.history:
        note = f": {printable(event.note, 300)}" if event.note else ""
        rows.append(f"  {local_time(event.at)}  {printable(event.by)} {event.kind}{note}")
    return "\n".join(rows)
