"""What every channel's route handlers share: the context, parsing, and handing a message in."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from framework.errors import BadRequest, RateLimited, UnknownBot
from framework.flows import Bot
from framework.runtime.ratelimit import RateLimiter
from framework.runtime.turns import Runtime
from framework.stores.records import InboxItem, LogEntry, SessionKey, iso_time

__all__ = ["CONTEXT", "ChannelContext", "accept", "bot_for", "json_object", "string_field"]

log = logging.getLogger("theke.channels")


@dataclass(frozen=True)
class ChannelContext:
    runtime: Runtime
    bots: Mapping[str, Bot]
    limiter: RateLimiter
    clock: Callable[[], float]
    debug: bool = False


CONTEXT = web.AppKey("channels", ChannelContext)


def bot_for(request: web.Request) -> Bot:
    """The bot a path names, or the only one when the path names none."""
    bots = request.app[CONTEXT].bots
    name = request.match_info.get("bot")
    if name is None and len(bots) == 1:
        return next(iter(bots.values()))
    if name is None:
        raise UnknownBot("several bots are served here: use /bots/<bot>/...")
    bot = bots.get(name)
    if bot is None:
        raise UnknownBot(f"no bot {name!r} here; served: {', '.join(sorted(bots))}")
    return bot


async def json_object(request: web.Request) -> dict[str, Any]:
    try:
        body = await request.json(loads=json.loads)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise BadRequest("the body is not valid JSON") from None
    if not isinstance(body, dict):
        raise BadRequest("the body must be a JSON object")
    return body


def string_field(
    body: dict[str, Any], name: str, limit: int | None, allow_empty: bool = False
) -> str:
    value = body.get(name)
    if not isinstance(value, str) or (not value and not allow_empty):
        raise BadRequest(f"'{name}' must be a non-empty string")
    if limit is not None and len(value) > limit:
        raise BadRequest(f"'{name}' is longer than {limit} characters")
    return value


async def accept(
    request: web.Request, key: SessionKey, item_id: str, text: str, payload: str | None = None
) -> list[LogEntry]:
    """Rate-limit, stamp with the server's clock, and run the turn (exactly once per id)."""
    context = request.app[CONTEXT]
    name = str(key)
    if not context.limiter.allow(name):
        context.runtime.metrics.rejected.labels("rate_limited").inc()
        raise RateLimited("too many messages: please slow down", context.limiter.retry_after(name))
    item = InboxItem.message(item_id, iso_time(context.clock()), text, payload)
    if context.debug:
        log.debug("message", extra={"session": name, "text": text})
    return await context.runtime.submit(key, item)
