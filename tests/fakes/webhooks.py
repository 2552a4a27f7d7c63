"""What the fakes send to the app under test, built the way Meta and Telegram build it.

The WhatsApp builders rebuild the published samples in `samples/` key for key and type for type
(test_graph_api.py rebuilds each sample with them). The Telegram builders follow the examples in
the reference (test_telegram_api.py). `shape_differences` is the structural check that both test
files use, so the fakes cannot drift into a format of their own.

Also here: signing (X-Hub-Signature-256), delivery, and the local-server plumbing both fakes use.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Self, TypedDict, Unpack

import aiohttp
from aiohttp import web

Json = dict[str, Any]

SAMPLES = Path(__file__).parent / "samples"
GRAPH_VERSION = "v25.0"
ERROR_CODES_HREF = "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/"


def load_sample(name: str) -> Json:
    """One published WhatsApp webhook from `samples/` (pywa fixtures, see samples/NOTICE.md)."""
    loaded: Json = json.loads((SAMPLES / f"{name}.json").read_text(encoding="utf-8"))
    return loaded


# --- structural comparison -------------------------------------------------------------------


def _kind(value: Any) -> str:
    # bool before int: True is an int to Python but not to a JSON schema.
    for name, kind in (("bool", bool), ("int", int), ("float", float), ("str", str)):
        if isinstance(value, kind):
            return name
    return {dict: "object", list: "array"}.get(type(value), "null")


def shape_differences(
    built: Any, sample: Any, *, optional: Iterable[str] = (), path: str = "$"
) -> list[str]:
    """Where `built` differs from `sample` in keys, nesting or value types; values may differ.

    Each built list item is compared with the sample item at the same place (or the sample's last
    one). `optional` names paths such as "$.message.chat.username" that one side may lack: every
    tolerance is spelled out where a test compares, never implied.
    """
    allowed = frozenset(optional)
    if _kind(built) != _kind(sample):
        return [f"{path}: {_kind(built)} where the sample has {_kind(sample)}"]
    if isinstance(sample, dict):
        return _object_differences(built, sample, allowed, path)
    if isinstance(sample, list):
        if bool(built) != bool(sample):
            return [f"{path}: {len(built)} items where the sample has {len(sample)}"]
        return [
            difference
            for index, item in enumerate(built)
            for difference in shape_differences(
                item, sample[min(index, len(sample) - 1)], optional=allowed, path=f"{path}[]"
            )
        ]
    return []


def _object_differences(
    built: Json, sample: Json, optional: frozenset[str], path: str
) -> list[str]:
    found: list[str] = []
    for key in sorted(built.keys() | sample.keys()):
        here = f"{path}.{key}"
        if key in built and key in sample:
            found += shape_differences(built[key], sample[key], optional=optional, path=here)
        elif here not in optional:
            found.append(f"{here}: " + ("missing" if key in sample else "not in the sample"))
    return found


# --- WhatsApp: identities, errors ------------------------------------------------------------


def new_wamid() -> str:
    """A message id in Meta's form: "wamid." and base64."""
    return "wamid." + base64.b64encode(secrets.token_bytes(30)).decode()


def unix_now() -> str:
    """Webhook timestamps are strings of Unix seconds (§1.3)."""
    return str(int(time.time()))


@dataclass(frozen=True)
class Business:
    """The business side of a webhook (Meta's example values): account and phone number."""

    waba_id: str = "102290129340398"
    display_phone_number: str = "15550783881"
    phone_number_id: str = "106540352242922"

    def metadata(self) -> Json:
        return {
            "display_phone_number": self.display_phone_number,
            "phone_number_id": self.phone_number_id,
        }


