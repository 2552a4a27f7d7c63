"""The agent inbox in the app: its routes, its agent store and its live hub.

    GET  /inbox/login                 the sign-in page     POST /inbox/login    sign in
    POST /inbox/logout                sign out (CSRF)
    GET  /inbox                       the queue and the agent's conversations
    GET  /inbox/c/{bot}/{session}     one conversation     POST …/{action}      actions.py
    GET  /inbox/tickets               the tickets          GET  /inbox/tickets/{bot}/{number}
    POST /inbox/tickets/{bot}/{number}/{change}
    GET  /inbox/live                  the live WebSocket
    GET  /static/inbox/…              the page's script and styles

`add_inbox` runs after the app's resources are set up (the handoff service, the stores): it
opens the agent store on the workspace's store, makes the hub hear the handoff service, and
looks at the stores every POLL seconds while a page listens (hub.py).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from importlib import resources

from aiohttp import web

from framework.admin import BOTS
from framework.channels.common import CONTEXT
from framework.handoffs.web import HANDOFFS
from framework.inbox import actions, auth, pages
from framework.inbox.hub import POLL, Hub, Poller
from framework.inbox.live import HUB, live
from framework.runtime.loops import repeat, stop
from framework.stores.opening import open_agents
from framework.workspace import Workspace

__all__ = ["add_inbox"]


def _routes(app: web.Application) -> None:
    static = resources.files("framework.inbox").joinpath("static")
    conversation = "/inbox/c/{bot}/{session}"
    ticket = "/inbox/tickets/{bot}/{number}"
    app.router.add_routes(
        [
            web.get("/inbox/login", pages.login_page),
            web.post("/inbox/login", pages.login),
            web.post("/inbox/logout", auth.sign_out),
            web.get("/inbox", pages.inbox_page),
            web.get(conversation, pages.conversation_page),
            web.post(conversation + "/{action}", actions.act),
            web.get("/inbox/tickets", pages.tickets_page),
            web.get(ticket, pages.ticket_page),
            web.post(ticket + "/{change}", actions.change_ticket),
            web.get("/inbox/live", live),
            web.static(pages.STATIC_PREFIX, str(static)),
        ]
    )


def add_inbox(app: web.Application, workspace: Workspace) -> None:
    _routes(app)

    async def inbox_ctx(app: web.Application) -> AsyncIterator[None]:
        agents = app[auth.AGENTS] = await open_agents(workspace.store, workspace.root)
        hub = app[HUB] = Hub()
        handoffs = app[HANDOFFS]
        handoffs.listeners.append(hub.heard)
        bots: frozenset[str] = app[BOTS]
        poller = Poller(hub, handoffs.store, app[CONTEXT].runtime.store, bots)
        stopping = asyncio.Event()
        looking = asyncio.create_task(repeat(poller.look, POLL, stopping, "inbox"))
        yield
        await stop(stopping, [looking], grace=2.0)
        await agents.close()

    app.cleanup_ctx.append(inbox_ctx)
