"""Signing in to the agent inbox, and what every other inbox route checks.

A sign-in checks the name and password with the agent store (scrypt; MAX_ATTEMPTS tries lock
the name for a while, whatever the password) and answers one message for a wrong name and a
wrong password alike. It sets the session cookie: the token only, HttpOnly (no script reads
it), SameSite=Strict (no other site's page sends it), Secure when the page came over HTTPS
(directly or through a proxy saying X-Forwarded-Proto: https), a browser-session cookie whose
token the store honours DEFAULT_TTL at most. The store keeps only the token's hash.

Every inbox route but the sign-in page needs a live session (`signed_in`): a page without one
is sent to the sign-in page, anything else is refused 401. Every change (`changing`) also
needs the session's CSRF token, in the X-CSRF-Token header or the form's `csrf` field, and a
browser's Origin of this site: without them it is refused 403 before anything is done.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web
from multidict import MultiDictProxy

from framework.channels.common import CONTEXT
from framework.edge.origins import check_origin
from framework.errors import Forbidden, Unauthorized
from framework.stores.agents import AgentStore, SignedIn, TooManyAttempts

__all__ = [
    "AGENTS",
    "COOKIE",
    "CSRF_HEADER",
    "Form",
    "changing",
    "sign_in",
    "sign_out",
    "signed_in",
]

AGENTS: web.AppKey[AgentStore] = web.AppKey("inbox_agents")
Form = MultiDictProxy[Any]
"""A posted form (its values are text: the inbox's forms upload no file)."""
COOKIE = "theke_inbox"
CSRF_HEADER = "X-CSRF-Token"
LOGIN = "/inbox/login"
MAX_FIELD = 1024
"""Characters of a sign-in field (a longer password is no agent's: the store allows 1024)."""
WRONG = "The name or the password is wrong."


async def current(request: web.Request) -> SignedIn | None:
    token = request.cookies.get(COOKIE)
    if not token:
        return None
    return await request.app[AGENTS].session(token, request.app[CONTEXT].clock())


async def signed_in(request: web.Request, page: bool = False) -> SignedIn:
    """The signed-in agent; a page (`page`) without one goes to the sign-in page."""
    found = await current(request)
    if found is not None:
        return found
    if page:
        raise web.HTTPSeeOther(LOGIN)
    raise Unauthorized("sign in to the agent inbox first (/inbox/login)")


async def changing(request: web.Request) -> tuple[SignedIn, Form]:
    """The agent and the form of a change, after its CSRF token and Origin were checked."""
    agent = await signed_in(request)
    check_origin(request)
    form = await request.post()
    sent = request.headers.get(CSRF_HEADER) or form.get("csrf")
    if not agent.csrf_ok(sent):
        raise Forbidden("this change lacks the page's CSRF token: reload the page and try again")
    return agent, form


def field(form: Form, name: str) -> str:
    value = form.get(name)
    return value[:MAX_FIELD] if isinstance(value, str) else ""


async def sign_in(request: web.Request) -> tuple[str, int, str]:
    """Checks the sign-in form: the session's token (or ""), the answer's status and what the
    page says."""
    check_origin(request)
    form = await request.post()
    name, password = field(form, "name").strip(), field(form, "password")
    store, now = request.app[AGENTS], request.app[CONTEXT].clock()
    try:
        agent = await store.verify(name, password, now)
    except TooManyAttempts as error:
        minutes = max(1, round(error.retry_after / 60))
        locked = f"Too many attempts for this name. Try again in {minutes} minutes, or ask an admin"
        return "", 429, f"{locked} to set a new password."
    if agent is None:
        return "", 401, WRONG
    token, _ = await store.start_session(agent.name, now)
    return token, 303, ""


def set_cookie(request: web.Request, response: web.StreamResponse, token: str) -> None:
    secure = request.secure or request.headers.get("X-Forwarded-Proto", "") == "https"
    response.set_cookie(
        COOKIE, token, path="/inbox", httponly=True, secure=secure, samesite="Strict"
    )


async def sign_out(request: web.Request) -> web.StreamResponse:
    await changing(request)
    await request.app[AGENTS].end_session(request.cookies.get(COOKIE, ""))
    answer = web.HTTPSeeOther(LOGIN)
    answer.del_cookie(COOKIE, path="/inbox")
    raise answer