@dataclass(frozen=True)
class Customer:
    """A WhatsApp user (the reference's example person).

    `wa_id=None` is a username user known only by the BSUID `user_id` (§1.4): their messages carry
    `from_user_id` instead of `from`. `from_user_id=True` adds it next to `from`, as a sample does.
    """

    name: str = "Kerry Fisher"
    wa_id: str | None = "16315551234"
    user_id: str | None = "US.13491208655302741918"
    parent_user_id: str | None = None
    from_user_id: bool = False

    def __post_init__(self) -> None:
        if self.wa_id is None and self.user_id is None:
            raise ValueError("a customer needs a wa_id or a BSUID (user_id)")

    def contact(self) -> Json:
        contact: Json = {"profile": {"name": self.name}}
        for key in ("wa_id", "user_id", "parent_user_id"):
            if getattr(self, key) is not None:
                contact[key] = getattr(self, key)
        return contact

    def sender(self) -> Json:
        sender: Json = {}
        if self.wa_id is not None:
            sender["from"] = self.wa_id
        if self.user_id is not None and (self.from_user_id or self.wa_id is None):
            sender["from_user_id"] = self.user_id
        return sender


BUSINESS = Business()
CUSTOMER = Customer()


@dataclass(frozen=True)
class ErrorCode:
    """A Cloud API error: title (also the message in webhooks), details, HTTP status when sync."""

    title: str
    details: str
    http_status: int = 400


# Titles and details from the reference (§1.5, §1.6, §2.3) and the samples; 100, 131009, 131026,
# 131000, 131049 and 132001 carry Meta's titles with a short description of the cause (§2.3:
# clients branch on `code`, never on these texts).
ERRORS: dict[int, ErrorCode] = {
    100: ErrorCode(
        "Invalid parameter",
        "The request included one or more unsupported or misspelled parameters.",
    ),
    131009: ErrorCode("Parameter value is not valid", "One or more parameter values are invalid."),
    130429: ErrorCode(
        "Rate limit hit",
        "Message failed to send because there were too many messages sent from this phone number "
        "in a short period of time",
    ),
    131056: ErrorCode(
        "(Business Account, Consumer Account) pair rate limit hit",
        "Message failed to send because there were too many messages sent from this phone number "
        "to the same phone number in a short period of time.",
    ),
    131047: ErrorCode(
        "Re-engagement message",
        "Message failed to send because more than 24 hours have passed since the customer last "
        "replied to this number.",
    ),
    131026: ErrorCode(
        "Message Undeliverable",
        "Message failed to send because the recipient cannot receive it: not on WhatsApp, an old "
        "app version, terms of service not accepted, or the business is blocked.",
    ),
    131000: ErrorCode(
        "Something went wrong", "Message failed to send due to an unknown error.", 500
    ),
    131051: ErrorCode("Message type unknown", "Message type is currently not supported."),
    131062: ErrorCode(
        "Business-scoped User ID recipients are not supported for this message",
        "This message type cannot be sent to a business-scoped user ID; send it to a phone number.",
    ),
    131050: ErrorCode(
        "Unable to deliver message",
        "Unable to deliver the message. This recipient has chosen to stop receiving marketing "
        "messages on WhatsApp from your business.",
    ),
    131049: ErrorCode(
        "This message was not delivered to maintain healthy ecosystem engagement.",
        "In order to maintain a healthy ecosystem engagement, the message failed to be delivered.",
    ),
    130472: ErrorCode(
        "User's number is part of an experiment",
        "Failed to send message because this user's phone number is part of an experiment",
    ),
    132001: ErrorCode(
        "Template name does not exist in the translation",
        "The template name does not exist in the requested language.",
    ),
    132015: ErrorCode(
        "Template is Paused",
        "Template is paused due to low quality so it cannot be sent in a template message.",
    ),
    132016: ErrorCode(
        "Template is Disabled",
        "Template has been paused too many times due to low quality and is now permanently "
        "disabled.",
    ),
    132018: ErrorCode(
        "There was an issue with the parameters in your template.",
        "Param text cannot have new-line/tab characters or more than 4 consecutive spaces.",
    ),
}


def error_object(code: int, *, details: str | None = None, href: bool = True) -> Json:
    """An error as webhooks carry it (statuses, messages, value level); pywa's samples omit href."""
    known = ERRORS[code]
    error: Json = {
        "code": code,
        "title": known.title,
        "message": known.title,
        "error_data": {"details": details or known.details},
    }
    if href:
        error["href"] = ERROR_CODES_HREF
    return error


# --- WhatsApp: inbound messages --------------------------------------------------------------


