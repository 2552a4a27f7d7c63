"""The broadcasts pages in the business area, for the inbox's admins (page_frame.py):

    GET  /inbox/broadcasts?bot=                  the bot's broadcasts and the form for a draft
    POST /inbox/broadcasts                       a draft: bot, purpose (marketing|notify),
                                                 topic, text, values (name=value lines), lang,
                                                 saved_segment (a name) or segment,
                                                 whatsapp_template (JSON, as the admin API
                                                 takes them)
    GET  /inbox/broadcasts/{id}                  one: its status, progress, preview and results
    POST /inbox/broadcasts/{id}/{action}         send, pause, resume, cancel; schedule (its
                                                 field `at`, in the bot's time zone)

Everything goes through the broadcasts service and the checks the admin API uses
(broadcasts_web.py: `checked_broadcast`; segment_choice.py: `segment_for`, a saved segment
chosen by name or one written as JSON; `Broadcasts.create|act|preview`):
a page refuses what the API refuses, with the same reason. Every form works without JavaScript
and carries the session's CSRF token; a change is answered with a redirect to the broadcast's
page, or the page again saying why it was refused (nothing changed then). While a broadcast
sends, its page looks at its progress every REFRESH seconds (static/outreach.js; the page's own
URL, the session cookie: no secret in a URL).
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from aiohttp import web

from framework.broadcasts.whatsapp_template import checked_template
from framework.channels.common import CONTEXT
from framework.errors import BadRequest, NotFound
from framework.inbox.auth import Form, field
from framework.inbox.views import bots_of
from framework.outreach import broadcast_views as views
from framework.outreach.broadcasts_web import BROADCASTS, checked_broadcast
from framework.outreach.page_frame import admin_changing, bot_of, render, signed_admin
from framework.outreach.segment_choice import SAVED_SEGMENTS, checked_segment, segment_for
from framework.outreach.web import MAX_VALUE, MAX_VALUES, NOTIFY_BOTS
from framework.stores.agents import SignedIn
from framework.stores.broadcasts import ACTIONS, Broadcast, BroadcastError, check_id
from framework.stores.consents import MARKETING, NOTIFY
from framework.stores.segments import Segment

__all__ = ["act", "broadcast_page", "broadcasts_page", "create"]

PAGE = "/inbox/broadcasts"
_DONE = {
    "created": "The draft is saved. Check the preview below, then send it.",
    "send": "You sent it: the server's workers hand it out, page by page.",
    "schedule": "Scheduled: it starts at its time by itself. Reload the page to see it start.",
    "pause": "Paused.",
    "resume": "Sending again, from where it stopped.",
    "cancel": "Cancelled: nothing more goes out.",
}
SCHEDULE = "schedule"
"""The page's action that gives a draft (or a scheduled broadcast) its time."""
MOST_AT = 100
"""Characters of the Schedule field read at most (what is longer is refused by its reason)."""
MOST_SEGMENT = 4000
"""Characters of the segment field at most."""
SEGMENT_EXAMPLE = '{"tags": {"any": ["vegetarian"]}, "no_order_days": 30}'
TEMPLATE_EXAMPLE = (
    '{"name": "spring_offer", "category": "marketing", "languages": {"de": "de"}, '
    '"parameters": ["discount"]}'
)
_MOST_VALUES = MAX_VALUES * (64 + MAX_VALUE + 2)
"""Characters of the values field at most (MAX_VALUES lines of a name and a value)."""


def href(broadcast_id: str) -> str:
    return f"{PAGE}/{quote(broadcast_id, safe='')}"


async def broadcasts_page(
    request: web.Request, problem: str = "", status: int = 200, form: Form | None = None
) -> web.Response:
    """The bot's broadcasts and the draft form (also the answer to a refused draft: `problem`
    with its `status`, the form filled in as it was sent)."""
    signed = await signed_admin(request)
    bot = bot_of(request, signed, request.query.get("bot", "") or _posted_bot(form))
    served = request.app[NOTIFY_BOTS][bot]
    return render(
        request,
        signed,
        "broadcasts.html",
        status,
        title="Broadcasts",
        section="broadcasts",
        bot=bot,
        bots=bots_of(request, signed.agent),
        languages=served.business.languages,
        texts=views.bot_texts(served),
        rows=await views.listed(request.app[BROADCASTS], bot),
        saved_segments=await request.app[SAVED_SEGMENTS].of_bot(bot),
        problem=problem,
        sent=_sent(form),
        segment_example=SEGMENT_EXAMPLE,
        template_example=TEMPLATE_EXAMPLE,
    )


def _posted_bot(form: Form | None) -> str:
    return field(form, "bot") if form is not None else ""


def _sent(form: Form | None) -> dict[str, str]:
    """The form as it was sent (shown again when it is refused)."""
    if form is None:
        return {"purpose": MARKETING} | dict.fromkeys(
            ("topic", "text", "lang", "values", "saved_segment", "segment", "whatsapp_template"),
            "",
        )
    names = ("purpose", "topic", "text", "lang", "saved_segment")
    return {name: field(form, name) for name in names} | {
        "values": _values_text(form),
        "segment": _long(form, "segment", MOST_SEGMENT),
        "whatsapp_template": _long(form, "whatsapp_template", MOST_SEGMENT),
    }


