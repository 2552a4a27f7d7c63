"""Telegram updates in: a webhook delivery read into what the runtime handles.

Pure functions, no I/O, so the channel's rules can be tested exhaustively against the fake Bot
API and the channel itself only moves bytes. An update is turned into `Incoming`, a button
press's `CallbackQuery` to answer, a `PreCheckout` to answer within 10 s, a `Payment` to fulfil,
or a `WebhookProblem`; a malformed update is a problem, never an exception. The calls going out
(messages, answers, invoices) and the meaning of the Bot API's errors are telegram_out.py.
"""

from __future__ import annotations

import hmac
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeGuard

from framework.channels.messages import Incoming, WebhookProblem

__all__ = [
    "PLAIN",
    "CallbackQuery",
    "Payment",
    "PreCheckout",
    "Update",
    "decode_callback",
    "finite_number",
    "is_id",
    "parse_update",
    "verify_secret",
]

CHANNEL = "telegram"
ID_RANGE = range(-(2**63), 2**63)
"""Telegram's ids are signed 64-bit integers; anything else is not an id."""
PLAIN = "p:"
"""The prefix of callback data that is the button's payload itself (else it is a hashed key)."""
MEDIA = (
    "sticker",
    "voice",
    "audio",
    "video",
    "video_note",
    "animation",
    "document",
    "contact",
    "poll",
    "dice",
    "game",
    "story",
    "invoice",
)
"""Message kinds a bot cannot read: answered with the bot's `media_without_text` unless they
carry a caption (a photo's caption is read as text)."""
"""Message kinds a customer can send that a bot cannot read (named in the problem)."""


def verify_secret(header: str | None, expected: str) -> bool:
    """Whether X-Telegram-Bot-Api-Secret-Token is the webhook's secret (constant time, §5.1)."""
    if not header or not expected:
        return False
    return hmac.compare_digest(
        header.encode("utf-8", "surrogatepass"), expected.encode("utf-8", "surrogatepass")
    )


# --- updates -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CallbackQuery:
    """A button press, to be answered with telegram_out.answer_callback (else it keeps spinning)."""

    id: str
    chat_id: int | None


@dataclass(frozen=True)
class PreCheckout:
    """Telegram asks whether to charge: answer with telegram_out.answer_pre_checkout within 10 s."""

    id: str
    payload: str
    currency: str
    total_amount: int
    customer: str


@dataclass(frozen=True)
class Payment:
    """A completed charge: fulfil here, once per `charge_id` (§5.5)."""

    customer: str
    payload: str
    currency: str
    total_amount: int
    charge_id: str
    provider_charge_id: str


Update = Incoming | CallbackQuery | PreCheckout | Payment | WebhookProblem


class _Malformed(Exception):
    """A field missing or of the wrong type; becomes a WebhookProblem in parse_update."""


