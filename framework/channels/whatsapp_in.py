"""WhatsApp webhooks in: Meta's signed webhook body read into `Incoming`, `DeliveryStatus` and
`WebhookProblem` values.

Pure functions, no I/O, so that everything Meta specifies about a webhook (its envelope, its
message types, who sent a message) lives in one place that is tested against the published
samples; the channel's HTTP code only moves bytes. A webhook is untrusted input: parsing never
raises, whatever arrives becomes `Incoming`, `DeliveryStatus` or a `WebhookProblem` for the
business. The way out (send payloads, error answers) is whatsapp_out.py.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
from collections.abc import Callable, Container
from functools import partial
from typing import Any, NamedTuple

from framework.channels.messages import ConsentSignal, DeliveryStatus, Incoming, WebhookProblem
from framework.channels.whatsapp_numbers import NUMBER_QUALITY, read_number_news
from framework.channels.whatsapp_preferences import PREFERENCES, read_preferences
from framework.channels.whatsapp_templates import TEMPLATE_FIELDS, read_template_news
from framework.runtime.sending import STATUS_ORDER
from framework.stores.number_states import NumberNews
from framework.stores.template_states import TemplateNews

__all__ = ["MEDIA", "NOT_SAID", "Json", "error_details", "parse_webhook", "verify_signature"]

Json = dict[str, Any]
"""A JSON object as Meta sends and takes it."""
Event = Incoming | DeliveryStatus | ConsentSignal | TemplateNews | NumberNews | WebhookProblem

MEDIA = ("sticker", "audio", "video", "document", "contacts", "unsupported")
"""Message types a bot cannot read: answered with the bot's `media_without_text` unless they
carry a caption (an image's caption is read as text)."""
NOT_SAID = frozenset({"edit", "revoke", "pin", "poll_update"})
"""`unsupported.type`s that change an earlier message rather than say something new: counted,
not answered."""


def verify_signature(body: bytes, header: str | None, app_secret: str) -> bool:
    """Whether `X-Hub-Signature-256: sha256=<hex>` is the HMAC-SHA256 of the raw body bytes.

    Compared in constant time; hex digits of either case are accepted (Meta sends lowercase).
    """
    if header is None or not header.isascii() or not header.startswith("sha256="):
        return False
    expected = hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, header.removeprefix("sha256=").lower())


def parse_webhook(
    payload: Any,
    bot_for_number: Callable[[str], str | None],
    groups: Container[str] = frozenset(),
    number_of_display: Callable[[str], str | None] = lambda digits: None,
) -> list[Event]:
    """Every message, status, consent signal (whatsapp_preferences.py), template news
    (whatsapp_templates.py), number news (whatsapp_numbers.py) and problem of a webhook body,
    in order, each read on its own.

    `bot_for_number` names the bot that serves a business phone number id (None: no bot);
    `groups` are the numbers whose bots answer in WhatsApp groups (a group is then one
    conversation, answered in the group); other numbers' group messages are problems;
    `number_of_display` names the phone number id displayed as a number's digits.
    """
    entries = payload.get("entry") if isinstance(payload, dict) else None
    if not isinstance(entries, list):
        return [_malformed("the webhook body has no entry list", {"payload": payload})]
    route = partial(
        _change, bot_for_number=bot_for_number, groups=groups, displayed=number_of_display
    )
    return [event for item in entries for event in _entry(item, route)]


class _Malformed(ValueError):
    """A part of a webhook that does not have the documented shape."""


class _Content(NamedTuple):
    text: str
    payload: str | None = None
    attachment: Json | None = None


class _Identity(NamedTuple):
    customer: str
    address: Json
    phone: str | None
    name: str | None


def _malformed(detail: str, data: Json) -> WebhookProblem:
    return WebhookProblem("malformed", f"WhatsApp sent something unreadable: {detail}", data)


def _entry(entry: Any, read_change: Callable[[Any, float | None], list[Event]]) -> list[Event]:
    changes = entry.get("changes") if isinstance(entry, dict) else None
    if not isinstance(changes, list):
        return [_malformed("an entry has no changes list", {"entry": entry})]
    at = _seconds(entry.get("time"))
    return [event for change in changes for event in read_change(change, at)]


