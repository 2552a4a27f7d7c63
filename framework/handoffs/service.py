"""The human handoff of a deployment: every change kept in the handoff store (one queue per bot
that every worker sees, claims that only one agent wins) and told to the conversation through
its inbox, where the running server turns it into the engine's `HandoffNews`: the customer
hears their place in the queue, who joined, what the person writes, and the end.

Nothing is lost or doubled when a worker dies in between: a request is idempotent (a
conversation keeps its place), and an inbox item's id comes from the handoff and its latest
change (when it was requested, when it changed, by whom), so telling the same change twice
adds one item.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from framework.stores.handoffs import (
    CLAIMED,
    CLOSED,
    QUEUED,
    RETURNED,
    Handoff,
    HandoffRefused,
    HandoffStore,
)
from framework.stores.records import HANDOFF, Inbox, InboxItem, SessionKey, iso_time

__all__ = ["QUEUE_TIMEOUT", "Handoffs"]

Listener = Callable[[Handoff, str], None]
"""Hears every change of a handoff as it is made here (the agent inbox's live hub): the
handoff and what happened (queued, claimed, said, changed, released, withdrawn, returned,
closed, timeout). Called synchronously: it must not block or raise."""

QUEUE_TIMEOUT = 600.0
"""Seconds a customer waits in the queue before the bot offers something else instead."""


class Handoffs:
    def __init__(
        self, store: HandoffStore, inbox: Inbox, clock: Callable[[], float] = time.time
    ) -> None:
        self.store, self._inbox, self._clock = store, inbox, clock
        self.listeners: list[Listener] = []

    async def request(self, key: SessionKey, reason: str, lang: str) -> Handoff:
        """Into the bot's queue (a conversation already there keeps its place); the customer
        hears their place."""
        session = str(key)
        handoff = await self.store.request(
            key.bot, session, reason, key.channel, lang, self._clock()
        )
        position = await self.store.position(key.bot, session)
        await self._tell(handoff, "queued", position=position or 0)
        return handoff

    async def withdraw(self, key: SessionKey) -> None:
        """The customer no longer wants a person: out of the queue (nothing when no longer
        in it: an agent may have claimed it in the meantime, and then holds it)."""
        handoff = await self.store.get(key.bot, str(key))
        if handoff is not None and handoff.state == QUEUED:
            ended = await self.store.end(key.bot, str(key), None, RETURNED, self._clock())
            self._heard(ended, "withdrawn")

    async def claim(self, bot: str, session: str, agent: str) -> Handoff:
        """Atomic: of two agents who claim at once, one wins (HandoffTaken for the other)."""
        handoff = await self.store.claim(bot, session, agent, self._clock())
        waited = (handoff.claimed_at or handoff.queued_at) - handoff.queued_at
        await self._tell(handoff, "claimed", agent=agent, waited=round(waited, 3))
        return handoff

    async def say(self, bot: str, session: str, agent: str, text: str) -> None:
        """The holder writes to the customer, on their channel."""
        await self._tell_held(bot, session, "said", agent=agent, text=text)

    async def change(self, bot: str, session: str, agent: str, slots: Mapping[str, Any]) -> None:
        """The holder corrects what the conversation knows (slot values, as stored); the bot
        goes on from that once it is handed back."""
        await self._tell_held(bot, session, "changed", agent=agent, slots=dict(slots))

    async def change_cart(
        self, bot: str, session: str, agent: str, change: Mapping[str, Any]
    ) -> None:
        """The holder changes the cart (an item added, a quantity, a line removed: a change as
        flows/cart_change.py reads it); the conversation applies it with the catalog's prices
        and the bot goes on from it once it is handed back."""
        await self._tell_held(bot, session, "changed", agent=agent, cart=dict(change))

    async def holding(self, bot: str, session: str, agent: str) -> Handoff:
        """The handoff `agent` holds; HandoffRefused when they do not hold the conversation."""
        return await self._holder(bot, session, agent)

    async def release(self, bot: str, session: str, agent: str) -> Handoff:
        """Back to the front of the queue, for another agent (the customer keeps waiting)."""
        handoff = await self.store.release(bot, session, agent, self._clock())
        self._heard(handoff, "released")
        return handoff

    async def end(self, bot: str, session: str, agent: str | None, outcome: str) -> Handoff:
        """Back to the bot (returned: the flow goes on where it stopped) or closed."""
        handoff = await self.store.end(bot, session, agent, outcome, self._clock())
        await self._tell(handoff, outcome, agent=agent or "")
        return handoff

    async def time_out(self, bot: str, wait: float = QUEUE_TIMEOUT) -> int:
        """End the waits longer than `wait`: the customer is offered something else."""
        late = await self.store.expired(bot, self._clock() - wait)
        for handoff in late:
            ended = await self.store.end(bot, handoff.session, None, CLOSED, self._clock())
            await self._tell(ended, "timeout")
        return len(late)

    async def _holder(self, bot: str, session: str, agent: str) -> Handoff:
        handoff = await self.store.get(bot, session)
        if handoff is None or handoff.state != CLAIMED or handoff.agent != agent:
            raise HandoffRefused(f"{agent} does not hold this conversation: claim it first")
        return handoff

    async def _tell_held(self, bot: str, session: str, state: str, **data: Any) -> None:
        """News only the holder may give, each its own (two messages are two items)."""
        handoff = await self._holder(bot, session, str(data.get("agent", "")))
        await self._tell(handoff, state, once=uuid.uuid4().hex, **data)

    async def _tell(self, handoff: Handoff, state: str, *, once: str = "", **data: Any) -> None:
        last = handoff.history[-1].at if handoff.history else handoff.requested_at
        change = once or f"{handoff.requested_at}:{last}:{data.get('agent', '')}"
        item = InboxItem(
            f"handoff:{handoff.bot}:{change}:{state}",
            iso_time(self._clock()),
            HANDOFF,
            {"state": state, **data},
        )
        await self._inbox(handoff.session, item)
        self._heard(handoff, state)

    def _heard(self, handoff: Handoff, what: str) -> None:
        for listener in self.listeners:
            listener(handoff, what)
