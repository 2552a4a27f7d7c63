"""What each kind of inbox item is for the engine: a customer's message, a fired timer, news
about an order, a ticket or a handoff, as the engine event it stands for, with the log entries
it adds itself (what the customer wrote)."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from framework.flows import Message
from framework.flows.events import Event, HandoffNews, Notice, OrderUpdate, TicketNews, Timer
from framework.stores.records import (
    HANDOFF,
    MESSAGE,
    NOTICE,
    ORDER,
    TICKET,
    TIMER,
    InboxItem,
    LogEntry,
)

__all__ = ["EVENTS"]


def _message(item: InboxItem) -> tuple[Event, list[LogEntry]]:
    said: LogEntry = {"from": "customer", "text": item.text}
    attachment = item.meta.get("attachment")
    if attachment:
        said["attachment"] = attachment  # an image's media id, a location, a sticker's kind
    kind = attachment.get("type") if isinstance(attachment, dict) else None
    return Message(item.text, item.time, item.payload, attachment=kind), [said]


def _timer(item: InboxItem) -> tuple[Event, list[LogEntry]]:
    return Timer(str(item.timer), item.time), []


def _order_news(item: InboxItem) -> tuple[Event, list[LogEntry]]:
    news = item.data
    update = OrderUpdate(
        str(news["id"]),
        str(news["status"]),
        item.time,
        "notice",
        int(news.get("number", 0)),
        int(news.get("total", 0)),
        int(news.get("refunded", 0)),
    )
    return update, []


def _handoff_news(item: InboxItem) -> tuple[Event, list[LogEntry]]:
    news = item.data
    return HandoffNews(
        str(news["state"]),
        item.time,
        str(news.get("agent") or ""),
        int(news.get("position") or 0),
        str(news.get("text") or ""),
        float(news.get("waited") or 0.0),
        dict(news.get("slots") or {}),
        dict(news.get("cart") or {}),
    ), []


def _ticket_news(item: InboxItem) -> tuple[Event, list[LogEntry]]:
    news = item.data
    reply = str(news.get("reply") or "")
    return TicketNews(int(news["number"]), str(news["status"]), item.time, reply), []


def _notice(item: InboxItem) -> tuple[Event, list[LogEntry]]:
    values = item.data.get("values")
    told = {str(k): str(v) for k, v in values.items()} if isinstance(values, dict) else {}
    return Notice(str(item.data.get("text") or ""), item.time, told), []


EVENTS: Mapping[str, Callable[[InboxItem], tuple[Event, list[LogEntry]]]] = {
    MESSAGE: _message,
    TIMER: _timer,
    ORDER: _order_news,
    TICKET: _ticket_news,
    HANDOFF: _handoff_news,
    NOTICE: _notice,
}
"""The kinds of inbox items that are the conversation's business: the engine event each stands
for, and the log entries it adds itself (what the customer wrote)."""
