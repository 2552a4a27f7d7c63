"""Export and erasure of one customer: a conversation's session key (`bot:channel:customer`),
and with it every other conversation its contact joins (the customer linked them: the same
person on several channels). The export has the conversation's sections and, under `linked`,
each other conversation's; erasure does all of the following for each of them.

What erasure does, store by store (docs/contacts.md "Export and erasure" says why):

- sessions: deleted — state, remembered values (profile), the conversation's log, inbox, seen
  ids, results, kept answers and timers (`Store.erase`);
- consents: every entry of the ledger deleted (`ConsentStore.erase`);
- contacts: the conversation's contact deleted — language, time zone, tags, the answers its
  flows noted, when seen, the channels' windows, the last order's time (`ContactStore.forget`;
  a contact that held other conversations keeps them);
- tickets: deleted with their history (contact, slots, comments);
- handoffs: a queued or held one ended (closed): an ended handoff leaves the store;
- reach: the marketing broadcasts that reached the conversation and its 131049 hold deleted;
  its place in a channel's daily-limit window kept by a stand-in naming no one, since Meta
  keeps counting the customer there (`ReachStore.forget`);
- broadcast results: the marks that counted the conversation once per kind (digests of its key,
  which a guess of the phone number would find) forgotten in every broadcast of the bot; the
  counts stay, they name no one (`BroadcastStore.forget_results`);
- bookings: kept as the business's record of its calendar and revenue, the customer
  pseudonymised (`BookingStore.forget_customer`: no conversation, no contact, no notes);
- orders: kept (invoices and order records: 10 years, HGB §257, AO §147) with what bookkeeping
  does not need pseudonymised: the customer's id and the delivery details (address, phone,
  name, note) go, the session becomes `<bot>:<channel>:erased-<ref>`; lines, taxes, totals,
  payments, refunds and the status history stay.

`ref` is the keyed pseudonym the logs already use for the session key (framework.logs): the
business can still tell that an erased customer's orders and bookings belong together, but not
who it was. Erasing twice changes nothing the second time.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from framework.errors import ThekeError
from framework.logs import pseudonym
from framework.orders import Order
from framework.stores.booking_checks import MAX_PAGE as BOOKING_PAGE
from framework.stores.bookings import BookingStore
from framework.stores.broadcasts import BroadcastStore
from framework.stores.consents import ConsentStore
from framework.stores.contacts import ContactStore
from framework.stores.handoffs import CLOSED, HandoffStore
from framework.stores.opening import (
    open_bookings,
    open_broadcasts,
    open_consents,
    open_contacts,
    open_handoffs,
    open_orders,
    open_reach,
    open_store,
    open_tickets,
)
from framework.stores.order_store import OrderStore
from framework.stores.reach import ReachStore
from framework.stores.records import SessionKey, StoreLimits
from framework.stores.session_store import Store
from framework.stores.ticket_rules import MAX_PAGE as TICKET_PAGE
from framework.stores.tickets import Ticket, TicketStore

__all__ = [
    "ORDERS_SCANNED",
    "Stores",
    "close_stores",
    "erase",
    "export",
    "open_stores",
    "pseudonymised",
]

ORDERS_SCANNED = 100_000
"""The bot's newest orders looked through for the customer's (orders have no index by
conversation)."""
LOG_PAGE = 500


@dataclass(frozen=True, slots=True)
class Stores:
    """The workspace's stores that hold a customer's data."""

    sessions: Store
    consents: ConsentStore
    tickets: TicketStore
    bookings: BookingStore
    handoffs: HandoffStore
    orders: OrderStore
    reach: ReachStore
    """Whom the broadcasts reached (the frequency cap, 131049 holds, the daily limit)."""
    broadcasts: BroadcastStore
    """The broadcasts' results: their marks are digests of the conversation."""
    contacts: ContactStore
    """The customer's contact: language, time zone, tags, answers, last seen, windows, last
    order."""


async def open_stores(url: str, limits: StoreLimits, root: Path | None = None) -> Stores:
    """The stores of a workspace's store URL (the same SQLite file or Redis the server uses)."""
    return Stores(
        await open_store(url, limits, root),
        await open_consents(url, root),
        await open_tickets(url, root),
        await open_bookings(url, root),
        await open_handoffs(url, root),
        await open_orders(url, root),
        await open_reach(url, root),
        await open_broadcasts(url, root),
        await open_contacts(url, root),
    )


async def close_stores(stores: Stores) -> None:
    for name in Stores.__dataclass_fields__:
        store = getattr(stores, name)
        if store is not None:
            await store.close()


def parsed(key: str) -> SessionKey:
    try:
        parts = SessionKey.parse(key)
    except ValueError:
        parts = SessionKey("", "", "")
    if not all((parts.bot, parts.channel, parts.customer)):
        raise ThekeError(f"{key!r} is not a conversation: bot:channel:customer")
    return parts


