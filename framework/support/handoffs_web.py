"""The admin API for the human handoff, as `theke handoffs` does it from the terminal:

    GET  /admin/handoffs?bot=                       the queue (oldest first) and the held ones
    POST /admin/handoffs/{bot}/{session}/claim      {"agent": "anna"}   one agent wins a race
    POST /admin/handoffs/{bot}/{session}/say        {"agent": "anna", "text": "…"}
    POST /admin/handoffs/{bot}/{session}/slots      {"agent": "anna", "slots": {"size": "large"}}
    POST /admin/handoffs/{bot}/{session}/cart       {"agent": "anna", "add": {"item": "salami",
                                                     "options": ["large"], "quantity": 2}},
                                                    {"agent": "anna", "line": 3, "quantity": 1}
                                                    or {"agent": "anna", "remove": 3}
    POST /admin/handoffs/{bot}/{session}/release    {"agent": "anna"}   back to the queue
    POST /admin/handoffs/{bot}/{session}/return     {"agent": "anna"}   back to the bot
    POST /admin/handoffs/{bot}/{session}/close      {"agent": "anna"}

`session` is the conversation's key as the list shows it (percent-encoded in the path). Every
call needs the admin key; another agent's claim is 409 naming the holder. A cart change the
catalog or the cart cannot take is 400 saying why, and nothing is sent (cart_changes.py).
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from framework.admin import admin_bot, authorize
from framework.channels.common import CONTEXT, json_object, string_field
from framework.errors import BadRequest
from framework.handoffs.web import HANDOFFS
from framework.stores.handoffs import CLOSED, RETURNED
from framework.support.cart_changes import agent_changes_cart

__all__ = ["add_handoff_routes"]

MAX_TEXT = 4096
ENDINGS = {"return": RETURNED, "close": CLOSED}


async def list_handoffs(request: web.Request) -> web.Response:
    authorize(request)
    bot = admin_bot(request, request.query.get("bot"))
    store = request.app[HANDOFFS].store
    found = [*await store.queue(bot), *await store.held(bot)]
    return web.json_response({"handoffs": [handoff.to_json() for handoff in found]})


async def act(request: web.Request) -> web.Response:
    authorize(request)
    bot = admin_bot(request, request.match_info["bot"])
    session, action = request.match_info["session"], request.match_info["action"]
    body = await json_object(request)
    agent = string_field(body, "agent", 64)
    handoffs = request.app[HANDOFFS]
    if action == "say":
        text = string_field(body, "text", MAX_TEXT).strip()
        if not text:
            raise BadRequest("text is empty")
        await handoffs.say(bot, session, agent, text)
        return web.json_response({"sent": True})
    if action == "slots":
        await handoffs.change(bot, session, agent, _slots(body))
        return web.json_response({"sent": True})
    if action == "cart":
        change = {name: value for name, value in body.items() if name != "agent"}
        runtime, served = request.app[CONTEXT].runtime, request.app[CONTEXT].bots[bot]
        done = await agent_changes_cart(
            handoffs, runtime.store, served, session, agent, change, runtime.drain
        )
        return web.json_response({"sent": True, "change": done})
    if action == "claim":
        handoff = await handoffs.claim(bot, session, agent)
    elif action == "release":
        handoff = await handoffs.release(bot, session, agent)
    elif action in ENDINGS:
        handoff = await handoffs.end(bot, session, agent, ENDINGS[action])
    else:
        raise BadRequest(
            f"unknown action {action!r}: claim, say, slots, cart, release, return, close"
        )
    return web.json_response(handoff.to_json())


MAX_SLOTS = 50


def _slots(body: dict[str, Any]) -> dict[str, Any]:
    """Slot values as stored (the bot refuses what its slots cannot hold, and records it)."""
    slots = body.get("slots")
    if not isinstance(slots, dict) or not slots or len(slots) > MAX_SLOTS:
        raise BadRequest(f"slots is an object of 1 to {MAX_SLOTS} slot values")
    return slots


def add_handoff_routes(app: web.Application) -> None:
    app.router.add_get("/admin/handoffs", list_handoffs)
    app.router.add_post("/admin/handoffs/{bot}/{session}/{action}", act)
