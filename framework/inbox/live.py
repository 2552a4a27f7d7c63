"""GET /inbox/live: the WebSocket an inbox page listens on.

Opened with the session cookie (SameSite=Strict: only this site's pages send it) and an Origin
of this site (edge/origins.py: no other site's page opens it in the background). It sends
each hub change of the agent's bots as JSON, {"bot", "session", "what", "agent"}; the page
fetches what it shows anew. The page may say which conversation it has open,
{"watch": {"bot": …, "session": …}}, and the hub then also looks at that conversation's log.
While nothing happens the socket checks every RECHECK seconds that the sign-in still holds,
and closes (4001) once it does not.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections import Counter
from typing import Any

from aiohttp import WSMsgType, web

from framework.channels.webchat.handlers import SOCKETS
from framework.edge.origins import check_origin
from framework.inbox import auth, views
from framework.inbox.hub import Change, Hub

__all__ = ["HUB", "live"]

HUB: web.AppKey[Hub] = web.AppKey("inbox_hub")
RECHECK = 30.0
MAX_MESSAGE = 4096


def _watched(message: str, bots: set[str]) -> str | None:
    """The conversation a page's message says it has open; None for anything else."""
    with contextlib.suppress(ValueError):
        data: Any = json.loads(message)
        watch = data.get("watch") if isinstance(data, dict) else None
        if isinstance(watch, dict) and watch.get("bot") in bots:
            session = watch.get("session")
            if isinstance(session, str) and session.startswith(f"{watch['bot']}:"):
                return session[:300]
    return None


async def _forward(
    request: web.Request,
    socket: web.WebSocketResponse,
    queue: asyncio.Queue[Change],
    bots: set[str],
) -> None:
    while not socket.closed:
        try:
            change = await asyncio.wait_for(queue.get(), RECHECK)
        except TimeoutError:
            if await auth.current(request) is None:
                await socket.close(code=4001, message=b"signed out")
            continue
        if change.bot in bots:
            with contextlib.suppress(ConnectionError):  # the page went: the loop ends
                await socket.send_str(json.dumps(change.to_json()))


async def live(request: web.Request) -> web.StreamResponse:
    signed = await auth.signed_in(request)
    check_origin(request)
    hub = request.app[HUB]
    bots = set(views.bots_of(request, signed.agent))
    socket = web.WebSocketResponse(heartbeat=30, max_msg_size=MAX_MESSAGE)
    await socket.prepare(request)
    request.app[SOCKETS].add(socket)
    watching: str | None = None
    with hub.listen() as queue:
        sender = asyncio.create_task(_forward(request, socket, queue, bots))
        try:
            async for message in socket:
                if message.type != WSMsgType.TEXT:
                    continue
                if watching is not None:
                    hub.watched[watching] -= 1
                watching = _watched(message.data, bots)
                if watching is not None:
                    hub.watched[watching] += 1
        finally:
            sender.cancel()
            if watching is not None:
                hub.watched[watching] -= 1
            hub.watched += Counter()  # drops the conversations nobody watches any more
            request.app[SOCKETS].discard(socket)
    return socket
