"""What the inbox pages show, read from the stores: the queue and the agent's conversations,
one conversation (its transcript, what the flow collected, whether the messenger still takes
free text), a bot's tickets. Plain data for the templates; nothing here changes anything.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from aiohttp import web

from framework.admin import BOTS
from framework.channels.common import CONTEXT
from framework.errors import Forbidden, NotFound
from framework.flows import Bot
from framework.flows.cart import describe_line
from framework.flows.model import label_for
from framework.handoffs.web import HANDOFFS
from framework.money import Money, format_money
from framework.payments.web import PAYMENTS
from framework.stores.agents import Agent
from framework.stores.handoffs import Handoff
from framework.stores.records import LogEntry, Peeked, SessionKey
from framework.stores.tickets import CLOSED, OPEN, PENDING, SOLVED, Ticket
from framework.tickets.web import TICKETS

__all__ = ["Line", "Row", "bots_of", "conversation", "lists", "may_work", "tickets"]

TRANSCRIPT = 200
"""Log entries a conversation shows at most (the store keeps `sessions.history` of them)."""
ORDERS_READ = 200
"""The bot's newest orders read for a conversation's own (the order store lists by bot)."""


def bots_of(request: web.Request, agent: Agent) -> list[str]:
    """The bots the agent works: those it is limited to, else every bot served here."""
    served: frozenset[str] = request.app[BOTS]
    return [bot for bot in sorted(served) if agent.may_work(bot)]


def may_work(request: web.Request, agent: Agent, bot: str) -> None:
    if bot not in bots_of(request, agent):
        raise Forbidden(f"{agent.name} does not work the bot {bot[:64]!r}")


def waited(seconds: float) -> str:
    minutes = max(0, int(seconds // 60))
    if minutes < 1:
        return "under a minute"
    return f"{minutes} min" if minutes < 120 else f"{minutes // 60} h {minutes % 60} min"


def clock_time(moment: float) -> str:
    return datetime.fromtimestamp(moment, UTC).strftime("%H:%M UTC")


def conversation_href(bot: str, session: str) -> str:
    return f"/inbox/c/{quote(bot, safe='')}/{quote(session, safe='')}"


@dataclass(frozen=True, slots=True)
class Row:
    """A conversation in the queue or held."""

    bot: str
    session: str
    customer: str
    channel: str
    lang: str
    reason: str
    agent: str
    waited: str
    position: int
    href: str


def _row(handoff: Handoff, now: float, position: int = 0) -> Row:
    key = SessionKey.parse(handoff.session)
    since = handoff.queued_at if handoff.state == "queued" else handoff.claimed_at or now
    return Row(
        handoff.bot,
        handoff.session,
        key.customer,
        handoff.channel,
        handoff.lang,
        handoff.reason,
        handoff.agent,
        waited(now - since),
        position,
        conversation_href(handoff.bot, handoff.session),
    )


async def lists(request: web.Request, agent: Agent) -> tuple[list[Row], list[Row]]:
    """The waiting conversations of the agent's bots (each bot's in queue order) and those
    the agent holds."""
    store, now = request.app[HANDOFFS].store, request.app[CONTEXT].clock()
    queue: list[Row] = []
    mine: list[Row] = []
    for bot in bots_of(request, agent):
        waiting = await store.queue(bot, 200)
        queue += [_row(handoff, now, place) for place, handoff in enumerate(waiting, 1)]
        mine += [_row(handoff, now) for handoff in await store.held(bot, agent.name)]
    return queue, mine


@dataclass(frozen=True, slots=True)
class Line:
    """One line of the transcript."""

    seq: int
    who: str
    """customer, bot, agent or system."""
    by: str
    text: str
    choices: tuple[str, ...] = ()
    at: str = ""


def _line(entry: LogEntry) -> Line:
    who = str(entry.get("from", "system"))
    custom = entry.get("custom") or {}
    by = {"customer": "Customer", "bot": "Bot"}.get(who, "System")
    if who == "bot" and isinstance(custom, dict) and custom.get("agent"):
        who, by = "agent", str(custom["agent"])
    text = str(entry.get("text") or "")
    if not text and entry.get("attachment"):
        text = "(an attachment)"
    choices = tuple(str(b.get("title", "")) for b in entry.get("buttons") or ())
    link = entry.get("link")
    if link:
        choices += (f"{link.get('title', '')}: {link.get('url', '')}",)
    return Line(int(entry.get("seq", 0)), who, by, text, choices, str(entry.get("at") or ""))


@dataclass(slots=True)
class Conversation:
    bot: str
    session: str
    customer: str
    channel: str
    handoff: Handoff | None
    lines: list[Line]
    slots: list[tuple[str, str]] = field(default_factory=list)
    cart: list[tuple[str, str]] = field(default_factory=list)
    """The cart's lines: their number and what they hold."""
    state_known: bool = False
    window: str = ""
    """What the messenger allows now ("" where nothing limits free text)."""
    template_only: bool = False
    href: str = ""
    items: list[tuple[str, str]] = field(default_factory=list)
    """What the agent may add to the cart: the catalog's available items (id, name)."""
    options: list[tuple[str, list[tuple[str, str]]]] = field(default_factory=list)
    """The catalog's option groups with their choices (id, name)."""
    orders: list[tuple[str, str, str]] = field(default_factory=list)
    """The conversation's orders, newest first: number, total, status."""

    @property
    def cart_key(self) -> str:
        """Changes with the cart (the page's cart forms are rendered anew)."""
        return "|".join(f"{number} {text}" for number, text in self.cart)


