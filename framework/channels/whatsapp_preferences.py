"""WhatsApp's `user_preferences` webhook field: a customer stopped or resumed marketing messages
in WhatsApp's own menu ("Stop promotions").

`entry[].changes[]` with `field: "user_preferences"` and `value.user_preferences[] = {wa_id,
detail, category: "marketing_messages", value: "stop"|"resume", timestamp}` (reference
whatsapp-telegram.md §1.7, broadcast.md §4.1), beside the `metadata` and `contacts` of a
messages change. Each preference becomes a `ConsentSignal` for the conversation of its customer
(named as a message of theirs is: the BSUID when the contacts give one, else the wa_id), or a
`WebhookProblem`: a category or value Theke does not act on (`signup`), a wrong shape. Pure
functions, no I/O, never raising: whatsapp_in.py hands this field here.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from framework.channels.messages import ConsentSignal, WebhookProblem
from framework.runtime.consent_signals import RESUMED, STOPPED
from framework.stores.consents import MARKETING

__all__ = ["PREFERENCES", "read_preferences"]

PREFERENCES = "user_preferences"
CATEGORY = "marketing_messages"
SIGNALS = {"stop": STOPPED, "resume": RESUMED}
SAID = {
    STOPPED: "WhatsApp: the customer stopped marketing messages",
    RESUMED: "WhatsApp: the customer resumed marketing messages",
}
"""The entry's text when WhatsApp sends no `detail`."""
MAX_ID = 256
"""Characters of a wa_id or BSUID (longer: not one)."""
MAX_DETAIL = 500

Event = ConsentSignal | WebhookProblem


class _Malformed(ValueError):
    """A preference without the documented shape."""


def read_preferences(
    value: dict[str, Any], bot_for_number: Callable[[str], str | None]
) -> list[Event]:
    """Every preference of one `user_preferences` change, in order, each read on its own."""
    metadata = value.get("metadata")
    number = _text(metadata, "phone_number_id") if isinstance(metadata, dict) else None
    if number is None:
        return [_malformed("a user_preferences change has no metadata.phone_number_id")]
    bot = bot_for_number(number)
    if bot is None:
        detail = f"no bot serves the WhatsApp number {number[:40]}"
        return [WebhookProblem("unknown_number", detail, {"phone_number_id": number[:40]})]
    preferences = value.get(PREFERENCES)
    if not isinstance(preferences, list):
        return [_malformed("user_preferences is not a list")]
    users = _bsuids(value.get("contacts"))
    return [_preference(bot, users, item) for item in preferences]


def _preference(bot: str, users: dict[str, str], item: Any) -> Event:
    if not isinstance(item, dict):
        return _malformed("a user preference is not an object")
    category, value = item.get("category"), item.get("value")
    if category != CATEGORY or not isinstance(value, str) or value not in SIGNALS:
        shown = {"category": str(category)[:40], "value": str(value)[:40]}
        return WebhookProblem("preference", "a user preference Theke does not act on", shown)
    try:
        return _signal(bot, users, item, SIGNALS[value])
    except _Malformed as error:
        return _malformed(f"a user preference: {error}")


def _signal(bot: str, users: dict[str, str], item: dict[str, Any], signal: str) -> ConsentSignal:
    wa_id, user_id = _text(item, "wa_id"), _text(item, "user_id")
    customer = user_id or users.get(wa_id or "") or wa_id
    if customer is None:
        raise _Malformed("it has neither wa_id nor user_id")
    detail = item.get("detail", "")
    if not isinstance(detail, str):
        raise _Malformed("detail is not a string")
    said = " ".join(detail.split())[:MAX_DETAIL] or SAID[signal]
    signal_id = f"consent:{signal}:{wa_id or customer}:{_timestamp(item.get('timestamp'))}"
    return ConsentSignal(bot, "whatsapp", customer, signal_id, signal, MARKETING, said)


def _bsuids(contacts: Any) -> dict[str, str]:
    """wa_id → the BSUID the change's contacts give for it."""
    found: dict[str, str] = {}
    for contact in contacts if isinstance(contacts, list) else []:
        if isinstance(contact, dict):
            wa_id, user_id = _text(contact, "wa_id"), _text(contact, "user_id")
            if wa_id is not None and user_id is not None:
                found.setdefault(wa_id, user_id)
    return found


def _timestamp(value: Any) -> int:
    """Unix seconds, an integer here (a string of them elsewhere in webhooks)."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise _Malformed("timestamp is not Unix seconds")
    try:
        seconds = float(value)
    except (ValueError, OverflowError):
        raise _Malformed("timestamp is not Unix seconds") from None
    if not math.isfinite(seconds) or not 0 <= seconds < 10**11:
        raise _Malformed("timestamp is not Unix seconds")
    return int(seconds)


def _text(obj: dict[str, Any], key: str) -> str | None:
    value = obj.get(key)
    if isinstance(value, str) and 0 < len(value) <= MAX_ID and value.strip() == value:
        return value
    return None


def _malformed(detail: str) -> WebhookProblem:
    return WebhookProblem("malformed", f"WhatsApp sent something unreadable: {detail}", {})
