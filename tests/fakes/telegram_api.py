"""A local fake of the Telegram Bot API (10.3) for channel tests.

It answers POST/GET /bot{token}/{method} for the methods a shop bot uses, with real Message
objects or the Bot API's error JSON (reference §5.3, §5.4), takes JSON, form and query
parameters, and keeps the state those methods change: chats, sent messages, the webhook, open
callback and pre-checkout queries. It posts Updates to the webhook set with setWebhook, with the
secret-token header and an increasing update_id, and runs a method returned in a webhook reply.

Telegram ignores parameters it does not know, and so does the fake. Error texts the reference
does not quote are Telegram's as its answers show them ("Bad Request: BUTTON_DATA_INVALID").
parse_mode HTML is parsed into text and entities; Markdown and MarkdownV2 pass unparsed.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import html
import json
import math
import re
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web
from babel.numbers import list_currencies

from tests.fakes.webhooks import (
    TELEGRAM_USER,
    Delivery,
    Json,
    LocalServer,
    TelegramUser,
    telegram_callback_query,
    telegram_location,
    telegram_pre_checkout_query,
    telegram_successful_payment,
    telegram_text,
    utf16_length,
)

BOT_TOKEN = "111:AAHfakeTokenForTests_0123456789abcdef"
QUERY_INVALID = "query is too old and response timeout expired or query ID is invalid"
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the "
    "same as a current content and reply markup of the message"
)
CHAT_ACTIONS = {
    "typing",
    "upload_photo",
    "record_video",
    "upload_video",
    "record_voice",
    "upload_voice",
    "upload_document",
    "choose_sticker",
    "find_location",
    "record_video_note",
    "upload_video_note",
}
BUTTON_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)
# Sent only to bots that ask for them in allowed_updates (Bot API, setWebhook).
OPT_IN_UPDATES = {"chat_member", "message_reaction", "message_reaction_count"}
SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]+")
CURRENCIES = set(list_currencies()) | {"XTR"}


class BotApiError(Exception):
    """A call the Bot API refuses; `as_json` is its answer (§5.4)."""

    def __init__(self, code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code, self.description, self.retry_after = code, description, retry_after

    def as_json(self) -> Json:
        answer: Json = {"ok": False, "error_code": self.code, "description": self.description}
        if self.retry_after is not None:
            answer["parameters"] = {"retry_after": self.retry_after}
        return answer


def bad_request(description: str) -> BotApiError:
    return BotApiError(400, f"Bad Request: {description}")


def error_for(code: int, retry_after: int = 35) -> BotApiError:
    """The Bot API's error for an injected failure."""
    if code == 429:
        return BotApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after)
    if code == 403:
        return BotApiError(403, "Forbidden: bot was blocked by the user")
    return BotApiError(code, HTTPStatus(code).phrase)


# --- HTML parse mode -------------------------------------------------------------------------

HTML_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "code": "code",
    "pre": "pre",
    "a": "text_link",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "blockquote": "blockquote",
}
HTML_TOKEN = re.compile(
    r"<(?P<closing>/?)(?P<name>[^\s>/]*)(?P<attributes>[^>]*)>"
    r"|(?P<entity>&(?:lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);)"
)
HREF = re.compile(r"""href\s*=\s*(["'])(.*?)\1""")


@dataclass
class _OpenTag:
    name: str
    start: int
    extra: Json


def _entity_error(problem: str) -> BotApiError:
    return bad_request(f"can't parse entities: {problem}")


def _open(name: str, attributes: str, byte_offset: int, start: int) -> _OpenTag:
    if name not in HTML_TAGS:
        raise _entity_error(f'Unsupported start tag "{name}" at byte offset {byte_offset}')
    if name == "span" and 'class="tg-spoiler"' not in attributes:
        raise _entity_error(f'Tag "span" must have class "tg-spoiler" at byte offset {byte_offset}')
    href = HREF.search(attributes)
    return _OpenTag(name, start, {"url": html.unescape(href.group(2))} if href else {})


def _close(stack: list[_OpenTag], name: str, byte_offset: int, end: int) -> Json | None:
    if not stack or stack[-1].name != name:
        expected = f'"</{stack[-1].name}>"' if stack else "none"
        found = f'found "</{name}>"'
        raise _entity_error(
            f"Unmatched end tag at byte offset {byte_offset}, expected {expected}, {found}"
        )
    tag = stack.pop()
    if end == tag.start or (tag.name == "a" and not tag.extra):
        return None
    return {
        "offset": tag.start,
        "length": end - tag.start,
        "type": HTML_TAGS[tag.name],
        **tag.extra,
    }


