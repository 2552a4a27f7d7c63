"""The status webhooks of the benchmark's fake Graph API (fake_graph.py), sent as Meta sends
them: for every message it accepts, a `sent` status and a moment later a `delivered` one,
POSTed to the app's WhatsApp webhook in Meta's envelope (tests/fakes/graph_api.py builds the
statuses and the body: `pricing` PMP, no `conversation`, as since v24.0 for a template outside
a free-entry-point conversation; `biz_opaque_callback_data` only when the send had one) and
signed with X-Hub-Signature-256 over the exact bytes with the app secret.

Statuses due are batched, at most BATCH_MOST (and under BODY_MOST bytes) to a webhook, by a
background task, so that answering the sends never waits for them. A webhook that is not
answered 2xx (connection refused, a 5xx, a timeout) is sent again, the same bytes, after 1 s,
2 s, 4 s … at most 30 s, to the next of the listed URLs (the app's workers: Meta has one URL,
here each worker is one), and never dropped while the fake runs; at most PENDING_MOST statuses
wait in memory, a status past that is dropped and written down (`overflow`). Each try is
written to the record:

    <unix time> webhook <http status or error: TimeoutError …> <try> <sent statuses> \
        <delivered statuses> <when its oldest status was due> <bytes> <url>
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from typing import IO

from tests.fakes.graph_api import FakeGraphApi, SentMessage
from tests.fakes.webhooks import Json, Pricing, encode, signature

SENT_AFTER = 0.2
"""Seconds after a send is accepted that its `sent` status is due."""
DELIVERED_AFTER = 1.0
"""Seconds after a send is accepted that its `delivered` status is due."""
BATCH_MOST = 50
BODY_MOST = 60 * 1024
"""Bytes a webhook stays under: Theke's default `limits.max_body` is 64 KB."""
BATCH_WAIT = 0.25
"""Seconds the first status due waits for others to share its webhook."""
PENDING_MOST = 50_000
"""Statuses not yet delivered that the fake keeps in memory (10 minutes of sends at 80/s)."""
SENDERS = 4
"""Webhooks posted at once."""
TIMEOUT = 10.0
BACKOFF_FIRST, BACKOFF_MOST = 1.0, 30.0
TEMPLATE_PRICING = Pricing(model="PMP", category="marketing", billable=True, type="regular")
"""A marketing template (the broadcast's) outside the window, as Meta prices it since 2025-07."""


@dataclass
class Webhook:
    """One signed delivery of statuses; tried until the app answers 2xx."""

    body: bytes
    headers: dict[str, str]
    sent: int
    delivered: int
    due: float
    """When its oldest status was due (unix time)."""
    tries: int = 0


class StatusWebhooks:
    """Statuses of the messages `graph` accepts, delivered to `urls` in the background."""

    def __init__(self, graph: FakeGraphApi, urls: Sequence[str], record: IO[str]) -> None:
        self._graph, self._urls, self._record = graph, list(urls), record
        self._due: dict[str, deque[tuple[float, Json]]] = {"sent": deque(), "delivered": deque()}
        self._ready: asyncio.Queue[Webhook] = asyncio.Queue()
        self._pending = 0
        """Statuses queued, batched or being tried, not yet accepted by the app."""
        self._current = 0
        """The URL tried next: the one that last took a webhook, or the next after a failure."""
        self._tasks: list[asyncio.Future[None]] = []

    def accepted(self, sent: SentMessage) -> None:
        """A message was accepted: its statuses become due (nothing awaited, nothing sent)."""
        if not self._urls:
            return
        if self._pending + 2 > PENDING_MOST:
            self._record.write(f"{time.time():.6f} overflow 2\n")
            return
        self._pending += 2
        pricing = TEMPLATE_PRICING if sent.type == "template" else None
        now = time.time()
        for state, after in (("sent", SENT_AFTER), ("delivered", DELIVERED_AFTER)):
            due = now + after
            status = self._graph.status_for(sent, state, pricing=pricing, timestamp=str(int(due)))
            self._due[state].append((due, status))

    def start(self) -> None:
        self._tasks = [asyncio.ensure_future(self._batch())]
        self._tasks += [asyncio.ensure_future(self._deliver()) for _ in range(SENDERS)]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    # batching --------------------------------------------------------------------------------

    def _take_due(self, now: float) -> list[tuple[float, Json]]:
        """The statuses due by `now`, oldest first."""
        taken = []
        sent, delivered = self._due["sent"], self._due["delivered"]
        while True:
            heads = [queue for queue in (sent, delivered) if queue and queue[0][0] <= now]
            if not heads:
                return taken
            taken.append(min(heads, key=lambda queue: queue[0][0]).popleft())

    async def _batch(self) -> None:
        waiting: list[tuple[float, Json]] = []
        while True:
            await asyncio.sleep(0.05)
            now = time.time()
            waiting += self._take_due(now)
            while len(waiting) >= BATCH_MOST:
                self._post_later(waiting[:BATCH_MOST])
                waiting = waiting[BATCH_MOST:]
            if waiting and now - waiting[0][0] >= BATCH_WAIT:
                self._post_later(waiting)
                waiting = []

    def _post_later(self, statuses: list[tuple[float, Json]]) -> None:
        body = encode(self._graph.status_payload(*(status for _, status in statuses)))
        if len(body) >= BODY_MOST and len(statuses) > 1:
            half = len(statuses) // 2
            self._post_later(statuses[:half])
            self._post_later(statuses[half:])
            return
        headers = {
            "Content-Type": "application/json",
            "X-Hub-Signature-256": signature(body, self._graph.app_secret),
        }
        sent = sum(1 for _, status in statuses if status["status"] == "sent")
        due = statuses[0][0]
        self._ready.put_nowait(Webhook(body, headers, sent, len(statuses) - sent, due))

    # delivering ------------------------------------------------------------------------------

    async def _deliver(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            webhook = await self._ready.get()
            index = self._current
            url = self._urls[index]
            delivery = await self._graph.post(url, webhook.body, webhook.headers, TIMEOUT)
            webhook.tries += 1
            answer = delivery.status or (delivery.error or "-").split("(")[0]  # or the error
            self._record.write(
                f"{time.time():.6f} webhook {answer} {webhook.tries} "
                f"{webhook.sent} {webhook.delivered} {webhook.due:.6f} {len(webhook.body)} {url}\n"
            )
            if delivery.ok:
                self._pending -= webhook.sent + webhook.delivered
                continue
            if self._current == index:
                self._current = (index + 1) % len(self._urls)
            wait = min(BACKOFF_MOST, BACKOFF_FIRST * 2 ** (webhook.tries - 1))
            loop.call_later(wait, self._ready.put_nowait, webhook)
