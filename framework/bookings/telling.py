"""Telling a customer about their booking on their channel: the reminders before it, and a
move or cancel the business made. Each is a notice in the conversation's inbox (the built-in
texts `booking_reminder`, `booking_moved`, `booking_cancelled`, which a bot may reword), said
by the running server within the channel's rules (WhatsApp outside the 24-hour window through
the bot's template). They are about the customer's own booking (purpose `transaction:booking`):
utility messages, which a STOP does not end (docs/contacts.md#what-needs-consent).

A notice's inbox id comes from the booking and the change (a reminder's index, the history's
length), so a notice queued twice after a crash is told once.
"""

from __future__ import annotations

import logging
from datetime import datetime

from framework.bookings import labels
from framework.bookings.plan import Plan
from framework.flows.model import label_for
from framework.stores.bookings import Booking, BookingStore
from framework.stores.consents import BOOKING
from framework.stores.records import Inbox, InboxItem, iso_time

__all__ = ["Inbox", "notice_item", "send_reminders"]

log = logging.getLogger("theke.bookings")


REMINDER, MOVED, CANCELLED = "booking_reminder", "booking_moved", "booking_cancelled"


def notice_item(
    booking: Booking, plan: Plan, text: str, links: str, now: float, why: str, note: str = ""
) -> InboxItem:
    """The notice `text` about `booking`; `why` makes its id (what it tells, once)."""
    lang = booking.lang or plan.business.language
    locale = labels.locale_for(lang, plan.business.locale)
    start = datetime.fromtimestamp(booking.start, plan.business.timezone)
    service = plan.services.get(booking.service)
    staff = plan.staff.get(booking.resource)
    when = labels.long(start, locale) + (f" ({staff.name})" if staff else "")
    values = {
        "number": str(booking.number),
        "service": label_for(service.name, lang, plan.business.language) if service else "",
        "when": when,
        "calendar": f"{links.rstrip('/')}/calendar/{booking.token}.ics",
        "note": note,
    }
    item_id = f"booking:{booking.bot}:{booking.number}:{why}"
    return InboxItem.notice(item_id, iso_time(now), text, values, BOOKING)


async def send_reminders(
    store: BookingStore, plans: dict[str, Plan], inbox: Inbox, links: str, now: float
) -> int:
    """Every reminder due now, into its conversation's inbox (each handed out once by the
    store, across workers); how many."""
    told = 0
    while due := await store.claim_reminders(now):
        for reminder in due:
            booking, plan = reminder.booking, plans.get(reminder.booking.bot)
            if plan is None or not booking.conversation:
                continue
            why = f"reminder:{reminder.index}:{booking.sequence}"
            await inbox(booking.conversation, notice_item(booking, plan, REMINDER, links, now, why))
            told += 1
    if told:
        log.info("booking reminders sent", extra={"count": told})
    return told
