"""One step of the sending loop (`look_after_broadcasts`, run by every worker with `repeat`):
claim one sending broadcast, hand out the next pages of its holders after the cursor within the
step's budget, and save the cursor with the counts (which gives the lease back).

Each holder gets a notice with the inbox id `broadcast:<id>`: an inbox keeps an id once, so a
worker that dies after handing out a page and before saving the cursor costs nothing but the
page handed out again (to the same conversations, who get nothing twice) once its lease runs
out. The holders are read page by page as the broadcast goes: a customer who said STOP after
it started is not among them any more. A page saved by a worker whose lease ran out and was
taken over is not saved (the other worker hands it out again, and nobody gets it twice).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from framework.broadcasts.pacing import Budget
from framework.stores.broadcasts import Broadcast, BroadcastStore, advanced
from framework.stores.consents import ConsentStore, Holder
from framework.stores.records import NOTICE, Inbox, InboxItem, iso_time

__all__ = ["EVERY", "LEASE", "MOST", "PAGE", "Sender", "channel_of"]

EVERY = 1.0
"""Seconds between two steps of a worker (the pacing's budgets are per step)."""
LEASE = 60.0
"""Seconds a worker holds a broadcast for one step; a worker that died gives it up then."""
PAGE = 500
"""Holders read at once."""
MOST = 5000
"""Notices one step hands out at most (without pacing: the benchmark, a test)."""
AT_ONCE = 100
"""Notices put into inboxes concurrently."""


def channel_of(conversation: str) -> str:
    """The channel of a session key (`bot:channel:customer`)."""
    return conversation.split(":", 2)[1] if conversation.count(":") >= 2 else ""


@dataclass(slots=True)
class _Page:
    """What a step did: the cursor it reached, the notices handed out, holders passed over."""

    cursor: str
    queued: int = 0
    skipped: int = 0
    done: bool = False


class Sender:
    def __init__(
        self,
        store: BroadcastStore,
        consents: ConsentStore,
        inbox: Inbox,
        owner: str,
        clock: Callable[[], float],
        rates: Mapping[str, int] | None,
        fault: Callable[[str], None] | None = None,
    ) -> None:
        self.store, self._consents, self._inbox = store, consents, inbox
        self._owner, self._clock, self.rates = owner, clock, rates
        self._fault = fault or (lambda stage: None)

    async def step(self) -> Broadcast | None:
        """One broadcast's next pages handed out; the broadcast as saved (None: nothing was
        sending, or another worker took it over meanwhile)."""
        now = self._clock()
        claimed = await self.store.claim(self._owner, now, LEASE)
        if claimed is None:
            return None
        page = await self._hand_out(claimed, Budget(self.rates, EVERY, MOST), now)
        self._fault("broadcast_handed_out")
        how = advanced(page.cursor, page.queued, page.skipped, page.done, self._clock())
        return await self.store.change(claimed.id, how, self._owner)

    async def _hand_out(self, broadcast: Broadcast, budget: Budget, now: float) -> _Page:
        page = _Page(broadcast.cursor)
        item = InboxItem(
            f"broadcast:{broadcast.id}",
            iso_time(now),
            NOTICE,
            {"text": broadcast.text, "values": dict(broadcast.values)},
        )
        while True:
            holders = await self._consents.holders(
                broadcast.bot, broadcast.purpose, page.cursor, PAGE
            )
            taken = self._within(broadcast, holders, budget, page)
            await self._enqueue(taken, item)
            if holders and page.cursor != holders[-1].conversation:
                return page  # the budget ran out within the page
            if len(holders) < PAGE:
                page.done = True  # the last page, all of it handed out
                return page

    @staticmethod
    def _within(
        broadcast: Broadcast, holders: list[Holder], budget: Budget, page: _Page
    ) -> list[str]:
        """The conversations of `holders` to send to now, moving the page's cursor past them
        and past those of another language; stops at the first the budget does not allow."""
        taken = []
        for holder in holders:
            if broadcast.lang and holder.lang != broadcast.lang:
                page.skipped += 1
            elif budget.take(channel_of(holder.conversation)):
                taken.append(holder.conversation)
                page.queued += 1
            else:
                break
            page.cursor = holder.conversation
        return taken

    async def _enqueue(self, conversations: list[str], item: InboxItem) -> None:
        for start in range(0, len(conversations), AT_ONCE):
            batch = conversations[start : start + AT_ONCE]
            await asyncio.gather(*(self._inbox(conversation, item) for conversation in batch))