def _change(
    change: Any,
    at: float | None,
    *,
    bot_for_number: Callable[[str], str | None],
    groups: Container[str],
    displayed: Callable[[str], str | None],
) -> list[Event]:
    value = change.get("value") if isinstance(change, dict) else None
    if not isinstance(value, dict):
        return [_malformed("a change has no value object", {"change": change})]
    field = change.get("field")
    if field == PREFERENCES:
        return list(read_preferences(value, bot_for_number))
    if field == NUMBER_QUALITY:
        return [read_number_news(value, at, displayed)]
    if isinstance(field, str) and field in TEMPLATE_FIELDS:
        return [read_template_news(field, value, at)]
    if field != "messages":
        return [WebhookProblem(f"field:{field}", f"WhatsApp sent a {field!r} update", value)]
    metadata = value.get("metadata")
    number = _optional(metadata, "phone_number_id") if isinstance(metadata, dict) else None
    if number is None:
        return [_malformed("a change has no metadata.phone_number_id", {"value": value})]
    bot = bot_for_number(number)
    if bot is None:
        detail = f"no bot serves the WhatsApp number {number}"
        return [WebhookProblem("unknown_number", detail, {"phone_number_id": number})]
    contacts = _contacts(value.get("contacts"))
    return [
        *_each(value, "messages", partial(_message, bot, contacts, number in groups)),
        *_each(value, "statuses", _status),
        *_each(value, "errors", _error),
    ]


def _each(value: Json, key: str, read: Callable[[Any], Event | None]) -> list[Event]:
    items = value.get(key, [])
    if not isinstance(items, list):
        return [_malformed(f"{key} is not a list", {key: items})]
    return [event for item in items if (event := read(item)) is not None]


def _contacts(contacts: Any) -> dict[tuple[str, str], Json]:
    """The contacts of a change by ("wa_id", id) and ("user_id", BSUID)."""
    found: dict[tuple[str, str], Json] = {}
    for contact in contacts if isinstance(contacts, list) else []:
        if isinstance(contact, dict):
            for key in ("wa_id", "user_id"):
                known = _optional(contact, key)
                if known is not None:
                    found.setdefault((key, known), contact)
    return found


def _message(
    bot: str, contacts: dict[tuple[str, str], Json], in_groups: bool, message: Any
) -> Event | None:
    if not isinstance(message, dict):
        return _malformed("a message is not an object", {"message": message})
    special = _not_a_customer_message(message, in_groups)
    if special is not None:
        return special
    read = _READERS.get(_reader_key(message))
    if read is None:
        return _unsupported(message)
    try:
        content = read(message)
        if content is None:
            return None
        identity = _sender(message, contacts)
        message_id = _string(message, "id")
    except _Malformed as error:
        return _malformed(f"a {message.get('type')} message: {error}", {"message": message})
    return Incoming(
        bot=bot,
        channel="whatsapp",
        customer=identity.customer,
        message_id=message_id,
        text=content.text,
        payload=content.payload,
        address=identity.address,
        attachment=content.attachment,
        phone=identity.phone,
        name=identity.name,
        sent_at=_seconds(message.get("timestamp")),
    )


def _reader_key(message: Json) -> tuple[str, str | None]:
    """The message type and, for `interactive`, its subtype: ("interactive", "button_reply")."""
    kind, subtype = message.get("type"), None
    interactive = message.get("interactive")
    if kind == "interactive" and isinstance(interactive, dict):
        subtype = interactive.get("type")
    return str(kind), None if subtype is None else str(subtype)


def _sender(message: Json, contacts: dict[tuple[str, str], Json]) -> _Identity:
    """Whose conversation a message belongs to: its group's (a group of a number that answers
    in groups: one conversation, answered in the group), else the customer's."""
    if "group_id" in message:
        group = _string(message, "group_id")
        return _Identity(group, {"group": group}, None, None)
    return _identity(message, contacts)


def _identity(message: Json, contacts: dict[tuple[str, str], Json]) -> _Identity:
    """Who sent a message: BSUID first (§1.4), the phone number (wa_id) when there is one."""
    wa_id, user_id = _optional(message, "from"), _optional(message, "from_user_id")
    contact = contacts.get(("wa_id", wa_id or "")) or contacts.get(("user_id", user_id or "")) or {}
    user_id = _optional(contact, "user_id") or user_id
    wa_id = wa_id or _optional(contact, "wa_id")
    profile = contact.get("profile")
    name = _optional(profile, "name") if isinstance(profile, dict) else None
    if wa_id is not None:
        return _Identity(user_id or wa_id, {"to": wa_id}, wa_id, name)
    if user_id is not None:
        return _Identity(user_id, {"recipient": user_id}, None, name)
    raise _Malformed("it has neither from nor from_user_id")


