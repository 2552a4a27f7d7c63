"""The admin API for tickets, as `theke tickets` does it from the terminal:

    GET  /admin/tickets?bot=&status=open,pending&limit=50&before=1042   newest first
    GET  /admin/tickets/{bot}/{number}                                  with its history
    POST /admin/tickets/{bot}/{number}/reply    {"agent": "anna", "text": "…"}   to the customer
    POST /admin/tickets/{bot}/{number}/note     {"agent": "anna", "text": "…"}   internal
    POST /admin/tickets/{bot}/{number}/status   {"agent": "anna", "status": "solved"}

Every call needs the admin key. A refused change (backwards, a closed ticket) is 409 with the
reason; an unknown number 404.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from framework.admin import (
    admin_bot,
    authorize,
    numbered_record,
    page_limit,
    status_filter,
    whole_number,
)
from framework.channels.common import json_object, string_field
from framework.errors import BadRequest, NotFound
from framework.stores.tickets import STATUSES, Ticket
from framework.tickets.web import TICKETS

__all__ = ["add_ticket_routes", "ticket_json"]

MAX_TEXT = 4096


def ticket_json(ticket: Ticket) -> dict[str, Any]:
    return ticket.head_json() | {"history": [event.to_json() for event in ticket.history]}


async def list_tickets(request: web.Request) -> web.Response:
    authorize(request)
    query = request.query
    bot = admin_bot(request, query.get("bot"))
    statuses = status_filter(query.get("status"), STATUSES)
    before = whole_number(query["before"], "before") if "before" in query else None
    limit = page_limit(query.get("limit", "50"))
    found = await request.app[TICKETS].store.list(bot, statuses, None, limit, before)
    return web.json_response({"tickets": [ticket.head_json() for ticket in found]})


async def show_ticket(request: web.Request) -> web.Response:
    authorize(request)
    bot, number = numbered_record(request, "ticket")
    ticket = await request.app[TICKETS].store.get(bot, number)
    if ticket is None:
        raise NotFound(f"no ticket {number} of {bot}")
    return web.json_response(ticket_json(ticket))


async def change_ticket(request: web.Request) -> web.Response:
    authorize(request)
    bot, number = numbered_record(request, "ticket")
    change = request.match_info["change"]
    body = await json_object(request)
    agent = string_field(body, "agent", 64)
    tickets = request.app[TICKETS]
    if change == "status":
        status = string_field(body, "status", 16)
        if status not in STATUSES:
            raise BadRequest(f"status is one of {', '.join(STATUSES)}")
        changed = await tickets.move(bot, number, status, agent)
    elif change in ("reply", "note"):
        text = string_field(body, "text", MAX_TEXT).strip()
        if not text:
            raise BadRequest("text is empty")
        act = tickets.reply if change == "reply" else tickets.note
        changed = await act(bot, number, agent, text)
    else:
        raise BadRequest(f"unknown change {change!r}: reply, note, status")
    return web.json_response(ticket_json(changed))


def add_ticket_routes(app: web.Application) -> None:
    router = app.router
    router.add_get("/admin/tickets", list_tickets)
    router.add_get("/admin/tickets/{bot}/{number}", show_ticket)
    router.add_post("/admin/tickets/{bot}/{number}/{change}", change_ticket)
