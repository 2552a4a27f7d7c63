"""The contacts pages in the business area, for the inbox's admins (page_frame.py):

    GET  /inbox/contacts?bot=&tag=&purpose=&lang=&channel=&seen_since=&q=&after=
                                          a page of the bot's contacts, filtered as the admin
                                          API filters them (contact_views.py)
    GET  /inbox/contacts/{key}            one contact (framework/contacts/showing.py): what the
                                          contact store knows, each of its conversations with
                                          its channel, 24-hour window, consents now and ledger
    GET  /inbox/contacts/{key}/export     everything the stores hold of the customer, as a
                                          JSON download (framework/privacy/data.py `export`)
    GET  /inbox/contacts/{key}/delete     the confirmation: what is deleted and what is kept
    POST /inbox/contacts/{key}/delete     confirm=erase: `erase`, as the admin API's DELETE

`{key}` is the conversation's session key `bot:channel:customer`, percent-encoded, as in the
admin API. The export and the deletion are the privacy API's own functions on the same
stores (`PRIVACY`); the deletion needs the session's CSRF token and the confirmation's field,
and is logged with the admin's name and the conversation's pseudonym (never its key).
"""

from __future__ import annotations

import json
import logging

from aiohttp import web

from framework.channels.setup import OPENERS
from framework.contacts.asking import asked
from framework.contacts.listing import SCANNED
from framework.contacts.showing import shown
from framework.errors import BadRequest, ThekeError
from framework.inbox.auth import field
from framework.inbox.views import bots_of
from framework.logs import pseudonym
from framework.outreach import contact_views as views
from framework.outreach.page_frame import admin_changing, bot_of, render, signed_admin
from framework.outreach.web import CONSENTS
from framework.privacy.data import erase, export, parsed
from framework.privacy.web import PRIVACY
from framework.stores.agents import SignedIn
from framework.stores.records import SessionKey

__all__ = ["confirm_page", "contact_page", "contacts_page", "delete", "download"]

log = logging.getLogger("theke.contacts")

CHANNELS = sorted(OPENERS)
CONFIRM = "erase"
MAX_KEY = 1024


async def contacts_page(request: web.Request) -> web.Response:
    signed = await signed_admin(request)
    bot = bot_of(request, signed, request.query.get("bot", ""))
    filters = views.Filters.of(bot, request.query)
    problem, status, found = "", 200, None
    try:
        query = asked(bot, views.pairs(request.query.items()))
    except BadRequest as error:
        problem, status = f"Nothing is listed: {error}", 400
    else:
        contacts, consents = request.app[views.CONTACT_STORE], request.app[CONSENTS].store
        found = await views.listing(contacts, consents, bot, query)
    deleted = request.query.get(views.DONE) == "deleted"
    return render(
        request,
        signed,
        "contacts.html",
        status,
        title="Contacts",
        section="contacts",
        bot=bot,
        bots=bots_of(request, signed.agent),
        channels=CHANNELS,
        filters=filters,
        found=found,
        scanned=SCANNED,
        problem=problem,
        notice="The customer's data is deleted." if deleted else "",
    )


def _key(request: web.Request, signed: SignedIn) -> SessionKey:
    """The conversation the path names (400 when it is none; 404 when its bot is not the
    admin's)."""
    key = request.match_info["key"]
    try:
        if len(key) > MAX_KEY:
            raise BadRequest(f"a conversation's key has at most {MAX_KEY} characters")
        found = parsed(key)
    except ThekeError as error:
        raise BadRequest(f"{error} (see /inbox/contacts)") from None
    bot_of(request, signed, found.bot)
    return found


async def contact_page(request: web.Request) -> web.Response:
    signed = await signed_admin(request)
    key = _key(request, signed)
    found = await shown(request.app[views.CONTACT_STORE], request.app[CONSENTS].store, key)
    return render(
        request,
        signed,
        "contact.html",
        title=f"Contact {key.customer} ({key.channel})",
        section="contacts",
        c=found,
        href=views.contact_href(str(key)),
        now=request.app[PRIVACY].clock(),
        back=views.Filters(key.bot).cleared,
    )


async def download(request: web.Request) -> web.Response:
    signed = await signed_admin(request)
    key = _key(request, signed)
    found = await export(request.app[PRIVACY].stores, str(key))
    body = json.dumps(found, ensure_ascii=False, indent=2)
    name = f"theke-export-{key.bot}-{key.channel}-{pseudonym(str(key))}.json"
    answer = web.Response(text=body, content_type="application/json")
    answer.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    answer.headers["Cache-Control"] = "no-store"
    return answer


async def confirm_page(request: web.Request) -> web.Response:
    signed = await signed_admin(request)
    key = _key(request, signed)
    return render(
        request,
        signed,
        "contact_delete.html",
        title=f"Delete {key.customer} ({key.channel})",
        section="contacts",
        key=key,
        href=views.contact_href(str(key)),
    )


async def delete(request: web.Request) -> web.Response:
    signed, form = await admin_changing(request)
    key = _key(request, signed)
    if field(form, "confirm") != CONFIRM:
        raise BadRequest("Confirm the deletion on its page first: nothing was deleted.")
    privacy = request.app[PRIVACY]
    await erase(privacy.stores, str(key), privacy.clock())
    log.info("contact erased", extra={"agent": signed.agent.name, "ref": pseudonym(str(key))})
    raise web.HTTPSeeOther(views.Filters(key.bot).link(**{views.DONE: "deleted"}))
