"""Pacing of outgoing messages: a messenger's rate per sender (a WhatsApp number, a Telegram
bot), shared by every worker through the deployment's sending schedule
(framework/stores/send_slots.py), and a gap between two messages to the same recipient
(WhatsApp answers a burst to one person with 131056).

The rate a sender is given is the messenger's limit (`messages_per_second`: Meta's 80 per
number by default); the pacer keeps `HEADROOM` of it. At the limit itself, the few
milliseconds by which requests reach the messenger earlier or later than their slots put 81
into some second on a quiet machine (measured: benchmarks/README.md, 2026-12-04), which Meta
answers with 130429.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable

from framework.runtime.sending import SendFailure
from framework.stores.memory.send_slots import LocalSlots
from framework.stores.send_slots import SendSlots
from framework.stores.session_store import StoreError

__all__ = ["HEADROOM", "MOST_WAIT", "Pacer"]

HEADROOM = 0.9
"""The share of a sender's limit the pacer sends at."""
MOST_WAIT = 0.6
"""Seconds a message waits for its slot at most; when the schedule is fuller, the delivery
tries again later (it must commit within its session's lease, 5 s, for up to five messages)."""
PATIENT = 3600.0
STORE_RETRY = 1.0
"""Seconds until a send tries again when the schedule's store did not answer."""


class Pacer:
    """Waits until a send fits: its sender's next slot in the shared schedule, `interval`
    seconds after the recipient's last message.

    Each send also goes only when the last second of this process holds fewer sends than
    the rate: sends whose slots passed while the event loop was busy (a slow callback, a
    collection) do not all go at once when it is free again (they did: 96 sends in one second
    at 80 after a stall of 200 ms)."""

    def __init__(
        self,
        sender: str,
        per_second: float,
        interval: float,
        slots: SendSlots | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        rate = per_second * HEADROOM
        self._sender, self._gap, self._interval = sender, 1.0 / rate, interval
        self._slots = slots or LocalSlots(clock)
        self._clock, self._sleep = clock, sleep
        self._recipients: dict[str, float] = {}
        """When each recipient may get their next message."""
        self._sent: deque[float] = deque(maxlen=max(1, int(rate)))
        """When the last sends went, as many as one second may hold."""

    async def wait(self, recipient: str, patient: bool = False) -> None:
        """Until the send may go. SendFailure with `retry_after` when it would wait longer
        than MOST_WAIT, unless `patient` (the rest of a message whose first part went)."""
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
            slot = await self._slots.take(self._sender, self._gap, most)
        except StoreError:  # the schedule's store is out for a moment: later, never lost
            self._recipients[recipient] = ready
            raise _busy(STORE_RETRY) from None
        if not slot.taken:
            if self._recipients.get(recipient) == ready + self._interval:
                self._recipients[recipient] = ready  # nothing went: theirs again
            raise _busy(slot.wait)
        later = self._clock() + slot.wait + self._interval
        self._recipients[recipient] = max(self._recipients.get(recipient, 0.0), later)
        if slot.wait > 0:
            await self._sleep(slot.wait)
        await self._within_the_second()

    async def _within_the_second(self) -> None:
        sent = self._sent
        while len(sent) == sent.maxlen and (wait := sent[0] + 1.0 - self._clock()) > 0:
            await self._sleep(wait)
        sent.append(self._clock())


def _busy(wait: float) -> SendFailure:
    return SendFailure("the sender's schedule is full: later", retry_after=wait)
