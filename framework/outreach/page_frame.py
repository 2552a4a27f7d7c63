"""What the business's broadcasts and contacts pages share: who may open them, and the frame
they are drawn in.

They live under /inbox because the agent inbox's session cookie does (its path is /inbox):
the same sign-in, cookie and CSRF checks (framework/inbox/auth.py) and the inbox's frame and
styles. They are for the inbox's **admins** only (`theke agents add NAME --admin`): a broadcast
writes to every customer who agreed to hear from the business, and a contact's page exports or
erases a customer's data, which is more than an agent who answers chats needs. An agent is
refused 403 with what to ask for; an admin limited to some bots (`--bots`) sees and changes
those bots' broadcasts and contacts only.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from framework.edge.headers import nonce
from framework.errors import Forbidden, NotFound
from framework.inbox import auth, pages, views
from framework.inbox.auth import Form
from framework.stores.agents import ADMIN, SignedIn

__all__ = [
    "NOT_ADMIN",
    "OWN_STATIC",
    "admin_changing",
    "bot_of",
    "render",
    "signed_admin",
    "when",
]

OWN_STATIC = "/static/outreach"
NOT_ADMIN = (
    "Broadcasts, segments and contacts are for the inbox's admins: ask an admin to give you an "
    "admin account (theke agents add NAME --admin)."
)


def _admin(signed: SignedIn) -> SignedIn:
    if signed.agent.role != ADMIN:
        raise Forbidden(NOT_ADMIN)
    return signed


async def signed_admin(request: web.Request) -> SignedIn:
    """The signed-in admin of a page (signed out: to the sign-in page; an agent: 403)."""
    return _admin(await auth.signed_in(request, page=True))


async def admin_changing(request: web.Request) -> tuple[SignedIn, Form]:
    """The admin and the form of a change, after its CSRF token and Origin were checked."""
    signed, form = await auth.changing(request)
    return _admin(signed), form


def bot_of(request: web.Request, signed: SignedIn, name: str) -> str:
    """The bot a page is about: `name`, else the admin's first; 404 for a bot this server does
    not serve to the admin (another bot's admin learns nothing of it)."""
    served = views.bots_of(request, signed.agent)
    chosen = name or next(iter(served), "")
    if chosen not in served:
        raise NotFound(f"no bot {chosen[:64]!r} here" if chosen else "no bot is served here")
    return chosen


def when(moment: float) -> str:
    if not moment:
        return "—"
    return datetime.fromtimestamp(moment, UTC).strftime("%Y-%m-%d %H:%M UTC")


def render(
    request: web.Request,
    signed: SignedIn,
    template: str,
    status: int = 200,
    **values: Any,
) -> web.Response:
    """A page in the inbox's frame (its styles, navigation, sign-out form and alert), never
    cached: it shows customers' data."""
    body = (
        pages.framed("framework.outreach")
        .get_template(template)
        .render(
            static=pages.STATIC_PREFIX,
            own=OWN_STATIC,
            nonce=nonce(request),
            agent=signed,
            when=when,
            **values,
        )
    )
    answer = web.Response(text=body, content_type="text/html", status=status)
    answer.headers["Cache-Control"] = "no-store"
    return answer