def _long(form: Form, name: str, most: int) -> str:
    value = form.get(name)
    return value[:most] if isinstance(value, str) else ""


def _values_text(form: Form) -> str:
    return _long(form, "values", _MOST_VALUES)


async def _segment(request: web.Request, bot: str, form: Form) -> Segment:
    """The saved segment chosen (its definition copied), or the segment field: JSON as the
    admin API takes it (both empty: every holder)."""
    example = f"Segment: JSON, e.g. {SEGMENT_EXAMPLE}, or nothing for everyone."
    written = _json_field(form, "segment", "Segment", example)
    named = field(form, "saved_segment")
    if not named:
        return checked_segment(written or {})
    if written:
        raise BadRequest("Segment: choose a saved segment or write one as JSON, not both.")
    return await segment_for(request.app[SAVED_SEGMENTS], bot, named)


def _json_field(form: Form, name: str, label: str, example: str) -> Any:
    """A field holding JSON as the admin API takes it (None: empty)."""
    written = _long(form, name, MOST_SEGMENT + 1).strip()
    if not written:
        return None
    if len(written) > MOST_SEGMENT:
        raise BadRequest(f"{label}: at most {MOST_SEGMENT} characters.")
    try:
        return json.loads(written)
    except ValueError:
        raise BadRequest(example) from None


def _values(form: Form) -> dict[str, str]:
    """The values field: one `name=value` a line (blank lines skipped)."""
    values: dict[str, str] = {}
    for line in _values_text(form).splitlines():
        if not line.strip():
            continue
        name, is_, value = line.partition("=")
        if not is_ or not name.strip():
            raise BadRequest(f"Values: one name=value a line, not {line[:40]!r}.")
        values[name.strip()] = value.strip()
    return values


def _purpose(form: Form) -> str:
    kind, topic = field(form, "purpose"), field(form, "topic").strip()
    if kind == MARKETING:
        return MARKETING
    if kind == "notify":
        return NOTIFY + topic
    raise BadRequest("Purpose: marketing, or a notification with its topic.")


async def create(request: web.Request) -> web.Response:
    signed, form = await admin_changing(request)
    bot = bot_of(request, signed, field(form, "bot"))
    served = request.app[NOTIFY_BOTS][bot]
    try:
        purpose, text, values, lang = checked_broadcast(
            served, _purpose(form), field(form, "text"), _values(form), field(form, "lang")
        )
        segment = await _segment(request, bot, form)
        example = f"WhatsApp template: JSON, e.g. {TEMPLATE_EXAMPLE}, or nothing for the text."
        data = _json_field(form, "whatsapp_template", "WhatsApp template", example)
        template = checked_template(served, purpose, values, lang, data)
    except BadRequest as error:
        return await broadcasts_page(request, str(error), 400, form)
    broadcasts = request.app[BROADCASTS]
    made = await broadcasts.create(bot, text, values, purpose, lang, segment, template)
    raise web.HTTPSeeOther(f"{href(made.id)}?done=created")


async def _broadcast(request: web.Request, signed: SignedIn) -> Broadcast:
    """The broadcast the path names, if it is of a bot the admin works (else 404)."""
    try:
        found = await request.app[BROADCASTS].get(check_id(request.match_info["id"]))
        bot_of(request, signed, found.bot)
    except (BroadcastError, NotFound):
        raise NotFound(f"no such broadcast here: see {PAGE}") from None
    return found


async def broadcast_page(
    request: web.Request, problem: str = "", status: int = 200
) -> web.Response:
    signed = await signed_admin(request)
    found = await _broadcast(request, signed)
    shown = await views.one(request.app[BROADCASTS], found, request.app[CONTEXT].clock())
    notice = "" if problem else _DONE.get(request.query.get("done", ""), "")
    return render(
        request,
        signed,
        "broadcast.html",
        status,
        title=f"Broadcast {found.id}",
        section="broadcasts",
        b=shown,
        href=href(found.id),
        refresh=views.REFRESH,
        notice=notice,
        problem=problem,
    )


async def act(request: web.Request) -> web.Response:
    signed, form = await admin_changing(request)
    found = await _broadcast(request, signed)
    action = request.match_info["action"]
    if action not in (*ACTIONS, SCHEDULE):
        raise NotFound(f"no action {action[:20]!r}: {', '.join(ACTIONS)}, {SCHEDULE}")
    service = request.app[BROADCASTS]
    try:
        if action == SCHEDULE:
            await service.schedule(found.id, _long(form, "at", MOST_AT))
        else:
            await service.act(found.id, action)
    except BadRequest as error:
        return await broadcast_page(request, f"Schedule: {str(error).removeprefix('at: ')}.", 400)
    except BroadcastError as error:
        return await broadcast_page(request, f"{error}.", 409)
    raise web.HTTPSeeOther(f"{href(found.id)}?done={action}")
