"""A business's webhook endpoint for tests: keeps every event whose Theke signature checks out
with `secret` (at the tests' fixed time), refuses the others with 400."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestServer

from framework.events import verify


@asynccontextmanager
async def signed_hooks(secret: str, now: float) -> AsyncIterator[tuple[list[dict[str, Any]], str]]:
    """The events received so far, and the endpoint's URL."""
    received: list[dict[str, Any]] = []

    async def handle(request: web.Request) -> web.Response:
        body = await request.read()
        if not verify(secret, body, request.headers.get("Theke-Signature", ""), now=now):
            return web.Response(status=400)
        received.append(json.loads(body))
        return web.Response(status=204)

    app = web.Application()
    app.router.add_post("/hooks", handle)
    server = TestServer(app)
    await server.start_server()
    try:
        yield received, str(server.make_url("/hooks"))
    finally:
        await server.close()