def parse_html(source: str) -> tuple[str, list[Json]]:
    """Telegram's HTML mode: the plain text and its entities (UTF-16 offsets), or its 400."""
    pieces: list[str] = []
    size = position = 0
    stack: list[_OpenTag] = []
    entities: list[Json] = []
    for match in HTML_TOKEN.finditer(source):
        literal = source[position : match.start()] + html.unescape(match.group("entity") or "")
        pieces.append(literal)
        size += utf16_length(literal)
        position = match.end()
        if match.group("entity"):
            continue
        name, offset = match.group("name").lower(), len(source[: match.start()].encode())
        if not match.group("closing"):
            stack.append(_open(name, match.group("attributes"), offset, size))
        elif (entity := _close(stack, name, offset, size)) is not None:
            entities.append(entity)
    if stack:
        raise _entity_error(f'Can\'t find end tag corresponding to start tag "{stack[-1].name}"')
    pieces.append(source[position:])
    return "".join(pieces), sorted(entities, key=lambda each: (each["offset"], -each["length"]))


# --- parameters ------------------------------------------------------------------------------


class Params:
    """A call's parameters as Telegram reads them: JSON values or strings from a form or query."""

    def __init__(self, raw: Json) -> None:
        self.raw = raw

    def __contains__(self, name: str) -> bool:
        return name in self.raw

    def text(self, name: str) -> str | None:
        value = self.raw.get(name)
        return value if value is None or isinstance(value, str) else json.dumps(value)

    def required(self, name: str) -> str:
        value = self.text(name)
        if not value:
            raise bad_request(f'parameter "{name}" is required')
        return value

    def number(self, name: str, kind: type[int] | type[float] = int) -> Any:
        value = self.raw.get(name)
        if value is None or value == "":
            raise bad_request(f'parameter "{name}" is required')
        try:
            return kind(value)
        except (TypeError, ValueError):
            raise bad_request(f'field "{name}" must be a valid Number') from None

    def flag(self, name: str) -> bool:
        value = self.raw.get(name, False)
        return value is True or str(value).lower() in ("true", "1")

    def structure(self, name: str) -> Any:
        """An object or array: JSON in a JSON body, serialized JSON in a form or query."""
        value = self.raw.get(name)
        if not isinstance(value, str):
            return value
        try:
            return json.loads(value)
        except ValueError:
            raise bad_request(f"can't parse {name} JSON object") from None


def _check_button(button: Any) -> None:
    prefix = "can't parse inline keyboard button: "
    if not isinstance(button, dict):
        raise bad_request(prefix + "InlineKeyboardButton must be an Object")
    if not isinstance(button.get("text"), str):
        raise bad_request(prefix + 'Field "text" must be of type String')
    if not any(action in button for action in BUTTON_ACTIONS):
        raise bad_request(prefix + "Text buttons are unallowed in the inline keyboard")
    if "callback_data" in button:
        data = button["callback_data"]
        if not isinstance(data, str) or not 1 <= len(data.encode()) <= 64:
            raise bad_request("BUTTON_DATA_INVALID")
    if "url" in button:
        parts = urlsplit(str(button["url"]))
        if parts.scheme not in ("http", "https", "tg") or not (parts.netloc or parts.path):
            raise bad_request("BUTTON_URL_INVALID")


def inline_markup(params: Params) -> Json | None:
    """The inline keyboard of a call, validated; other keyboards are accepted and not echoed."""
    if "reply_markup" not in params:
        return None
    markup = params.structure("reply_markup")
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" not in markup:
        return None
    rows = markup["inline_keyboard"]
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request('field "inline_keyboard" of the InlineKeyboardMarkup must be an Array')
    for row in rows:
        for button in row:
            _check_button(button)
    return {"inline_keyboard": rows}


def message_text(params: Params) -> tuple[str, list[Json]]:
    """sendMessage's text after parse_mode, 1–4096 characters (§5.3)."""
    mode = params.raw.get("parse_mode", "")
    if not isinstance(mode, str) or mode.lower() not in ("", "html", "markdown", "markdownv2"):
        raise bad_request("unsupported parse_mode")
    source = params.text("text") or ""
    content, entities = parse_html(source) if mode.lower() == "html" else (source, [])
    if not content.strip():
        raise bad_request("message text is empty")
    if len(content) > 4096:
        raise bad_request("message is too long")
    return content, entities