def _system(message: Json) -> WebhookProblem:
    """A system message (a customer changed their number): its type in the detail, which is
    logged; its body, which names the customer and both numbers, only in the data."""
    system = message.get("system")
    system = system if isinstance(system, dict) else {}
    said = (_optional(system, "type") or "of no type")[:40]
    return WebhookProblem("system", f"WhatsApp system message {said}", {"message": message})


def _not_a_customer_message(message: Json, in_groups: bool) -> WebhookProblem | None:
    """A system message, a message in a group (unless the number answers in groups), an edit:
    none is answered, each is counted."""
    if message.get("type") == "system":
        return _system(message)
    if "group_id" in message and not in_groups:
        return _group(message)
    unsupported = message.get("unsupported")
    kind = unsupported.get("type") if isinstance(unsupported, dict) else None
    if message.get("type") == "unsupported" and kind in NOT_SAID:
        detail = f"a customer's {kind} of an earlier message (not read again)"
        return WebhookProblem(str(kind), detail, {"type": kind})
    return None


def _group(message: Json) -> WebhookProblem:
    """A message in a WhatsApp group of a number that does not answer in groups: not answered,
    neither in the group nor in the private chat of the participant who wrote it; counted."""
    detail = "a message in a WhatsApp group; this number does not answer in groups"
    return WebhookProblem("group", detail, {"group_id": message.get("group_id")})


def _unsupported(message: Json) -> WebhookProblem:
    errors = message.get("errors")
    errors = errors if isinstance(errors, list) else []
    kind = "/".join(part for part in _reader_key(message) if part is not None)
    detail = f"a customer sent a message Theke cannot read ({kind})"
    return WebhookProblem("unsupported", detail, {"type": message.get("type"), "errors": errors})


def _status(item: Any) -> Event:
    if not isinstance(item, dict):
        return _malformed("a status is not an object", {"status": item})
    try:
        message_id, state = _string(item, "id"), _string(item, "status")
        timestamp = _seconds(item.get("timestamp"))
        errors = _objects(item.get("errors", []), "errors")
        if timestamp is None:
            raise _Malformed("its timestamp is not Unix seconds")
    except _Malformed as error:
        return _malformed(f"a status: {error}", {"status": item})
    if state not in STATUS_ORDER:
        return WebhookProblem("status", f"WhatsApp reported a {state!r} status", {"status": item})
    pricing = item.get("pricing")
    return DeliveryStatus(
        message_id=message_id,
        status=state,
        timestamp=timestamp,
        recipient=_optional(item, "recipient_id"),
        pricing=pricing if isinstance(pricing, dict) else None,
        errors=tuple(errors),
        callback=_optional(item, "biz_opaque_callback_data"),
    )


def _error(item: Any) -> WebhookProblem:
    if not isinstance(item, dict):
        return _malformed("an error is not an object", {"error": item})
    said = error_details(item) or _optional(item, "title")
    return WebhookProblem("error", f"WhatsApp reported error {item.get('code')}: {said}", item)


def error_details(error: Json) -> str | None:
    """What a Graph API error object says: its `error_data.details`, else its `message`.

    Errors come in webhooks and in the answers to a send (whatsapp_out.failure) alike.
    """
    data = error.get("error_data")
    details = _optional(data, "details") if isinstance(data, dict) else None
    return details or _optional(error, "message")


# Readers of message content: None for a message that is no business of the bot (a reaction).


def _text(message: Json) -> _Content:
    return _Content(_string(_part(message, "text"), "body"))


def _button_reply(message: Json) -> _Content:
    reply = _part(message, "interactive", "button_reply")
    return _Content(_string(reply, "title"), payload=_string(reply, "id"))


def _list_reply(message: Json) -> _Content:
    reply = _part(message, "interactive", "list_reply")
    return _Content(_string(reply, "title"), payload=_string(reply, "id"))


def _quick_reply(message: Json) -> _Content:
    button = _part(message, "button")
    return _Content(_string(button, "text"), payload=_string(button, "payload"))


