"""The REST channel, compatible with Rasa's: POST /webhooks/rest/webhook.

Request: `{"sender": "<customer id>", "message": "<text or button payload>", "metadata": {},
"message_id": "<optional id; a retry with the same id is answered, not processed again>"}`.
Response: the bot's replies to that turn, in order:
`[{"recipient_id", "text", "buttons": [{"title", "payload"}], "image", "custom", "seq"}]`; a
payment link is `"custom": {"type": "payment_link", "title", "url"}` (Rasa's custom payload);
`seq` numbers the conversation's messages. What the bot says later (the payment arrived, the
order is on its way) is read with `GET /webhooks/rest/conversations/<sender>/messages?after=
<seq>`, authenticated like the webhook — or pushed by the callback channel (callback.py).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from framework.channels.common import CONTEXT, accept, bot_for, json_object, string_field
from framework.edge.rest_auth import RestAuth, check_sender
from framework.errors import BadRequest
from framework.stores.json_text import dump_bytes
from framework.stores.records import LogEntry, SessionKey

__all__ = ["RestChannel", "rest_status", "rest_webhook"]

OPEN = RestAuth()
"""No authentication: the sender is whoever the request says (only behind a trusted backend)."""

MAX_SENDER = 128
MAX_MESSAGE_ID = 200


MAX_PAGE = 100
_DIGITS = frozenset("0123456789")


def rasa_reply(entry: LogEntry, recipient: str) -> dict[str, Any]:
    """A bot message in Rasa's REST shape (its `seq` too, when it has one)."""
    reply: dict[str, Any] = {"recipient_id": recipient, "text": entry["text"]}
    if "seq" in entry:
        reply["seq"] = entry["seq"]
    if entry.get("buttons"):
        reply["buttons"] = entry["buttons"]
    if entry.get("image"):
        reply["image"] = entry["image"]
    if entry.get("custom"):
        reply["custom"] = entry["custom"]
    if entry.get("link"):
        reply["custom"] = {"type": "payment_link", **entry["link"]}
    if entry.get("list_button"):
        reply["custom"] = {"list_button": entry["list_button"]}
    return reply


@dataclass(frozen=True)
class RestMessage:
    """A message in Rasa's REST shape, read and checked: whose conversation, which item."""

    key: SessionKey
    item_id: str
    text: str

    @property
    def sender(self) -> str:
        return self.key.customer


async def read_message(request: web.Request, auth: RestAuth, channel: str) -> RestMessage:
    """The REST body of a message (also the callback channel's), its sender authorised."""
    bot = bot_for(request)
    body = await json_object(request)
    sender = string_field(body, "sender", MAX_SENDER)
    check_sender(request, auth, sender, request.app[CONTEXT].clock())
    text = string_field(body, "message", None, allow_empty=True, repaired=True)
    message_id = body.get("message_id")
    if message_id is not None:
        message_id = string_field(body, "message_id", MAX_MESSAGE_ID)
    item_id = f"{channel}:{message_id or uuid.uuid4().hex}"
    return RestMessage(SessionKey(bot.name, channel, sender), item_id, text)


async def rest_webhook(request: web.Request, auth: RestAuth = OPEN) -> web.Response:
    message = await read_message(request, auth, "rest")
    entries = await accept(request, message.key, message.item_id, message.text)
    replies = [rasa_reply(entry, message.sender) for entry in entries if entry["from"] == "bot"]
    return web.Response(body=dump_bytes(replies), content_type="application/json", charset="utf-8")


async def rest_messages(request: web.Request, auth: RestAuth = OPEN) -> web.Response:
    """The bot's messages after `after` (a `seq` a reply carried; 0: from the start), at most
    `limit` (100) — what a REST client without a callback polls for."""
    bot = bot_for(request)
    sender = request.match_info["sender"]
    if not sender or len(sender) > MAX_SENDER:
        raise BadRequest("the sender is empty or too long")
    check_sender(request, auth, sender, request.app[CONTEXT].clock())
    after, limit = _count(request, "after", 0), min(_count(request, "limit", MAX_PAGE), MAX_PAGE)
    key = str(SessionKey(bot.name, "rest", sender))
    entries = await request.app[CONTEXT].runtime.store.log(key, after, limit)
    return web.json_response([rasa_reply(e, sender) for e in entries if e["from"] == "bot"])


def _count(request: web.Request, name: str, default: int) -> int:
    raw = request.query.get(name)
    if raw is None:
        return default
    if not raw or len(raw) > 12 or not set(raw) <= _DIGITS:
        raise BadRequest(f"'{name}' must be a whole number")
    return int(raw)


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

    async def messages(self, request: web.Request) -> web.Response:
        return await rest_messages(request, self.auth)

    def routes(self) -> list[web.AbstractRouteDef]:
        prefixes = ["/bots/{bot}/webhooks/rest"] + (["/webhooks/rest"] if self._single else [])
        return [
            route
            for prefix in prefixes
            for route in (
                web.post(f"{prefix}/webhook", self.webhook),
                web.get(f"{prefix}/", rest_status),
                web.get(f"{prefix}/conversations/{{sender}}/messages", self.messages),
            )
        ]