class Meta(TypedDict, total=False):
    """What every inbound message has besides its content."""

    customer: Customer
    context: Json
    wamid: str
    timestamp: str


def message(kind: str, fields: Json, **meta: Unpack[Meta]) -> Json:
    """One inbound message object: context, sender, id, timestamp, type and the type's fields."""
    built: Json = {}
    if "context" in meta:
        built["context"] = meta["context"]
    built.update(meta.get("customer", CUSTOMER).sender())
    built["id"] = meta.get("wamid") or new_wamid()
    built["timestamp"] = meta.get("timestamp") or unix_now()
    built["type"] = kind
    built.update(fields)
    return built


def replying_to(wamid: str, business: Business = BUSINESS) -> Json:
    """`context` of a message that answers or quotes one the business sent."""
    return {"from": business.display_phone_number, "id": wamid}


def forwarded() -> Json:
    """`context` of a forwarded message."""
    return {"forwarded": True}


def text(body: str, *, referral: Json | None = None, **meta: Unpack[Meta]) -> Json:
    """A text; `referral` is the click-to-WhatsApp ad object (samples/message-text-referral)."""
    fields: Json = {"text": {"body": body}}
    if referral is not None:
        fields["referral"] = referral
    return message("text", fields, **meta)


def button_reply(button_id: str, title: str, **meta: Unpack[Meta]) -> Json:
    """A tap on a reply button the business sent (interactive `button_reply`)."""
    reply = {"type": "button_reply", "button_reply": {"id": button_id, "title": title}}
    return message("interactive", {"interactive": reply}, **meta)


def list_reply(
    row_id: str, title: str, description: str | None = None, **meta: Unpack[Meta]
) -> Json:
    """A row chosen in a list message; `description` is echoed when the row had one."""
    chosen = {"id": row_id, "title": title}
    if description is not None:
        chosen["description"] = description
    reply = {"type": "list_reply", "list_reply": chosen}
    return message("interactive", {"interactive": reply}, **meta)


def quick_reply(payload: str, label: str, **meta: Unpack[Meta]) -> Json:
    """A tap on a template's quick-reply button: type `button`, not `interactive`."""
    return message("button", {"button": {"payload": payload, "text": label}}, **meta)


def location(
    latitude: float,
    longitude: float,
    *,
    name: str | None = None,
    address: str | None = None,
    url: str | None = None,
    **meta: Unpack[Meta],
) -> Json:
    """A location: a live "current location" has only coordinates, a chosen place has more."""
    place: Json = {"latitude": latitude, "longitude": longitude}
    for key, value in (("name", name), ("address", address), ("url", url)):
        if value is not None:
            place[key] = value
    return message("location", {"location": place}, **meta)


def image(
    media_id: str,
    *,
    sha256: str,
    mime_type: str = "image/jpeg",
    caption: str | None = None,
    url: str | None = None,
    **meta: Unpack[Meta],
) -> Json:
    """An image; fetch it with GET /{version}/{media_id}. Newer payloads also carry `url`."""
    media: Json = {} if caption is None else {"caption": caption}
    media.update({"mime_type": mime_type, "sha256": sha256, "id": media_id})
    if url is not None:
        media["url"] = url
    return message("image", {"image": media}, **meta)


def order_item(retailer_id: str, quantity: int, item_price: int | float, currency: str) -> Json:
    """One product of a cart; the sample's prices are numbers in major units."""
    return {
        "product_retailer_id": retailer_id,
        "quantity": quantity,
        "item_price": item_price,
        "currency": currency,
    }


def order(catalog_id: str, items: Sequence[Json], *, note: str = "", **meta: Unpack[Meta]) -> Json:
    """A cart sent from the catalog; `note` is the customer's text (often empty)."""
    cart = {"catalog_id": catalog_id, "text": note, "product_items": list(items)}
    return message("order", {"order": cart}, **meta)


def unsupported(**meta: Unpack[Meta]) -> Json:
    """A message type the Cloud API does not support: only an error object, no content."""
    return message("unsupported", {"errors": [error_object(131051, href=False)]}, **meta)


def reaction(reacted_to: str, emoji: str, **meta: Unpack[Meta]) -> Json:
    """An emoji reaction to `reacted_to`; an empty emoji removes it."""
    return message("reaction", {"reaction": {"message_id": reacted_to, "emoji": emoji}}, **meta)


