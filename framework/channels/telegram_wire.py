"""The Telegram Bot API on the wire: updates in, method calls out, errors classified.

Pure functions, no I/O, so the channel's rules can be tested exhaustively against the fake Bot
API and the channel itself only moves bytes. Telegram's limits are met here, before sending
(reference §5): texts of at most 4096 characters, captions of 1024, callback data of 1–64
*bytes*, invoice payloads of 1–128 bytes. Lengths are counted in UTF-16 code units, as
Telegram counts them, which is never less than Python's count. Texts are sent without
parse_mode: neither a customer's nor a bot's text is ever read as HTML.

An update is turned into what the runtime handles (`Incoming`, a button press's
`CallbackQuery` to answer, a `PreCheckout` to answer within 10 s, a `Payment` to fulfil) or a
`WebhookProblem`; a malformed update is a problem, never an exception.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeGuard
from urllib.parse import urlsplit

from framework.channels.messages import Incoming, WebhookProblem
from framework.runtime.sending import SendFailure

__all__ = [
    "ALLOWED_UPDATES",
    "CallbackQuery",
    "Payment",
    "PreCheckout",
    "Update",
    "answer_callback",
    "answer_pre_checkout",
    "callback_keys",
    "decode_callback",
    "encode_callback",
    "failure",
    "invoice",
    "parse_update",
    "render",
    "set_webhook",
    "verify_secret",
]

CHANNEL = "telegram"
ALLOWED_UPDATES = ("message", "callback_query", "pre_checkout_query")
"""What the bot asks Telegram for (payments need pre_checkout_query, §5.5)."""

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64
MAX_BUTTON_TEXT = 64
MAX_ROW_TITLE = 20
MAX_ROW_BUTTONS = 3
MAX_ANSWER_TEXT = 200
MAX_TITLE = 32
MAX_DESCRIPTION = 255
MAX_INVOICE_PAYLOAD = 128
MAX_RETRY_AFTER = 300.0
MAX_BACKOFF = 60.0
MAX_DESCRIPTION_SHOWN = 200
ID_RANGE = range(-(2**63), 2**63)
"""Telegram's ids are signed 64-bit integers; anything else is not an id."""
SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")
WEBHOOK_PORTS = (80, 88, 443, 8443)
HASHED = "h:"
PLAIN = "p:"
HASH_LENGTH = 22
ELLIPSIS = "…"
NO_TEXT = ELLIPSIS
"""The text of a message that only carries buttons: Telegram refuses an empty one."""
UNSUPPORTED_KINDS = (
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
"""Message kinds a customer can send that a bot cannot read (named in the problem)."""

Call = tuple[str, dict[str, Any]]


# --- webhook -----------------------------------------------------------------------------------


def verify_secret(header: str | None, expected: str) -> bool:
    """Whether X-Telegram-Bot-Api-Secret-Token is the webhook's secret (constant time, §5.1)."""
    if not header or not expected:
        return False
    return hmac.compare_digest(
        header.encode("utf-8", "surrogatepass"), expected.encode("utf-8", "surrogatepass")
    )


def set_webhook(url: str, secret_token: str) -> Call:
    """setWebhook for `url`, with the secret every delivery must carry (§5.1)."""
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname:
        raise ValueError(f"Telegram delivers updates only to an HTTPS URL, not {url!r}")
    if (parts.port or 443) not in WEBHOOK_PORTS:
        raise ValueError("Telegram delivers updates only to ports 80, 88, 443 or 8443")
    if not SECRET_TOKEN.fullmatch(secret_token):
        raise ValueError("the webhook secret must be 1–256 characters of A-Z, a-z, 0-9, _ and -")
    return "setWebhook", {
        "url": url,
        "secret_token": secret_token,
        "allowed_updates": list(ALLOWED_UPDATES),
        "drop_pending_updates": False,
    }


# --- updates -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CallbackQuery:
    """A button press, to be answered with `answer_callback` (else the button keeps spinning)."""

    id: str
    chat_id: int | None


@dataclass(frozen=True)
class PreCheckout:
    """Telegram asks whether to charge: answer with `answer_pre_checkout` within 10 s."""

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


def _is_id(value: object) -> TypeGuard[int]:
    """A 64-bit integer: an id, an amount, a date (never a bool, never one too big to print)."""
    return isinstance(value, int) and not isinstance(value, bool) and value in ID_RANGE


def _integer(container: Mapping[str, Any], key: str) -> int:
    value = container.get(key)
    if not _is_id(value):
        raise _Malformed(f"{key} is not a 64-bit integer")
    return value


def _number(value: Any) -> float | None:
    """A JSON number as a finite float; None for anything else (a bool, a huge int, NaN)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if isinstance(value, int) and value not in ID_RANGE:
        return None
    return float(value) if math.isfinite(value) else None


def _coordinate(container: Mapping[str, Any], key: str, limit: int) -> float:
    value = _number(container.get(key))
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
    content = _content(message)
    if content is None:
        kind = next((each for each in UNSUPPORTED_KINDS if each in message), "unknown")
        return WebhookProblem(
            "unsupported", f"the customer sent a {kind} message, which a bot cannot read"
        )
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
        sent_at=float(date) if _is_id(date) else None,
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
    return chat_id if _is_id(chat_id) else None


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


def encode_callback(payload: str) -> str:
    """callback_data for a button payload: "p:<payload>" when it fits 64 bytes, else a key.

    The key is "h:" and 22 characters of the payload's SHA-256 (urlsafe base64, 132 bits); the
    runtime keeps `callback_keys` of what it sent to map a pressed key back.
    """
    plain = PLAIN + payload
    if len(plain.encode()) <= MAX_CALLBACK_DATA:
        return plain
    digest = base64.urlsafe_b64encode(hashlib.sha256(payload.encode()).digest())
    return HASHED + digest.decode()[:HASH_LENGTH]


def decode_callback(data: str) -> str:
    """The payload of pressed callback_data; an "h:" key stays as is for the runtime to map."""
    return data.removeprefix(PLAIN)


def callback_keys(entry: Mapping[str, Any]) -> dict[str, str]:
    """The "h:" keys the buttons of `entry` are sent with, and the payloads they stand for."""
    encoded = {encode_callback(payload): payload for _, payload in _buttons(entry)}
    return {key: payload for key, payload in encoded.items() if key.startswith(HASHED)}


# --- sending -----------------------------------------------------------------------------------


def _units(text: str) -> int:
    """Telegram's length of `text`: UTF-16 code units."""
    return len(text) + sum(1 for char in text if ord(char) > 0xFFFF)


def _fit(text: str, limit: int) -> int:
    """How many characters of `text` fit in `limit` UTF-16 code units."""
    used = 0
    for index, char in enumerate(text):
        used += 2 if ord(char) > 0xFFFF else 1
        if used > limit:
            return index
    return len(text)


def _shorten(text: str, limit: int) -> str:
    return text if _units(text) <= limit else text[: _fit(text, limit - 1)] + ELLIPSIS


def _split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """`text` in parts of at most `limit`, cut at a paragraph, else a line, else a word.

    Only whitespace at the cuts is lost; a word is cut only when it alone is longer than the
    limit. Parts that would be blank are left out (Telegram refuses them).
    """
    parts: list[str] = []
    rest = text
    while _units(rest) > limit:
        end = _fit(rest, limit)
        cut = _cut(rest, end)
        parts.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    parts.append(rest)
    return [part for part in parts if part.strip()]


def _cut(text: str, end: int) -> int:
    """Where to cut `text` before `end`: at the last paragraph break in the second half of the
    part, else the last line break there, else the last whitespace, else at `end`."""
    for separator in ("\n\n", "\n"):
        found = text.rfind(separator, end // 2, end)
        if found > 0:
            return found
    spaces = [match.start() for match in re.finditer(r"\s", text[1:end])]
    return spaces[-1] + 1 if spaces else end


def _buttons(entry: Mapping[str, Any]) -> list[tuple[str, str]]:
    buttons = entry.get("buttons") or []
    return [(str(button.get("title", "")), str(button.get("payload", ""))) for button in buttons]


def _keyboard(entry: Mapping[str, Any]) -> dict[str, Any] | None:
    """The inline keyboard: the choices (a row each when many or long), then the link."""
    buttons = _buttons(entry)
    choices = [
        {
            "text": _shorten(title or payload, MAX_BUTTON_TEXT),
            "callback_data": encode_callback(payload),
        }
        for title, payload in buttons
    ]
    long = any(len(title) > MAX_ROW_TITLE for title, _ in buttons)
    if len(choices) > MAX_ROW_BUTTONS or long:
        rows = [[choice] for choice in choices]
    else:
        rows = [choices] if choices else []
    link = entry.get("link")
    if link:
        title = _shorten(str(link["title"]), MAX_BUTTON_TEXT)
        rows.append([{"text": title, "url": str(link["url"])}])
    return {"inline_keyboard": rows} if rows else None


def render(entry: Mapping[str, Any], chat_id: int | str) -> list[Call]:
    """The Bot API calls that show one bot log entry; the keyboard goes on the last call."""
    text = str(entry.get("text") or "")
    keyboard = _keyboard(entry)
    image = entry.get("image")
    if image:
        return _with_photo(chat_id, text, str(image), keyboard)
    parts = _split_text(text)
    if not parts and keyboard is None:
        return []
    parts = parts or [str(entry.get("list_button") or "").strip() or NO_TEXT]
    calls: list[Call] = [("sendMessage", {"chat_id": chat_id, "text": part}) for part in parts]
    if keyboard is not None:
        calls[-1][1]["reply_markup"] = keyboard
    return calls


def _with_photo(
    chat_id: int | str, text: str, image: str, keyboard: dict[str, Any] | None
) -> list[Call]:
    """A photo with the text as its caption, or after the text when that is too long for one."""
    photo: dict[str, Any] = {"chat_id": chat_id, "photo": image}
    calls: list[Call] = []
    if text.strip() and _units(text) <= MAX_CAPTION:
        photo["caption"] = text
    else:
        calls = [("sendMessage", {"chat_id": chat_id, "text": part}) for part in _split_text(text)]
    if keyboard is not None:
        photo["reply_markup"] = keyboard
    return [*calls, ("sendPhoto", photo)]


def invoice(
    chat_id: int | str,
    *,
    title: str,
    description: str,
    payload: str,
    currency: str,
    prices: list[tuple[str, int]],
    provider_token: str,
) -> Call:
    """sendInvoice (§5.5); `payload` (the order id) must be 1–128 bytes, it is never cut."""
    if not 1 <= len(payload.encode()) <= MAX_INVOICE_PAYLOAD:
        raise ValueError(f"an invoice payload must be 1–128 bytes, not {len(payload.encode())}")
    return "sendInvoice", {
        "chat_id": chat_id,
        "title": _shorten(title, MAX_TITLE),
        "description": _shorten(description, MAX_DESCRIPTION),
        "payload": payload,
        "provider_token": provider_token,
        "currency": currency,
        "prices": [{"label": label, "amount": amount} for label, amount in prices],
    }


def answer_callback(query_id: str, text: str = "") -> Call:
    """answerCallbackQuery: stops the button's spinner, with an optional short notice."""
    params: dict[str, Any] = {"callback_query_id": query_id}
    if text:
        params["text"] = _shorten(text, MAX_ANSWER_TEXT)
    return "answerCallbackQuery", params


def answer_pre_checkout(query_id: str, ok: bool, error: str = "") -> Call:
    """answerPreCheckoutQuery: charge, or refuse with a reason the customer sees."""
    params: dict[str, Any] = {"pre_checkout_query_id": query_id, "ok": ok}
    if not ok:
        params["error_message"] = error or "This order cannot be paid right now."
    return "answerPreCheckoutQuery", params


# --- errors ------------------------------------------------------------------------------------

UNREACHABLE = {
    "bot was blocked by the user": "The customer blocked the bot on Telegram",
    "user is deactivated": "The customer's Telegram account was deleted",
    "bot can't initiate conversation": "The customer never started a chat with the bot",
}


def failure(http_status: int, body: Any, attempt: int) -> SendFailure:
    """What a failed call means for the business: retry when, or give up (and why).

    `body` is the Bot API's error JSON (§5.4), or anything else a broken answer holds;
    `http_status` 0 is a timeout or a connection that failed; `attempt` counts from 0.
    """
    answer = body if isinstance(body, Mapping) else {}
    code = answer.get("error_code")
    code = code if _is_id(code) else http_status
    description = answer.get("description")
    description = description[:MAX_DESCRIPTION_SHOWN] if isinstance(description, str) else ""
    if code == 429:
        return _rate_limited(answer, attempt)
    if code == 0 or 500 <= code <= 599:
        return _unavailable(code, description, attempt)
    if code == 403:
        return _forbidden(description)
    return _refused(code, description)


def _backoff(attempt: int, cap: float) -> float:
    return min(float(2 ** min(max(attempt, 0), 16)), cap)


def _rate_limited(answer: Mapping[str, Any], attempt: int) -> SendFailure:
    parameters = answer.get("parameters")
    given = _number(parameters.get("retry_after") if isinstance(parameters, Mapping) else None)
    wait = given if given is not None and given > 0 else _backoff(attempt, MAX_RETRY_AFTER)
    return SendFailure(
        f"Telegram limits how fast the bot may send; trying again in {wait:g} s.",
        code=429,
        retry_after=wait,
    )


def _unavailable(code: int, description: str, attempt: int) -> SendFailure:
    wait = _backoff(attempt, MAX_BACKOFF)
    problem = (
        "Telegram could not be reached (no answer in time or no connection)"
        if code == 0
        else f"Telegram had a server problem ({code} {description or 'server error'})"
    )
    return SendFailure(f"{problem}; trying again in {wait:g} s.", code=code, retry_after=wait)


def _forbidden(description: str) -> SendFailure:
    for reason, message in UNREACHABLE.items():
        if reason in description:
            return SendFailure(
                f"{message}: Telegram messages cannot reach them.", code=403, unreachable=True
            )
    return SendFailure(
        f"Telegram does not let the bot write to this chat ({description or 'Forbidden'}).",
        code=403,
    )


def _refused(code: int, description: str) -> SendFailure:
    if code == 401:
        message = "Telegram refused the bot token: it is invalid or was revoked (see @BotFather)."
    elif code == 404:
        message = "Telegram does not know this bot or method: check the bot token (404)."
    else:
        message = f"Telegram refused the message ({code} {description or 'Bad Request'})."
    return SendFailure(message, code=code)