async def conversation(request: web.Request, agent: Agent, bot: str, session: str) -> Conversation:
    may_work(request, agent, bot)
    key = _key(bot, session)
    runtime, now = request.app[CONTEXT].runtime, request.app[CONTEXT].clock()
    handoff = await request.app[HANDOFFS].store.get(bot, session)
    entries = await runtime.store.log(session, 0, TRANSCRIPT)
    shown = Conversation(
        bot, session, key.customer, key.channel, handoff, list(map(_line, entries))
    )
    shown.href = conversation_href(bot, session)
    peeked = await runtime.store.peek(session)  # no lease: a turn in progress goes on
    if peeked is not None:
        _collected(request, shown, peeked.session)
        _window(request, shown, key, peeked, now)
    await _orders(request, shown)
    return shown


async def _orders(request: web.Request, shown: Conversation) -> None:
    """The orders this conversation placed, among the bot's newest, with their payment's
    state (awaiting payment, paid, refunded, …): read only."""
    locale = request.app[CONTEXT].bots[shown.bot].business.locale
    found = await request.app[PAYMENTS].orders.list(shown.bot, None, ORDERS_READ)
    shown.orders = [
        (
            order.label,
            format_money(Money(order.total, order.currency), locale),
            order.status.replace("_", " "),
        )
        for order in found
        if order.session == shown.session
    ]


def _key(bot: str, session: str) -> SessionKey:
    parts = session.split(":", 2)
    if len(parts) != 3 or parts[0] != bot:
        raise NotFound("no such conversation")
    return SessionKey.parse(session)


def _collected(request: web.Request, shown: Conversation, state: dict[str, Any]) -> None:
    shown.state_known = True
    slots = state.get("slots") or {}
    shown.slots = [(str(name), _value(value)) for name, value in sorted(slots.items())]
    bot, lang = request.app[CONTEXT].bots[shown.bot], str(state.get("lang", ""))
    lines = (state.get("cart") or {}).get("lines") or []
    for line in lines:
        try:
            said = describe_line(bot, lang, line)
        except (KeyError, TypeError, AttributeError):  # an item the menu no longer has
            said = f"{line.get('quantity', '?')}× {line.get('item', '?')}"
        shown.cart.append((str(line.get("id", "?")), said))
    _catalog(shown, bot, lang)


def _catalog(shown: Conversation, bot: Bot, lang: str) -> None:
    """What the cart form offers: the available items and the option groups' choices."""
    default = bot.business.language
    catalog = bot.catalog
    shown.items = [
        (item.id, label_for(item.name, lang, default))
        for item in catalog.items.values()
        if item.available
    ]
    shown.options = [
        (
            label_for(group.name, lang, default),
            [(c.id, label_for(c.name, lang, default)) for c in group.choices.values()],
        )
        for group in catalog.groups.values()
    ]


def _value(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return "" if value is None else str(value)


def _window(
    request: web.Request, shown: Conversation, key: SessionKey, peeked: Peeked, now: float
) -> None:
    """WhatsApp's 24-hour window, as the runtime's delivery decides it (delivery.py)."""
    channel = request.app[CONTEXT].runtime.delivery.channels.get(key.channel)
    window = None if channel is None else channel.window
    customer_at = peeked.customer_at
    if window is None or customer_at is None:
        return
    left = window - (now - customer_at.timestamp())
    if left <= 0:
        shown.template_only = True
        shown.window = (
            f"The customer last wrote over {round(window / 3600)} hours ago: {key.channel} "
            "only lets the bot's approved template through now (without one, a message is "
            "not delivered). It opens again when the customer writes."
        )
    else:
        shown.window = f"Free text reaches the customer for {waited(left)} more."


async def tickets(request: web.Request, agent: Agent) -> list[Ticket]:
    """The agent's bots' tickets: open and pending first, then solved and closed ones."""
    store = request.app[TICKETS].store
    found: list[Ticket] = []
    for statuses in ({OPEN, PENDING}, {SOLVED, CLOSED}):
        for bot in bots_of(request, agent):
            found += await store.list(bot, statuses, None, 50)
    return found


async def ticket(request: web.Request, agent: Agent, bot: str, number: int) -> Ticket:
    may_work(request, agent, bot)
    found = await request.app[TICKETS].store.get(bot, number)
    if found is None:
        raise NotFound(f"no ticket {number} of {bot}")
    return found
