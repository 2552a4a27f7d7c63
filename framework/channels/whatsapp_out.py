"""WhatsApp sending: a bot's log entry as Graph API request bodies, error answers as SendFailure.

Pure functions, no I/O: everything Meta specifies about a send (the limits of each message type,
the meaning of each error code) lives here, tested against a fake that checks payloads exactly
as the Graph API does; the channel's HTTP code only moves bytes. Sending never produces a
payload the API refuses: over a limit it degrades (buttons → list → numbered text, long texts
split), and no text of a bot's message is dropped. Webhooks are read by whatsapp_in.py.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple
from urllib.parse import quote

from framework.channels.whatsapp_components import template_components
from framework.channels.whatsapp_in import Json, error_details
from framework.runtime.sending import SendFailure
from framework.stores.consents import MARKETING
from framework.stores.records import Outgoing

__all__ = [
    "GRAPH_VERSION",
    "THROUGHPUT",
    "address_of",
    "approved_template",
    "failure",
    "media_request",
    "numbered_choices",
    "read_receipt",
    "render",
    "template",
    "withdrawn_by",
]

GRAPH_VERSION = "v25.0"

# Limits of a send (reference §2.2); lengths count characters.
_TEXT = 4096
_BODY = 1024  # reply-button and cta_url body, image caption
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


class _Choice(NamedTuple):
    title: str
    payload: str


def render(
    entry: Outgoing, address: Mapping[str, Any], *, callback: str | None = None
) -> list[dict[str, Any]]:
    """The bodies of POST /{phone-number-id}/messages that show one bot log entry.

    `entry`: {"text", "buttons"?: [{"title", "payload"}], "list_button"?, "image"?: url,
    "link"?: {"title", "url"}}; `address`: {"to": wa_id}, {"recipient": bsuid} or
    {"group": group_id}; `callback`
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
    """An approved template with one body parameter, for a message outside the 24 h window."""
    return approved_template(address, name, language, [body_text], callback=callback)


def approved_template(
    address: Mapping[str, Any],
    name: str,
    language: str,
    body: Iterable[str],
    *,
    callback: str | None = None,
    header: Mapping[str, Any] | None = None,
    buttons: Iterable[Mapping[str, Any]] = (),
) -> dict[str, Any]:
    """An approved template with `language`'s code and its body's {{1}}..{{n}} filled in order,
    and its `header` and `buttons` as WhatsAppTemplate.filled makes them (whatsapp_components.py).

    Each text parameter is one line (Meta refuses newlines and tabs in template parameters) of
    at most 1024 characters (a text header's 60); a template without parameters has no
    components.
    """
    sent: Json = {"name": name, "language": {"code": language}}
    components = template_components(body, header, buttons)
    if components:
        sent["components"] = components
    return {**_envelope(address, callback), "type": "template", "template": sent}


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
    """Whom a message goes to: a phone number (`to`), a BSUID (`recipient`) or a group."""
    if address.get("group"):
        kind, key, value = "group", "to", address["group"]
    else:
        kind, key = "individual", "to" if address.get("to") else "recipient"
        value = address.get(key)
    if not value:
        raise ValueError("a WhatsApp address needs 'to' (wa_id), 'recipient' (BSUID) or 'group'")
    envelope: Json = {"messaging_product": "whatsapp", "recipient_type": kind, key: str(value)}
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


def numbered_choices(entry: Outgoing) -> dict[str, str]:
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
    withdrawn: str | None = None
    """The consent the customer took back, as a purposes' prefix (SendFailure.withdrawn)."""


THROUGHPUT = 130429
"""Meta's refusal for the number's rate: the whole number waits (channels/pacing.py hold)."""
_RULES: dict[int, _Rule] = {
    THROUGHPUT: _Rule(
        "too many messages from this number (throughput limit)", (2, 60), jitter=True
    ),
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
    131050: _Rule("the customer stopped marketing messages", withdrawn=MARKETING),
    131049: _Rule("held back to keep the ecosystem healthy (per-customer marketing limit)"),
    131062: _Rule(
        "this kind of message cannot go to a customer known only by their username "
        "(business-scoped user ID)"
    ),
    132015: _Rule("Meta paused the template for its quality", explain=True),
    132016: _Rule("Meta disabled the template for its quality", explain=True),
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
        withdrawn=rule.withdrawn,
    )


def withdrawn_by(errors: Iterable[Json]) -> str | None:
    """The consent a failed status's errors say the customer took back (131050: marketing)."""
    for error in errors:
        code = error.get("code")
        rule = _RULES.get(code) if isinstance(code, int) and not isinstance(code, bool) else None
        if rule is not None and rule.withdrawn is not None:
            return rule.withdrawn
    return None


def _error_details(body: Any) -> tuple[int | None, str | None]:
    """The Cloud API error code of an answer and its human-readable details."""
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        return None, None
    code = error.get("code")
    known = code if isinstance(code, int) and not isinstance(code, bool) else None
    return known, error_details(error)


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


def address_of(customer: str) -> dict[str, Any]:
    """Where a conversation's customer is written to: the session key holds their phone
    number (wa_id) or, without one, their business-scoped user id (BSUID: `recipient`). (A
    group's conversation is written to as `group`, which only its own messages tell.)"""
    return (
        {"to": customer} if customer.isascii() and customer.isdigit() else {"recipient": customer}
    )
