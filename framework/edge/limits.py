"""Limits on what a request may cost before any channel sees it: its size and its pace.

A body is read here, whole, within `limits.body_timeout` (the handlers then read it from
memory): a client that sends it slowly or stalls gets 408 and its connection closed, so it
cannot hold a handler (and memory) open for as long as it likes. A declared Content-Length
above `limits.max_body` is refused with 413 before one byte of the body is read. The request
line and headers must arrive within `limits.header_timeout` (`server_options`: aiohttp closes a
connection whose request has not fully arrived when its keep-alive timer runs out, and that
timer starts when the connection opens), which is also how long an idle connection is kept:
slowloris-style connections do not pile up. A client that gives up while sending is logged on
one line, without a traceback.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from framework.errors import ClientGone, TooLarge, TooSlow

__all__ = ["BODY_LIMITS", "BodyLimits", "read_bodies", "server_options"]

log = logging.getLogger("theke.server")

LINGERING = 2.0
"""Seconds the rest of a refused body is still read (and dropped) after the answer, so the
client gets the answer rather than a reset; aiohttp's 10 s would let a slow client keep the
connection for that long."""

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass(frozen=True)
class BodyLimits:
    max_body: int
    body_timeout: float


BODY_LIMITS = web.AppKey("body_limits", BodyLimits)


def server_options(header_timeout: float) -> dict[str, Any]:
    """Settings of aiohttp's connection handler (`web.run_app`, `AppRunner`, `TestServer`).

    A handler whose client hung up is not cancelled: a turn it started finishes and keeps its
    answer for a retry with the same message id (cancelled mid-commit, it would only be redone
    by another worker once its lease ran out)."""
    return {
        "keepalive_timeout": header_timeout,
        "handler_cancellation": False,
        "lingering_time": LINGERING,
    }


@web.middleware
async def read_bodies(request: web.Request, handler: Handler) -> web.StreamResponse:
    if request.body_exists:
        limits = request.app[BODY_LIMITS]
        length = request.content_length
        if length is not None and length > limits.max_body:
            raise TooLarge(f"the body is larger than {limits.max_body} bytes (limits.max_body)")
        await _read(request, limits)
    return await handler(request)


async def _read(request: web.Request, limits: BodyLimits) -> None:
    try:
        if request.content.is_eof():  # all of it arrived already: no wait to limit
            await request.read()
        else:
            async with asyncio.timeout(limits.body_timeout):
                await request.read()
    except TimeoutError:
        log.info("request body too slow", extra={"path": request.path})
        raise TooSlow(
            f"the body did not arrive within {limits.body_timeout:g} s (limits.body_timeout)"
        ) from None
    except web.HTTPRequestEntityTooLarge:  # no Content-Length (chunked): counted while read
        raise TooLarge(
            f"the body is larger than {limits.max_body} bytes (limits.max_body)"
        ) from None
    except ConnectionError as error:
        log.info("request aborted by the client", extra={"path": request.path, "error": str(error)})
        raise ClientGone("the client closed the connection while sending its request") from None