def _location(message: Json) -> _Content:
    place = _part(message, "location")
    latitude, longitude = _coordinate(place, "latitude"), _coordinate(place, "longitude")
    attachment: Json = {"type": "location", "latitude": latitude, "longitude": longitude}
    for key in ("name", "address", "url"):
        if (known := _optional(place, key)) is not None:
            attachment[key] = known
    label = ", ".join(attachment[key] for key in ("name", "address") if key in attachment)
    return _Content(label or f"{latitude:.6f}, {longitude:.6f}", attachment=attachment)


def _image(message: Json) -> _Content:
    media = _part(message, "image")
    caption = _optional(media, "caption")
    attachment: Json = {
        "type": "image",
        "id": _string(media, "id"),
        "mime_type": _optional(media, "mime_type"),
        "sha256": _optional(media, "sha256"),
        "caption": caption,
    }
    return _Content(caption or "", attachment=attachment)


def _order(message: Json) -> _Content:
    cart = _part(message, "order")
    items = _objects(cart.get("product_items"), "order.product_items")
    text = ", ".join(f"{_quantity(item)}× {_string(item, 'product_retailer_id')}" for item in items)
    attachment: Json = {
        "type": "order",
        "catalog_id": _optional(cart, "catalog_id"),
        "items": items,
    }
    if (note := _optional(cart, "text")) is not None:
        attachment["note"] = note
    return _Content(text, attachment=attachment)


def _flow(message: Json) -> _Content:
    reply = _part(message, "interactive", "nfm_reply")
    raw = _string(reply, "response_json")
    try:
        parsed = json.loads(raw)
    except ValueError:
        parsed = raw
    response = parsed if isinstance(parsed, dict) else raw
    return _Content(
        _optional(reply, "body") or "", attachment={"type": "flow", "response": response}
    )


def _media(kind: str, message: Json) -> _Content:
    """What a bot cannot read (a sticker, a voice message, a video, a contact card, a type the
    Cloud API does not support): its caption is the text, else the text is empty and the bot
    answers that it reads only text. The attachment keeps its kind and media id."""
    media = message.get(kind)
    media = media if isinstance(media, dict) else {}
    attachment: Json = {"type": kind}
    if (media_id := _optional(media, "id")) is not None:
        attachment["id"] = media_id
    return _Content(_optional(media, "caption") or "", attachment=attachment)


def _ignored(message: Json) -> None:
    return None


_READERS: dict[tuple[str, str | None], Callable[[Json], _Content | None]] = {
    ("text", None): _text,
    ("interactive", "button_reply"): _button_reply,
    ("interactive", "list_reply"): _list_reply,
    ("interactive", "nfm_reply"): _flow,
    ("button", None): _quick_reply,
    ("location", None): _location,
    ("image", None): _image,
    ("order", None): _order,
    ("reaction", None): _ignored,
    **{(kind, None): partial(_media, kind) for kind in MEDIA},
}


# Shape checks: each raises _Malformed where the documented shape is missing.


def _part(message: Json, *path: str) -> Json:
    """The object at `path` ("interactive", "button_reply") of a message."""
    found = message
    for key in path:
        inner = found.get(key)
        if not isinstance(inner, dict):
            raise _Malformed(f"{'.'.join(path)} is not an object")
        found = inner
    return found


def _string(obj: Json, key: str) -> str:
    value = obj.get(key)
    if not isinstance(value, str) or not value:
        raise _Malformed(f"{key} is not a non-empty string")
    return value


def _optional(obj: Json, key: str) -> str | None:
    value = obj.get(key)
    return value if isinstance(value, str) and value else None


def _objects(value: Any, what: str) -> list[Json]:
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise _Malformed(f"{what} is not a list of objects")
    return value


def _coordinate(obj: Json, key: str) -> float:
    value = obj.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise _Malformed(f"{key} is not a number")
    return float(value)


def _quantity(item: Json) -> int:
    value = item.get("quantity")
    if isinstance(value, bool) or not isinstance(value, int):
        raise _Malformed("quantity is not a whole number")
    return value


def _seconds(value: Any) -> float | None:
    """A webhook timestamp (a string of Unix seconds, or a number) as a float; None if neither."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return None
    try:
        seconds = float(value)
    except (ValueError, OverflowError):
        return None
    return seconds if math.isfinite(seconds) else None
