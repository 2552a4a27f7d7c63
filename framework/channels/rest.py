"""The REST channel, compatible with Rasa's: POST /webhooks/rest/webhook.

Request: `{"sender": "<customer id>", "message": "<text or button payload>", "metadata": {},
"message_id": "<optional id; a retry with the same id is answered, not processed again>"}`.
Response: the bot's replies to that turn, in order:
`[{"recipient_id", "text", "buttons": [{"title", "payload"}], "image", "custom"}]`; a payment
link is `"custom": {"type": "payment_link", "title", "url"}` (Rasa's custom payload).
"""

from __future__ import annotations

import uuid
from typing import Any

from aiohttp import web

from framework.channels.common import CONTEXT, accept, bot_for, json_object, string_field
from framework.edge.rest_auth import RestAuth, check_sender
from framework.stores.records import LogEntry, SessionKey

__all__ = ["RestChannel", "rest_status", "rest_webhook"]

OPEN = RestAuth()
"""No authentication: the sender is whoever the request says (only behind a trusted backend)."""

MAX_SENDER = 128
MAX_MESSAGE_ID = 200


def rasa_reply(entry: LogEntry, recipient: str) -> dict[str, Any]:
    reply: dict[str, Any] = {"recipient_id": recipient, "text": entry["text"]}
    if entry.get("buttons"):
        reply["buttons"] = entry["buttons"]
    if entry.get("image"):
        reply["image"] = entry["image"]
    if entry.get("link"):
        reply["custom"] = {"type": "payment_link", **entry["link"]}
    if entry.get("list_button"):
        reply["custom"] = {"list_button": entry["list_button"]}
    return reply


async def rest_webhook(request: web.Request, auth: RestAuth = OPEN) -> web.Response:
    bot = bot_for(request)
    body = await json_object(request)
    sender = string_field(body, "sender", MAX_SENDER)
    check_sender(request, auth, sender, request.app[CONTEXT].clock())
    text = string_field(body, "message", None, allow_empty=True, repaired=True)
    message_id = body.get("message_id")
    if message_id is not None:
        message_id = string_field(body, "message_id", MAX_MESSAGE_ID)
    key = SessionKey(bot.name, "rest", sender)
    entries = await accept(request, key, f"rest:{message_id or uuid.uuid4().hex}", text)
    return web.json_response(
        [rasa_reply(entry, sender) for entry in entries if entry["from"] == "bot"]
    )


async def rest_status(request: web.Request) -> web.Response:
    bot_for(request)
    return web.json_response({"status": "ok"})


class RestChannel:
    """The REST channel: one bot at /webhooks/rest/, each bot at /bots/<bot>/webhooks/rest/."""

    name = "rest"

    def __init__(self, single_bot: bool, auth: RestAuth = OPEN) -> None:
        self._single, self.auth = single_bot, auth

    async def webhook(self, request: web.Request) -> web.Response:
        return await rest_webhook(request, self.auth)

    def routes(self) -> list[web.AbstractRouteDef]:
        routes: list[web.AbstractRouteDef] = [
            web.post("/bots/{bot}/webhooks/rest/webhook", self.webhook),
            web.get("/bots/{bot}/webhooks/rest/", rest_status),
        ]
        if self._single:
            routes += [
                web.post("/webhooks/rest/webhook", self.webhook),
                web.get("/webhooks/rest/", rest_status),
            ]
        return routes
