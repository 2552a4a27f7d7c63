"""A broadcast's WhatsApp template where a bot is known: checked against the bot when the
broadcast is made (the API, the command and the page alike), and shown in its preview, one
translation per language of the bot. A marketing broadcast that may reach WhatsApp holders
needs one (`check_marketing_reach`).

The template's own rules (name, category, codes, parameters) are
framework/stores/whatsapp_templates.py; here it is also checked that every language it names
is the bot's and that the bot's default language has a code (a conversation in a language the
template lacks gets that one).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from framework.errors import BadRequest
from framework.flows import Bot
from framework.stores.broadcasts import Broadcast
from framework.stores.consents import MARKETING
from framework.stores.segments import Segment
from framework.stores.whatsapp_templates import WhatsAppTemplate, WhatsAppTemplateError

__all__ = ["check_marketing_reach", "checked_template", "told_template", "whatsapp_preview"]

WHATSAPP = "whatsapp"


def checked_template(
    bot: Bot, purpose: str, values: Mapping[str, str], lang: str, data: Any
) -> WhatsAppTemplate | None:
    """The broadcast's template (None: it names none), or BadRequest saying what is wrong."""
    if data is None or data == {}:
        return None
    business = bot.business
    try:
        template = WhatsAppTemplate.parse(data)
        template.check_fits(purpose, values)
        return template.check_speaks(business.languages, business.language, lang)
    except WhatsAppTemplateError as error:
        raise BadRequest(str(error)) from None


def check_marketing_reach(
    on_whatsapp: bool, purpose: str, segment: Segment, template: WhatsAppTemplate | None
) -> None:
    """BadRequest for a marketing broadcast that may reach WhatsApp customers without an
    approved marketing template of its own: outside their 24-hour window only a template goes,
    and the number's generic one (`theke_update` with `{{1}}`) is a utility template, which Meta
    re-categorises or refuses when it carries an offer. Whether a customer's window is open is
    known only when the notice goes, so the template is asked for when it is made."""
    if purpose != MARKETING or not on_whatsapp or template is not None:
        return
    if segment.channels and WHATSAPP not in segment.channels:
        return
    raise BadRequest(
        "whatsapp_template: a marketing broadcast reaches WhatsApp customers outside their "
        "24-hour window only as an approved marketing template; name yours "
        '({"name": …, "category": "marketing", "languages": {…}, "parameters": […]}), '
        'or leave WhatsApp out with a segment\'s channels (e.g. "channels": ["telegram"])'
    )


def told_template(
    template: WhatsAppTemplate, values: Mapping[str, str], language: str, purpose: str
) -> dict[str, Any]:
    """What a notice tells the runtime of its template (runtime/notice_templates.py): its name,
    Meta's code per language of the bot (`default`: where none fits the conversation's, the
    bot's default `language`'s), the texts of its body and its header and buttons as they are
    sent (only those it has). A notification's utility template goes only outside the 24-hour
    window (`outside_only`), in place of the number's generic one: inside it the text is a
    free service message."""
    default = template.code_for(language, language) or next(iter(template.languages.values()))
    told = {
        "name": template.name,
        "languages": dict(template.languages),
        "default": default,
        "parameters": template.body(values),
        **template.filled(values),
    }
    return told if purpose == MARKETING else {**told, "outside_only": True}


def whatsapp_preview(broadcast: Broadcast, bot: Bot | None) -> dict[str, Any]:
    """The preview's `whatsapp_template`: per language of the bot (or the broadcast's), which
    template goes with which code and body parameters, and its header and buttons as they are
    sent, when it has them ({}: it names no template)."""
    if not broadcast.whatsapp_template or bot is None:
        return {}
    template = WhatsAppTemplate.parse(broadcast.whatsapp_template)
    default = bot.business.language
    languages = [broadcast.lang] if broadcast.lang else list(bot.business.languages)
    body, filled = template.body(broadcast.values), template.filled(broadcast.values)
    shown = {
        lang: {
            "name": template.name,
            "language": template.code_for(lang, default),
            "category": template.category,
            "parameters": body,
            **filled,
        }
        for lang in languages or [default]
    }
    return {"whatsapp_template": shown}
