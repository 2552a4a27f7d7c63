"""Where a messenger's webhook hands in what it brought: the runtime's inbox, with messages held
to the same per-conversation limit as REST and the web chat.

A message over the limit is not run, and counted (`theke_rejected_requests_total{reason=
"rate_limited"}`); the webhook is still answered 200, so the messenger does not send it again
and again. A message delivered twice is a duplicate before it is anything else: it never counts
against the limit, and the turn it started runs once.
"""

from __future__ import annotations

import asyncio

from aiohttp import web

from framework.channels.common import CONTEXT
from framework.runtime.admission import Admission
from framework.runtime.turns import Runtime
from framework.stores.records import MESSAGE, InboxItem, SessionKey

__all__ = ["MessengerInbox", "messenger_inbox"]


class MessengerInbox:
    def __init__(self, runtime: Runtime, admission: Admission) -> None:
        self.runtime, self._admission = runtime, admission

    async def accept(self, key: str, item: InboxItem) -> asyncio.Future[int] | None:
        """Queue an item and run its turn in the background; None when it runs no turn (a
        duplicate, or a message over its conversation's limit)."""
        if item.kind != MESSAGE:
            return await self.runtime.accept(key, item)
        session = SessionKey.parse(key)
        refusal = self._admission.admit(session)
        if refusal is not None:
            if await self.runtime.store.result(key, item.id) is not None:
                self.runtime.metrics.duplicates.inc()
            else:
                self.runtime.metrics.rejected.labels(refusal.reason).inc()
            return None
        turn = await self.runtime.accept(key, item)
        if turn is None:
            self._admission.refund(session)
        return turn

    def problem(self, channel: str, kind: str) -> None:
        self.runtime.problem(channel, kind)


def messenger_inbox(request: web.Request) -> MessengerInbox:
    context = request.app[CONTEXT]
    return MessengerInbox(context.runtime, context.admission)
