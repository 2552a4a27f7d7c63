"""Writing business events into the outbox: one entry per subscription that wants the type.

What a receiver gets (the body is fixed when the event is emitted: every attempt sends the
same bytes):

    {"id": "evt_…", "type": "order.paid", "created": "2026-11-27T18:05:00+00:00",
     "bot": "pizza", "customer": "cus_…", "data": {…}}

`customer` stands for the conversation's customer without naming them: an HMAC-SHA256 of the
session key (bot, channel, customer id) keyed with the subscription's secret. It is the same
for every event of that customer of that bot on that channel, so a business can put a
customer's orders, handoffs and requests together; it cannot be turned back into a phone
number, and two endpoints with different secrets get different references.

Entries of one subscription and one conversation form a stream: they are sent in the order
emitted. An event's id must come from what caused it (`event_id`), so emitting it again after
a crash or a replayed turn adds nothing (the outbox is idempotent on it).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from framework.event_ids import event_id
from framework.events.subscriptions import Subscription
from framework.stores.outbox import Entry, Outbox

__all__ = ["Events", "customer_ref", "event_id"]


def _digest(*parts: str) -> str:
    return hashlib.sha256("\n".join(parts).encode("utf-8", "surrogatepass")).hexdigest()[:32]


def customer_ref(subscription: Subscription, session: str) -> str:
    key = subscription.secret.reveal().encode()
    text = f"customer\n{session}".encode("utf-8", "surrogatepass")
    return "cus_" + hmac.new(key, text, hashlib.sha256).hexdigest()[:24]


class Events:
    """Business events of a deployment: what the runtime and payments call to emit one."""

    def __init__(
        self,
        outbox: Outbox,
        subscriptions: Sequence[Subscription],
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.outbox, self.subscriptions, self.clock = outbox, tuple(subscriptions), clock

    async def emit(
        self,
        bot: str,
        session: str,
        type: str,
        data: Mapping[str, Any],
        *,
        id: str,
        at: float | None = None,
    ) -> int:
        """Keep the event for every subscription that wants `type`, before returning (raises
        StoreError when the outbox cannot take it: the caller's work is then retried). `id`
        comes from the cause (`event_id(...)`); how many entries were new."""
        wanted = [sub for sub in self.subscriptions if sub.wants(type)]
        if not wanted:
            return 0
        now = self.clock()
        created = datetime.fromtimestamp(now if at is None else at, UTC).isoformat()
        entries = []
        for sub in wanted:
            body: dict[str, Any] = {"id": id, "type": type, "created": created, "bot": bot}
            body |= {"customer": customer_ref(sub, session), "data": dict(data)}
            text = json.dumps(body, separators=(",", ":"))  # ASCII: any text, even broken
            entries.append(
                Entry(
                    key=_digest(id, sub.url),
                    stream=_digest(sub.url, session),
                    url=sub.url,
                    event=id,
                    type=type,
                    body=text,
                    created_at=now,
                )
            )
        return await self.outbox.add(entries, now)