def _object(value: Any, name: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise _Malformed(f"{name} is not an object")
    return value


def _string(container: Mapping[str, Any], key: str) -> str:
    value = container.get(key)
    if not isinstance(value, str):
        raise _Malformed(f"{key} is not a string")
    return value


def is_id(value: object) -> TypeGuard[int]:
    """A 64-bit integer: an id, an amount, a date (never a bool, never one too big to print)."""
    return isinstance(value, int) and not isinstance(value, bool) and value in ID_RANGE


def _integer(container: Mapping[str, Any], key: str) -> int:
    value = container.get(key)
    if not is_id(value):
        raise _Malformed(f"{key} is not a 64-bit integer")
    return value


def finite_number(value: Any) -> float | None:
    """A JSON number as a finite float; None for anything else (a bool, a huge int, NaN)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if isinstance(value, int) and value not in ID_RANGE:
        return None
    return float(value) if math.isfinite(value) else None


def _coordinate(container: Mapping[str, Any], key: str, limit: int) -> float:
    value = finite_number(container.get(key))
    if value is None or not -limit <= value <= limit:
        raise _Malformed(f"{key} is not a coordinate")
    return value


def parse_update(update: Any, bot: str) -> list[Update]:
    """What one webhook delivery means for `bot`; never raises, whatever arrives."""
    try:
        envelope = _object(update, "the update")
        update_id = _integer(envelope, "update_id")
        kinds = [key for key in envelope if key != "update_id"]
        if not kinds:
            raise _Malformed("the update carries nothing")
        kind = kinds[0]
        if not isinstance(kind, str):
            raise _Malformed("the update's kind is not a name")
        if kind == "message":
            return [_message(_object(envelope[kind], kind), bot, update_id)]
        if kind == "callback_query":
            return _callback(_object(envelope[kind], kind), bot, update_id)
        if kind == "pre_checkout_query":
            return [_pre_checkout(_object(envelope[kind], kind))]
        return [WebhookProblem(f"ignored:{kind[:40]}", f"Telegram sent a {kind[:40]} update")]
    except _Malformed as problem:
        return [WebhookProblem("malformed", f"a Telegram update Theke cannot read: {problem}")]


def _private_chat(message: Mapping[str, Any]) -> int | WebhookProblem:
    chat = _object(message.get("chat"), "chat")
    chat_id = _integer(chat, "id")
    kind = chat.get("type")
    if kind != "private":
        label = kind[:20] if isinstance(kind, str) else "non-private"
        detail = f"a message in a {label} chat; only private chats are served"
        return WebhookProblem("group_chat", detail, {"chat_id": chat_id})
    return chat_id


def _name(person: Any) -> str | None:
    """First and last name of a User or private Chat, when it has them."""
    if not isinstance(person, Mapping):
        return None
    names = [person.get("first_name"), person.get("last_name")]
    return " ".join(name for name in names if isinstance(name, str) and name) or None


def _message(message: Mapping[str, Any], bot: str, update_id: int) -> Update:
    chat_id = _private_chat(message)
    if isinstance(chat_id, WebhookProblem):
        return chat_id
    if "successful_payment" in message:
        return _payment(_object(message["successful_payment"], "successful_payment"), chat_id)
    content = _content(message) or _media(message)
    if content is None:
        return WebhookProblem("unsupported", "the customer sent a message of no known kind")
    text, attachment = content
    date = message.get("date")
    return Incoming(
        bot=bot,
        channel=CHANNEL,
        customer=str(chat_id),
        message_id=f"tg:{update_id}",
        text=text,
        address={"chat_id": chat_id},
        attachment=attachment,
        name=_name(message.get("from")) or _name(message.get("chat")),
        sent_at=float(date) if is_id(date) else None,
    )


def _content(message: Mapping[str, Any]) -> tuple[str, dict[str, Any] | None] | None:
    """The text and attachment of a message a bot can read; None for other kinds."""
    if "text" in message:
        return _string(message, "text"), None
    if "venue" in message:
        return _venue(_object(message["venue"], "venue"))
    if "location" in message:
        return _location(_object(message["location"], "location"))
    if "photo" in message:
        return _photo(message)
    return None


def _media(message: Mapping[str, Any]) -> tuple[str, dict[str, Any]] | None:
    """A message a bot cannot read (a sticker, a voice message, a video): its caption is the
    text, else the text is empty and the bot answers that it reads only text."""
    kind = next((each for each in MEDIA if each in message), None)
    if kind is None:
        return None
    caption = message.get("caption")
    return caption if isinstance(caption, str) else "", {"type": kind}


def _location(location: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    latitude = _coordinate(location, "latitude", 90)
    longitude = _coordinate(location, "longitude", 180)
    attachment = {"type": "location", "latitude": latitude, "longitude": longitude}
    return f"{latitude:.6f}, {longitude:.6f}", attachment


def _venue(venue: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    title, address = _string(venue, "title"), _string(venue, "address")
    _, attachment = _location(_object(venue.get("location"), "venue location"))
    return f"{title}, {address}", attachment | {"name": title, "address": address}


def _photo(message: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    sizes = message["photo"]
    if not isinstance(sizes, list) or not sizes:
        raise _Malformed("photo is not a list of sizes")
    largest = max((_object(size, "photo size") for size in sizes), key=_area)
    caption = message.get("caption")
    caption = caption if isinstance(caption, str) else ""
    attachment = {"type": "image", "id": _string(largest, "file_id")}
    return caption, attachment | ({"caption": caption} if caption else {})


def _area(size: Mapping[str, Any]) -> int:
    width, height = size.get("width"), size.get("height")
    if isinstance(width, int) and isinstance(height, int):
        return width * height
    return 0


def _payment(payment: Mapping[str, Any], chat_id: int) -> Payment:
    return Payment(
        customer=str(chat_id),
        payload=_string(payment, "invoice_payload"),
        currency=_string(payment, "currency"),
        total_amount=_integer(payment, "total_amount"),
        charge_id=_string(payment, "telegram_payment_charge_id"),
        provider_charge_id=_string(payment, "provider_payment_charge_id"),
    )


def _pre_checkout(query: Mapping[str, Any]) -> PreCheckout:
    return PreCheckout(
        id=_string(query, "id"),
        payload=_string(query, "invoice_payload"),
        currency=_string(query, "currency"),
        total_amount=_integer(query, "total_amount"),
        customer=str(_integer(_object(query.get("from"), "from"), "id")),
    )


def _callback(query: Mapping[str, Any], bot: str, update_id: int) -> list[Update]:
    """The press to answer, and what it says: the button's text and its decoded payload."""
    message = query.get("message")
    pressed = CallbackQuery(_string(query, "id"), _chat_of(message))
    data = query.get("data")
    if not isinstance(data, str) or not data:
        return [pressed]
    if not isinstance(message, Mapping) or pressed.chat_id is None:
        outside = "a button press on a message that is in no chat Theke can write to"
        return [pressed, WebhookProblem("unsupported", outside)]
    chat_id = _private_chat(message)
    if isinstance(chat_id, WebhookProblem):
        return [pressed, chat_id]
    incoming = Incoming(
        bot=bot,
        channel=CHANNEL,
        customer=str(chat_id),
        message_id=f"tg:{update_id}",
        text=_button_text(message, data) or decode_callback(data),
        payload=decode_callback(data),
        address={"chat_id": chat_id},
        name=_name(query.get("from")),
    )
    return [pressed, incoming]


def _chat_of(message: Any) -> int | None:
    chat = message.get("chat") if isinstance(message, Mapping) else None
    chat_id = chat.get("id") if isinstance(chat, Mapping) else None
    return chat_id if is_id(chat_id) else None


def _button_text(message: Any, data: str) -> str | None:
    """The text of the button with `data` on the pressed message, when it shows one."""
    markup = message.get("reply_markup") if isinstance(message, Mapping) else None
    rows = markup.get("inline_keyboard") if isinstance(markup, Mapping) else None
    buttons = [
        button
        for row in (rows if isinstance(rows, list) else [])
        if isinstance(row, list)
        for button in row
        if isinstance(button, Mapping) and button.get("callback_data") == data
    ]
    text = buttons[0].get("text") if buttons else None
    return text if isinstance(text, str) and text else None


# --- callback data -----------------------------------------------------------------------------


def decode_callback(data: str) -> str:
    """The payload of pressed callback_data; an "h:" key stays as is for the runtime to map.

    What a button carries is made by telegram_out.encode_callback.
    """
    return data.removeprefix(PLAIN)
