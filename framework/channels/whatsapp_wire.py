"""The WhatsApp Cloud API on the wire: webhooks in, send payloads out, error answers classified.

Pure functions, no I/O, so that everything Meta specifies (the envelope and message types of a
webhook, the limits of a send, the meaning of each error code) lives in one place that is tested
against the published samples and against a fake that checks payloads exactly as the Graph API
does; the channel's HTTP code only moves bytes. A webhook is untrusted input: parsing never raises,
whatever arrives becomes `Incoming`, `DeliveryStatus` or a `WebhookProblem` for the business.
Sending never produces a payload the API refuses: over a limit it degrades (buttons → list →
numbered text, long texts split), and no text of a bot's message is dropped.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import random
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any, NamedTuple
from urllib.parse import quote

from framework.channels.messages import DeliveryStatus, Incoming, WebhookProblem
from framework.runtime.sending import STATUS_ORDER, SendFailure

__all__ = [
    "GRAPH_VERSION",
    "failure",
    "media_request",
    "numbered_choices",
    "parse_webhook",
    "read_receipt",
    "render",
    "template",
    "verify_signature",
]

GRAPH_VERSION = "v25.0"

Json = dict[str, Any]
Event = Incoming | DeliveryStatus | WebhookProblem

# Limits of a send (reference §2.2); lengths count characters.
_TEXT = 4096
_BODY = 1024  # reply-button and cta_url body, image caption, template parameter
_BUTTONS = 3
_BUTTON_TITLE = 20
_BUTTON_ID = 256
_ROWS = 10
_LIST_BUTTON = 20
_ROW_ID = 200
_ROW_TITLE = 24
_ROW_DESCRIPTION = 72
_ELLIPSIS = "…"
_DEFAULT_LIST_BUTTON = "Optionen"


# --- webhooks in -----------------------------------------------------------------------------


def verify_signature(body: bytes, header: str | None, app_secret: str) -> bool:
    """Whether `X-Hub-Signature-256: sha256=<hex>` is the HMAC-SHA256 of the raw body bytes.

    Compared in constant time; hex digits of either case are accepted (Meta sends lowercase).
    """
    if header is None or not header.isascii() or not header.startswith("sha256="):
        return False
    expected = hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, header.removeprefix("sha256=").lower())


def parse_webhook(
    payload: Any, bot_for_number: Callable[[str], str | None]
) -> list[Incoming | DeliveryStatus | WebhookProblem]:
    """Every message, status and problem of a webhook body, in order, each read on its own.

    `bot_for_number` names the bot that serves a business phone number id (None: no bot).
    """
    entries = payload.get("entry") if isinstance(payload, dict) else None
    if not isinstance(entries, list):
        return [_malformed("the webhook body has no entry list", {"payload": payload})]
    return [event for item in entries for event in _entry(item, bot_for_number)]


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


def _entry(entry: Any, route: Callable[[str], str | None]) -> list[Event]:
    changes = entry.get("changes") if isinstance(entry, dict) else None
    if not isinstance(changes, list):
        return [_malformed("an entry has no changes list", {"entry": entry})]
    return [event for change in changes for event in _change(change, route)]


def _change(change: Any, route: Callable[[str], str | None]) -> list[Event]:
    value = change.get("value") if isinstance(change, dict) else None
    if not isinstance(value, dict):
        return [_malformed("a change has no value object", {"change": change})]
    field = change.get("field")
    if field != "messages":
        return [WebhookProblem(f"field:{field}", f"WhatsApp sent a {field!r} update", value)]
    metadata = value.get("metadata")
    number = _optional(metadata, "phone_number_id") if isinstance(metadata, dict) else None
    if number is None:
        return [_malformed("a change has no metadata.phone_number_id", {"value": value})]
    bot = route(number)
    if bot is None:
        detail = f"no bot serves the WhatsApp number {number}"
        return [WebhookProblem("unknown_number", detail, {"phone_number_id": number})]
    contacts = _contacts(value.get("contacts"))
    return [
        *_each(value, "messages", partial(_message, bot, contacts)),
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


def _message(bot: str, contacts: dict[tuple[str, str], Json], message: Any) -> Event | None:
    if not isinstance(message, dict):
        return _malformed("a message is not an object", {"message": message})
    if message.get("type") == "system":
        return _system(message)
    read = _READERS.get(_reader_key(message))
    if read is None:
        return _unsupported(message)
    try:
        content = read(message)
        if content is None:
            return None
        identity = _identity(message, contacts)
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
    system = message.get("system")
    system = system if isinstance(system, dict) else {}
    said = _optional(system, "body") or _optional(system, "type")
    return WebhookProblem("system", f"WhatsApp system message: {said}", {"message": message})


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
    data = item.get("error_data")
    details = _optional(data, "details") if isinstance(data, dict) else None
    said = details or _optional(item, "message") or _optional(item, "title")
    return WebhookProblem("error", f"WhatsApp reported error {item.get('code')}: {said}", item)


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


# --- sending ---------------------------------------------------------------------------------


class _Choice(NamedTuple):
    title: str
    payload: str


def render(
    entry: Mapping[str, Any], address: Mapping[str, Any], *, callback: str | None = None
) -> list[dict[str, Any]]:
    """The bodies of POST /{phone-number-id}/messages that show one bot log entry.

    `entry`: {"text", "buttons"?: [{"title", "payload"}], "list_button"?, "image"?: url,
    "link"?: {"title", "url"}}; `address`: {"to": wa_id} or {"recipient": bsuid}; `callback`
    comes back in the statuses of every message sent. An empty entry renders to nothing.
    """
    envelope = _envelope(address, callback)
    return [{**envelope, **content} for content in _contents(entry)]


def template(
    address: Mapping[str, Any],
    name: str,
    language: str,
    body_text: str,
    *,
    callback: str | None = None,
) -> dict[str, Any]:
    """An approved template with one body parameter, for a message outside the 24 h window.

    The parameter is one line (Meta refuses newlines and tabs in template parameters) of at most
    1024 characters.
    """
    parameter = {"type": "text", "text": _shorten(" ".join(body_text.split()) or _ELLIPSIS, _BODY)}
    return {
        **_envelope(address, callback),
        "type": "template",
        "template": {
            "name": name,
            "language": {"code": language},
            "components": [{"type": "body", "parameters": [parameter]}],
        },
    }


def read_receipt(message_id: str, *, typing: bool) -> dict[str, Any]:
    """Mark a customer's message as read; `typing` also shows "typing…" (up to 25 s)."""
    receipt: Json = {"messaging_product": "whatsapp", "status": "read", "message_id": message_id}
    if typing:
        receipt["typing_indicator"] = {"type": "text"}
    return receipt