# --- WhatsApp: statuses and the envelope -----------------------------------------------------


@dataclass(frozen=True)
class Pricing:
    """`pricing` of a status: CBP as in the samples (before July 2025), PMP as now (§1.6)."""

    model: str = "CBP"
    category: str = "service"
    billable: bool = True
    type: str = "regular"

    def as_json(self) -> Json:
        if self.model == "CBP":
            return {"billable": self.billable, "pricing_model": "CBP", "category": self.category}
        return {
            "billable": self.billable,
            "pricing_model": self.model,
            "type": self.type,
            "category": self.category,
        }


CBP = Pricing()
PMP = Pricing(model="PMP", category="utility")


def status(
    wamid: str,
    state: str,
    *,
    recipient_id: str | None,
    recipient_user_id: str | None = None,
    timestamp: str | None = None,
    pricing: Pricing = CBP,
    conversation_id: str | None = None,
    expiration_timestamp: str | None = None,
    biz_opaque_callback_data: str | None = None,
    errors: Sequence[Json] | None = None,
) -> Json:
    """One status of a sent message: `failed` carries errors, the others pricing. A message
    sent to a BSUID (§1.4) is reported with `recipient_user_id` instead of `recipient_id`.

    CBP adds the `conversation` of the samples (its expiration only on `sent`, as there); PMP
    omits it, as Meta does since v24.0 outside free-entry-point conversations.
    """
    built: Json = {
        "id": wamid,
        "status": state,
        "timestamp": timestamp or unix_now(),
    }
    if recipient_id is not None:
        built["recipient_id"] = recipient_id
    if recipient_user_id is not None:
        built["recipient_user_id"] = recipient_user_id
    if biz_opaque_callback_data is not None:
        built["biz_opaque_callback_data"] = biz_opaque_callback_data
    if state == "failed":
        if not errors:
            raise ValueError("a failed status needs its errors")
        built["errors"] = list(errors)
        return built
    if pricing.model == "CBP":
        conversation: Json = {"id": conversation_id or secrets.token_hex(15)}
        if expiration_timestamp is not None:
            conversation["expiration_timestamp"] = expiration_timestamp
        conversation["origin"] = {"type": pricing.category}
        built["conversation"] = conversation
    built["pricing"] = pricing.as_json()
    return built


def change(
    business: Business = BUSINESS,
    *,
    customers: Iterable[Customer] = (),
    messages: Iterable[Json] | None = None,
    statuses: Iterable[Json] | None = None,
    errors: Iterable[Json] | None = None,
) -> Json:
    """One `changes[]` item of field "messages": contacts and any of messages/statuses/errors."""
    value: Json = {"messaging_product": "whatsapp", "metadata": business.metadata()}
    contacts = [customer.contact() for customer in customers]
    if contacts:
        value["contacts"] = contacts
    for key, items in (("messages", messages), ("statuses", statuses), ("errors", errors)):
        if items is not None:
            value[key] = list(items)
    return {"value": value, "field": "messages"}


def entry(business: Business, *changes: Json) -> Json:
    return {"id": business.waba_id, "changes": list(changes)}


def notification(*entries: Json) -> Json:
    """The whole webhook body: one or more entries."""
    return {"object": "whatsapp_business_account", "entry": list(entries)}


def inbound(
    *messages: Json,
    business: Business = BUSINESS,
    customer: Customer = CUSTOMER,
    errors: Iterable[Json] | None = None,
) -> Json:
    """Messages of one customer as one webhook; several messages make a batch, as Meta sends."""
    return notification(
        entry(business, change(business, customers=[customer], messages=messages, errors=errors))
    )


def batch(*payloads: Json, into: str = "entries") -> Json:
    """Several webhooks as one delivery: side by side as entries, or as changes of one entry."""
    entries = [item for payload in payloads for item in payload["entry"]]
    if into == "entries":
        return notification(*entries)
    if into != "changes" or len({item["id"] for item in entries}) != 1:
        raise ValueError("changes of one entry must come from one business account")
    return notification(
        {"id": entries[0]["id"], "changes": [c for e in entries for c in e["changes"]]}
    )


