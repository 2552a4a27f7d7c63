"""Pacing of outgoing messages: a messenger's rate per sender (a WhatsApp number, a Telegram
bot), shared by every worker through the deployment's sending schedule
(framework/stores/send_slots.py), and a gap between two messages to the same recipient. A
messenger that limits what one person gets (WhatsApp answers a burst to one person with
131056: its pair rate) gives the pacer that allowance (`pair`: so many at once, one more every
so many seconds), kept in the shared schedule too: a send to a recipient who used it up waits
for their next one, or tries again then, instead of meeting Meta's refusal.

What holds the messenger's limit (`messages_per_second`: Meta's 80 a number by default) is
the sender's window of sends in flight, kept in the schedule every worker shares: a send is
counted just before its request leaves, stays counted while the request is in flight and
WINDOW seconds after it ended, however it ended (`Pacer.sending` around the request), and
begins only while fewer than `most` are counted: one fewer than the limit, 79 of Meta's 80.
So no second at the messenger holds more than `most`, whatever the delays between counting,
leaving, arriving and answering (a stalled event loop, a loaded machine, a slow network):

    Let I be any second at the messenger and k the send arriving in I that began last. Every
    other send j arriving in I began no later than k, and ended after it arrived, so after I
    began, which is later than 1 s before k began (k arrived in I after it began). So when
    k began, j was in flight or had ended less than 1 s before: counted. k began only if
    fewer than `most` were counted, so I holds at most `most`.

It takes that a request arrives, if ever, before it ends (its answer comes after it; one
whose client gave up, at its timeout, is taken to have arrived or to be lost by then), and
that a send whose end is never noted (its worker died mid-request) counts until FLIGHT_SLACK
after its timeout, then WINDOW more. WINDOW is 1 s and 2 ms for the clocks: the messenger's
and the schedule's (Redis: its server's, read in whole microseconds; memory: the process's)
may each run up to 500 ppm fast or slow while NTP slews them, so a second at the messenger is
at most 1.0005 s, which the schedule's clock reads as at most 1.001 s, and a reading may be
1 µs short. A clock stepped back (by hand, or NTP at boot) is not covered.

The price is in the pace: each send holds a place for its round trip and WINDOW, so a sender
sends at most `most` / (WINDOW + round trip) a second. The pacer spaces the sends at HEADROOM
of the limit (72 a second), one slot `1 / 72` s after the other in the shared schedule: with
79 places that keeps its pace while round trips take up to 0.09 s, and slows the sender down
when they take longer, instead of meeting 130429. A send that wakes LATE after its slot (its
event loop was held up) takes a new slot instead of going at once with every other whose slot
passed meanwhile: the window would keep such a burst within the limit too, but the burst
fills it and the sends after it wait until it empties, so the messenger would get bursts and
gaps instead of the pace. When the messenger refuses for the sender's rate all the same,
`hold` keeps every send of the sender, on every worker, back until it said.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import math
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable

from framework.runtime.sending import SendFailure
from framework.stores.memory.send_slots import LocalSlots
from framework.stores.send_slots import SendSlots, Slot
from framework.stores.session_store import StoreError

__all__ = ["FLIGHT_SLACK", "HEADROOM", "LATE", "MOST_WAIT", "WINDOW", "Pacer"]

HEADROOM = 0.9
"""The share of a sender's limit the pacer sends at: the rest is the window's room for round
trips (the module's docstring)."""
WINDOW = 1.002
"""Seconds a send stays counted after its request ended (the module's docstring)."""
FLIGHT_SLACK = 5.0
"""Seconds past the HTTP client's timeout that a send whose end was never noted stays counted
as in flight (its worker died; a worker's loop held up that long notes its end late)."""
LATE = 0.1
"""Seconds after its slot that a send may still go in it; later, its event loop was held up
meanwhile: a new slot (a loaded machine wakes sends tens of milliseconds late all the time,
and each new slot costs one of the sender's)."""
MOST_WAIT = 0.6
"""Seconds a message waits for its slot at most; when the schedule is fuller, the delivery
tries again later (it must commit within its session's lease, 5 s, for up to five messages)."""
PATIENT = 3600.0
STORE_RETRY = 1.0
"""Seconds until a send tries again when the schedule's store did not answer."""


class Pacer:
    """Waits until a send fits: `interval` seconds after the recipient's last message, within
    the recipient's allowance (`pair`: at most so many at once, one more every so many seconds;
    None: none), its sender's next slot in the shared schedule, and a place in the sender's
    window (the module's docstring). `timeout`: the longest a request takes (the HTTP
    client's)."""

    def __init__(
        self,
        sender: str,
        per_second: float,
        interval: float,
        slots: SendSlots | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        pair: tuple[int, float] | None = None,
        *,
        timeout: float = 10.0,
    ) -> None:
        self._sender, self._gap, self._interval = sender, 1.0 / (per_second * HEADROOM), interval
        self._most = max(1, math.ceil(per_second) - 1)
        """Sends the window counts at most: one fewer than the limit."""
        self._flight = timeout + FLIGHT_SLACK
        self._slots = slots or LocalSlots(clock)
        self._clock, self._sleep, self._pair = clock, sleep, pair
        self._recipients: dict[str, float] = {}
        """When each recipient may get their next message."""
        self._tokens = (f"{uuid.uuid4().hex[:16]}-{n}" for n in itertools.count())

    @contextlib.asynccontextmanager
    async def sending(self, recipient: str, patient: bool = False) -> AsyncIterator[None]:
        """Around one request: enters when the send may go, counted in the sender's window
        (the request is to leave at once), and notes as it leaves that the request ended,
        however it ended (answered, failed, timed out, cancelled). A SendFailure with
        `retry_after` on entering when it would wait longer than MOST_WAIT, unless `patient`
        (the rest of a message whose first part went)."""
        token = await self._wait(recipient, PATIENT if patient else MOST_WAIT)
        try:
            yield
        finally:
            await self._finish(token)

    async def _wait(self, recipient: str, most: float) -> str:
        """Until the send may go, counted as begun: its token in the window."""
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
            token = await self._begin(most)
        except SendFailure:
            if self._recipients.get(recipient) == ready + self._interval:
                self._recipients[recipient] = ready  # nothing went: theirs again
            raise
        later = self._clock() + self._interval
        self._recipients[recipient] = max(self._recipients.get(recipient, 0.0), later)
        return token

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

    async def _begin(self, most: float) -> str:
        """Until the send is counted in the sender's window: its token."""
        token, first = next(self._tokens), self._clock()
        while True:
            try:
                wait = await self._slots.start(
                    self._sender, WINDOW, self._most, token, self._flight
                )
            except StoreError:
                raise _busy(STORE_RETRY) from None
            if wait <= 0:
                return token
            if self._clock() - first + wait > most:
                raise _busy(wait)
            await self._sleep(wait)

    async def _finish(self, token: str) -> None:
        """The send's request ended. A store that does not answer leaves it counted as in
        flight: longer than it must, never shorter."""
        try:
            await self._slots.finish(self._sender, token)
        except StoreError:
            return


def _busy(wait: float) -> SendFailure:
    return SendFailure("the sender's schedule is full: later", retry_after=wait)
