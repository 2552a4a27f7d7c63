"""The tickets of a deployment: every change kept in the ticket store, told to the business's
webhooks (`ticket.created`, `ticket.updated`, `ticket.solved`) and, where the customer should
hear of it, put into their conversation's inbox, where the running server tells them on their
channel (within its rules: WhatsApp's 24-hour window through the bot's template).

Why nothing is told twice although the store, the outbox and the inbox are written one after
the other: an event's id and an inbox item's id come from the ticket and the place of the change
in its history, so repeating a step after a crash adds nothing new.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any, Protocol

from framework.event_ids import event_id
from framework.stores.records import TICKET, Inbox, InboxItem, iso_time
from framework.stores.tickets import (
    AGENT,
    CLOSED,
    COMMENT,
    CREATED,
    PENDING,
    SOLVED,
    NewTicket,
    Ticket,
    TicketStore,
)

__all__ = ["TOLD_STATUSES", "Tickets", "ticket_data"]


class Publisher(Protocol):
    """Where business events go (events/emitting.py `Events`)."""

    async def emit(
        self,
        bot: str,
        session: str,
        type: str,
        data: Mapping[str, Any],
        *,
        id: str,
        at: float | None = None,
    ) -> int: ...


TOLD_STATUSES = frozenset({PENDING, SOLVED, CLOSED})
"""Status changes the customer is told of (reopening is their own doing)."""
_HIDDEN = ("contact", "conversation")
"""What a ticket event leaves out: how to reach the customer (a phone number, an address)."""


def ticket_data(ticket: Ticket) -> dict[str, Any]:
    data = {k: v for k, v in ticket.head_json().items() if k not in _HIDDEN}
    for moment in ("created_at", "updated_at"):
        data[moment] = iso_time(data[moment])
    return {"ticket": data}


class Tickets:
    def __init__(
        self,
        store: TicketStore,
        events: Publisher | None = None,
        inbox: Inbox | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store, self._events, self._inbox, self._clock = store, events, inbox, clock

    async def open(self, ticket: NewTicket, now: float | None = None) -> Ticket:
        opened = await self.store.create(ticket, self._clock() if now is None else now)
        await self._publish(opened)
        return opened

    async def reply(self, bot: str, number: int, agent: str, text: str) -> Ticket:
        """The business's answer, which the customer reads on their channel."""
        ticket = await self.store.comment(bot, number, AGENT + agent, text, True, self._clock())
        await self._publish(ticket)
        await self._tell(ticket, reply=text)
        return ticket

    async def note(self, bot: str, number: int, agent: str, text: str) -> Ticket:
        """An internal note: in the history, never shown to the customer."""
        ticket = await self.store.comment(bot, number, AGENT + agent, text, False, self._clock())
        await self._publish(ticket)
        return ticket

    async def move(self, bot: str, number: int, status: str, agent: str) -> Ticket:
        """A status forward (pending, solved, closed); the customer hears of it."""
        ticket = await self.store.set_status(bot, number, status, AGENT + agent, self._clock())
        await self._publish(ticket)
        if status in TOLD_STATUSES:
            await self._tell(ticket)
        return ticket

    async def _publish(self, ticket: Ticket) -> None:
        if self._events is None or not ticket.history:
            return
        last = ticket.history[-1]
        kind = "ticket.created" if last.kind == CREATED else "ticket.updated"
        if last.to_status == SOLVED:
            kind = "ticket.solved"
        change: dict[str, Any] = {"change": last.kind, "by": last.by}
        if last.kind == COMMENT:
            change |= {"text": last.text, "public": last.public}
        else:
            change |= {"status": last.to_status, "previous_status": last.from_status}
        at = str(len(ticket.history))
        await self._events.emit(
            ticket.bot,
            ticket.conversation,
            kind,
            ticket_data(ticket) | change,
            id=event_id(kind, ticket.bot, str(ticket.number), at),
            at=last.at,
        )

    async def _tell(self, ticket: Ticket, reply: str = "") -> None:
        if self._inbox is None or not ticket.conversation:
            return
        at = len(ticket.history)
        item = InboxItem(
            f"ticket:{ticket.bot}:{ticket.number}:{at}",
            iso_time(self._clock()),
            TICKET,
            {"number": ticket.number, "status": ticket.status, "reply": reply},
        )
        await self._inbox(ticket.conversation, item)
