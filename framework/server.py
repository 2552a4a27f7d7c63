"""The aiohttp application: channels, the web chat, health, readiness and metrics.

Route handlers are module-level functions in their channel modules; this module wires them,
owns the resources (the store, the runtime's background task) through `cleanup_ctx`, and maps
errors to HTTP statuses in one table.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from importlib import resources

from aiohttp import web

from framework.channels.common import CONTEXT, ChannelContext
from framework.channels.rest import rest_status, rest_webhook
from framework.channels.webchat.handlers import (
    SOCKETS,
    STATIC_PREFIX,
    chat_page,
    chat_socket,
    close_sockets,
    picker_page,
)
from framework.errors import BadRequest, ChannelError, RateLimited, ThekeError, UnknownBot
from framework.flows import Bot
from framework.runtime.metrics import Metrics
from framework.runtime.ratelimit import RateLimiter
from framework.runtime.store import Store, StoreError
from framework.runtime.stores import open_store
from framework.runtime.turns import Runtime, TurnTimeout
from framework.workspace import Workspace

__all__ = ["STATUS_OF", "create_app"]

log = logging.getLogger("theke.server")
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

STATUS_OF: Mapping[type[ThekeError], int] = {
    BadRequest: 400,
    UnknownBot: 404,
    RateLimited: 429,
    ChannelError: 400,
    StoreError: 503,
    TurnTimeout: 504,
}
"""Every error a request can meet, and its HTTP status (the most specific class wins)."""


def _status(error: ThekeError) -> int:
    for kind in type(error).__mro__:
        if kind in STATUS_OF:
            return STATUS_OF[kind]
    return 500


@web.middleware
async def errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except ThekeError as error:
        status = _status(error)
        if status >= 500:
            log.warning("request failed", extra={"path": request.path, "error": str(error)})
        headers = {}
        if isinstance(error, RateLimited):
            headers["Retry-After"] = str(max(1, round(error.retry_after)))
        return web.json_response({"error": str(error)}, status=status, headers=headers)


async def health(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


async def ready(request: web.Request) -> web.Response:
    try:
        await request.app[CONTEXT].runtime.store.ping()
    except StoreError as error:
        return web.json_response({"status": "unavailable", "error": str(error)}, status=503)
    return web.json_response({"status": "ready"})


async def metrics(request: web.Request) -> web.Response:
    body = request.app[CONTEXT].runtime.metrics.exposition()
    return web.Response(body=body, content_type="text/plain", charset="utf-8")


StoreOpener = Callable[[], Awaitable[Store]]


def create_app(
    workspace: Workspace,
    bots: Mapping[str, Bot],
    *,
    clock: Callable[[], float] = time.time,
    store: StoreOpener | None = None,
    fault: Callable[[str], None] | None = None,
    lease: float = 5.0,
    tick: float = 0.5,
) -> web.Application:
    """The app for a workspace's bots; `store` overrides the workspace's store (tests)."""
    app = web.Application(client_max_size=workspace.max_body, middlewares=[errors])
    app[SOCKETS] = set()
    opener = store or (lambda: open_store(workspace.store, workspace.limits, workspace.root))

    async def resources_ctx(app: web.Application) -> AsyncIterator[None]:
        opened = await opener()
        runtime = Runtime(opened, bots, lease=lease, metrics=Metrics(), fault=fault, clock=clock)
        limiter = RateLimiter(workspace.messages_per_minute, workspace.burst)
        app[CONTEXT] = ChannelContext(runtime, bots, limiter, clock, workspace.debug)
        background = asyncio.create_task(runtime.run_background(tick))
        yield
        background.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await background
        await opened.close()

    app.cleanup_ctx.append(resources_ctx)
    app.on_shutdown.append(close_sockets)
    _routes(app, bots, workspace.channels)
    return app


def _routes(app: web.Application, bots: Mapping[str, Bot], channels: frozenset[str]) -> None:
    router = app.router
    router.add_get("/health", health)
    router.add_get("/ready", ready)
    router.add_get("/metrics", metrics)
    if "rest" in channels:
        if len(bots) == 1:
            router.add_post("/webhooks/rest/webhook", rest_webhook)
            router.add_get("/webhooks/rest/", rest_status)
        router.add_post("/bots/{bot}/webhooks/rest/webhook", rest_webhook)
        router.add_get("/bots/{bot}/webhooks/rest/", rest_status)
    if "web" in channels:
        router.add_get("/", picker_page)
        router.add_get("/chat/{bot}", chat_page)
        router.add_get("/chat/{bot}/ws", chat_socket)
        static = resources.files("framework.channels.webchat").joinpath("static")
        router.add_static(STATIC_PREFIX, str(static))
