"""The business's contacts through the admin API (the admin key on every call; errors through
the app's one error table, framework/edge):

    GET /admin/contacts?bot=&tag=&tag=&purpose=&lang=&channel=&seen_since=&q=&after=&limit=
        a page of the bot's contacts (asking.py says what each filter takes), as
        {"contacts": [...], "after": "<cursor>" | ""}: give `after` back for the next page
    GET /admin/contacts/{key}
        one contact (showing.py): its tags, answers, language, time zone, when seen and last
        ordered, and each conversation it joins with its channel, 24-hour window, consents now
        and whole consent ledger; 404 when the stores know nothing of it

`{key}` is a conversation's session key `bot:channel:customer`, percent-encoded. The export and
the deletion of one customer's data are framework/privacy/web.py's, on the same path.
"""

from __future__ import annotations

from aiohttp import web

from framework.admin import admin_bot, authorize, page_limit
from framework.contacts.asking import asked
from framework.contacts.listing import listed
from framework.contacts.showing import shown
from framework.errors import NotFound
from framework.privacy.web import PRIVACY, conversation_key

__all__ = ["add_contact_routes"]

LIMIT = "50"
"""Contacts a page lists unless `limit` says otherwise (1 to 500)."""


async def list_contacts(request: web.Request) -> web.Response:
    authorize(request)
    bot = admin_bot(request, request.query.get("bot"))
    query = asked(bot, request.query.items())
    limit = page_limit(request.query.get("limit", LIMIT))
    stores = request.app[PRIVACY].stores
    found = await listed(stores.contacts, bot, query.wanted, query.after, limit, stores.consents)
    return web.json_response(
        {"contacts": [contact.to_json() for contact in found.contacts], "after": found.after}
    )


async def show_contact(request: web.Request) -> web.Response:
    authorize(request)
    key = conversation_key(request)
    stores = request.app[PRIVACY].stores
    found = await shown(stores.contacts, stores.consents, key)
    if not found.known:
        raise NotFound(f"no contact {str(key)[:100]!r}: it never wrote nor agreed to anything")
    return web.json_response(found.to_json())


def add_contact_routes(app: web.Application) -> None:
    app.router.add_get("/admin/contacts", list_contacts)
    app.router.add_get("/admin/contacts/{key}", show_contact)