def media_request(media_id: str, phone_number_id: str) -> tuple[str, dict[str, str]]:
    """Path and query of GET /{version}/{media-id}, which answers the media's download URL."""
    return f"/{GRAPH_VERSION}/{quote(media_id, safe='')}", {"phone_number_id": phone_number_id}


def _envelope(address: Mapping[str, Any], callback: str | None) -> Json:
    key = "to" if address.get("to") else "recipient"
    if not address.get(key):
        raise ValueError("a WhatsApp address needs 'to' (wa_id) or 'recipient' (BSUID)")
    envelope: Json = {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        key: str(address[key]),
    }
    if callback is not None:
        envelope["biz_opaque_callback_data"] = callback
    return envelope


def _contents(entry: Mapping[str, Any]) -> list[Json]:
    """The messages of an entry without their envelope: image, choices or text, payment link."""
    text = str(entry.get("text") or "").strip()
    choices = _choices(entry.get("buttons"))
    link = entry.get("link")
    link = link if isinstance(link, Mapping) else None
    image = str(entry.get("image") or "")
    if image and not choices and link is None:
        return _captioned_image(image, text)
    contents = [_image_message(image)] if image else []
    if choices:
        contents += _choice_messages(text, choices, str(entry.get("list_button") or "").strip())
        text = ""
    if link is not None:
        return [*contents, *_link_messages(text, link)]
    return [*contents, *_texts(text)]


def numbered_choices(entry: Mapping[str, Any]) -> dict[str, str]:
    """The numbers of an entry's choices when `render` shows them as numbered text."""
    choices = _choices(entry.get("buttons"))
    list_button = str(entry.get("list_button") or "").strip()
    if not choices or _choice_kind(choices, list_button) != "numbered":
        return {}
    return {str(n): choice.payload or choice.title for n, choice in enumerate(choices, 1)}


def _choices(buttons: Any) -> list[_Choice]:
    if not isinstance(buttons, list):
        return []
    return [
        _Choice(str(button.get("title") or "").strip(), str(button.get("payload") or ""))
        for button in buttons
        if isinstance(button, Mapping)
    ]