def invoice_prices(params: Params, currency: str) -> list[Json]:
    """sendInvoice's prices in the smallest units; Stars (XTR) take exactly one (§5.5)."""
    prices = params.structure("prices")
    if not isinstance(prices, list):
        raise bad_request("can't parse prices JSON object")
    for price in prices:
        valid = isinstance(price, dict) and isinstance(price.get("label"), str)
        amount = price.get("amount") if valid else None
        if not isinstance(amount, int) or isinstance(amount, bool):
            raise bad_request("can't parse prices JSON object")
    if not prices or sum(price["amount"] for price in prices) <= 0:
        raise bad_request("CURRENCY_TOTAL_AMOUNT_INVALID")
    if currency == "XTR" and len(prices) != 1:
        raise bad_request("STARS_INVOICE_INVALID")
    return prices


# --- the fake --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Ok:
    """A successful result; setWebhook and deleteWebhook add a description."""

    result: Any
    description: str | None = None


Commit = Callable[[], Ok]


@dataclass(frozen=True)
class Call:
    """One method call as the fake saw it; `status` is None while it hangs."""

    method: str
    params: Json
    status: int | None
    response: Json | None
    from_webhook_reply: bool = False


@dataclass(frozen=True)
class Webhook:
    url: str
    secret_token: str | None
    allowed_updates: tuple[str, ...] | None
    max_connections: int = 40
    ip_address: str | None = None


@dataclass
class Invoice:
    chat_id: int
    currency: str
    total_amount: int
    payload: str


@dataclass
class Payment:
    """How `pay` went: the query, the bot's answer (None: none in time), the payment message."""

    query: Json
    answer: Json | None
    message: Json | None
    deliveries: list[Delivery | None] = field(default_factory=list)


@dataclass
class _Failure:
    code: int = 0
    retry_after: int = 35
    hang: bool = False