PREFERENCE_DETAILS = {
    "stop": "User requested to stop marketing messages",
    "resume": "User requested to resume marketing messages",
}


def user_preferences(
    *preferences: Json, business: Business = BUSINESS, customer: Customer = CUSTOMER
) -> Json:
    """A `user_preferences` webhook (reference §1.7): preferences of the `preference` shape."""
    value: Json = {
        "messaging_product": "whatsapp",
        "metadata": business.metadata(),
        "contacts": [customer.contact()],
        "user_preferences": list(preferences),
    }
    return notification(entry(business, {"value": value, "field": "user_preferences"}))


def preference(
    value: str,
    *,
    customer: Customer = CUSTOMER,
    wa_id: str | None = None,
    detail: str | None = None,
    timestamp: int | None = None,
) -> Json:
    """A customer stopped (`stop`) or resumed (`resume`) marketing messages in WhatsApp's menu:
    broadcast.md §4.1, key for key as the sample; `wa_id` another number than the customer's
    (the published sample's)."""
    return {
        "wa_id": wa_id or customer.wa_id,
        "detail": PREFERENCE_DETAILS.get(value, "") if detail is None else detail,
        "category": "marketing_messages",
        "value": value,
        "timestamp": int(time.time()) if timestamp is None else timestamp,
    }


# --- WhatsApp: signing -----------------------------------------------------------------------


def encode(payload: Json) -> bytes:
    """Meta's wire form: JSON with non-ASCII escaped as \\uXXXX (§1.2)."""
    return json.dumps(payload).encode()


def signature(body: bytes, app_secret: str) -> str:
    """X-Hub-Signature-256: HMAC-SHA256 of the exact body bytes, keyed with the app secret."""
    return "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()


# --- Telegram: users and updates -------------------------------------------------------------


def utf16_length(value: str) -> int:
    """Telegram measures entity offsets and lengths in UTF-16 code units."""
    return len(value.encode("utf-16-le")) // 2


@dataclass(frozen=True)
class TelegramUser:
    """A Telegram user in a private chat with the bot (the reference's example person)."""

    id: int = 987654321
    first_name: str = "John"
    username: str | None = "johndoe"
    language_code: str | None = "en"

    def as_user(self) -> Json:
        user: Json = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        for key in ("username", "language_code"):
            if getattr(self, key) is not None:
                user[key] = getattr(self, key)
        return user

    def as_chat(self) -> Json:
        chat: Json = {"id": self.id, "type": "private", "first_name": self.first_name}
        if self.username is not None:
            chat["username"] = self.username
        return chat


TELEGRAM_USER = TelegramUser()


def telegram_message(
    user: TelegramUser, message_id: int, fields: Json, *, date: int | None = None
) -> Json:
    """A Message a user sent in the private chat with the bot."""
    return {
        "message_id": message_id,
        "from": user.as_user(),
        "chat": user.as_chat(),
        "date": date or int(time.time()),
        **fields,
    }


def telegram_text(
    user: TelegramUser, content: str, *, message_id: int, date: int | None = None
) -> Json:
    """A text message; a leading /command gets its bot_command entity, as Telegram adds it."""
    fields: Json = {"text": content}
    if content.startswith("/"):
        command = content.split(maxsplit=1)[0]
        fields["entities"] = [{"offset": 0, "length": utf16_length(command), "type": "bot_command"}]
    return telegram_message(user, message_id, fields, date=date)


def telegram_location(
    user: TelegramUser, latitude: float, longitude: float, *, message_id: int
) -> Json:
    return telegram_message(
        user, message_id, {"location": {"latitude": latitude, "longitude": longitude}}
    )


def callback_data_of(message: Json) -> list[str]:
    """The callback_data of every inline button the message currently shows."""
    rows = message.get("reply_markup", {}).get("inline_keyboard", [])
    return [button["callback_data"] for row in rows for button in row if "callback_data" in button]


