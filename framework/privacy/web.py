"""One customer's data through the admin API, as `theke contacts` does from the terminal:

    GET    /admin/contacts/{key}/export   everything the stores hold of the customer (JSON)
    DELETE /admin/contacts/{key}          erase it (data.py says what is deleted and kept)

`{key}` is the conversation's session key `bot:channel:customer`, percent-encoded. Every call
needs the admin key; a key that names no conversation of a served bot is 400. The list of
contacts and one contact's view are framework/contacts/web.py's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from aiohttp import web

from framework.admin import BOTS, authorize
from framework.errors import BadRequest, ThekeError
from framework.privacy.data import Stores, erase, export, parsed
from framework.stores.contact_rules import MAX_CONVERSATION
from framework.stores.records import SessionKey

__all__ = ["PRIVACY", "Privacy", "add_privacy_routes", "conversation_key"]


@dataclass(frozen=True, slots=True)
class Privacy:
    """The served stores that hold customers' data, and the app's clock."""

    stores: Stores
    clock: Callable[[], float]


PRIVACY = web.AppKey("privacy", Privacy)


def conversation_key(request: web.Request) -> SessionKey:
    """The conversation `{key}` names: 400 when it is none, or of a bot not served here."""
    key = request.match_info["key"]
    try:
        if len(key) > MAX_CONVERSATION:
            raise ThekeError(f"a conversation's key has at most {MAX_CONVERSATION} characters")
        found = parsed(key)
    except ThekeError as error:
        raise BadRequest(str(error)[:300]) from None
    if found.bot not in request.app[BOTS]:
        raise BadRequest(f"{found.bot[:64]!r} is not a bot of this server")
    return found


async def export_contact(request: web.Request) -> web.Response:
    authorize(request)
    return web.json_response(
        await export(request.app[PRIVACY].stores, str(conversation_key(request)))
    )


async def erase_contact(request: web.Request) -> web.Response:
    authorize(request)
    privacy = request.app[PRIVACY]
    return web.json_response(
        await erase(privacy.stores, str(conversation_key(request)), privacy.clock())
    )


def add_privacy_routes(app: web.Application) -> None:
    app.router.add_get("/admin/contacts/{key}/export", export_contact)
    app.router.add_delete("/admin/contacts/{key}", erase_contact)