def _choice_kind(choices: list[_Choice], list_button: str) -> str:
    """Reply buttons, a list, or numbered text: the richest form the limits allow (§2.2)."""
    payloads = [choice.payload for choice in choices]
    if len(choices) > _ROWS or len(set(payloads)) < len(payloads) or "" in payloads:
        return "numbered"
    longest = max(len(payload) for payload in payloads)
    fits_buttons = all(len(choice.title) <= _BUTTON_TITLE for choice in choices)
    if not list_button and len(choices) <= _BUTTONS and fits_buttons and longest <= _BUTTON_ID:
        return "button"
    return "list" if longest <= _ROW_ID else "numbered"


def _choice_messages(text: str, choices: list[_Choice], list_button: str) -> list[Json]:
    kind = _choice_kind(choices, list_button)
    if kind == "numbered":
        lines = "\n".join(f"{number}. {choice.title}" for number, choice in enumerate(choices, 1))
        return _texts(f"{text}\n\n{lines}" if text else lines)
    if kind == "button":
        lead, body = _lead_and_body(text, _BODY)
        return [*_texts(*lead), _interactive("button", body, _reply_buttons(choices))]
    lead, body = _lead_and_body(text, _TEXT)
    return [*_texts(*lead), _interactive("list", body, _list_action(choices, list_button))]


def _reply_buttons(choices: list[_Choice]) -> Json:
    titles = _distinct([choice.title or _ELLIPSIS for choice in choices], _BUTTON_TITLE)
    return {
        "buttons": [
            {"type": "reply", "reply": {"id": choice.payload, "title": title}}
            for choice, title in zip(choices, titles, strict=True)
        ]
    }


def _distinct(titles: list[str], limit: int) -> list[str]:
    """The titles, with " (2)", " (3)"… added to repeated ones, each within `limit`."""
    distinct: list[str] = []
    for title in titles:
        unique, number = title, 1
        while unique in distinct:
            number += 1
            suffix = f" ({number})"
            unique = _shorten(title, limit - len(suffix)) + suffix
        distinct.append(unique)
    return distinct


def _list_action(choices: list[_Choice], list_button: str) -> Json:
    return {
        "button": _shorten(list_button or _DEFAULT_LIST_BUTTON, _LIST_BUTTON),
        "sections": [{"rows": [_row(choice) for choice in choices]}],
    }


def _row(choice: _Choice) -> Json:
    """A list row; a title too long for it is shortened and shown in full as its description."""
    row = {"id": choice.payload, "title": _shorten(choice.title or _ELLIPSIS, _ROW_TITLE)}
    if len(choice.title) > _ROW_TITLE:
        row["description"] = _shorten(choice.title, _ROW_DESCRIPTION)
    return row


def _captioned_image(url: str, text: str) -> list[Json]:
    if len(text) <= _BODY:
        return [_image_message(url, text)]
    return [*_texts(text), _image_message(url)]


def _image_message(url: str, caption: str = "") -> Json:
    image = {"link": url}
    if caption:
        image["caption"] = caption
    return {"type": "image", "image": image}


def _link_messages(text: str, link: Mapping[str, Any]) -> list[Json]:
    """A payment page as a call-to-action button (`cta_url`)."""
    lead, body = _lead_and_body(text, _BODY)
    title = str(link.get("title") or "").strip() or _ELLIPSIS
    action = {
        "name": "cta_url",
        "parameters": {"display_text": _shorten(title, _BUTTON_TITLE), "url": str(link.get("url"))},
    }
    return [*_texts(*lead), _interactive("cta_url", body, action)]


def _interactive(kind: str, body: str, action: Json) -> Json:
    return {
        "type": "interactive",
        "interactive": {"type": kind, "body": {"text": body}, "action": action},
    }


def _texts(*texts: str) -> list[Json]:
    """Text messages of these texts, each split to fit a text body."""
    return [
        {"type": "text", "text": {"preview_url": False, "body": chunk}}
        for text in texts
        for chunk in _split(text)
    ]


def _lead_and_body(text: str, limit: int) -> tuple[list[str], str]:
    """Texts to send first and the body (at most `limit` characters) of the message after them.

    A text over the limit goes first on its own; the body is then its last paragraph, which is
    not repeated, when that fits, else "…".
    """
    if len(text) <= limit:
        return [], text or _ELLIPSIS
    chunks = _split(text)
    last = chunks.pop()
    if len(last) <= limit:
        return chunks, last
    head, _, tail = last.rpartition("\n\n")
    tail = tail.strip()
    if head and tail and len(tail) <= limit:
        return [*chunks, head], tail
    return [*chunks, last], _ELLIPSIS


_BREAKS = (re.compile(r"\n\s*\n"), re.compile(r"\n"), re.compile(r"\s"))


