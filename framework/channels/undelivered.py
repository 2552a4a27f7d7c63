"""`GET /admin/undelivered`: the messages a bot could not get to its customers.

Each entry says which conversation, which message (`failed_seq` in its log), why ("Not
delivered: outside WhatsApp's 24-hour customer service window …") and when. The list is the
bot's business inbox (runtime/delivery.py), kept like a conversation log: the newest entries,
for the history time of the workspace (`sessions.history`). `after` pages on by `seq`.
"""

from __future__ import annotations

from aiohttp import web

from framework.admin import authorize, whole_number
from framework.channels.common import CONTEXT
from framework.errors import BadRequest
from framework.runtime.delivery import business_inbox

__all__ = ["undelivered"]


async def undelivered(request: web.Request) -> web.Response:
    authorize(request)
    context = request.app[CONTEXT]
    name = request.query.get("bot")
    if name is None and len(context.bots) == 1:
        name = next(iter(context.bots))
    if name is None or name not in context.bots:
        raise BadRequest(f"name a bot: {', '.join(sorted(context.bots))}")
    after = whole_number(request.query.get("after", "0"), "after (a sequence number, 0 for all)")
    inbox = str(business_inbox(name))
    entries = [] if after is None else await context.runtime.store.log(inbox, after, 200)
    return web.json_response({"undelivered": entries})