class FakeTelegramApi(LocalServer):
    """api.telegram.org for one bot: `async with FakeTelegramApi() as telegram`.

    Point the channel at `telegram.url` instead of https://api.telegram.org. Telegram resolves
    the webhook's public HTTPS host; tests have no TLS, so `deliver_to` (an origin such as
    http://127.0.0.1:8080) stands in for it and keeps the webhook's path.
    """

    def __init__(
        self,
        *,
        token: str = BOT_TOKEN,
        first_name: str = "Shop",
        username: str = "shopbot",
        deliver_to: str | None = None,
        delivery_timeout: float = 10.0,
        pre_checkout_timeout: float = 10.0,
    ) -> None:
        super().__init__()
        self.token, self.bot_id = token, int(token.split(":", 1)[0])
        self.first_name, self.username = first_name, username
        self.deliver_to = deliver_to
        self.delivery_timeout, self.pre_checkout_timeout = delivery_timeout, pre_checkout_timeout
        self.webhook: Webhook | None = None
        self.requests: list[Call] = []
        self.sent: list[Json] = []
        self.messages: dict[tuple[int, int], Json] = {}
        self.users: dict[int, TelegramUser] = {}
        self.blocked: set[int] = set()
        self.updates: list[Json] = []
        self.pending: list[Json] = []
        self.deliveries: list[Delivery] = []
        self.callback_answers: dict[str, Json] = {}
        self.pre_checkout_answers: dict[str, Json] = {}
        self.chat_actions: list[tuple[int, str]] = []
        self.invoices: dict[tuple[int, int], Invoice] = {}
        self.last_error: tuple[int, str] | None = None
        self._update_id = 10000
        self._message_ids: dict[int, int] = {}
        self._open_callbacks: set[str] = set()
        self._open_checkouts: dict[str, tuple[float, asyncio.Event]] = {}
        self._failures: deque[_Failure] = deque()
        self._flooded_until = 0.0
        """Until when (time.monotonic) flood control refuses every call of the bot."""
        self._methods: dict[str, Callable[[Params], Commit]] = {
            "sendmessage": self._send_message,
            "editmessagereplymarkup": self._edit_reply_markup,
            "answercallbackquery": self._answer_callback_query,
            "setwebhook": self._set_webhook,
            "deletewebhook": self._delete_webhook,
            "getwebhookinfo": self._get_webhook_info,
            "getme": self._get_me,
            "sendinvoice": self._send_invoice,
            "answerprecheckoutquery": self._answer_pre_checkout_query,
            "sendchataction": self._send_chat_action,
            "sendlocation": self._send_location,
        }

    @property
    def api_url(self) -> str:
        """The base the channel appends method names to: {url}/bot{token}/."""
        return f"{self.url}/bot{self.token}/"

    def routes(self) -> list[web.RouteDef]:
        return [web.route("*", "/bot{token}/{method}", self._handle)]

    def bot_user(self) -> Json:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.first_name,
            "username": self.username,
        }

    # injection

    def fail_next(self, code: int, *, times: int = 1, retry_after: int = 35) -> None:
        """The next `times` valid calls fail: 429 (with retry_after), 403 blocked, or a 5xx."""
        self._failures.extend(_Failure(code, retry_after) for _ in range(times))

    def flood(self, retry_after: int) -> None:
        """Flood control, as Telegram answers it (§5.4): for `retry_after` seconds every call
        of the bot, whatever its method or chat, answers 429 with the whole seconds left."""
        self._flooded_until = time.monotonic() + retry_after

    def hang_next(self, *, times: int = 1) -> None:
        """The next `times` valid calls never get an answer."""
        self._failures.extend(_Failure(hang=True) for _ in range(times))

    def block(self, chat_id: int) -> None:
        """The user blocked the bot: every call for this chat answers 403 until unblocked."""
        self.blocked.add(chat_id)

    def unblock(self, chat_id: int) -> None:
        self.blocked.discard(chat_id)

    # updates

    def user(self, user: TelegramUser = TELEGRAM_USER) -> TelegramUser:
        """Make `user` known: a bot can only write to users who wrote to it first."""
        self.users[user.id] = user
        return user

    async def send_text(self, content: str, user: TelegramUser = TELEGRAM_USER) -> Delivery | None:
        """The user writes `content` to the bot."""
        message = telegram_text(self.user(user), content, message_id=self._next_message_id(user.id))
        self.messages[(user.id, message["message_id"])] = message
        return await self.emit("message", message)

    async def send_location(
        self, latitude: float, longitude: float, user: TelegramUser = TELEGRAM_USER
    ) -> Delivery | None:
        message_id = self._next_message_id(self.user(user).id)
        message = telegram_location(user, latitude, longitude, message_id=message_id)
        self.messages[(user.id, message_id)] = message
        return await self.emit("message", message)

    async def press(self, message: Json, data: str) -> Delivery | None:
        """The chat's user presses the button with `data` on a message the bot sent.

        The message is looked up as it is now: a button removed by an edit cannot be pressed.
        """
        chat_id = message["chat"]["id"]
        current = self.messages[(chat_id, message["message_id"])]
        query = telegram_callback_query(
            self.users[chat_id],
            copy.deepcopy(current),
            data,
            chat_instance=str(-(chat_id * 7919 % 10**18)),
        )
        self._open_callbacks.add(query["id"])
        return await self.emit("callback_query", query)

    async def pay(self, invoice_message: Json, *, order_info: Json | None = None) -> Payment:
        """The user pays an invoice the bot sent: pre_checkout_query, then the payment message.

        Telegram charges only if the bot answers ok within `pre_checkout_timeout` (10 s, §5.5),
        through the API or in the webhook reply; a later answer is refused as too old.
        """
        chat_id = invoice_message["chat"]["id"]
        invoice = self.invoices[(chat_id, invoice_message["message_id"])]
        user = self.users[chat_id]
        query = telegram_pre_checkout_query(
            user,
            currency=invoice.currency,
            total_amount=invoice.total_amount,
            invoice_payload=invoice.payload,
            order_info=order_info,
        )
        answered = asyncio.Event()
        self._open_checkouts[query["id"]] = (time.monotonic(), answered)
        payment = Payment(query, None, None, [await self.emit("pre_checkout_query", query)])
        if payment.deliveries[0] is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(answered.wait(), self.pre_checkout_timeout)
        self._open_checkouts.pop(query["id"], None)
        payment.answer = self.pre_checkout_answers.get(query["id"])
        if payment.answer is not None and payment.answer["ok"]:
            payment.message = telegram_successful_payment(
                user,
                message_id=self._next_message_id(chat_id),
                currency=invoice.currency,
                total_amount=invoice.total_amount,
                invoice_payload=invoice.payload,
            )
            payment.deliveries.append(await self.emit("message", payment.message))
        return payment

    async def emit(self, kind: str, body: Json) -> Delivery | None:
        """A new Update with the next update_id; None when allowed_updates leaves it out."""
        self._update_id += 1
        update = {"update_id": self._update_id, kind: body}
        self.updates.append(update)
        return await self.deliver(update)

    async def deliver(self, update: Json) -> Delivery | None:
        """POST an Update to the webhook; delivering one twice is Telegram's duplicate."""
        webhook = self.webhook
        if webhook is None:
            raise RuntimeError("no webhook is set: the bot must call setWebhook first")
        kind = next(key for key in update if key != "update_id")
        wanted = webhook.allowed_updates
        if (kind not in wanted) if wanted else (kind in OPT_IN_UPDATES):
            return None
        headers = {"Content-Type": "application/json"}
        if webhook.secret_token is not None:
            headers["X-Telegram-Bot-Api-Secret-Token"] = webhook.secret_token
        body = json.dumps(update, ensure_ascii=False).encode()
        delivery = await self.post(self._target(webhook.url), body, headers, self.delivery_timeout)
        self.deliveries.append(delivery)
        if delivery.ok:
            self.pending = [each for each in self.pending if each is not update]
            await self._run_reply(delivery)
        else:
            self._keep_pending(update, delivery)
        return delivery

    def _keep_pending(self, update: Json, delivery: Delivery) -> None:
        """An update the webhook did not take waits for `retry_pending`; getWebhookInfo tells."""
        if all(each is not update for each in self.pending):
            self.pending.append(update)
        if delivery.status is None:
            self.last_error = (int(time.time()), f"Connection failed: {delivery.error}")
        else:
            reason = f"{delivery.status} {HTTPStatus(delivery.status).phrase}"
            self.last_error = (int(time.time()), f"Wrong response from the webhook: {reason}")

    async def retry_pending(self) -> list[Delivery | None]:
        """Telegram's retry of the updates the webhook did not take."""
        return [await self.deliver(update) for update in list(self.pending)]

    # the HTTP side

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        method = request.match_info["method"]
        try:
            params = await self._read_params(request)
        except BotApiError as error:
            return self._answer(method, {}, error)
        if request.match_info["token"] != self.token:
            return self._answer(method, params, BotApiError(401, "Unauthorized"))
        left = self._flooded_until - time.monotonic()
        if left > 0:
            return self._answer(method, params, error_for(429, max(1, math.ceil(left))))
        perform = self._validate(method, params)
        if isinstance(perform, BotApiError):
            return self._answer(method, params, perform)
        failure = self._failures.popleft() if self._failures else None
        if failure is not None and failure.hang:
            self.requests.append(Call(method, params, None, None))
            await self.hang()
            return web.Response(status=504)
        if failure is not None:
            return self._answer(method, params, error_for(failure.code, failure.retry_after))
        return self._answer(method, params, self._perform(perform))

    @staticmethod
    async def _read_params(request: web.Request) -> Json:
        params: Json = dict(request.query)
        if not request.can_read_body:
            return params
        if request.content_type == "application/json":
            try:
                body = await request.json()
            except ValueError:
                raise bad_request("can't parse JSON object") from None
            if not isinstance(body, dict):
                raise bad_request("can't parse JSON object")
            params.update(body)
        else:
            params.update((key, value) for key, value in (await request.post()).items())
        return params

    def _validate(self, method: str, params: Json) -> Commit | BotApiError:
        commit = self._methods.get(method.lower())
        if commit is None:
            return BotApiError(404, "Not Found")
        try:
            return commit(Params(params))
        except BotApiError as error:
            return error

    @staticmethod
    def _perform(perform: Commit) -> Ok | BotApiError:
        try:
            return perform()
        except BotApiError as error:
            return error

    def _record(
        self, method: str, params: Json, outcome: Ok | BotApiError, from_webhook_reply: bool = False
    ) -> tuple[Json, int]:
        if isinstance(outcome, BotApiError):
            answer, status = outcome.as_json(), outcome.code
        else:
            answer, status = {"ok": True, "result": outcome.result}, 200
            if outcome.description is not None:
                answer["description"] = outcome.description
        self.requests.append(Call(method, params, status, answer, from_webhook_reply))
        return answer, status

    def _answer(self, method: str, params: Json, outcome: Ok | BotApiError) -> web.Response:
        answer, status = self._record(method, params, outcome)
        return web.json_response(answer, status=status)

    async def _run_reply(self, delivery: Delivery) -> None:
        """A webhook reply may carry one method call (§5.1): Telegram performs it, silently."""
        try:
            reply = json.loads(delivery.response)
        except ValueError:
            return
        if not isinstance(reply, dict) or not isinstance(reply.get("method"), str):
            return
        params = {key: value for key, value in reply.items() if key != "method"}
        perform = self._validate(reply["method"], params)
        outcome = perform if isinstance(perform, BotApiError) else self._perform(perform)
        self._record(reply["method"], params, outcome, from_webhook_reply=True)

    # methods: each validates, then returns what performs it (after any injected failure)

    def _chat(self, params: Params) -> TelegramUser:
        raw = params.raw.get("chat_id")
        if raw is None or raw == "":
            raise bad_request("chat_id is empty")
        try:
            return self.users[int(raw)]
        except (KeyError, TypeError, ValueError):
            raise bad_request("chat not found") from None

    def _reachable(self, chat: TelegramUser) -> None:
        if chat.id in self.blocked:
            raise error_for(403)

    def _bot_message(self, chat: TelegramUser, fields: Json) -> Json:
        self._reachable(chat)
        message = {
            "message_id": self._next_message_id(chat.id),
            "from": self.bot_user(),
            "chat": chat.as_chat(),
            "date": int(time.time()),
            **{key: value for key, value in fields.items() if value},
        }
        self.messages[(chat.id, message["message_id"])] = message
        self.sent.append(message)
        return copy.deepcopy(message)

    def _send_message(self, params: Params) -> Commit:
        chat = self._chat(params)
        content, entities = message_text(params)
        markup = inline_markup(params)
        fields = {"text": content, "entities": entities, "reply_markup": markup}
        return lambda: Ok(self._bot_message(chat, fields))

    def _send_location(self, params: Params) -> Commit:
        chat = self._chat(params)
        latitude, longitude = params.number("latitude", float), params.number("longitude", float)
        fields = {"location": {"latitude": latitude, "longitude": longitude}}
        fields["reply_markup"] = inline_markup(params)
        return lambda: Ok(self._bot_message(chat, fields))

    def _send_chat_action(self, params: Params) -> Commit:
        chat = self._chat(params)
        action = params.text("action")
        if action not in CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")

        def perform() -> Ok:
            self._reachable(chat)
            self.chat_actions.append((chat.id, str(action)))
            return Ok(True)

        return perform

    def _edit_reply_markup(self, params: Params) -> Commit:
        chat = self._chat(params)
        if "message_id" not in params:
            raise bad_request("message identifier is not specified")
        stored = self.messages.get((chat.id, params.number("message_id")))
        if stored is None:
            raise bad_request("message to edit not found")
        if stored["from"]["id"] != self.bot_id:
            raise bad_request("message can't be edited")
        markup = inline_markup(params)
        if markup == stored.get("reply_markup"):
            raise bad_request(NOT_MODIFIED)

        def perform() -> Ok:
            self._reachable(chat)
            stored.pop("reply_markup", None)
            stored.update(
                {"edit_date": int(time.time())} | ({"reply_markup": markup} if markup else {})
            )
            return Ok(copy.deepcopy(stored))

        return perform

    def _answer_callback_query(self, params: Params) -> Commit:
        query_id = params.required("callback_query_id")
        if len(params.text("text") or "") > 200:
            raise bad_request("MESSAGE_TOO_LONG")
        if query_id not in self._open_callbacks:
            raise bad_request(QUERY_INVALID)

        def perform() -> Ok:
            self._open_callbacks.discard(query_id)
            self.callback_answers[query_id] = params.raw
            return Ok(True)

        return perform

    def _send_invoice(self, params: Params) -> Commit:
        chat = self._chat(params)
        title, description = params.required("title"), params.required("description")
        payload = params.text("payload") or ""
        if not 1 <= len(payload.encode()) <= 128:
            raise bad_request("INVOICE_PAYLOAD_INVALID")
        currency = params.required("currency")
        if currency not in CURRENCIES:
            raise bad_request("CURRENCY_INVALID")
        total = sum(price["amount"] for price in invoice_prices(params, currency))
        if bool(params.text("provider_token")) == (currency == "XTR"):
            raise bad_request("PAYMENT_PROVIDER_INVALID")
        summary = {
            "title": title,
            "description": description,
            "start_parameter": params.text("start_parameter") or "",
            "currency": currency,
            "total_amount": total,
        }
        fields = {"invoice": summary, "reply_markup": inline_markup(params)}

        def perform() -> Ok:
            message = self._bot_message(chat, fields)
            key = (chat.id, message["message_id"])
            self.invoices[key] = Invoice(chat.id, currency, total, payload)
            return Ok(message)

        return perform

    def _answer_pre_checkout_query(self, params: Params) -> Commit:
        query_id = params.required("pre_checkout_query_id")
        if "ok" not in params:
            raise bad_request('parameter "ok" is required')
        ok = params.flag("ok")
        if not ok:
            params.required("error_message")
        opened = self._open_checkouts.get(query_id)
        if opened is None or time.monotonic() - opened[0] > self.pre_checkout_timeout:
            raise bad_request(QUERY_INVALID)

        def perform() -> Ok:
            self._open_checkouts.pop(query_id, None)
            answer = {"ok": ok} | ({} if ok else {"error_message": params.text("error_message")})
            self.pre_checkout_answers[query_id] = answer
            opened[1].set()
            return Ok(True)

        return perform

    def _set_webhook(self, params: Params) -> Commit:
        url = params.text("url") or ""
        if not url:
            return self._delete_webhook(params)
        parts = urlsplit(url)
        if parts.scheme != "https":
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        if (parts.port or 443) not in (80, 88, 443, 8443):
            raise bad_request(
                "bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443"
            )
        secret = params.text("secret_token") or None
        if secret is not None and not SECRET_TOKEN.fullmatch(secret):
            raise bad_request("secret token contains unallowed characters")
        if secret is not None and len(secret) > 256:
            raise bad_request("secret token is too long")
        webhook = Webhook(
            url,
            secret,
            self._allowed_updates(params),
            min(
                max(params.number("max_connections") if "max_connections" in params else 40, 1), 100
            ),
            params.text("ip_address"),
        )

        def perform() -> Ok:
            unchanged, self.webhook = self.webhook == webhook, webhook
            if params.flag("drop_pending_updates"):
                self.pending.clear()
            return Ok(True, "Webhook is already set" if unchanged else "Webhook was set")

        return perform

    def _allowed_updates(self, params: Params) -> tuple[str, ...] | None:
        """allowed_updates; left out, the previous setting stays (Bot API, setWebhook)."""
        if "allowed_updates" not in params:
            return self.webhook.allowed_updates if self.webhook else None
        allowed = params.structure("allowed_updates")
        if not isinstance(allowed, list) or not all(isinstance(each, str) for each in allowed):
            raise bad_request("can't parse allowed_updates JSON object")
        return tuple(allowed)

    def _delete_webhook(self, params: Params) -> Commit:
        def perform() -> Ok:
            existed, self.webhook = self.webhook is not None, None
            if params.flag("drop_pending_updates"):
                self.pending.clear()
            return Ok(True, "Webhook was deleted" if existed else "Webhook is already deleted")

        return perform

    def _get_webhook_info(self, params: Params) -> Commit:
        def perform() -> Ok:
            info: Json = {"url": "", "has_custom_certificate": False, "pending_update_count": 0}
            if self.webhook is None:
                return Ok(info)
            info.update(url=self.webhook.url, pending_update_count=len(self.pending))
            if self.webhook.ip_address:
                info["ip_address"] = self.webhook.ip_address
            if self.last_error is not None:
                info["last_error_date"], info["last_error_message"] = self.last_error
            info["max_connections"] = self.webhook.max_connections
            if self.webhook.allowed_updates is not None:
                info["allowed_updates"] = list(self.webhook.allowed_updates)
            return Ok(info)

        return perform

    def _get_me(self, params: Params) -> Commit:
        me = self.bot_user() | {
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }
        return lambda: Ok(me)

    # helpers

    def _next_message_id(self, chat_id: int) -> int:
        """Message ids count per private chat, for both sides."""
        self._message_ids[chat_id] = self._message_ids.get(chat_id, 0) + 1
        return self._message_ids[chat_id]

    def _target(self, url: str) -> str:
        if self.deliver_to is None:
            return url
        parts = urlsplit(url)
        return self.deliver_to.rstrip("/") + parts.path + (f"?{parts.query}" if parts.query else "")
