"""A WhatsApp number's pace where its requests arrive (framework/channels/pacing.py), in real
time: the channel sends 200 messages to the fake Graph API, which runs in a thread of its own
and notes when each one arrives, while a slow callback (`time.sleep`) holds the channel's
event loop up again and again as sends come due (a collection, a loaded machine does the
same). No second at the fake may hold more than Meta's 80; before the pace was kept where
requests leave, one held 85 to 88."""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

from aiohttp import web

from framework.channels.whatsapp import WhatsAppChannel
from framework.runtime.sending import SendFailure
from tests.channels.test_pacing import LIMIT, busiest_second
from tests.fakes.graph_api import FakeGraphApi, settings_for

SENDS = 200


class TimedGraphApi(FakeGraphApi):
    """The fake noting when each send arrived (time.monotonic: one clock with the test)."""

    def __init__(self) -> None:
        super().__init__()
        self.arrived: list[float] = []

    def _record(
        self, request: web.Request, body: Any, status_code: int | None, response: Any
    ) -> None:
        if request.path.endswith("/messages"):
            self.arrived.append(time.monotonic())
        super()._record(request, body, status_code, response)


@contextlib.contextmanager
def graph_in_a_thread() -> Iterator[TimedGraphApi]:
    """The fake served by an event loop of its own: the test's stalls do not hold it up."""
    loop, ready = asyncio.new_event_loop(), threading.Event()
    graph = TimedGraphApi()

    def serve() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(graph.start())
        ready.set()
        loop.run_forever()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    ready.wait(10)
    try:
        yield graph
    finally:
        asyncio.run_coroutine_threadsafe(graph.stop(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()


@contextlib.asynccontextmanager
async def channel_to(graph: FakeGraphApi) -> AsyncIterator[WhatsAppChannel]:
    settings = settings_for(graph)
    channel = WhatsAppChannel(settings, time.time)
    try:
        yield channel
    finally:
        await channel.close()


async def send_until_taken(channel: WhatsAppChannel, number: int) -> None:
    """One message, tried again when the pacer says later, as the delivery does."""
    customer = f"4917{number:08d}"
    entry = {"from": "bot", "text": f"Angebot {number}"}
    while True:
        try:
            await channel.send("shop", {"to": customer}, entry, callback=f"shop:{number}|1")
            return
        except SendFailure as failure:
            assert failure.retry_after is not None, failure
            await asyncio.sleep(failure.retry_after)


class SlowCallbacks:
    """A callback that blocks the event loop for `stall` seconds every `every` seconds."""

    def __init__(self, stall: float = 0.25, every: float = 0.4) -> None:
        self.stall, self.every = stall, every
        self._next = asyncio.get_running_loop().call_later(every, self._block)

    def _block(self) -> None:
        time.sleep(self.stall)
        self._next = asyncio.get_running_loop().call_later(self.every, self._block)

    def stop(self) -> None:
        self._next.cancel()


async def test_a_held_up_loop_sends_no_second_over_the_limit() -> None:
    with graph_in_a_thread() as graph:
        async with channel_to(graph) as channel:
            stalls = SlowCallbacks()
            await asyncio.gather(*(send_until_taken(channel, n) for n in range(SENDS)))
            stalls.stop()
    assert len(graph.arrived) == SENDS
    assert busiest_second(graph.arrived) <= LIMIT
