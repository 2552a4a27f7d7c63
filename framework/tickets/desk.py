"""The ticket desk: the built-in runner behind the `ticket:` step and the ticket actions.

- `ticket:` (the action `ticket`): opens a ticket. Its subject, category, priority and contact
  arrive as arguments, already rendered; the desk adds what the conversation is (the bot, the
  channel and the customer's id on it, the flow's slots, the language). The number goes back as
  the result `number`. The request's id is the ticket's key, so a turn replayed after a crash
  gets the same ticket, never a second one.
- `action: ticket.status` with `args: {number: …}`: where one of the conversation's tickets
  stands, as results `status`, `subject` and `reply` (the business's last answer).
- `action: ticket.comment` with `args: {number: …, text: …}`: the customer adds to their
  ticket (a pending or solved one opens again).

A customer reaches only the tickets of their own conversation: any other number is refused as
unknown, so nobody learns of another customer's ticket by guessing numbers.
"""

from __future__ import annotations

from typing import Any

from framework.action_calls import (
    ActionContext,
    ActionError,
    ActionOutcome,
    arg_number,
    arg_text,
)
from framework.flows.steps import TICKET_ACTION
from framework.stores.records import SessionKey
from framework.stores.tickets import AGENT, BOT, CUSTOMER, NewTicket, Ticket, TicketError
from framework.tickets.service import Tickets

__all__ = ["TICKET_COMMENT", "TICKET_STATUS", "TicketDesk"]

TICKET_STATUS, TICKET_COMMENT = "ticket.status", "ticket.comment"


class TicketDesk:
    """Opens and looks up tickets through one `Tickets` (the deployment's, or one in memory
    for chat and tests)."""

    def __init__(self, tickets: Tickets) -> None:
        self._tickets = tickets

    def names(self) -> frozenset[str]:
        return frozenset({TICKET_ACTION, TICKET_STATUS, TICKET_COMMENT})

    async def run(self, context: ActionContext) -> ActionOutcome:
        try:
            if context.action == TICKET_STATUS:
                return _status(await self._own(context))
            if context.action == TICKET_COMMENT:
                return await self._comment(context)
            return await self._open(context)
        except TicketError as error:
            raise ActionError(f"the ticket desk refused: {error}") from None

    async def _open(self, context: ActionContext) -> ActionOutcome:
        args = context.args
        ticket = NewTicket(
            bot=context.bot,
            subject=arg_text(args.get("subject")),
            category=arg_text(args.get("category")),
            priority=arg_text(args.get("priority")) or "normal",
            contact=_contact(context),
            slots=dict(context.slots),
            conversation=_conversation(context),
            lang=context.lang,
            by=BOT,
            key=context.request_id,
        )
        opened = await self._tickets.open(ticket, context.now.timestamp())
        return ActionOutcome(slots={"number": str(opened.number)})  # an id, not an amount

    async def _own(self, context: ActionContext) -> Ticket:
        number = arg_number(context.args.get("number"))
        ticket = await self._tickets.store.get(context.bot, number) if number else None
        if ticket is None or ticket.conversation != _conversation(context):
            raise ActionError(f"no ticket {context.args.get('number')!r} in this conversation")
        return ticket

    async def _comment(self, context: ActionContext) -> ActionOutcome:
        ticket = await self._own(context)
        text = arg_text(context.args.get("text"))
        if not text:
            raise ActionError("ticket.comment needs a text")
        store, now = self._tickets.store, context.now.timestamp()
        return _status(await store.comment(ticket.bot, ticket.number, CUSTOMER, text, True, now))

    async def close(self) -> None:
        return None  # the store belongs to whoever opened it


def _status(ticket: Ticket) -> ActionOutcome:
    replies = [e.text for e in ticket.history if e.by.startswith(AGENT) and e.public and e.text]
    return ActionOutcome(
        slots={
            "number": str(ticket.number),
            "status": ticket.status,
            "subject": ticket.subject,
            "reply": replies[-1] if replies else "",
        }
    )


def _conversation(context: ActionContext) -> str:
    return str(SessionKey(context.bot, context.channel, context.sender))


def _contact(context: ActionContext) -> dict[str, Any]:
    """The channel and the customer's id on it, and what the step adds (an e-mail address or
    a phone number the customer gave)."""
    contact: dict[str, Any] = {"channel": context.channel, "id": context.sender}
    given = arg_text(context.args.get("contact"))
    if given:
        contact["given"] = given
    return contact
