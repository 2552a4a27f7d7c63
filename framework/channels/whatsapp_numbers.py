"""WhatsApp's webhook field about a business number: `phone_number_quality_update`, sent for
the WhatsApp Business Account when the number is flagged or unflagged, or its messaging limit
or throughput changes (Meta's webhook reference, Nov 2025):

    {"field": "phone_number_quality_update", "value": {"display_phone_number": "15550783881",
     "event": "DOWNGRADE", "old_limit": "TIER_2K", "current_limit": "TIER_250",
     "max_daily_conversations_per_business": "TIER_250"}}

The value names the number only as it is displayed, so the channel's `numbers` say which phone
number id has which display number (`display_phone_number`). Its quality: `quality_rating`
(GREEN, YELLOW, RED, UNKNOWN, the name Meta's phone number object gives it) when the value
carries it, else read from the event: FLAGGED is a number rated low (RED), UNFLAGGED one
restored (GREEN). Its limit: the portfolio's `max_daily_conversations_per_business`, which
Meta names as what replaces `current_limit`, else `current_limit`. A value Theke does not
know (another event, a tier such as TIER_NOT_SET) is left out of the news; a value with
nothing Theke knows, or of another shape, is a `WebhookProblem`. Pure functions, never
raising: whatsapp_in.py hands the field here.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from framework.channels.messages import WebhookProblem
from framework.stores.number_states import TIERS, NumberNews
from framework.stores.template_states import QUALITIES, TemplateStateError

__all__ = ["NUMBER_QUALITY", "display_digits", "read_number_news"]

NUMBER_QUALITY = "phone_number_quality_update"
QUALITY_OF_EVENT = {"FLAGGED": "RED", "UNFLAGGED": "GREEN"}
"""The quality an event says when the value carries none."""
_EVENT = re.compile(r"[A-Z_]{1,40}")
MAX_DISPLAY = 40
"""Characters of a display number read at most."""


def display_digits(number: str) -> str:
    """A display number's digits (`+1 555-078-3881` and `15550783881` are one)."""
    return "".join(char for char in number[:MAX_DISPLAY] if char.isascii() and char.isdigit())


def read_number_news(
    value: dict[str, Any], at: float | None, number_of: Callable[[str], str | None]
) -> NumberNews | WebhookProblem:
    """The news of one number (NumberNews), or a WebhookProblem saying what is wrong with it;
    `number_of` names the phone number id a display number's digits are (None: none served)."""
    display = value.get("display_phone_number")
    digits = display_digits(display) if isinstance(display, str) else ""
    if not digits:
        return _problem("malformed", "it has no display_phone_number", {})
    number = number_of(digits)
    if number is None:
        detail = f"no WhatsApp number of this deployment is displayed as {digits}"
        return WebhookProblem("unknown_number", detail, {"display_phone_number": digits})
    event = _known(value.get("event"), None)
    quality = _known(value.get("quality_rating"), QUALITIES) or QUALITY_OF_EVENT.get(event, "")
    tier = _known(value.get("max_daily_conversations_per_business"), TIERS) or _known(
        value.get("current_limit"), TIERS
    )
    try:
        return NumberNews(number, at or 0.0, event, quality, tier).checked()
    except TemplateStateError as error:
        return _problem("malformed", str(error), {"event": event[:40]})


def _known(found: Any, among: Any) -> str:
    """`found` when it is a word Theke knows (`among`; None: any event-shaped word)."""
    if not isinstance(found, str):
        return ""
    if among is None:
        return found if _EVENT.fullmatch(found) else ""
    return found if found in among else ""


def _problem(kind: str, detail: str, data: dict[str, Any]) -> WebhookProblem:
    return WebhookProblem(kind, f"WhatsApp sent an unreadable {NUMBER_QUALITY}: {detail}", data)
