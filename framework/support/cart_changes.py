"""An agent changes the cart of a conversation they hold, as the admin API, `theke handoffs cart`
and the agent inbox do it: the change is read, checked against what the conversation holds now
(the session store's `peek`: the lines, a payment under way) with the catalog's rules, and only
then told to the conversation, whose next turn applies it with the same rules and prices
(framework/flows/cart_change.py). A refusal says why and sends nothing: BadRequest for what
the catalog or the cart cannot take, HandoffRefused for an agent who does not hold it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable
from typing import Any, cast

from framework.errors import BadRequest
from framework.flows.cart import CartError, describe_line
from framework.flows.cart_change import CartChange, change_cart
from framework.flows.model import Bot
from framework.flows.session import Session, session_problems
from framework.handoffs.service import Handoffs
from framework.money import Money, format_money
from framework.stores.session_store import Store, StoreError

__all__ = ["agent_changes_cart", "cart_lines"]


async def agent_changes_cart(
    handoffs: Handoffs,
    store: Store,
    bot: Bot,
    session: str,
    agent: str,
    data: Any,
    drain: Callable[[str], Awaitable[Any]] | None = None,
) -> str:
    """Check the change (`data`: its JSON) and tell it to the conversation; what it does, as
    the agent reads it ("2× Salami (Groß) added as line 3"). A server passes its runtime's
    `drain`: the conversation's turn applies the change before the answer (unless another
    worker holds it, which does so at once), so the agent's next change is checked against
    it."""
    try:
        change = CartChange.read(data)
    except CartError as error:
        raise BadRequest(f"Not changed: {error}.") from None
    await handoffs.holding(bot.name, session, agent)
    trial = await _session(store, bot, session)
    try:
        done = change_cart(bot, trial, change, agent)  # on the copy the store handed out
    except CartError as error:
        raise BadRequest(f"Not changed: {error}.") from None
    await handoffs.change_cart(bot.name, session, agent, change.to_json())
    if drain is not None:
        with contextlib.suppress(StoreError):  # told: the next tick applies it
            await drain(session)
    return done


async def cart_lines(store: Store, bot: Bot, session: str) -> list[str]:
    """The conversation's cart as it is now, a line each: its number, what it holds, its price."""
    state = await _session(store, bot, session)
    currency, locale = bot.business.currency, bot.business.locale
    return [
        f"{line['id']:>3}  {describe_line(bot, state['lang'], line)}  "
        f"{format_money(Money(line['unit'] * line['quantity'], currency), locale)}"
        for line in state["cart"]["lines"]
    ]


async def _session(store: Store, bot: Bot, session: str) -> Session:
    peeked = await store.peek(session)
    if peeked is None or session_problems(peeked.session) or peeked.session["bot"] != bot.name:
        raise BadRequest("Not changed: the conversation has no cart (yet, or no longer).")
    return cast(Session, peeked.session)
