"""Telegram calls out: a bot's log entry, an invoice, the answers to a button press or a
pre-checkout query and setWebhook as Bot API method calls, and the Bot API's errors classified as
`SendFailure`.

Pure functions, no I/O, so the channel's rules can be tested exhaustively against the fake Bot
API and the channel itself only moves bytes. Telegram's limits are met here, before sending
(reference §5): texts of at most 4096 characters, captions of 1024, callback data of 1–64
*bytes*, invoice payloads of 1–128 bytes. Lengths are counted in UTF-16 code units, as
Telegram counts them, which is never less than Python's count. Texts are sent without
parse_mode: neither a customer's nor a bot's text is ever read as HTML. Updates coming in are
read by telegram_in.py.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from framework.channels.telegram_in import PLAIN, finite_number, is_id
from framework.runtime.consent_signals import EVERY_PURPOSE
from framework.runtime.sending import SendFailure
from framework.stores.records import Outgoing

__all__ = [
    "ALLOWED_UPDATES",
    "FLOOD",
    "address_of",
    "answer_callback",
    "answer_pre_checkout",
    "callback_keys",
    "encode_callback",
    "failure",
    "invoice",
    "render",
    "set_webhook",
]

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
FLOOD = 429
"""Too Many Requests: the bot's every call waits `retry_after` (Bot API §5.4)."""
MAX_BACKOFF = 60.0
MAX_DESCRIPTION_SHOWN = 200
SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")
WEBHOOK_PORTS = (80, 88, 443, 8443)
HASHED = "h:"
HASH_LENGTH = 22
ELLIPSIS = "…"
NO_TEXT = ELLIPSIS
"""The text of a message that only carries buttons: Telegram refuses an empty one."""

Call = tuple[str, dict[str, Any]]


# --- webhook -----------------------------------------------------------------------------------


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


# --- callback data -----------------------------------------------------------------------------


def encode_callback(payload: str) -> str:
    """callback_data for a button payload: "p:<payload>" when it fits 64 bytes, else a key.

    The key is "h:" and 22 characters of the payload's SHA-256 (urlsafe base64, 132 bits); the
    runtime keeps `callback_keys` of what it sent to map a pressed key back. A press is read by
    telegram_in.decode_callback.
    """
    plain = PLAIN + payload
    if len(plain.encode()) <= MAX_CALLBACK_DATA:
        return plain
    digest = base64.urlsafe_b64encode(hashlib.sha256(payload.encode()).digest())
    return HASHED + digest.decode()[:HASH_LENGTH]


def callback_keys(entry: Outgoing) -> dict[str, str]:
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


def without_link(entry: Outgoing) -> Outgoing:
    """The message without its link button (sent as a Telegram invoice instead)."""
    rest = entry.copy()
    rest.pop("link", None)
    return rest


def render(entry: Outgoing, chat_id: int | str) -> list[Call]:
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

BLOCKED = "bot was blocked by the user"
UNREACHABLE = {
    BLOCKED: "The customer blocked the bot on Telegram",
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
    code = code if is_id(code) else http_status
    description = answer.get("description")
    description = description[:MAX_DESCRIPTION_SHOWN] if isinstance(description, str) else ""
    if code == FLOOD:
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
    retry_after = parameters.get("retry_after") if isinstance(parameters, Mapping) else None
    given = finite_number(retry_after)
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
    """403: the customer cannot be reached; one who blocked the bot took back every consent
    (runtime/consent_signals.py), and writing again later gives none back."""
    for reason, message in UNREACHABLE.items():
        if reason in description:
            withdrawn = EVERY_PURPOSE if reason == BLOCKED else None
            return SendFailure(
                f"{message}: Telegram messages cannot reach them.",
                code=403,
                unreachable=True,
                withdrawn=withdrawn,
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


def address_of(customer: str) -> dict[str, Any] | None:
    """Where a conversation's customer is written to: the chat whose id the session key
    holds (negative for a group); None for anything else."""
    digits = customer.removeprefix("-")
    usable = digits.isascii() and digits.isdigit() and len(digits) < 20
    return {"chat_id": int(customer)} if usable else None
