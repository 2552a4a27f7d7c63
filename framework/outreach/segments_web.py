"""The saved segments API: a bot's segments kept by name, to choose for a broadcast.

    GET    /admin/segments?bot=pizza            {"bot", "segments": [...]} by name (at most 200)
    GET    /admin/segments/{bot}/{name}         one: bot, name, definition, description,
                                                created_at, updated_at, explained (in words)
    PUT    /admin/segments/{bot}/{name}         {"definition": {...}, "description": "..."}:
                                                made (201) or replaced (200)
    DELETE /admin/segments/{bot}/{name}         forgotten (broadcasts made with it keep theirs)
    POST   /admin/segments/{bot}/{name}/preview?purpose=marketing
                                                how many holders of the purpose it admits now,
                                                by channel, and how many it leaves out

Every call needs the admin key, as /admin/broadcasts. A name that is no segment's name, a
definition `Segment.parse` refuses, a description over 200 characters, a bot this server does
not serve: 400 with the reason; a name the bot has no segment of: 404; a new name for a bot
that keeps 200 already: 409. A broadcast names one with `"segment": "<name>"`
(segment_choice.py).
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from framework.admin import admin_bot, authorize
from framework.channels.common import CONTEXT, json_object
from framework.errors import BadRequest, NotFound
from framework.outreach.broadcasts_web import BROADCASTS
from framework.outreach.segment_choice import SAVED_SEGMENTS, audience
from framework.stores.consents import MARKETING
from framework.stores.saved_segments import SavedSegment, check_name, saved

__all__ = ["add_segment_routes", "described", "found_segment"]


def described(segment: SavedSegment) -> dict[str, Any]:
    """A saved segment as the API and `theke segments show --json` show it."""
    return segment.to_json() | {"explained": segment.segment.explained()}


def _path(request: web.Request) -> tuple[str, str]:
    bot = admin_bot(request, request.match_info["bot"])
    return bot, check_name(request.match_info["name"])


async def found_segment(request: web.Request) -> SavedSegment:
    bot, name = _path(request)
    found = await request.app[SAVED_SEGMENTS].get(bot, name)
    if found is None:
        raise NotFound(f"the bot {bot} has no saved segment {name!r}")
    return found


async def listed(request: web.Request) -> web.Response:
    authorize(request)
    bot = admin_bot(request, request.query.get("bot"))
    segments = await request.app[SAVED_SEGMENTS].of_bot(bot)
    return web.json_response({"bot": bot, "segments": [described(s) for s in segments]})


async def one(request: web.Request) -> web.Response:
    authorize(request)
    return web.json_response(described(await found_segment(request)))


async def put(request: web.Request) -> web.Response:
    authorize(request)
    bot, name = _path(request)
    body = await json_object(request)
    if set(body) - {"definition", "description"}:
        raise BadRequest("a saved segment takes definition and description")
    now = request.app[CONTEXT].clock()
    new = saved(bot, name, body.get("definition"), body.get("description", ""), now)
    store = request.app[SAVED_SEGMENTS]
    existed = await store.get(bot, name) is not None
    kept = await store.save(new)
    return web.json_response(described(kept), status=200 if existed else 201)


async def delete(request: web.Request) -> web.Response:
    authorize(request)
    bot, name = _path(request)
    if not await request.app[SAVED_SEGMENTS].delete(bot, name):
        raise NotFound(f"the bot {bot} has no saved segment {name!r}")
    return web.json_response({"bot": bot, "name": name, "deleted": True})


async def preview(request: web.Request) -> web.Response:
    authorize(request)
    found = await found_segment(request)
    purpose = request.query.get("purpose", MARKETING)
    return web.json_response(await audience(request.app[BROADCASTS], found, purpose))


def add_segment_routes(app: web.Application) -> None:
    one_path = "/admin/segments/{bot}/{name}"
    app.router.add_get("/admin/segments", listed)
    app.router.add_get(one_path, one)
    app.router.add_put(one_path, put)
    app.router.add_delete(one_path, delete)
    app.router.add_post(one_path + "/preview", preview)
