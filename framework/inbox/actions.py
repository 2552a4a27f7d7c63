"""What an agent does from the inbox, through the same services the admin API uses:

    POST /inbox/c/{bot}/{session}/claim      Handoffs.claim: of two agents at once, one wins
    POST /inbox/c/{bot}/{session}/say        Handoffs.say: text to the customer's channel
    POST /inbox/c/{bot}/{session}/slots      Handoffs.change: one slot (slot=, value=)
    POST /inbox/c/{bot}/{session}/cart       Handoffs.change_cart: add an item (item=, options=
                                             any number, quantity=) or change a line (line=,
                                             quantity=; 0 removes it)
    POST /inbox/c/{bot}/{session}/release    Handoffs.release: back to the front of the queue
    POST /inbox/c/{bot}/{session}/return     Handoffs.end returned: the bot goes on
    POST /inbox/c/{bot}/{session}/close      Handoffs.end closed
    POST /inbox/tickets/{bot}/{number}/reply|note|pending|solved|closed   Tickets

Each needs the signed-in agent, its CSRF token and a bot the agent works (auth.changing,
views.may_work). The page's script asks for JSON (Accept: application/json): {"notice": …}
or {"error": …} with the status. A plain form post is answered like a page: a redirect back,
or the page again with what was refused.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from framework.channels.common import CONTEXT
from framework.errors import BadRequest, NotFound
from framework.handoffs.web import HANDOFFS
from framework.inbox import auth, pages, views
from framework.inbox.auth import Form
from framework.stores.agents import Agent
from framework.stores.handoffs import (
    CLOSED,
    RETURNED,
    HandoffError,
    HandoffNotFound,
    HandoffTaken,
)
from framework.stores.tickets import STATUSES, TicketError, TicketNotFound
from framework.support.cart_changes import agent_changes_cart
from framework.support.handoffs_web import MAX_TEXT
from framework.tickets.web import TICKETS

__all__ = ["act", "change_ticket"]

Action = Callable[[web.Request, Agent, str, str, Form], Awaitable[str]]


def _text(form: Form, name: str = "text") -> str:
    value = form.get(name)
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        raise BadRequest("Write something first: the message is empty.")
    if len(text) > MAX_TEXT:
        raise BadRequest(f"The message is too long: at most {MAX_TEXT} characters.")
    return text


async def _claim(request: web.Request, agent: Agent, bot: str, session: str, form: Form) -> str:
    await request.app[HANDOFFS].claim(bot, session, agent.name)
    return "You hold the conversation now: the bot is silent until you hand it back."


async def _say(request: web.Request, agent: Agent, bot: str, session: str, form: Form) -> str:
    await request.app[HANDOFFS].say(bot, session, agent.name, _text(form))
    return "Sent to the customer."


async def _slots(request: web.Request, agent: Agent, bot: str, session: str, form: Form) -> str:
    name, value = auth.field(form, "slot").strip(), auth.field(form, "value").strip()
    slots = request.app[CONTEXT].bots[bot].slots
    if name not in slots:
        known = ", ".join(sorted(slots)) or "none"
        raise BadRequest(f"The bot has no slot {name[:64]!r}; its slots: {known}.")
    await request.app[HANDOFFS].change(bot, session, agent.name, {name: value or None})
    return f"{name} is set; the bot goes on from it once you hand the conversation back."


async def _cart(request: web.Request, agent: Agent, bot: str, session: str, form: Form) -> str:
    context = request.app[CONTEXT]
    handoffs, runtime, served = request.app[HANDOFFS], context.runtime, context.bots[bot]
    change = _cart_change(form)
    done = await agent_changes_cart(
        handoffs, runtime.store, served, session, agent.name, change, runtime.drain
    )
    return f"Cart: {done}. The bot goes on from it once you hand the conversation back."


def _cart_change(form: Form) -> dict[str, Any]:
    """The cart change the form names (checked by cart_changes.py)."""
    item, line = auth.field(form, "item").strip(), auth.field(form, "line").strip()
    quantity = auth.field(form, "quantity").strip() or "1"
    if item:
        options = [option for option in form.getall("options", []) if isinstance(option, str)]
        return {"add": {"item": item, "options": options, "quantity": quantity}}
    if not line:
        raise BadRequest("Choose an item to add or a line of the cart to change.")
    return {"remove": line} if quantity == "0" else {"line": line, "quantity": quantity}


async def _release(request: web.Request, agent: Agent, bot: str, session: str, form: Form) -> str:
    await request.app[HANDOFFS].release(bot, session, agent.name)
    return "Back at the front of the queue, for another agent."


async def _return(request: web.Request, agent: Agent, bot: str, session: str, form: Form) -> str:
    await request.app[HANDOFFS].end(bot, session, agent.name, RETURNED)
    return "Returned to the bot: the flow goes on where it stopped."


async def _close(request: web.Request, agent: Agent, bot: str, session: str, form: Form) -> str:
    await request.app[HANDOFFS].end(bot, session, agent.name, CLOSED)
    return "Closed."


ACTIONS: dict[str, Action] = {
    "claim": _claim,
    "say": _say,
    "slots": _slots,
    "cart": _cart,
    "release": _release,
    "return": _return,
    "close": _close,
}


def _wants_json(request: web.Request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _refusal(error: Exception) -> tuple[str, int]:
    if isinstance(error, HandoffTaken):
        return f"Taken by {error.holder}: they claimed it first. Pick another one.", 409
    if isinstance(error, HandoffNotFound | TicketNotFound):
        return str(error), 404
    return str(error), 400 if isinstance(error, BadRequest) else 409


async def act(request: web.Request) -> web.Response:
    signed, form = await auth.changing(request)
    bot, session = request.match_info["bot"], request.match_info["session"]
    action = ACTIONS.get(request.match_info["action"])
    if action is None:
        raise NotFound("no such action: claim, say, slots, cart, release, return, close")
    views.may_work(request, signed.agent, bot)
    try:
        notice = await action(request, signed.agent, bot, session, form)
    except (HandoffError, BadRequest) as error:
        problem, status = _refusal(error)
        if _wants_json(request):
            return web.json_response({"error": problem}, status=status)
        return await pages.conversation_page(request, problem, status)
    if _wants_json(request):
        return web.json_response({"notice": notice})
    raise web.HTTPSeeOther(views.conversation_href(bot, session))


async def _change(request: web.Request, agent: Agent, bot: str, number: int, form: Form) -> None:
    tickets, change = request.app[TICKETS], request.match_info["change"]
    if change in ("reply", "note"):
        act = tickets.reply if change == "reply" else tickets.note
        await act(bot, number, agent.name, _text(form))
    elif change in STATUSES:
        await tickets.move(bot, number, change, agent.name)
    else:
        raise NotFound("no such change: reply, note, pending, solved, closed")


async def change_ticket(request: web.Request) -> web.Response:
    signed, form = await auth.changing(request)
    bot, number = request.match_info["bot"], pages.ticket_number(request)
    views.may_work(request, signed.agent, bot)
    try:
        await _change(request, signed.agent, bot, number, form)
    except (TicketError, BadRequest) as error:
        problem, status = _refusal(error)
        return await pages.ticket_page(request, problem, status)
    raise web.HTTPSeeOther(request.path.rsplit("/", 1)[0])