def _split(text: str) -> list[str]:
    """`text` in pieces that fit a text body, cut at paragraphs, then lines, then words."""
    chunks, rest = [], text.strip()
    while len(rest) > _TEXT:
        cut = _cut(rest, _TEXT)
        chunks.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    return [*chunks, rest] if rest else chunks


def _cut(text: str, limit: int) -> int:
    """Where to cut: the last paragraph or line break in the second half, else the last space."""
    window = text[: limit + 1]
    for pattern, earliest in zip(_BREAKS, (limit // 2, limit // 2, 1), strict=True):
        starts = [found.start() for found in pattern.finditer(window)]
        if starts and starts[-1] >= earliest:
            return starts[-1]
    return limit


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + _ELLIPSIS


# --- errors of a send ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Rule:
    """What an error answer means: its reason, and the backoff (base, cap in s) if retriable."""

    reason: str
    backoff: tuple[int, int] | None = None
    jitter: bool = False
    explain: bool = False
    unreachable: bool = False
    window_closed: bool = False


_RULES: dict[int, _Rule] = {
    130429: _Rule("too many messages from this number (throughput limit)", (2, 60), jitter=True),
    131056: _Rule(
        "too many messages to this customer in a short time (pair rate limit)",
        (4, 300),
        jitter=True,
    ),
    131057: _Rule("the business account is in maintenance", (2, 60)),
    131000: _Rule("something went wrong at WhatsApp", (2, 60)),
    131016: _Rule("WhatsApp is temporarily unavailable", (2, 60)),
    131047: _Rule("24-hour customer service window closed", window_closed=True),
    131026: _Rule(
        "the customer cannot receive messages (not on WhatsApp, an old app, or the business is "
        "blocked)",
        unreachable=True,
    ),
    131050: _Rule("the customer stopped marketing messages"),
    131049: _Rule("held back to keep the ecosystem healthy (per-customer marketing limit)"),
    190: _Rule("the access token is invalid or expired; renew it"),
    100: _Rule("invalid parameter", explain=True),
    131009: _Rule("parameter value is not valid", explain=True),
}
_TEMPLATE = _Rule("template problem", explain=True)
_TIMEOUT = _Rule("no answer (timeout or connection error)", (2, 60))
_THROTTLED = _Rule("too many requests", (2, 60), jitter=True)
_SERVER = _Rule("server error", (2, 60))
_REFUSED = _Rule("request refused", explain=True)


def failure(
    http_status: int, body: Any, attempt: int, rng: random.Random | None = None
) -> SendFailure:
    """What an error answer of the Graph API means (§2.3), and when to try again.

    `http_status` 0 is a timeout or a connection error (`body` None); `attempt` counts from 0.
    The message is for the business and never contains the access token.
    """
    code, details = _error_details(body)
    rule = _rule(code, http_status)
    retry_after = None
    if rule.backoff is not None:
        jitter = (rng or random.Random()).uniform(0, 1) if rule.jitter else 0.0
        base, cap = rule.backoff
        retry_after = min(float(cap), base ** min(max(attempt, 0), 16) + jitter)
    return SendFailure(
        _describe(rule, code, details, http_status, retry_after),
        code=code,
        retry_after=retry_after,
        unreachable=rule.unreachable,
        window_closed=rule.window_closed,
    )


def _error_details(body: Any) -> tuple[int | None, str | None]:
    """The Cloud API error code of an answer and its human-readable details."""
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        return None, None
    code = error.get("code")
    data = error.get("error_data")
    details = _optional(data, "details") if isinstance(data, dict) else None
    known = code if isinstance(code, int) and not isinstance(code, bool) else None
    return known, details or _optional(error, "message")


def _rule(code: int | None, http_status: int) -> _Rule:
    if code in _RULES:
        return _RULES[code]
    if code is not None and 132000 <= code <= 132099:
        return _TEMPLATE
    if code is None and http_status == 0:
        return _TIMEOUT
    if http_status == 429:
        return _THROTTLED
    return _SERVER if http_status >= 500 or http_status == 0 else _REFUSED


def _describe(
    rule: _Rule, code: int | None, details: str | None, http_status: int, retry_after: float | None
) -> str:
    head = "WhatsApp did not answer" if rule is _TIMEOUT else "WhatsApp refused the message"
    said = f"{head}: {rule.reason}"
    if code is not None:
        said += f" ({code})"
    elif http_status:
        said += f" (HTTP {http_status})"
    if rule.explain and details:
        said += f": {_shorten(details, 300)}"
    if retry_after is not None:
        said += f"; trying again in {retry_after:.0f} s"
    return said
