"""The segments pages in the business area, for the inbox's admins (page_frame.py):

    GET  /inbox/segments?bot=                    the bot's saved segments, what each asks for
                                                 in words, and the form to make or replace one
    POST /inbox/segments                         save: bot, name, description, definition
                                                 (JSON, as the admin API takes it)
    GET  /inbox/segments/{bot}/{name}?purpose=   one: its definition and its audience now, by
                                                 channel, for a purpose (marketing unless named)
    POST /inbox/segments/{bot}/{name}/delete     forget it (broadcasts made with it keep theirs)

Everything goes through the store and the checks the admin API uses (segments_web.py,
saved_segments.py `saved`, segment_choice.py `audience`): a page refuses what the API
refuses, with the same reason, and shows the form again as it was sent (nothing changed). Every
form works without JavaScript and a change carries the session's CSRF token, checked with the
browser's Origin first.
"""

from __future__ import annotations

import json
from urllib.parse import quote, urlencode

from aiohttp import web

from framework.channels.common import CONTEXT
from framework.errors import BadRequest, NotFound
from framework.inbox.auth import Form, field
from framework.inbox.views import bots_of
from framework.outreach.broadcasts_web import BROADCASTS
from framework.outreach.page_frame import admin_changing, bot_of, render, signed_admin
from framework.outreach.segment_choice import SAVED_SEGMENTS, audience
from framework.stores.agents import SignedIn
from framework.stores.consents import MARKETING
from framework.stores.saved_segments import (
    MAX_DESCRIPTION,
    SavedSegment,
    SavedSegmentError,
    TooManySegments,
    check_name,
    saved,
)

__all__ = ["PAGE", "delete", "href", "save", "segment_page", "segments_page"]

PAGE = "/inbox/segments"
MOST_DEFINITION = 4000
"""Characters of the definition field at most."""
EXAMPLE = '{"tags": {"any": ["vegetarian", "vegan"]}, "no_order_days": 30}'
_DONE = {
    "saved": "Saved. A broadcast made with it from now on gets this definition.",
    "deleted": "Deleted. Broadcasts made with it keep their copy.",
}


def href(segment: SavedSegment, **query: str) -> str:
    path = f"{PAGE}/{quote(segment.bot, safe='')}/{quote(segment.name, safe='')}"
    return f"{path}?{urlencode(query)}" if query else path


def _sent(form: Form | None) -> dict[str, str]:
    """The form as it was sent (shown again when it is refused)."""
    if form is None:
        return dict.fromkeys(("name", "description", "definition"), "")
    definition = form.get("definition")
    return {
        "name": field(form, "name"),
        "description": field(form, "description"),
        "definition": definition[:MOST_DEFINITION] if isinstance(definition, str) else "",
    }


async def segments_page(
    request: web.Request, problem: str = "", status: int = 200, form: Form | None = None
) -> web.Response:
    """The bot's saved segments and the form (also the answer to a refused save: `problem`
    with its `status`, the form as it was sent)."""
    signed = await signed_admin(request)
    posted = field(form, "bot") if form is not None else ""
    bot = bot_of(request, signed, request.query.get("bot", "") or posted)
    done = "" if problem else _DONE.get(request.query.get("done", ""), "")
    return render(
        request,
        signed,
        "segments.html",
        status,
        title="Segments",
        section="segments",
        bot=bot,
        bots=bots_of(request, signed.agent),
        segments=await request.app[SAVED_SEGMENTS].of_bot(bot),
        href=href,
        problem=problem,
        notice=done,
        sent=_sent(form),
        example=EXAMPLE,
        most_description=MAX_DESCRIPTION,
    )


def _definition(form: Form) -> object:
    written = _sent(form)["definition"].strip()
    if len(str(form.get("definition", ""))) > MOST_DEFINITION:
        raise BadRequest(f"Definition: at most {MOST_DEFINITION} characters.")
    try:
        return json.loads(written) if written else {}
    except ValueError:
        raise BadRequest(f"Definition: JSON, e.g. {EXAMPLE}, or {{}} for every holder.") from None


async def save(request: web.Request) -> web.Response:
    signed, form = await admin_changing(request)
    bot = bot_of(request, signed, field(form, "bot"))
    sent, now = _sent(form), request.app[CONTEXT].clock()
    try:
        new = saved(bot, sent["name"], _definition(form), sent["description"], now)
        kept = await request.app[SAVED_SEGMENTS].save(new)
    except TooManySegments as error:
        return await segments_page(request, f"{error}.", 409, form)
    except (BadRequest, SavedSegmentError) as error:
        return await segments_page(request, f"{error}.", 400, form)
    raise web.HTTPSeeOther(href(kept, done="saved"))


async def _segment(request: web.Request, signed: SignedIn) -> SavedSegment:
    """The saved segment the path names, of a bot the admin works (else 404)."""
    bot = bot_of(request, signed, request.match_info["bot"])
    try:
        found = await request.app[SAVED_SEGMENTS].get(bot, check_name(request.match_info["name"]))
    except SavedSegmentError:
        found = None
    if found is None:
        raise NotFound(f"no such segment here: see {PAGE}")
    return found


async def segment_page(request: web.Request) -> web.Response:
    signed = await signed_admin(request)
    found = await _segment(request, signed)
    purpose, problem, status = request.query.get("purpose", "") or MARKETING, "", 200
    broadcasts = request.app[BROADCASTS]
    try:
        preview = await audience(broadcasts, found, purpose[:210])
    except BadRequest as error:
        problem, status = f"{error}.", 400
        preview = await audience(broadcasts, found, MARKETING)
    return render(
        request,
        signed,
        "segment.html",
        status,
        title=f"Segment {found.name}",
        section="segments",
        s=found,
        preview=preview,
        asked=purpose[:210],
        href=href(found),
        problem=problem,
        notice="" if problem else _DONE.get(request.query.get("done", ""), ""),
        definition=json.dumps(found.definition, ensure_ascii=False, indent=1),
    )


async def delete(request: web.Request) -> web.Response:
    signed, _ = await admin_changing(request)
    found = await _segment(request, signed)
    await request.app[SAVED_SEGMENTS].delete(found.bot, found.name)
    raise web.HTTPSeeOther(f"{PAGE}?{urlencode({'bot': found.bot, 'done': 'deleted'})}")
