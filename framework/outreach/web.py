"""The notify API: the business's systems tell subscribed customers what happened.

    POST /api/notify   Authorization: Bearer <admin key>
    {"bot": "airline", "topic": "flight:SA1234:2026-12-10", "text": "flight_delayed",
     "values": {"flight": "SA 1234", "day": "10.12.2026", "time": "14:35"}, "key": "evt-8812",
     "whatsapp_template": {"name": "flight_delay", "category": "utility",
                           "languages": {"de": "de", "en": "en_US"},
                           "parameters": ["flight", "time"]}}      # optional
    → 200 {"notified": 37, "already": 0, "waiting": 0, "key": "evt-8812"}

Every contact holding the consent `notify:<topic>` gets the bot's text `text` with `values`, as
a notice, once, on one of its conversations (framework/broadcasts/notifying.py; WhatsApp outside
the 24-hour window through its `whatsapp_template`, an approved utility template checked as a
`notify:` broadcast's, else the number's generic one). The same `key` again, for 30 days, notifies
nobody twice (`already`); WhatsApp customers over the bot's daily limit are `waiting`, and the
same key posted again later reaches them. A conversation that said STOP holds no consent any
more and gets nothing. Nobody is written to without consent: there is no other way in through
this API.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from aiohttp import web

from framework.admin import admin_bot, authorize
from framework.broadcasts.notifying import Notified, Notifier
from framework.broadcasts.whatsapp_template import checked_template, told_template
from framework.channels.common import json_object, string_field
from framework.consents.service import Consents
from framework.errors import BadRequest, NotFound
from framework.flows.language.text_categories import MARKETING_TEXT
from framework.flows.model import Bot
from framework.outreach.consent_intake import add_intake_routes
from framework.stores.consents import NOTIFY

__all__ = [
    "CONSENTS",
    "NOTIFIER",
    "NOTIFY_BOTS",
    "add_notify_routes",
    "checked_notice",
    "notice_template",
    "notified_json",
]

CONSENTS = web.AppKey("consents", Consents)
NOTIFIER = web.AppKey("notifier", Notifier)
NOTIFY_BOTS = web.AppKey("notify_bots", Mapping[str, Bot])
_TOPIC = re.compile(r"[A-Za-z0-9:._-]{1,200}")
_KEY = re.compile(r"[A-Za-z0-9:._-]{1,200}")
MAX_VALUES, MAX_VALUE = 20, 500


def checked_notice(
    bot: Bot, topic: str, text: str, values: Any, key: str, *, notification: bool = True
) -> tuple[str, str, dict[str, str], str]:
    """A notification's parts (a broadcast's: `notification` says whether it is one), or
    BadRequest naming what is wrong."""
    if not _TOPIC.fullmatch(topic):
        raise BadRequest("topic: 1 to 200 letters, digits and :._- (e.g. flight:SA1234:2026-12-10)")
    if text not in bot.texts:
        raise BadRequest(f"text: one of the bot's texts, e.g. {', '.join(sorted(bot.texts)[:5])}")
    if notification and bot.texts[text].category == MARKETING_TEXT:
        raise BadRequest(
            f"text: {text} is a marketing text (its category in bot.yaml): a notification "
            "reaches those who agreed to its topic only, never with an offer; send a utility "
            "text, or the offer as a marketing broadcast"
        )
    if not _KEY.fullmatch(key):
        raise BadRequest("key: 1 to 200 letters, digits and :._- (the event's id: sent once)")
    if not isinstance(values, dict) or len(values) > MAX_VALUES:
        raise BadRequest(f"values: an object of at most {MAX_VALUES} names")
    told = {str(name): str(value) for name, value in values.items()}
    if any(len(name) > 64 or len(value) > MAX_VALUE for name, value in told.items()):
        raise BadRequest(
            f"values: names of at most 64 and values of at most {MAX_VALUE} characters"
        )
    return topic, text, told, key


async def notify(request: web.Request) -> web.Response:
    authorize(request)
    body = await json_object(request)
    bot_name = admin_bot(request, string_field(body, "bot", 64))
    bot = request.app[NOTIFY_BOTS].get(bot_name)
    if bot is None:
        raise NotFound(f"no bot {bot_name!r}")
    topic, text, values, key = checked_notice(
        bot,
        string_field(body, "topic", 200),
        string_field(body, "text", 64),
        body.get("values") or {},
        string_field(body, "key", 200),
    )
    more = notice_template(bot, topic, values, body.get("whatsapp_template"))
    notified = await request.app[NOTIFIER].notify(bot_name, topic, text, values, key, **more)
    return web.json_response(notified_json(notified, key))


def notice_template(bot: Bot, topic: str, values: Mapping[str, str], data: Any) -> dict[str, Any]:
    """The notification's approved WhatsApp utility template, checked as a `notify:`
    broadcast's (BadRequest: what is wrong), as the notice tells it ({}: it names none, and
    the number's generic template goes outside the 24-hour window)."""
    template = checked_template(bot, NOTIFY + topic, values, "", data)
    if template is None:
        return {}
    told = told_template(template, values, bot.business.language, NOTIFY + topic)
    return {"whatsapp_template": told}


def notified_json(notified: Notified, key: str) -> dict[str, Any]:
    """The answer of the API (and `theke notify --json`): what the post did, and what to do
    about those waiting."""
    found: dict[str, Any] = {
        "notified": notified.notified,
        "already": notified.already,
        "waiting": notified.waiting,
        "key": key,
    }
    if notified.waiting:
        found["waiting_for"] = (
            "daily_limit: WhatsApp's messaging limit of unique customers a day is reached; "
            "post the same key again later to reach them (nobody gets it twice)"
        )
    return found


def add_notify_routes(app: web.Application) -> None:
    """The notify API, and the intake of consents given elsewhere (consent_intake.py), which
    writes to the same ledger."""
    app.router.add_post("/api/notify", notify)
    add_intake_routes(app)
