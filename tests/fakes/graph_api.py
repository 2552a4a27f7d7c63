"""A local fake of Meta's WhatsApp Cloud API (Graph API v25.0) for channel tests.

It answers like graph.facebook.com: the documented send shapes and limits (reference §2.1, §2.2),
the real success and error JSON (§2.3), Bearer auth, and the two-step media download (§1.5). It
records every request, can make the next sends fail or hang, and posts signed webhooks (inbound
messages, statuses of the messages it accepted) to the app under test.

Codes: a malformed request (parameter missing, unknown or of the wrong type) is 100 "Invalid
parameter"; a well-formed request over a documented limit is 131009 "Parameter value is not
valid". The `details` texts are the fake's own words: clients branch on `code` (§2.3).
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web

from framework.channels.whatsapp import NumberSettings, WhatsAppSettings
from framework.secrets import Secret
from tests.fakes.webhooks import (
    BUSINESS,
    CUSTOMER,
    ERRORS,
    GRAPH_VERSION,
    Business,
    Customer,
    Delivery,
    Json,
    LocalServer,
    Pricing,
    change,
    encode,
    entry,
    error_object,
    inbound,
    new_wamid,
    notification,
    signature,
    status,
)

ACCESS_TOKEN = "EAAGfakeAccessTokenForTests"
MESSAGE_STATUSES = ("accepted", "held_for_quality_assessment", "paused")
"""A template send's `messages[].message_status` (reference §2.1): its pacing status."""
APP_SECRET = "fake-app-secret"
DAY = 24 * 60 * 60


def fbtrace_id() -> str:
    return "A" + secrets.token_urlsafe(16)[:16]


class GraphError(Exception):
    """A send the Cloud API refuses; `as_json` is its error body (§2.3)."""

    def __init__(self, code: int, details: str | None = None) -> None:
        known = ERRORS[code]
        self.code, self.http_status = code, known.http_status
        self.details = details or known.details
        super().__init__(self.details)

    def as_json(self) -> Json:
        return {
            "error": {
                "message": f"(#{self.code}) {ERRORS[self.code].title}",
                "type": "OAuthException",
                "code": self.code,
                "error_data": {"messaging_product": "whatsapp", "details": self.details},
                "fbtrace_id": fbtrace_id(),
            }
        }


def token_error(*, expired: bool) -> web.Response:
    """190: a missing or wrong token, or an expired one (error_subcode 463)."""
    if expired:
        error: Json = {
            "message": "Error validating access token: Session has expired on Friday, "
            "01-Jan-2027 00:00:00 PST. The current time is Saturday, 02-Jan-2027 00:00:00 PST.",
            "type": "OAuthException",
            "code": 190,
            "error_subcode": 463,
        }
    else:
        error = {
            "message": "Invalid OAuth access token - Cannot parse access token",
            "type": "OAuthException",
            "code": 190,
        }
    return web.json_response({"error": {**error, "fbtrace_id": fbtrace_id()}}, status=401)


def unsupported_request(method: str, object_id: str) -> web.Response:
    """Graph's answer for an object that does not exist (a wrong phone number or media id)."""
    message = (
        f"Unsupported {method.lower()} request. Object with ID '{object_id}' does not exist, "
        "cannot be loaded due to missing permissions, or does not support this operation. "
        "Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api"
    )
    error = {
        "message": message,
        "type": "GraphMethodException",
        "code": 100,
        "error_subcode": 33,
        "fbtrace_id": fbtrace_id(),
    }
    return web.json_response({"error": error}, status=400)


# --- request validation ----------------------------------------------------------------------


