"""The broadcasts API: the business's offers and news to every customer who agreed to them.

    POST /admin/broadcasts                 {"bot": "salon", "text": "spring_offer",
                                            "values": {"discount": "20 %"},
                                            "purpose": "marketing", "lang": "de",
                                            "segment": {"tags": {"all": ["vip"]}}}  → 201
                                           ("segment": "vips": the bot's saved segment of
                                           that name, copied into the broadcast)
    GET  /admin/broadcasts/{id}            its status and counts, and its `results`: sent,
                                           delivered, read, failed by reason, replies, opt_outs
    POST /admin/broadcasts/{id}/preview    how many it would reach now, by channel; its text
    POST /admin/broadcasts/{id}/send       draft → sending (the workers' loop sends it); with
                                           {"at": "2026-12-10T09:00:00+01:00"} → scheduled
                                           (no offset: the bot's time zone), moved when
                                           scheduled already; without, a scheduled one goes now
    POST /admin/broadcasts/{id}/pause      sending → paused, at its cursor
    POST /admin/broadcasts/{id}/resume     paused → sending, from its cursor
    POST /admin/broadcasts/{id}/cancel     never sent any further

Every call needs the admin key (Authorization: Bearer <key>). `purpose` is `marketing` (the
default) or `notify:<topic>`; only conversations holding that consent get it, and of those
only the ones its `segment` admits (framework/stores/segments.py: tags, languages, channels,
orders, last seen; or the name of a saved segment, whose definition is copied into it when
it is made: framework/outreach/segment_choice.py), and with `whatsapp_template` it goes to
WhatsApp holders as that approved template (framework/broadcasts/whatsapp_template.py). A
text the bot does not have, values out of bounds, a purpose, language, segment or template of
another shape, a saved segment the bot does not have: 400 with the reason. An
action the status does not allow (pause a draft): 409. A start time that is no ISO 8601 date
and time, is past or more than 90 days ahead: 400 with the reason (framework/broadcasts/
schedule.py).
"""

from __future__ import annotations

import re
from typing import Any

from aiohttp import web

from framework.admin import admin_bot, authorize
from framework.broadcasts.service import Broadcasts
from framework.broadcasts.whatsapp_template import checked_template
from framework.channels.common import json_object, string_field
from framework.errors import BadRequest, NotFound
from framework.flows.model import Bot
from framework.outreach.segment_choice import SAVED_SEGMENTS, segment_for
from framework.outreach.web import NOTIFY_BOTS, checked_notice
from framework.stores.broadcasts import ACTIONS, Broadcast, Results
from framework.stores.consents import MARKETING, NOTIFY

__all__ = [
    "BROADCASTS",
    "add_broadcast_routes",
    "checked_broadcast",
    "shown",
    "with_results",
]

BROADCASTS = web.AppKey("broadcasts", Broadcasts)
_LANG = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})?")
_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")


def checked_broadcast(
    bot: Bot, purpose: str, text: str, values: Any, lang: str
) -> tuple[str, str, dict[str, str], str]:
    """A broadcast's purpose, text, values and language, or BadRequest naming what is wrong
    (the text and values checked as a notification's)."""
    if purpose != MARKETING and not purpose.startswith(NOTIFY):
        raise BadRequest("purpose: marketing or notify:<topic>")
    topic = purpose.removeprefix(NOTIFY) if purpose != MARKETING else MARKETING
    if lang and not _LANG.fullmatch(lang):
        raise BadRequest("lang: a language code such as de, en or pt-BR (none: everyone)")
    notification = purpose != MARKETING
    _, text, told, _ = checked_notice(
        bot, topic, text, values, "broadcast", notification=notification
    )
    return purpose, text, told, lang


def shown(broadcast: Broadcast, results: Results | None = None) -> dict[str, Any]:
    """A broadcast as the API and `theke broadcast status --json` show it (the status with its
    results)."""
    found = broadcast.to_json()
    if results is not None:
        found["results"] = results.to_json()
    return found


async def with_results(broadcasts: Broadcasts, broadcast_id: str) -> dict[str, Any]:
    """A broadcast's status: the broadcast and its results so far."""
    broadcast = await broadcasts.get(broadcast_id)
    return shown(broadcast, await broadcasts.store.results(broadcast_id))


async def create(request: web.Request) -> web.Response:
    authorize(request)
    body = await json_object(request)
    name = admin_bot(request, string_field(body, "bot", 64))
    bot = request.app[NOTIFY_BOTS][name]
    purpose = body.get("purpose", MARKETING)
    lang = body.get("lang", "")
    if not isinstance(purpose, str) or not isinstance(lang, str) or len(purpose) > 210:
        raise BadRequest("purpose and lang: strings (purpose: marketing or notify:<topic>)")
    parts = checked_broadcast(
        bot, purpose, string_field(body, "text", 64), body.get("values") or {}, lang
    )
    purpose, text, values, lang = parts
    segment = await segment_for(request.app[SAVED_SEGMENTS], name, body.get("segment"))
    template = checked_template(bot, purpose, values, lang, body.get("whatsapp_template"))
    broadcasts = request.app[BROADCASTS]
    made = await broadcasts.create(name, text, values, purpose, lang, segment, template)
    return web.json_response(shown(made), status=201)


def _id(request: web.Request) -> str:
    broadcast_id = request.match_info["id"]
    if not _ID.fullmatch(broadcast_id):
        raise NotFound(f"no broadcast {broadcast_id[:64]!r}")
    return broadcast_id


async def status(request: web.Request) -> web.Response:
    authorize(request)
    return web.json_response(await with_results(request.app[BROADCASTS], _id(request)))


async def act(request: web.Request) -> web.Response:
    authorize(request)
    broadcasts, broadcast_id = request.app[BROADCASTS], _id(request)
    action = request.match_info["action"]
    if action == "preview":
        return web.json_response(await broadcasts.preview(broadcast_id))
    if action not in ACTIONS:
        raise NotFound(f"no action {action[:20]!r}: preview, {', '.join(ACTIONS)}")
    if action == "send" and await request.read():  # a body: when it starts
        body = await json_object(request)
        if set(body) - {"at"}:
            raise BadRequest("send takes at most 'at': when it starts (none: now)")
        if "at" in body:
            return web.json_response(shown(await broadcasts.schedule(broadcast_id, body["at"])))
    return web.json_response(shown(await broadcasts.act(broadcast_id, action)))


def add_broadcast_routes(app: web.Application) -> None:
    app.router.add_post("/admin/broadcasts", create)
    app.router.add_get("/admin/broadcasts/{id}", status)
    app.router.add_post("/admin/broadcasts/{id}/{action}", act)
