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
from framework.runtime.admission import Admission
from framework.runtime.turns import Runtime
from framework.stores.json_text import load
from framework.stores.records import InboxItem, LogEntry, SessionKey, has_lone_surrogate, iso_time

__all__ = [
    "CONTEXT",
    "ChannelContext",
    "accept",
    "bot_for",
    "json_object",
    "parse_json",
    "string_field",
]

log = logging.getLogger("theke.channels")


@dataclass(frozen=True)
class ChannelContext:
    runtime: Runtime
    bots: Mapping[str, Bot]
    admission: Admission
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


def parse_json(raw: bytes | str) -> Any:
    """JSON from outside: strict UTF-8 whatever the Content-Type claims (RFC 8259; Python's
    own detection would let a UTF-8-encoded surrogate through), nesting as deep as the
    interpreter takes (deeper: a 400, not a RecursionError). Read by orjson when installed,
    which refuses all that this refuses; what it refuses is read here (stores/json_text.py)."""
    return load(raw, _parse_standard)


def _parse_standard(raw: bytes | str) -> Any:
    try:
        text = raw if isinstance(raw, str) else raw.decode("utf-8")
    except UnicodeDecodeError:
        raise BadRequest("the body is not valid JSON: not UTF-8 text") from None
    try:
        return _DECODER.decode(text)
    except ValueError:
        raise BadRequest("the body is not valid JSON") from None
    except RecursionError:
        raise BadRequest("the body is not valid JSON: nested too deeply") from None


def _not_json(constant: str) -> Any:
    raise ValueError(f"{constant} is not JSON")  # Python's json reads NaN and Infinity


_DECODER = json.JSONDecoder(parse_constant=_not_json)
"""Made once: `json.loads` with an argument makes a decoder for every body (~5 µs)."""


async def json_object(request: web.Request) -> dict[str, Any]:
    body = parse_json(await request.read())
    if not isinstance(body, dict):
        raise BadRequest("the body must be a JSON object")
    return body


def string_field(
    body: dict[str, Any],
    name: str,
    limit: int | None,
    allow_empty: bool = False,
    *,
    repaired: bool = False,
) -> str:
    """A string field. A lone surrogate (half a UTF-16 pair, which no UTF-8 text can hold) is
    refused in an identifier, which must not change to fit; in a customer's words (`repaired`)
    it becomes U+FFFD where the inbox item is made (stores/records.py)."""
    value = body.get(name)
    if not isinstance(value, str) or (not value and not allow_empty):
        raise BadRequest(f"'{name}' must be a non-empty string")
    if limit is not None and len(value) > limit:
        raise BadRequest(f"'{name}' is longer than {limit} characters")
    if not repaired and has_lone_surrogate(value):
        raise BadRequest(f"'{name}' is not valid Unicode text (a lone surrogate)")
    return value


async def accept(
    request: web.Request,
    key: SessionKey,
    item_id: str,
    text: str,
    payload: str | None = None,
    meta: Mapping[str, Any] | None = None,
) -> list[LogEntry]:
    """Admit (a retried message id is answered from the store before any limit), stamp with
    the server's clock, and run the turn (exactly once per id). `meta`: where to answer, for
    a channel the runtime pushes to."""
    context = request.app[CONTEXT]
    item = InboxItem.message(item_id, iso_time(context.clock()), text, payload, dict(meta or {}))
    refusal = context.admission.admit(key, request.remote or "")
    if refusal is not None:
        answered = await context.runtime.store.result(str(key), item.id)
        if answered is not None:
            context.runtime.metrics.duplicates.inc()
            return answered
        context.runtime.metrics.rejected.labels(refusal.reason).inc()
        raise RateLimited(refusal.message, refusal.retry_after)
    if context.debug:
        log.debug("message", extra={"session": str(key), "text": text})
    return await context.runtime.submit(key, item)
