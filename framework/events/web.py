"""The admin API of business events: the undeliverable ones, and sending them again.

GET  /admin/events?limit=50        {"undeliverable": [{key, event, type, url, error, ...}]}
POST /admin/events/retry           {"keys": ["…"]} or {} for all listed: {"requeued": n}
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from framework.admin import authorize, whole_number
from framework.channels.common import json_object
from framework.errors import BadRequest
from framework.events.setup import EVENTS
from framework.stores.outbox import Entry

__all__ = ["add_event_routes", "entry_json"]

RETRY_ALL = 500
"""How many given-up entries a retry without keys puts back at once."""


def entry_json(entry: Entry) -> dict[str, Any]:
    """A given-up entry as the business reads it (its body is the event it would receive)."""
    return {
        "key": entry.key,
        "event": entry.event,
        "type": entry.type,
        "url": entry.url,
        "attempts": entry.attempts,
        "error": entry.error,
        "created_at": entry.created_at,
        "given_up_at": entry.done_at,
        "body": entry.body,
    }


async def list_undeliverable(request: web.Request) -> web.Response:
    authorize(request)
    limit = whole_number(request.query.get("limit", "50"), "limit")
    if limit is None or not 1 <= limit <= 500:
        raise BadRequest("limit is a number from 1 to 500")
    found = await request.app[EVENTS].events.outbox.undeliverable(limit)
    return web.json_response({"undeliverable": [entry_json(entry) for entry in found]})


async def retry(request: web.Request) -> web.Response:
    authorize(request)
    body = await json_object(request) if request.body_exists else {}
    keys = body.get("keys")
    outbox = request.app[EVENTS].events.outbox
    if keys is None:
        keys = [entry.key for entry in await outbox.undeliverable(RETRY_ALL)]
    if not isinstance(keys, list) or not all(isinstance(key, str) for key in keys):
        raise BadRequest('keys is a list of the keys GET /admin/events names, e.g. {"keys": ["…"]}')
    if len(keys) > RETRY_ALL:
        raise BadRequest(f"at most {RETRY_ALL} keys at once")
    clock = request.app[EVENTS].events.clock
    return web.json_response({"requeued": await outbox.requeue(keys, clock())})


def add_event_routes(app: web.Application) -> None:
    app.router.add_get("/admin/events", list_undeliverable)
    app.router.add_post("/admin/events/retry", retry)