def telegram_callback_query(
    user: TelegramUser, message: Json, data: str, *, chat_instance: str, query_id: str | None = None
) -> Json:
    """A press on an inline button of `message`; only a button the message shows can be pressed."""
    if data not in callback_data_of(message):
        raise ValueError(f"message {message['message_id']} shows no button with data {data!r}")
    return {
        "id": query_id or str(secrets.randbelow(10**19)),
        "from": user.as_user(),
        "message": message,
        "chat_instance": chat_instance,
        "data": data,
    }


def telegram_pre_checkout_query(
    user: TelegramUser,
    *,
    currency: str,
    total_amount: int,
    invoice_payload: str,
    order_info: Json | None = None,
    query_id: str | None = None,
) -> Json:
    """The question Telegram asks before charging: answer within 10 s (§5.5)."""
    query: Json = {
        "id": query_id or str(secrets.randbelow(10**19)),
        "from": user.as_user(),
        "currency": currency,
        "total_amount": total_amount,
        "invoice_payload": invoice_payload,
    }
    if order_info is not None:
        query["order_info"] = order_info
    return query


def telegram_successful_payment(
    user: TelegramUser, *, message_id: int, currency: str, total_amount: int, invoice_payload: str
) -> Json:
    """The service message after a charge: fulfil only here, once per telegram_payment_charge_id."""
    payment = {
        "currency": currency,
        "total_amount": total_amount,
        "invoice_payload": invoice_payload,
        "telegram_payment_charge_id": secrets.token_urlsafe(24),
        "provider_payment_charge_id": secrets.token_urlsafe(18),
    }
    return telegram_message(user, message_id, {"successful_payment": payment})


# --- delivery and local servers --------------------------------------------------------------


@dataclass(frozen=True)
class Delivery:
    """One POST to the app under test: exactly what was sent and what came back."""

    url: str
    body: bytes
    headers: Mapping[str, str]
    status: int | None
    response: str
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    @property
    def payload(self) -> Json:
        loaded: Json = json.loads(self.body)
        return loaded


class LocalServer:
    """An aiohttp app on 127.0.0.1 and a free port, for the length of an `async with`."""

    def __init__(self) -> None:
        self.port = 0
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None
        self._released = asyncio.Event()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def routes(self) -> list[web.RouteDef]:
        raise NotImplementedError

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    async def start(self) -> None:
        app = web.Application()
        app.add_routes(self.routes())
        # A short shutdown: requests held by `hang` are released first, nothing else lingers.
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self.port = self._runner.addresses[0][1]
        self._session = aiohttp.ClientSession()

    async def stop(self) -> None:
        self._released.set()
        if self._session is not None:
            await self._session.close()
        if self._runner is not None:
            await self._runner.cleanup()

    async def hang(self) -> None:
        """Hold a request open until the server stops: the client meets its own timeout."""
        await self._released.wait()

    async def post(
        self, url: str, body: bytes, headers: Mapping[str, str], within: float
    ) -> Delivery:
        """POST exact bytes; an unreachable or slow target is a Delivery without status."""
        if self._session is None:
            raise RuntimeError("start the fake first (async with)")
        try:
            async with self._session.post(
                url, data=body, headers=dict(headers), timeout=aiohttp.ClientTimeout(total=within)
            ) as answer:
                return Delivery(url, body, dict(headers), answer.status, await answer.text())
        except (aiohttp.ClientError, TimeoutError) as failure:
            return Delivery(url, body, dict(headers), None, "", repr(failure))


def number_quality_update(
    event: str,
    current_limit: str,
    *,
    business: Business = BUSINESS,
    old_limit: str | None = None,
    max_daily: str | None = None,
    at: int | None = None,
) -> Json:
    """Meta's `phone_number_quality_update` for the business's number (webhook reference, Nov
    2025): `old_limit` only with a messaging limit change, the portfolio's
    `max_daily_conversations_per_business` in newer payloads."""
    value: Json = {"display_phone_number": business.display_phone_number, "event": event}
    if old_limit is not None:
        value["old_limit"] = old_limit
    value["current_limit"] = current_limit
    if max_daily is not None:
        value["max_daily_conversations_per_business"] = max_daily
    change = {"value": value, "field": "phone_number_quality_update"}
    return notification(
        {"id": business.waba_id, "time": at or int(time.time()), "changes": [change]}
    )
