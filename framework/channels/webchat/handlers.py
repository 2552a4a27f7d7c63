"""Route handlers of the web chat: the page, the bot picker and the conversation socket.

The socket streams the session's log (the outbox every channel reads): on connect every entry
after the page's last `seq` (so a reload shows the conversation again), then each turn's
entries, and entries that timers add while the page is open. Entries carry their `seq`, so a
page that reconnects never shows one twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
from datetime import UTC, datetime
from functools import cache
from importlib import resources
from typing import Any

import jinja2
from aiohttp import WSMsgType, web

from framework.admin import whole_number
from framework.channels.common import (
    CONTEXT,
    accept,
    bot_for,
    parse_json,
    string_field,
)
from framework.edge.origins import check_origin
from framework.errors import BadRequest, ChannelError, RateLimited, ThekeError
from framework.flows import Bot
from framework.flows.model import label_for
from framework.flows.scope import BusinessView
from framework.stores.records import SessionKey, without_lone_surrogates

__all__ = [
    "SOCKETS",
    "WebChatChannel",
    "chat_page",
    "chat_socket",
    "close_sockets",
    "picker_page",
]

STATIC_PREFIX = "/static/webchat"
_CUSTOMER = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
_POLL_SECONDS = 2.0
MAX_SOCKET_MESSAGE = 16 * 1024
UNAVAILABLE = "temporarily unavailable: please try again shortly"
SOCKETS: web.AppKey[set[web.WebSocketResponse]] = web.AppKey("webchat_sockets")
"""The open sockets, closed with 'going away' on shutdown so pages reconnect."""


@cache
def _templates() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("framework.channels.webchat", "templates"),
        autoescape=True,
    )


def bot_info(bot: Bot, now: float) -> dict[str, Any]:
    lang = bot.business.language
    view = BusinessView(bot, datetime.fromtimestamp(now, UTC), lang, bot.business.locale)
    return {
        "name": bot.name,
        "title": bot.business.name,
        "description": label_for(bot.business.description, lang, lang),
        "hours": view.hours.splitlines(),
        "open_now": view.open,
        "lang": lang,
        "languages": list(bot.business.languages),
    }


def _html(template: str, **values: Any) -> web.Response:
    body = _templates().get_template(template).render(static=STATIC_PREFIX, **values)
    return web.Response(text=body, content_type="text/html")


async def chat_page(request: web.Request) -> web.Response:
    bot = bot_for(request)
    return _html("page.html", bot=bot_info(bot, request.app[CONTEXT].clock()))


async def picker_page(request: web.Request) -> web.StreamResponse:
    context = request.app[CONTEXT]
    if len(context.bots) == 1:
        raise web.HTTPFound(f"/chat/{next(iter(context.bots))}")
    infos = [bot_info(bot, context.clock()) for bot in context.bots.values()]
    return _html("picker.html", bots=infos)


class _Conversation:
    """One open socket: sends the log in order, never an entry twice."""

    def __init__(self, request: web.Request, socket: web.WebSocketResponse, key: SessionKey):
        self.request, self.socket, self.key = request, socket, key
        self.shown = 0
        self.busy = asyncio.Lock()

    async def send(self, message: dict[str, Any]) -> None:
        """As UTF-8 JSON; a lone surrogate kept from an older version's turn (which UTF-8
        cannot carry: the socket broke and the page reconnected forever) is shown as U+FFFD."""
        text = json.dumps(message, ensure_ascii=False)
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            text = json.dumps(without_lone_surrogates(message), ensure_ascii=False)
        await self.socket.send_str(text)

    async def catch_up(self) -> None:
        store = self.request.app[CONTEXT].runtime.store
        for entry in await store.log(str(self.key), after=self.shown):
            if entry["seq"] > self.shown:
                await self.send({"type": "entry", "entry": entry})
                self.shown = entry["seq"]

    async def poll(self) -> None:
        """Entries added without a message from this page (timers, other tabs)."""
        while not self.socket.closed:
            await asyncio.sleep(_POLL_SECONDS)
            if not self.busy.locked():
                with contextlib.suppress(ThekeError, ConnectionError):
                    async with self.busy:
                        await self.catch_up()

    async def handle(self, raw: str) -> None:
        try:
            item_id, text, payload = _message_fields(parse_json(raw))
        except BadRequest as error:
            await self.send({"type": "error", "code": "bad_message", "message": str(error)})
            return
        async with self.busy:
            await self.send({"type": "typing"})
            try:
                await accept(self.request, self.key, f"web:{item_id}", text, payload)
            except RateLimited as error:
                await self.send({"type": "error", "code": "rate_limited", "message": str(error)})
            except ThekeError:  # the store or a slow turn: details in the log, not on the page
                await self.send({"type": "error", "code": "unavailable", "message": UNAVAILABLE})
            await self.catch_up()
            await self.send({"type": "idle"})


def _message_fields(message: Any) -> tuple[str, str, str | None]:
    """The id, text and payload of a page's message; text and payload keep a lone surrogate
    only until the inbox item replaces it (records.py), an id must be proper text."""
    if not isinstance(message, dict) or message.get("type") != "message":
        raise BadRequest('expected {"type": "message", "id": ..., "text": ...}')
    item_id = string_field(message, "id", 100)
    text, payload = message.get("text"), message.get("payload")
    if not isinstance(text, str):
        raise BadRequest("'text' must be a string")
    if payload is not None and not isinstance(payload, str):
        raise BadRequest("'payload' must be a string")
    return item_id, text, payload


async def chat_socket(request: web.Request) -> web.StreamResponse:
    bot = bot_for(request)
    check_origin(request)
    customer = request.query.get("customer", "")
    if not _CUSTOMER.match(customer):
        raise ChannelError("'customer' must be 8 to 64 letters, digits, '-' or '_'")
    after = whole_number(request.query.get("after", "0"), "'after'")
    if after is None:
        raise BadRequest("'after' is beyond any conversation's log")
    socket = web.WebSocketResponse(heartbeat=30, max_msg_size=MAX_SOCKET_MESSAGE)
    await socket.prepare(request)
    request.app[SOCKETS].add(socket)
    conversation = _Conversation(request, socket, SessionKey(bot.name, "web", customer))
    conversation.shown = after
    poller = asyncio.create_task(conversation.poll())
    try:
        async with conversation.busy:
            await conversation.catch_up()
        async for message in socket:
            if message.type == WSMsgType.TEXT:
                await conversation.handle(message.data)
            elif message.type in (WSMsgType.ERROR, WSMsgType.CLOSE):
                break
    except (ThekeError, ConnectionError):
        await socket.close(code=1011, message=b"temporarily unavailable")
    finally:
        poller.cancel()
        request.app[SOCKETS].discard(socket)
    return socket


async def close_sockets(app: web.Application) -> None:
    """On shutdown: tell open pages to reconnect (to another worker, or after the restart)."""
    sockets: set[web.WebSocketResponse] = app[SOCKETS]
    for socket in list(sockets):
        await socket.close(code=1001, message=b"server shutting down")


class WebChatChannel:
    """The web chat: the bot picker at /, a bot's page at /chat/<bot>, its socket, its files."""

    name = "web"

    def routes(self) -> list[web.AbstractRouteDef]:
        static = resources.files("framework.channels.webchat").joinpath("static")
        return [
            web.get("/", picker_page),
            web.get("/chat/{bot}", chat_page),
            web.get("/chat/{bot}/ws", chat_socket),
            web.static(STATIC_PREFIX, str(static)),
        ]
