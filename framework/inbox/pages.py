"""The inbox's HTML pages: sign-in, the conversations (the queue, the agent's own, one open),
the tickets and one ticket. Rendered on the server with autoescaping (a customer's words are
text, never markup), sent with the security headers of every page (edge/headers.py: scripts
and styles from this server only) and never cached.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from typing import Any

import jinja2
from aiohttp import web

from framework.admin import whole_number
from framework.edge.headers import nonce
from framework.errors import NotFound
from framework.inbox import auth, views
from framework.stores.agents import SignedIn
from framework.stores.tickets import CLOSED, PENDING, SOLVED, STATUSES
from framework.support.handoffs_web import MAX_TEXT

__all__ = [
    "STATIC_PREFIX",
    "conversation_page",
    "framed",
    "inbox_page",
    "login",
    "login_page",
    "ticket_page",
    "tickets_page",
]

STATIC_PREFIX = "/static/inbox"
TICKET_MOVES = {PENDING: "Waiting for the customer", SOLVED: "Solve", CLOSED: "Close"}
"""The status changes a ticket page offers (those ahead of the ticket's status)."""


@cache
def _templates() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("framework.inbox", "templates"), autoescape=True
    )


@cache
def framed(package: str) -> jinja2.Environment:
    """The templates of a page of the business area in another package (the calendar, the
    broadcasts), with the inbox's frame (base.html) beside them."""
    own = jinja2.PackageLoader(package, "templates")
    inbox = jinja2.PackageLoader("framework.inbox", "templates")
    return jinja2.Environment(loader=jinja2.ChoiceLoader([own, inbox]), autoescape=True)


def _when(moment: float) -> str:
    return datetime.fromtimestamp(moment, UTC).strftime("%Y-%m-%d %H:%M UTC")


def render(request: web.Request, template: str, status: int = 200, **values: Any) -> web.Response:
    page = _templates().get_template(template)
    body = page.render(
        static=STATIC_PREFIX, nonce=nonce(request), max_text=MAX_TEXT, when=_when, **values
    )
    response = web.Response(text=body, content_type="text/html", status=status)
    response.headers["Cache-Control"] = "no-store"
    return response


async def login_page(request: web.Request) -> web.Response:
    if await auth.current(request) is not None:
        raise web.HTTPSeeOther("/inbox")
    return render(request, "login.html", title="Sign in")


async def login(request: web.Request) -> web.Response:
    token, status, problem = await auth.sign_in(request)
    if not token:
        name = auth.field(await request.post(), "name")
        return render(
            request, "login.html", status, title="Sign in", problem=problem, name=name[:64]
        )
    answer = web.HTTPSeeOther("/inbox")
    auth.set_cookie(request, answer, token)
    raise answer


async def _conversations(
    request: web.Request, signed: SignedIn, opened: views.Conversation | None, **values: Any
) -> web.Response:
    queue, mine = await views.lists(request, signed.agent)
    title = f"{opened.customer} ({opened.channel})" if opened else "Conversations"
    return render(
        request,
        "inbox.html",
        values.pop("status", 200),
        title=title,
        agent=signed,
        section="conversations",
        live=True,
        queue=queue,
        mine=mine,
        c=opened,
        **values,
    )


async def inbox_page(request: web.Request) -> web.Response:
    signed = await auth.signed_in(request, page=True)
    return await _conversations(request, signed, None)


async def conversation_page(
    request: web.Request, problem: str = "", status: int = 200
) -> web.Response:
    """One conversation beside the lists (also the answer to a change refused without
    JavaScript: `problem` says why, with its `status`)."""
    signed = await auth.signed_in(request, page=True)
    bot, session = request.match_info["bot"], request.match_info["session"]
    opened = await views.conversation(request, signed.agent, bot, session)
    return await _conversations(request, signed, opened, problem=problem, status=status)


async def tickets_page(request: web.Request) -> web.Response:
    signed = await auth.signed_in(request, page=True)
    found = await views.tickets(request, signed.agent)
    return render(
        request, "tickets.html", title="Tickets", agent=signed, section="tickets", tickets=found
    )


def ticket_number(request: web.Request) -> int:
    number = whole_number(request.match_info["number"].lstrip("#"), "a ticket number")
    if number is None:
        raise NotFound("no such ticket")
    return number


async def ticket_page(request: web.Request, problem: str = "", status: int = 200) -> web.Response:
    signed = await auth.signed_in(request, page=True)
    bot = request.match_info["bot"]
    ticket = await views.ticket(request, signed.agent, bot, ticket_number(request))
    ahead = STATUSES[STATUSES.index(ticket.status) + 1 :]
    return render(
        request,
        "ticket.html",
        status,
        title=f"Ticket #{ticket.number}",
        agent=signed,
        section="tickets",
        t=ticket,
        href=request.path.rstrip("/"),
        actions=[(move, TICKET_MOVES[move]) for move in ahead],
        problem=problem,
    )
