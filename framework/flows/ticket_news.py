"""News about one of the conversation's tickets, told to the customer: the business's answer,
or the ticket moved on (waiting for the customer, solved, closed). Said with the built-in texts
`ticket_answered` and `ticket_<status>`, which a bot may reword; the conversation's open
question, if any, stays open. A bot that has the slots `ticket_number` and `ticket_status` gets
them set, so its flows know which ticket waits for the customer's answer (bots/pc_support
takes a reply that starts nothing else as the answer)."""

from __future__ import annotations

from framework.flows.events import TicketNews
from framework.flows.turn import Turn

__all__ = ["ticket_news"]


def ticket_news(turn: Turn, news: TicketNews) -> None:
    for slot, value in (("ticket_number", news.number), ("ticket_status", news.status)):
        if slot in turn.bot.slots:
            turn.set_slot(slot, value)
    if news.reply:
        turn.say_named("ticket_answered", number=str(news.number), reply=news.reply)
    elif f"ticket_{news.status}" in turn.bot.texts:
        turn.say_named(f"ticket_{news.status}", number=str(news.number))
    turn.record("ticket_news", ticket=news.number, status=news.status)
