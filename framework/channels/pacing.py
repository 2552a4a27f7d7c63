"""Pacing of outgoing messages: a messenger's rate per sender (a WhatsApp number, a Telegram
bot), shared by every worker through the deployment's sending schedule
(framework/stores/send_slots.py), and a gap between two messages to the same recipient. A
messenger that limits what one person gets (WhatsApp answers a burst to one person with
131056: its pair rate) gives the pacer that allowance (`pair`: so many at once, one more every
so many seconds), kept in the shared schedule too: a send to a recipient who used it up waits
for their next one, or tries again then, instead of meeting Meta's refusal.

The rate a sender is given is the messenger's limit (`messages_per_second`: Meta's 80 per
number by default); the pacer keeps `HEADROOM` of it. At the limit itself, the few
milliseconds by which requests reach the messenger earlier or later than their slots put 81
into some second on a quiet machine (measured: benchmarks/README.md, 2026-12-04), which Meta
answers with 130429.

Slots space the sends; what holds the limit is the window of sends that began, counted in
the schedule just before each request leaves (on every worker): at most as many as the pace
puts in WINDOW, 1.1 s (79 at 72 a second). So any second at the messenger holds at most that
many, below the limit, also when requests reach it up to 0.1 s later than they began here —
a worker whose event loop was held up (a collection, a slow callback, a loaded machine) and
then sends what was due, a request written a moment after it began. A send that wakes LATE
after its slot (the loop was held up) takes a new slot instead of going at once with every
other whose slot passed meanwhile; a send whose start was answered more than FRESH after it
asked begins again. When the messenger refuses for the sender's rate all the same, `hold`
keeps every send of the sender, on every worker, back until it said.
"""

from __future__ import annotations

import asyncio
import itertools
import time
import uuid
from collections.abc import Awaitable, Callable

from framework.runtime.sending import SendFailure
from framework.stores.memory.send_slots import LocalSlots
from framework.stores.send_slots import SendSlots, Slot
from framework.stores.session_store import StoreError

__all__ = ["FRESH", "HEADROOM", "LATE", "MOST_WAIT", "WINDOW", "Pacer"]

HEADROOM = 0.9
"""The share of a sender's limit the pacer sends at."""
WINDOW = 1.1
"""Seconds in which a sender's begun sends are counted: at most its pace's share of WINDOW
(the limit's 99 %: 79 of Meta's 80)."""
LATE = 0.1
"""Seconds after its slot that a send may still go in it; later, its event loop was held up
meanwhile: a new slot (a loaded machine wakes sends tens of milliseconds late all the time,
and each new slot costs one of the sender's)."""
FRESH = 0.05
"""Seconds an answer to `start` may take: later, the loop was held up before the request could
leave, and the send begins again (half the 0.1 s the window allows a request to arrive late;
the other half is for the way to the messenger)."""
MOST_WAIT = 0.6
"""Seconds a message waits for its slot at most; when the schedule is fuller, the delivery
tries again later (it must commit within its session's lease, 5 s, for up to five messages)."""
PATIENT = 3600.0
STORE_RETRY = 1.0
"""Seconds until a send tries again when the schedule's store did not answer."""


class Pacer:
    """Waits until a send fits: `interval` seconds after the recipient's last message, within
    the recipient's allowance (`pair`: at most so many at once, one more every so many seconds;
    None: none), its sender's next slot in the shared schedule, and room in the window of the
    sender's begun sends (the module's docstring)."""

    def __init__(
        self,
        sender: str,
        per_second: float,
        interval: float,
        slots: SendSlots | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        pair: tuple[int, float] | None = None,
    ) -> None:
        rate = per_second * HEADROOM
        self._sender, self._gap, self._interval = sender, 1.0 / rate, interval
        self._most = max(1, int(rate * WINDOW))
        """Sends that may begin in any WINDOW."""
        self._slots = slots or LocalSlots(clock)
        self._clock, self._sleep, self._pair = clock, sleep, pair
        self._recipients: dict[str, float] = {}
        """When each recipient may get their next message."""
        self._tokens = (f"{uuid.uuid4().hex[:16]}-{n}" for n in itertools.count())

    async def wait(self, recipient: str, patient: bool = False) -> None:
        """Until the send may go, counted as begun: the request is to leave at once. A
        SendFailure with `retry_after` when it would wait longer than MOST_WAIT, unless
        `patient` (the rest of a message whose first part went)."""
        most = PATIENT if patient else MOST_WAIT
        now = self._clock()
        ready = max(now, self._recipients.get(recipient, 0.0))
        if ready - now > most:
            raise _busy(ready - now)
        self._recipients[recipient] = ready + self._interval  # before any wait: theirs
        if len(self._recipients) > 10_000:
            self._recipients = {r: t for r, t in self._recipients.items() if t > now}
        if ready > now:
            await self._sleep(ready - now)
        try:
            await self._allowance(recipient, most)
            await self._slot(most)
            await self._begin(most)
        except SendFailure:
            if self._recipients.get(recipient) == ready + self._interval:
                self._recipients[recipient] = ready  # nothing went: theirs again
            raise
        later = self._clock() + self._interval
        self._recipients[recipient] = max(self._recipients.get(recipient, 0.0), later)

    async def hold(self, seconds: float) -> None:
        """The messenger said the sender must wait (Telegram's 429, WhatsApp's 130429): no
        send of it, on any worker, for `seconds`. A store that does not answer leaves the
        refused message's own retry waiting as long."""
        try:
            await self._slots.hold(self._sender, seconds)
        except StoreError:
            return

    async def held(self) -> float:
        """Seconds until the sender's hold ends (0: not held)."""
        try:
            return await self._slots.held(self._sender)
        except StoreError:
            return 0.0

    async def _allowance(self, recipient: str, most: float) -> None:
        """Until the recipient's allowance has a send for them (taken before the sender's
        slot: once a send has its slot, it leaves at once)."""
        if self._pair is None:
            return
        try:
            found = await self._slots.pair(self._sender, recipient, *self._pair, most)
        except StoreError:
            raise _busy(STORE_RETRY) from None
        if not found.taken:
            raise _busy(found.wait)
        if found.wait > 0:
            await self._sleep(found.wait)

    async def _slot(self, most: float) -> None:
        """Until the send's slot; a slot that passed LATE ago while the loop was held up is
        not spent (every send whose slot passed then would go at once): one new slot."""
        for again in (False, True):
            asked = self._clock()
            slot = await self._take(most)
            if slot.wait > 0:
                await self._sleep(slot.wait)
            if again or self._clock() - (asked + slot.wait) <= LATE:
                return

    async def _take(self, most: float) -> Slot:
        try:
            slot = await self._slots.take(self._sender, self._gap, most)
        except StoreError:  # the schedule's store is out for a moment: later, never lost
            raise _busy(STORE_RETRY) from None
        if not slot.taken:
            raise _busy(slot.wait)
        return slot

    async def _begin(self, most: float) -> None:
        """Until the send is counted as begun in the sender's window. An answer that came
        later than FRESH (the loop was held up) is asked again: the send begins when it really
        leaves."""
        token, first = next(self._tokens), self._clock()
        while True:
            asked = self._clock()
            try:
                wait = await self._slots.start(self._sender, WINDOW, self._most, token)
            except StoreError:
                raise _busy(STORE_RETRY) from None
            if wait <= 0 and self._clock() - asked <= FRESH:
                return
            if self._clock() - first + wait > most:
                raise _busy(wait)
            if wait > 0:
                await self._sleep(wait)


def _busy(wait: float) -> SendFailure:
    return SendFailure("the sender's schedule is full: later", retry_after=wait)
