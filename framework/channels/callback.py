"""Rasa's callback channel: messages in like REST, every bot message out to the business's
callback URL — the turn's own and the later ones (the payment arrived, the order is on its
way, a reminder), in order.

In: `POST /webhooks/callback/webhook` (or `/bots/<bot>/webhooks/callback/webhook`) takes the
REST body and credentials (rest.py) and answers the text `success` once the turn has run. Out:
the runtime's delivery (runtime/delivery.py) hands each bot message to `send`, which POSTs it
in the REST message shape (`recipient_id`, `text`, `buttons`, `image`, `custom`, `seq`) to
`channels.callback.url`; a 5xx, a timeout or a refused connection is tried again later by the
delivery's outbox, in order, a 4xx is given up (and shown in `/admin/undelivered`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import aiohttp
from aiohttp import web

from framework.channels.api import ApiSession
from framework.channels.common import accept
from framework.channels.rest import rasa_reply, read_message
from framework.edge.rest_auth import RestAuth
from framework.runtime.sending import SendFailure, Sent
from framework.stores.records import LogEntry

__all__ = ["CallbackChannel"]


class CallbackChannel:
    name = "callback"
    window: float | None = None
    reports: bool = False

    def __init__(
        self,
        url: str,
        auth: RestAuth,
        *,
        single_bot: bool,
        timeout: float = 10.0,
        retry_after: float = 5.0,
    ) -> None:
        self.url, self.auth, self._single = url, auth, single_bot
        self.retry_after = retry_after
        """Seconds before a failed POST is tried again (the delivery backs off further)."""
        self.api = ApiSession(timeout, per_second=100.0, interval=0.0)

    def routes(self) -> list[web.AbstractRouteDef]:
        paths = ["/bots/{bot}/webhooks/callback/webhook"]
        if self._single:
            paths.append("/webhooks/callback/webhook")
        return [web.post(path, self.webhook) for path in paths]

    async def webhook(self, request: web.Request) -> web.Response:
        message = await read_message(request, self.auth, self.name)
        address = {"recipient": message.sender}
        await accept(request, message.key, message.item_id, message.text, meta={"address": address})
        return web.Response(text="success")

    async def send(
        self, bot: str, address: Mapping[str, Any], entry: LogEntry, *, callback: str
    ) -> Sent:
        reply = rasa_reply(entry, str(address.get("recipient", "")))
        try:
            async with self.api.http.post(self.url, json=reply) as response:
                status = response.status
                await response.read()
        except (TimeoutError, aiohttp.ClientError) as error:
            raise SendFailure(
                f"callback URL not reached: {type(error).__name__}", retry_after=self.retry_after
            ) from None
        if status >= 500 or status == 429:
            raise SendFailure(
                f"callback URL answered {status}", code=status, retry_after=self.retry_after
            )
        if status >= 300:
            raise SendFailure(f"callback URL refused the message: {status}", code=status)
        return Sent(str(entry.get("seq", "")))

    def address_of(self, customer: str) -> Mapping[str, Any] | None:
        return {"recipient": customer}  # the sender id its messages came with

    async def send_outside_window(
        self, bot: str, address: Mapping[str, Any], entry: LogEntry, *, callback: str
    ) -> Sent:
        return await self.send(bot, address, entry, callback=callback)  # no window

    async def close(self) -> None:
        await self.api.close()