async def _joined(stores: Stores, key: str) -> list[str]:
    """The other conversations of the conversation's contact."""
    found = (await stores.contacts.many(parsed(key).bot, [key])).get(key)
    return [c for c in found.conversations if c != key] if found else []


async def export(stores: Stores, key: str) -> dict[str, Any]:
    """Everything the stores hold about the conversation's customer, as JSON: one section per
    store, and the same of each other conversation of the contact under `linked`."""
    linked = [await _export_one(stores, other) for other in await _joined(stores, key)]
    return {**await _export_one(stores, key), "linked": linked}


async def _export_one(stores: Stores, key: str) -> dict[str, Any]:
    bot = parsed(key).bot
    peeked = await stores.sessions.peek(key)
    handoff = await stores.handoffs.get(bot, key)
    return {
        "conversation": key,
        "session": None if peeked is None else peeked.session,
        "log": await _log(stores.sessions, key),
        "consents": [c.to_json() for c in await stores.consents.history(bot, key, 1000)],
        "tickets": [_ticket(t) for t in await _tickets(stores.tickets, bot, key)],
        "bookings": [
            asdict(b) for b in await stores.bookings.list(bot, conversation=key, limit=BOOKING_PAGE)
        ],
        "handoff": None if handoff is None else asdict(handoff),
        "orders": [asdict(order) for order in await _orders(stores.orders, bot, key)],
        "reach": await _reach(stores.reach, bot, key),
        "contact": await _contact(stores.contacts, bot, key),
    }


async def erase(stores: Stores, key: str, now: float) -> dict[str, Any]:
    """Delete or pseudonymise the customer in every store, in every conversation of the
    contact; what was done, per store (each other conversation's under `linked`)."""
    others = await _joined(stores, key)
    linked = [await _erase_one(stores, other, now) for other in others]
    return {**await _erase_one(stores, key, now), "linked": linked}


async def _erase_one(stores: Stores, key: str, now: float) -> dict[str, Any]:
    bot, ref = parsed(key).bot, pseudonym(key)
    report: dict[str, Any] = {"conversation": key, "ref": ref}
    handoff = await stores.handoffs.get(bot, key)
    if handoff is not None:
        await stores.handoffs.end(bot, key, None, CLOSED, now)
    report["handoff"] = "ended" if handoff is not None else "none"
    report["session"] = "deleted" if await stores.sessions.erase(key) else "none"
    report["consents_deleted"] = await stores.consents.erase(bot, key)
    report["contact_deleted"] = await stores.contacts.forget(bot, key)
    report["tickets_deleted"] = await stores.tickets.erase_conversation(bot, key)
    forgotten = 0
    while found := await stores.bookings.list(bot, conversation=key, limit=BOOKING_PAGE):
        for booking in found:
            await stores.bookings.forget_customer(bot, booking.number, ref, now)
        forgotten += len(found)
    report["bookings_pseudonymised"] = forgotten
    report["orders_pseudonymised"] = await _forget_orders(stores.orders, bot, key, ref)
    report["reach_forgotten"] = await stores.reach.forget(bot, key)
    report["broadcast_marks_forgotten"] = await stores.broadcasts.forget_results(bot, key)
    return report


def pseudonymised(order: Order, ref: str) -> Order:
    """The order as bookkeeping keeps it: no customer id, no delivery details."""
    _bot, channel, _customer = order.session.split(":", 2)
    return order.changed(
        session=f"{order.bot}:{channel}:erased-{ref}",
        customer={"ref": ref, "channel": channel, "lang": order.customer.get("lang", "")},
        delivery={},
    )


async def _forget_orders(orders: OrderStore, bot: str, key: str, ref: str) -> int:
    changed = 0
    for found in await _orders(orders, bot, key):
        order: Order | None = found
        while order is not None and order.session == key:
            if await orders.replace(pseudonymised(order, ref)) is not None:
                changed += 1
                break
            order = await orders.get(found.id)  # changed meanwhile: decide again
    return changed


async def _orders(orders: OrderStore, bot: str, key: str) -> list[Order]:
    return [order for order in await orders.list(bot, None, ORDERS_SCANNED) if order.session == key]


async def _reach(reach: ReachStore, bot: str, key: str) -> dict[str, Any] | None:
    kept = await reach.kept(bot, key)
    return None if kept is None else asdict(kept)


async def _contact(contacts: ContactStore, bot: str, key: str) -> dict[str, Any] | None:
    found = (await contacts.many(bot, [key])).get(key)
    return None if found is None else found.to_json()


async def _log(sessions: Store, key: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    while page := await sessions.log(key, found[-1]["seq"] if found else 0, LOG_PAGE):
        found += [dict(entry) for entry in page]
    return found


async def _tickets(tickets: TicketStore, bot: str, key: str) -> list[Ticket]:
    found: list[Ticket] = []
    while page := await tickets.list(
        bot, None, key, TICKET_PAGE, found[-1].number if found else None
    ):
        found += page
    return found


def _ticket(ticket: Ticket) -> dict[str, Any]:
    return {**ticket.head_json(), "history": [event.to_json() for event in ticket.history]}
