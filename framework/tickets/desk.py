"""The ticket desk: the built-in runner that opens the ticket a `ticket:` step asks for.

The step is performed like an action (flows/acting.py): its subject, category, priority and
contact arrive as arguments, already rendered; the desk adds what the conversation is (the bot,
the channel and the customer's id on it, the flow's slots, the language) and opens the ticket
in the store. The number goes back to the flow as the result `number`. The request's id is the
ticket's key, so a turn replayed after a crash gets the same ticket, never a second one.
"""

from __future__ import annotations

from typing import Any

from framework.action_calls import ActionContext, ActionError, ActionOutcome
from framework.flows.steps import TICKET_ACTION
from framework.stores.records import SessionKey
from framework.stores.tickets import BOT, NewTicket, TicketError, TicketStore

__all__ = ["TicketDesk"]


class TicketDesk:
    """Opens tickets in one store (the deployment's, or a memory store for chat and tests)."""

    def __init__(self, store: TicketStore) -> None:
        self._store = store

    def names(self) -> frozenset[str]:
        return frozenset({TICKET_ACTION})

    async def run(self, context: ActionContext) -> ActionOutcome:
        args = context.args
        ticket = NewTicket(
            bot=context.bot,
            subject=_text(args.get("subject")),
            category=_text(args.get("category")),
            priority=_text(args.get("priority")) or "normal",
            contact=_contact(context),
            slots=dict(context.slots),
            conversation=str(SessionKey(context.bot, context.channel, context.sender)),
            lang=context.lang,
            by=BOT,
            key=context.request_id,
        )
        try:
            opened = await self._store.create(ticket, context.now.timestamp())
        except TicketError as error:
            raise ActionError(f"the ticket was refused: {error}") from None
        return ActionOutcome(slots={"number": str(opened.number)})  # an id, not an amount

    async def close(self) -> None:
        return None  # the store belongs to whoever opened it


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _contact(context: ActionContext) -> dict[str, Any]:
    """The channel and the customer's id on it, and what the step adds (an e-mail address or
    a phone number the customer gave)."""
    contact: dict[str, Any] = {"channel": context.channel, "id": context.sender}
    given = _text(context.args.get("contact"))
    if given:
        contact["given"] = given
    return contact