def _at(where: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{where}[{key}]"
    return f"{where}['{key}']" if where else key


def _object(value: Any, where: str) -> Json:
    if not isinstance(value, dict):
        raise GraphError(100, f"Param {where} must be a JSON object.")
    return value


def _list(value: Any, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise GraphError(100, f"Param {where} must be an array.")
    return value


def _keys(obj: Json, where: str, required: Iterable[str], optional: Iterable[str] = ()) -> None:
    required = tuple(required)
    for key in required:
        if key not in obj:
            raise GraphError(100, f"The parameter {_at(where, key)} is required.")
    for key in obj.keys() - set(required) - set(optional):
        raise GraphError(100, f"Param {_at(where, key)} is not a valid parameter.")


def _string(obj: Json, key: str, where: str, limit: int | None = None, minimum: int = 1) -> str:
    value = obj[key]
    if not isinstance(value, str):
        raise GraphError(100, f"Param {_at(where, key)} must be a string.")
    if limit is not None and not minimum <= len(value) <= limit:
        raise GraphError(
            131009,
            f"{_at(where, key)} must be {minimum} to {limit} characters long, not {len(value)}.",
        )
    return value


def _count(items: list[Any], where: str, low: int, high: int, what: str) -> None:
    if not low <= len(items) <= high:
        raise GraphError(131009, f"{where} must have {low} to {high} {what}, not {len(items)}.")


def _unique(values: list[str], what: str) -> None:
    if len(set(values)) != len(values):
        raise GraphError(131009, f"{what} must be unique.")


def _link(obj: Json, key: str, where: str) -> None:
    parts = urlsplit(_string(obj, key, where))
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise GraphError(131009, f"{_at(where, key)} must be an http(s) URL.")


def _media(value: Any, where: str, *, caption: bool, filename: bool = False) -> None:
    """A media object: exactly one of an uploaded `id` or a public `link`; a document may
    name the `filename` the customer sees (Meta's media object)."""
    media = _object(value, where)
    optional = ("caption",) * caption + ("filename",) * filename
    _keys(media, where, (), ("id", "link", *optional))
    if ("id" in media) == ("link" in media):
        raise GraphError(100, f"Param {where} needs exactly one of id or link.")
    if "id" in media:
        _string(media, "id", where)
    else:
        _link(media, "link", where)
    if "caption" in media:
        _string(media, "caption", where, 1024)
    if "filename" in media:
        _string(media, "filename", where, 240)


def check_text(value: Any) -> None:
    text = _object(value, "text")
    _keys(text, "text", ("body",), ("preview_url",))
    _string(text, "body", "text", 4096)
    if not isinstance(text.get("preview_url", False), bool):
        raise GraphError(100, "Param text['preview_url'] must be a boolean.")


def check_image(value: Any) -> None:
    _media(value, "image", caption=True)


def check_reaction(value: Any) -> None:
    reaction = _object(value, "reaction")
    _keys(reaction, "reaction", ("message_id", "emoji"))
    _string(reaction, "message_id", "reaction")
    _string(reaction, "emoji", "reaction")


TEMPLATE_PARAMETERS = {"text", "currency", "date_time", "image", "document", "video", "payload"}
TEMPLATE_COMPONENTS = {"header", "body", "button"}


def _template_parameter(value: Any, where: str) -> None:
    parameter = _object(value, where)
    kind = parameter.get("type")
    if kind not in TEMPLATE_PARAMETERS:
        raise GraphError(
            100, f"Param {where}['type'] must be one of {sorted(TEMPLATE_PARAMETERS)}."
        )
    _keys(parameter, where, ("type", kind))
    inner = _at(where, kind)
    if kind in ("text", "payload"):
        _string(parameter, kind, where)
        if kind == "text" and re.search(r"[\n\t]| {5}", parameter[kind]):
            raise GraphError(132018)
    elif kind == "currency":
        _keys(_object(parameter[kind], inner), inner, ("fallback_value", "code", "amount_1000"))
    elif kind == "date_time":
        _keys(_object(parameter[kind], inner), inner, ("fallback_value",))
    else:
        _media(parameter[kind], inner, caption=False, filename=kind == "document")


def _template_component(value: Any, where: str) -> None:
    component = _object(value, where)
    if component.get("type") not in TEMPLATE_COMPONENTS:
        raise GraphError(
            100, f"Param {where}['type'] must be one of {sorted(TEMPLATE_COMPONENTS)}."
        )
    if component["type"] == "button":
        _keys(component, where, ("type", "sub_type", "index"), ("parameters",))
        if not str(component["index"]).isdigit():
            raise GraphError(100, f"Param {where}['index'] must be a number.")
    else:
        _keys(component, where, ("type",), ("parameters",))
    for index, parameter in enumerate(_list(component.get("parameters", []), where)):
        _template_parameter(parameter, _at(_at(where, "parameters"), index))


def check_template(value: Any) -> None:
    template = _object(value, "template")
    _keys(template, "template", ("name", "language"), ("components",))
    _string(template, "name", "template")
    language = _object(template["language"], "template['language']")
    _keys(language, "template['language']", ("code",), ("policy",))
    _string(language, "code", "template['language']")
    where = "template['components']"
    for index, component in enumerate(_list(template.get("components", []), where)):
        _template_component(component, _at(where, index))


def _reply_buttons(action: Json) -> None:
    where = "interactive['action']"
    _keys(action, where, ("buttons",))
    buttons = _list(action["buttons"], _at(where, "buttons"))
    _count(buttons, _at(where, "buttons"), 1, 3, "buttons")
    ids, titles = [], []
    for index, value in enumerate(buttons):
        at = _at(_at(where, "buttons"), index)
        button = _object(value, at)
        _keys(button, at, ("type", "reply"))
        if button["type"] != "reply":
            raise GraphError(100, f"Param {at}['type'] must be 'reply'.")
        reply = _object(button["reply"], _at(at, "reply"))
        _keys(reply, _at(at, "reply"), ("id", "title"))
        ids.append(_string(reply, "id", _at(at, "reply"), 256))
        titles.append(_string(reply, "title", _at(at, "reply"), 20))
    _unique(ids, "Button ids")
    _unique(titles, "Button titles")


def _list_section(value: Any, where: str, titled: bool) -> list[str]:
    section = _object(value, where)
    _keys(section, where, ("rows", "title") if titled else ("rows",), ("title",))
    if "title" in section:
        _string(section, "title", where, 24)
    rows = _list(section["rows"], _at(where, "rows"))
    _count(rows, _at(where, "rows"), 1, 10, "rows")
    ids = []
    for index, value in enumerate(rows):
        at = _at(_at(where, "rows"), index)
        row = _object(value, at)
        _keys(row, at, ("id", "title"), ("description",))
        ids.append(_string(row, "id", at, 200))
        _string(row, "title", at, 24)
        if "description" in row:
            _string(row, "description", at, 72)
    return ids


def _list_sections(action: Json) -> None:
    where = "interactive['action']"
    _keys(action, where, ("button", "sections"))
    _string(action, "button", where, 20)
    sections = _list(action["sections"], _at(where, "sections"))
    _count(sections, _at(where, "sections"), 1, 10, "sections")
    ids = [
        row_id
        for index, section in enumerate(sections)
        for row_id in _list_section(section, _at(_at(where, "sections"), index), len(sections) > 1)
    ]
    _count(ids, "A list message", 1, 10, "rows in total")
    _unique(ids, "Row ids")


def _cta_url(action: Json) -> None:
    where = "interactive['action']"
    _keys(action, where, ("name", "parameters"))
    if action["name"] != "cta_url":
        raise GraphError(100, f"Param {where}['name'] must be 'cta_url'.")
    parameters = _object(action["parameters"], _at(where, "parameters"))
    _keys(parameters, _at(where, "parameters"), ("display_text", "url"))
    _string(parameters, "display_text", _at(where, "parameters"), 20)
    _link(parameters, "url", _at(where, "parameters"))


# Per interactive type: the action check, the body limit, the header types it takes (§2.2).
INTERACTIVE: dict[str, tuple[Callable[[Json], None], int, tuple[str, ...]]] = {
    "button": (_reply_buttons, 1024, ("text", "image", "video", "document")),
    "list": (_list_sections, 4096, ("text",)),
    "cta_url": (_cta_url, 1024, ("text", "image", "video", "document")),
}


def _header(value: Any, kinds: tuple[str, ...]) -> None:
    header = _object(value, "interactive['header']")
    kind = header.get("type")
    if kind not in kinds:
        raise GraphError(100, f"Param interactive['header']['type'] must be one of {list(kinds)}.")
    _keys(header, "interactive['header']", ("type", kind))
    if kind == "text":
        _string(header, "text", "interactive['header']", 60)
    else:
        where = f"interactive['header']['{kind}']"
        _media(header[kind], where, caption=False, filename=kind == "document")


def check_interactive(value: Any) -> None:
    interactive = _object(value, "interactive")
    kind = interactive.get("type")
    if kind not in INTERACTIVE:
        raise GraphError(100, f"Param interactive['type'] must be one of {sorted(INTERACTIVE)}.")
    check_action, body_limit, header_kinds = INTERACTIVE[kind]
    _keys(interactive, "interactive", ("type", "body", "action"), ("header", "footer"))
    body = _object(interactive["body"], "interactive['body']")
    _keys(body, "interactive['body']", ("text",))
    _string(body, "text", "interactive['body']", body_limit)
    if "footer" in interactive:
        footer = _object(interactive["footer"], "interactive['footer']")
        _keys(footer, "interactive['footer']", ("text",))
        _string(footer, "text", "interactive['footer']", 60)
    if "header" in interactive:
        _header(interactive["header"], header_kinds)
    check_action(_object(interactive["action"], "interactive['action']"))


CHECKS: dict[str, Callable[[Any], None]] = {
    "text": check_text,
    "interactive": check_interactive,
    "image": check_image,
    "template": check_template,
    "reaction": check_reaction,
}
ENVELOPE = ("recipient_type", "context", "biz_opaque_callback_data", "recipient_identity_key_hash")
PHONE = re.compile(r"\+?[1-9]\d{6,14}")
BSUID = re.compile(r"[A-Z]{2}\.(ENT\.)?[A-Za-z0-9]{1,128}")
GROUP = re.compile(r"[A-Za-z0-9_=-]{16,128}")
"""A group ID as the Groups API and group messages webhooks give it (not a phone number)."""
"""A business-scoped user ID (§1.4): country code, a period, up to 128 letters and digits; a
parent BSUID has `ENT.` after the country code."""


def _check_read(request: Json) -> None:
    """Mark as read, optionally with a typing indicator (§2.1)."""
    _keys(request, "", ("messaging_product", "status", "message_id"), ("typing_indicator",))
    if request["status"] != "read":
        raise GraphError(100, "Param status must be 'read'.")
    _string(request, "message_id", "")
    if "typing_indicator" in request:
        indicator = _object(request["typing_indicator"], "typing_indicator")
        _keys(indicator, "typing_indicator", ("type",))
        if indicator["type"] != "text":
            raise GraphError(100, "Param typing_indicator['type'] must be 'text'.")


def _check_recipient(request: Json, kind: str) -> None:
    """`to` (a phone number) or `recipient` (a BSUID or parent BSUID, for a customer known only
    by their username); with both, `to` takes precedence (Meta's BSUID guide). A message to a
    group: `recipient_type` "group" and the group ID in `to`."""
    if request.get("recipient_type") == "group":
        _keys(request, "", ("messaging_product", "to", "type", kind), ENVELOPE)
        group = _string(request, "to", "")
        if not GROUP.fullmatch(group) or PHONE.fullmatch(group):
            raise GraphError(100, "Param to must be a group ID.")
    elif "to" in request:
        _keys(request, "", ("messaging_product", "to", "type", kind), (*ENVELOPE, "recipient"))
        if not PHONE.fullmatch(_string(request, "to", "")):
            raise GraphError(100, "Param to must be a phone number in international format.")
    elif "recipient" in request:
        _keys(request, "", ("messaging_product", "recipient", "type", kind), ENVELOPE)
        if not BSUID.fullmatch(_string(request, "recipient", "")):
            raise GraphError(100, "Param recipient must be a business-scoped user ID.")
    else:
        raise GraphError(100, "The parameter to is required.")


def _check_envelope(request: Json) -> str:
    kind = request.get("type")
    if kind not in CHECKS:
        raise GraphError(100, f"Param type must be one of {sorted(CHECKS)}.")
    if request.get("recipient_type", "individual") not in ("individual", "group"):
        raise GraphError(100, "Param recipient_type must be 'individual' or 'group'.")
    _check_recipient(request, kind)
    if "context" in request:
        context = _object(request["context"], "context")
        _keys(context, "context", ("message_id",))
        _string(context, "message_id", "context")
    for key in ("biz_opaque_callback_data", "recipient_identity_key_hash"):
        if key in request:
            _string(request, key, "")
    return str(kind)


def check_request(body: Any) -> str:
    """The kind of a POST /messages body ("read" or the message type), or GraphError."""
    request = _object(body, "request body")
    if request.get("messaging_product") != "whatsapp":
        raise GraphError(100, "The parameter messaging_product is required and must be 'whatsapp'.")
    if "status" in request:
        _check_read(request)
        return "read"
    kind = _check_envelope(request)
    CHECKS[kind](request[kind])
    return kind


def _contact(sent: SentMessage) -> Json:
    """`contacts[]` of a send's answer: the phone number's wa_id, the BSUID, or the group."""
    if sent.group:
        return {"input": sent.group}
    if sent.to:
        return {"input": sent.to, "wa_id": sent.wa_id}
    return {"input": sent.user_id, "user_id": sent.user_id}


# --- the fake --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Call:
    """One request as the fake saw it; `status` is None while it hangs."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: Any
    status: int | None
    response: Any


@dataclass
class SentMessage:
    """A message the fake accepted: what a status webhook or an assertion refers to."""

    wamid: str
    to: str
    """The phone number sent to; empty for a send to a BSUID (`recipient`)."""
    type: str
    payload: Json
    accepted_at: int
    conversation_id: str
    conversation_expires: int
    user_id: str = ""
    """The BSUID sent to (`recipient`) when there was no `to`."""
    group: str = ""
    """The group sent to (`recipient_type` "group"); `to` is then empty."""
    message_status: str = ""
    """A template's `message_status` in the answer (`accepted`, or the one `hold_next` set)."""

    @property
    def wa_id(self) -> str:
        return re.sub(r"\D", "", self.to)


@dataclass(frozen=True)
class Media:
    """Uploaded media: fetch the url with GET /{version}/{id}, the bytes with the Bearer token."""

    id: str
    content: bytes
    mime_type: str

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


@dataclass(frozen=True)
class Fault:
    """What the next valid send meets instead of plain success: an error code, no answer, or
    (a template) a `message_status` other than `accepted`."""

    code: int | None = None
    hang: bool = False
    accept: bool = False
    message_status: str = "accepted"


class FakeGraphApi(LocalServer):
    """graph.facebook.com for one business phone number: `async with FakeGraphApi() as graph`.

    Point the channel at `graph.url` instead of https://graph.facebook.com. `auto_statuses` queues
    these statuses for every accepted message; `pricing_model` is "CBP" (as in the samples) or
    "PMP" (as now); `templates`, when given, are the only template names that exist.
    """

    def __init__(
        self,
        *,
        token: str = ACCESS_TOKEN,
        app_secret: str = APP_SECRET,
        business: Business = BUSINESS,
        version: str = GRAPH_VERSION,
        auto_statuses: tuple[str, ...] = (),
        pricing_model: str = "CBP",
        templates: Iterable[str] | None = None,
        webhook_timeout: float = 10.0,
    ) -> None:
        super().__init__()
        self.token, self.app_secret = token, app_secret
        self.business, self.version = business, version
        self.auto_statuses, self.pricing_model = auto_statuses, pricing_model
        self.templates = None if templates is None else frozenset(templates)
        self.webhook_timeout = webhook_timeout
        self.token_expired = False
        self.requests: list[Call] = []
        self.sent: list[SentMessage] = []
        self.read_receipts: list[Json] = []
        self.status_queue: list[Json] = []
        self.deliveries: list[Delivery] = []
        self.media: dict[str, Media] = {}
        self.customers: dict[str, Customer] = {}
        self._faults: deque[Fault] = deque()
        self._conversations: dict[str, tuple[str, int]] = {}

    @property
    def messages_url(self) -> str:
        return f"{self.url}/{self.version}/{self.business.phone_number_id}/messages"

    def routes(self) -> list[web.RouteDef]:
        return [
            web.post(f"/{self.version}/{{phone_number_id}}/messages", self._messages),
            web.get(f"/{self.version}/{{media_id}}", self._media_url),
            web.get("/whatsapp_business/attachments/", self._download),
            web.route("*", "/{tail:.*}", self._unknown),
        ]

    # injection

    def fail_next(self, code: int, *, times: int = 1) -> None:
        """The next `times` valid sends fail with this Cloud API code (131000 is an HTTP 500)."""
        if code not in ERRORS:
            raise ValueError(f"no error JSON known for code {code}")
        self._faults.extend(Fault(code=code) for _ in range(times))

    def hang_next(self, *, times: int = 1, accept: bool = False) -> None:
        """The next `times` valid sends never get an answer; `accept` still delivers them."""
        self._faults.extend(Fault(hang=True, accept=accept) for _ in range(times))

    def hold_next(
        self, message_status: str = "held_for_quality_assessment", *, times: int = 1
    ) -> None:
        """The next `times` valid sends are taken, and a template among them answered with this
        `message_status` (reference §2.1: `held_for_quality_assessment` — Meta holds it for
        its template pacing and later sends it or drops it: a `sent` … or `failed` status
        follows, which the test queues — or `paused`). No automatic statuses follow it."""
        if message_status not in MESSAGE_STATUSES:
            raise ValueError(f"Meta answers a template send with one of {MESSAGE_STATUSES}")
        self._faults.extend(Fault(message_status=message_status) for _ in range(times))

    def add_media(self, content: bytes, mime_type: str = "image/jpeg") -> Media:
        media = Media(str(secrets.randbelow(10**15) + 10**15), content, mime_type)
        self.media[media.id] = media
        return media

    # statuses and webhooks

    def status_for(
        self,
        sent: SentMessage | str,
        state: str,
        *,
        error_code: int | None = None,
        pricing: Pricing | None = None,
        timestamp: str | None = None,
    ) -> Json:
        """A status of a message the fake accepted (by SentMessage or wamid)."""
        message = sent if isinstance(sent, SentMessage) else self._sent(sent)
        if message.type == "reaction" and state not in ("sent", "failed"):
            raise ValueError("Meta sends only a `sent` status for a reaction")
        if (state == "failed") != (error_code is not None):
            raise ValueError("exactly a failed status carries an error_code")
        return status(
            message.wamid,
            state,
            recipient_id=message.wa_id or None,
            recipient_user_id=message.user_id or None,
            timestamp=timestamp,
            pricing=pricing or self._pricing(message),
            conversation_id=message.conversation_id,
            expiration_timestamp=str(message.conversation_expires) if state == "sent" else None,
            biz_opaque_callback_data=message.payload.get("biz_opaque_callback_data"),
            errors=None if error_code is None else [error_object(error_code)],
        )

    def queue_status(self, sent: SentMessage | str, state: str, **options: Any) -> Json:
        queued = self.status_for(sent, state, **options)
        self.status_queue.append(queued)
        return queued

    def status_payload(self, *statuses: Json) -> Json:
        """Statuses as one webhook (one change), with the contacts the fake knows."""
        recipients = dict.fromkeys(item.get("recipient_id") for item in statuses)
        known = [self.customers[wa_id] for wa_id in recipients if wa_id in self.customers]
        return notification(
            entry(self.business, change(self.business, customers=known, statuses=statuses))
        )

    async def flush_statuses(
        self, url: str, *, batch: bool = False, reverse: bool = False, duplicate: bool = False
    ) -> list[Delivery]:
        """Post the queued statuses: one per webhook or all in one, reversed, each twice."""
        queued = self.status_queue[::-1] if reverse else list(self.status_queue)
        self.status_queue.clear()
        payloads = (
            [self.status_payload(*queued)] if batch else [self.status_payload(s) for s in queued]
        )
        deliveries = []
        for payload in payloads:
            deliveries.append(await self.post_webhook(url, payload))
            if duplicate:
                deliveries.append(await self.redeliver(deliveries[-1]))
        return deliveries

    async def post_messages(
        self, url: str, *messages: Json, customer: Customer = CUSTOMER
    ) -> Delivery:
        """Inbound messages (see webhooks.py builders) of one customer as one signed webhook."""
        return await self.post_webhook(
            url, inbound(*messages, business=self.business, customer=customer)
        )

    async def post_webhook(
        self, url: str, payload: Json, *, signed_with: str | None = None
    ) -> Delivery:
        """POST a webhook signed over its exact bytes; `signed_with` signs with another secret."""
        for each in payload.get("entry", []):
            for item in each.get("changes", []):
                for contact in item.get("value", {}).get("contacts", []):
                    if "wa_id" in contact:
                        self.customers[contact["wa_id"]] = self._customer(contact)
        body = encode(payload)
        headers = {
            "Content-Type": "application/json",
            "X-Hub-Signature-256": signature(body, signed_with or self.app_secret),
        }
        delivery = await self.post(url, body, headers, self.webhook_timeout)
        self.deliveries.append(delivery)
        return delivery

    async def redeliver(self, delivery: Delivery) -> Delivery:
        """The same bytes and signature again: Meta delivers at least once (§1.8)."""
        again = await self.post(delivery.url, delivery.body, delivery.headers, self.webhook_timeout)
        self.deliveries.append(again)
        return again

    # handlers

    async def _messages(self, request: web.Request) -> web.StreamResponse:
        refusal = self._refusal(request)
        if refusal is not None:
            return self._answer(request, None, refusal)
        if request.match_info["phone_number_id"] != self.business.phone_number_id:
            number = request.match_info["phone_number_id"]
            return self._answer(request, None, unsupported_request("POST", number))
        try:
            body = await request.json()
        except ValueError:
            body = None
        try:
            kind = check_request(body)
            if kind == "template":
                self._check_template_known(body["template"])
        except GraphError as error:
            return self._answer(
                request, body, web.json_response(error.as_json(), status=error.http_status)
            )
        if kind == "read":
            self.read_receipts.append(body)
            return self._answer(request, body, web.json_response({"success": True}))
        return await self._send(request, body, kind)

    async def _send(self, request: web.Request, body: Json, kind: str) -> web.StreamResponse:
        fault = self._faults.popleft() if self._faults else Fault()
        if fault.code is not None:
            error = GraphError(fault.code)
            return self._answer(
                request, body, web.json_response(error.as_json(), status=error.http_status)
            )
        if fault.hang:
            if fault.accept:
                self._accept(body, kind)
            self._record(request, body, None, None)
            await self.hang()
            return web.Response(status=504)
        held = kind == "template" and fault.message_status != "accepted"
        sent = self._accept(body, kind, statuses=not held)
        if kind == "template":
            sent.message_status = fault.message_status
        answer: Json = {
            "messaging_product": "whatsapp",
            "contacts": [_contact(sent)],
            "messages": [{"id": sent.wamid}],
        }
        if kind == "template":
            answer["messages"][0]["message_status"] = fault.message_status
        return self._answer(request, body, web.json_response(answer))

    async def _media_url(self, request: web.Request) -> web.StreamResponse:
        refusal = self._refusal(request)
        if refusal is not None:
            return self._answer(request, None, refusal)
        media = self.media.get(request.match_info["media_id"])
        if media is None:
            return self._answer(
                request, None, unsupported_request("GET", request.match_info["media_id"])
            )
        number = request.query.get("phone_number_id", self.business.phone_number_id)
        if number != self.business.phone_number_id:
            error = GraphError(100, "Param phone_number_id does not own this media.")
            return self._answer(request, None, web.json_response(error.as_json(), status=400))
        answer = {
            "messaging_product": "whatsapp",
            "url": f"{self.url}/whatsapp_business/attachments/?mid={media.id}"
            f"&ext={int(time.time())}&hash={media.sha256[:16]}",
            "mime_type": media.mime_type,
            "sha256": media.sha256,
            "file_size": str(len(media.content)),
            "id": media.id,
        }
        return self._answer(request, None, web.json_response(answer))

    async def _download(self, request: web.Request) -> web.StreamResponse:
        refusal = self._refusal(request)
        if refusal is not None:
            return self._answer(request, None, refusal)
        media = self.media.get(request.query.get("mid", ""))
        if media is None:
            return self._answer(request, None, web.Response(status=404))
        return self._answer(
            request, None, web.Response(body=media.content, content_type=media.mime_type)
        )

    async def _unknown(self, request: web.Request) -> web.StreamResponse:
        return self._answer(request, None, unsupported_request(request.method, request.path))

    # helpers

    def _refusal(self, request: web.Request) -> web.Response | None:
        header = request.headers.get("Authorization", "")
        presented = header.removeprefix("Bearer ") if header.startswith("Bearer ") else None
        presented = presented or request.query.get("access_token")
        if presented != self.token:
            return token_error(expired=False)
        return token_error(expired=True) if self.token_expired else None

    def _check_template_known(self, template: Json) -> None:
        if self.templates is not None and template["name"] not in self.templates:
            raise GraphError(
                132001,
                f"template name ({template['name']}) does not exist in "
                f"{template['language']['code']}",
            )

    def _accept(self, body: Json, kind: str, *, statuses: bool = True) -> SentMessage:
        group = str(body["to"]) if body.get("recipient_type") == "group" else ""
        to = "" if group else str(body.get("to") or "")
        user_id = "" if to or group else str(body["recipient"])
        customer = re.sub(r"\D", "", to) or user_id or group
        now = int(time.time())
        conversation, started = self._conversations.get(customer, ("", 0))
        if now - started >= DAY:
            conversation, started = secrets.token_hex(15), now
            self._conversations[customer] = (conversation, started)
        sent = SentMessage(
            new_wamid(), to, kind, body, now, conversation, started + DAY, user_id, group
        )
        self.sent.append(sent)
        for state in self.auto_statuses if statuses else ():
            self.queue_status(sent, state, error_code=131000 if state == "failed" else None)
        return sent

    def _sent(self, wamid: str) -> SentMessage:
        for sent in self.sent:
            if sent.wamid == wamid:
                return sent
        raise KeyError(f"the fake accepted no message {wamid}")

    def _pricing(self, sent: SentMessage) -> Pricing:
        """Service replies are free inside the window; a template is billed as utility."""
        category = "utility" if sent.type == "template" else "service"
        if self.pricing_model == "CBP":
            return Pricing("CBP", category)
        free = category == "service"
        kind = "free_customer_service" if free else "regular"
        return Pricing(self.pricing_model, category, billable=not free, type=kind)

    @staticmethod
    def _customer(contact: Json) -> Customer:
        return Customer(
            name=contact.get("profile", {}).get("name", ""),
            wa_id=contact.get("wa_id"),
            user_id=contact.get("user_id"),
            parent_user_id=contact.get("parent_user_id"),
        )

    def _answer(self, request: web.Request, body: Any, response: web.Response) -> web.Response:
        answer = json.loads(response.text) if response.content_type == "application/json" else None
        self._record(request, body, response.status, answer)
        return response

    def _record(
        self, request: web.Request, body: Any, status_code: int | None, response: Any
    ) -> None:
        self.requests.append(
            Call(
                request.method,
                request.path,
                dict(request.query),
                dict(request.headers),
                body,
                status_code,
                response,
            )
        )


def settings_for(graph: FakeGraphApi, number: NumberSettings | None = None) -> WhatsAppSettings:
    """The WhatsApp channel's settings for sending to this fake: its number as the shop's
    bot (or `number`), its secrets, no pause between a chat's messages."""
    return WhatsAppSettings(
        app_secret=Secret(APP_SECRET),
        verify_token=Secret("verify"),
        token=Secret(ACCESS_TOKEN),
        numbers={graph.business.phone_number_id: number or NumberSettings("shop")},
        api_base=graph.url,
        recipient_interval=0,
    )


def workspace_channel(graph: FakeGraphApi, bot: str, env: Callable[[str, str], None]) -> Json:
    """The workspace's `whatsapp` channel for sending to this fake, its number serving `bot`,
    no pause between a chat's messages; `env` (monkeypatch.setenv) sets the secrets it names."""
    for name, value in (
        ("WA_SECRET", APP_SECRET),
        ("WA_VERIFY", "verify"),
        ("WA_TOKEN", ACCESS_TOKEN),
    ):
        env(name, value)
    return {
        "app_secret": "env:WA_SECRET",
        "verify_token": "env:WA_VERIFY",
        "token": "env:WA_TOKEN",
        "api_base": graph.url,
        "recipient_interval": 0,
        "numbers": {graph.business.phone_number_id: {"bot": bot}},
    }
