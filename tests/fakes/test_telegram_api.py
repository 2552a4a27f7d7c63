"""The fake Bot API, held to the reference's examples and Telegram's answers.

Updates and results are compared structurally with the examples of the reference (§5.2-§5.5);
each tolerance is named where it is used. Calls are checked as Telegram checks them, and the
injected failures answer with the Bot API's own error JSON.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from tests.fakes.telegram_api import BOT_TOKEN, FakeTelegramApi, parse_html
from tests.fakes.webhooks import (
    Json,
    LocalServer,
    TelegramUser,
    shape_differences,
    telegram_callback_query,
)

# Reference §5.2-§5.5, verbatim.
DOC_TEXT_UPDATE = {
    "update_id": 123456789,
    "message": {
        "message_id": 456,
        "from": {
            "id": 987654321,
            "is_bot": False,
            "first_name": "John",
            "username": "johndoe",
            "language_code": "en",
        },
        "chat": {"id": 987654321, "type": "private", "first_name": "John"},
        "date": 1700000000,
        "text": "/start",
        "entities": [{"offset": 0, "length": 6, "type": "bot_command"}],
    },
}
DOC_CALLBACK_UPDATE = {
    "update_id": 123456790,
    "callback_query": {
        "id": "4382bfdwdsb323b2d9",
        "from": {"id": 987654321, "is_bot": False, "first_name": "John"},
        "message": {
            "message_id": 457,
            "from": {"id": 111, "is_bot": True, "first_name": "Shop", "username": "shopbot"},
            "chat": {"id": 987654321, "type": "private"},
            "date": 1700000001,
            "text": "Pick a size",
        },
        "chat_instance": "-1234567890123456789",
        "data": "size:M",
    },
}
DOC_SEND = {
    "chat_id": 987654321,
    "text": "Pick a size",
    "parse_mode": "HTML",
    "reply_markup": {
        "inline_keyboard": [
            [{"text": "S", "callback_data": "size:S"}, {"text": "M", "callback_data": "size:M"}],
            [{"text": "Menu", "url": "https://example.com"}],
        ]
    },
}
DOC_SEND_RESULT_KEYS = {"message_id", "from", "chat", "date", "text", "reply_markup"}
DOC_429 = {
    "ok": False,
    "error_code": 429,
    "description": "Too Many Requests: retry after 35",
    "parameters": {"retry_after": 35},
}
DOC_PAYMENT = {
    "currency": "USD",
    "total_amount": 1299,
    "invoice_payload": "order-42",
    "telegram_payment_charge_id": "…",
    "provider_payment_charge_id": "…",
}
DOC_PRE_CHECKOUT_KEYS = {"id", "from", "currency", "total_amount", "invoice_payload", "order_info"}
# The reference trims the chat of a private message; Telegram sends the user's names in it.
TRIMMED_CHAT = {"$.message.chat.username", "$.callback_query.message.chat.first_name"}
# The reference's pressed message shows no keyboard; a pressed message always has one.
PRESSED_KEYBOARD = {"$.callback_query.message.reply_markup"}

PUBLIC_HOOK = "https://shop.example.com/telegram/webhook"
SECRET = "s3cr3t_-Token"
JOHN = TelegramUser()
QUIET = TelegramUser(first_name="John", username=None, language_code=None)
INVOICE = {
    "chat_id": JOHN.id,
    "title": "Pizza Salami",
    "description": "One large pizza",
    "payload": "order-42",
    "provider_token": "284685063:TEST:abc",
    "currency": "USD",
    "prices": [{"label": "Pizza", "amount": 1299}],
}


class Bot(LocalServer):
    """The app under test, reduced to its webhook: records updates, answers as told."""

    def __init__(self) -> None:
        super().__init__()
        self.received: list[tuple[dict[str, str], Json]] = []
        self.status = 200
        self.reply: Json | None = None
        self.on_update: Callable[[Json], Awaitable[None]] | None = None

    def routes(self) -> list[web.RouteDef]:
        return [web.post("/telegram/webhook", self._receive)]

    async def _receive(self, request: web.Request) -> web.Response:
        update = json.loads(await request.read())
        self.received.append((dict(request.headers), update))
        if self.on_update is not None:
            await self.on_update(update)
        if self.reply is not None:
            return web.json_response(self.reply)
        return web.Response(status=self.status)

    def updates(self) -> list[Json]:
        return [update for _, update in self.received]


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture
async def bot() -> AsyncIterator[Bot]:
    async with Bot() as server:
        yield server


@pytest.fixture
async def telegram(bot: Bot) -> AsyncIterator[FakeTelegramApi]:
    async with FakeTelegramApi(deliver_to=bot.url, pre_checkout_timeout=2.0) as fake:
        fake.user(JOHN)
        yield fake


async def call(
    http: aiohttp.ClientSession, telegram: FakeTelegramApi, method: str, **params: Any
) -> tuple[int, Json]:
    async with http.post(telegram.api_url + method, json=params) as response:
        return response.status, await response.json()


@pytest.fixture
async def hooked(http: aiohttp.ClientSession, telegram: FakeTelegramApi) -> FakeTelegramApi:
    assert await call(http, telegram, "setWebhook", url=PUBLIC_HOOK, secret_token=SECRET) == (
        200,
        {"ok": True, "result": True, "description": "Webhook was set"},
    )
    return telegram


# --- formats --------------------------------------------------------------------------------


async def test_updates_have_the_shape_of_the_reference_examples(
    http: aiohttp.ClientSession, hooked: FakeTelegramApi, bot: Bot
) -> None:
    await hooked.send_text("/start")
    hooked.user(QUIET)
    status, sent = await call(http, hooked, "sendMessage", **DOC_SEND)
    assert status == 200
    await hooked.press(sent["result"], "size:M")
    text_update, callback_update = bot.updates()
    assert shape_differences(text_update, DOC_TEXT_UPDATE, optional=TRIMMED_CHAT) == []
    assert text_update["message"]["entities"] == DOC_TEXT_UPDATE["message"]["entities"]
    optional = TRIMMED_CHAT | PRESSED_KEYBOARD
    assert shape_differences(callback_update, DOC_CALLBACK_UPDATE, optional=optional) == []
    assert callback_update["callback_query"]["message"] == sent["result"]
    assert callback_update["update_id"] == text_update["update_id"] + 1


async def test_send_message_answers_a_real_message(
    http: aiohttp.ClientSession, telegram: FakeTelegramApi
) -> None:
    status, answer = await call(http, telegram, "sendMessage", **DOC_SEND)
    assert (status, answer["ok"], set(answer["result"])) == (200, True, DOC_SEND_RESULT_KEYS)
    result = answer["result"]
    assert result["from"] == {
        "id": 111,
        "is_bot": True,
        "first_name": "Shop",
        "username": "shopbot",
    }
    assert result["chat"] == JOHN.as_chat()
    assert result["reply_markup"] == DOC_SEND["reply_markup"]
    second = (await call(http, telegram, "sendMessage", chat_id=JOHN.id, text="Next"))[1]
    assert second["result"]["message_id"] == result["message_id"] + 1
    assert "reply_markup" not in second["result"] and telegram.sent[-1] == second["result"]


async def test_html_is_parsed_into_text_and_utf16_entities(
    http: aiohttp.ClientSession, telegram: FakeTelegramApi
) -> None:
    source = '😀 <b>Pizza <i>Salami</i></b> &amp; <a href="https://x.io/m">menu</a>'
    answer = (
        await call(http, telegram, "sendMessage", chat_id=JOHN.id, text=source, parse_mode="html")
    )[1]
    assert answer["result"]["text"] == "😀 Pizza Salami & menu"
    assert answer["result"]["entities"] == [
        {"offset": 3, "length": 12, "type": "bold"},
        {"offset": 9, "length": 6, "type": "italic"},
        {"offset": 18, "length": 4, "type": "text_link", "url": "https://x.io/m"},
    ]
    assert parse_html("<tg-spoiler>x</tg-spoiler>") == (
        "x",
        [{"offset": 0, "length": 1, "type": "spoiler"}],
    )


@pytest.mark.parametrize(
    ("source", "problem"),
    [
        ("<blink>x</blink>", 'Unsupported start tag "blink" at byte offset 0'),
        ("ä <b>x", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ("<span>x</span>", 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
    ],
)
async def test_broken_html_cannot_be_parsed(
    http: aiohttp.ClientSession, telegram: FakeTelegramApi, source: str, problem: str
) -> None:
    answer = await call(
        http, telegram, "sendMessage", chat_id=JOHN.id, text=source, parse_mode="HTML"
    )
    assert answer == (
        400,
        {
            "ok": False,
            "error_code": 400,
            "description": f"Bad Request: can't parse entities: {problem}",
        },
    )


def keyboard(*buttons: Json) -> Json:
    return {"inline_keyboard": [list(buttons)]}


SEND_ERRORS: dict[str, tuple[Json, str]] = {
    "no chat": ({"text": "hi"}, "chat_id is empty"),
    "a chat that never wrote": ({"chat_id": 42, "text": "hi"}, "chat not found"),
    "no text": ({"chat_id": JOHN.id}, "message text is empty"),
    "only blanks": ({"chat_id": JOHN.id, "text": "  \n"}, "message text is empty"),
    "4097 characters": ({"chat_id": JOHN.id, "text": "x" * 4097}, "message is too long"),
    "an empty text after parsing": (
        {"chat_id": JOHN.id, "text": "<b></b>", "parse_mode": "HTML"},
        "message text is empty",
    ),
    "another parse mode": (
        {"chat_id": JOHN.id, "text": "x", "parse_mode": "BBCode"},
        "unsupported parse_mode",
    ),
    "a null parse mode": (
        {"chat_id": JOHN.id, "text": "x", "parse_mode": None},
        "unsupported parse_mode",
    ),
    "callback data of 65 bytes": (
        {
            "chat_id": JOHN.id,
            "text": "x",
            "reply_markup": keyboard({"text": "S", "callback_data": "é" * 32 + "s"}),
        },
        "BUTTON_DATA_INVALID",
    ),
    "empty callback data": (
        {
            "chat_id": JOHN.id,
            "text": "x",
            "reply_markup": keyboard({"text": "S", "callback_data": ""}),
        },
        "BUTTON_DATA_INVALID",
    ),
    "a button that does nothing": (
        {"chat_id": JOHN.id, "text": "x", "reply_markup": keyboard({"text": "S"})},
        "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard",
    ),
    "a button without text": (
        {"chat_id": JOHN.id, "text": "x", "reply_markup": keyboard({"callback_data": "s"})},
        'can\'t parse inline keyboard button: Field "text" must be of type String',
    ),
    "a button to no URL": (
        {
            "chat_id": JOHN.id,
            "text": "x",
            "reply_markup": keyboard({"text": "S", "url": "not a url"}),
        },
        "BUTTON_URL_INVALID",
    ),
    "a keyboard that is no array of arrays": (
        {"chat_id": JOHN.id, "text": "x", "reply_markup": {"inline_keyboard": [{"text": "S"}]}},
        'field "inline_keyboard" of the InlineKeyboardMarkup must be an Array',
    ),
    "markup that is no object": (
        {"chat_id": JOHN.id, "text": "x", "reply_markup": "[]"},
        "can't parse reply keyboard markup JSON object",
    ),
}


@pytest.mark.parametrize("name", sorted(SEND_ERRORS))
async def test_send_message_refuses_what_telegram_refuses(
    http: aiohttp.ClientSession, telegram: FakeTelegramApi, name: str
) -> None:
    params, description = SEND_ERRORS[name]
    expected = {"ok": False, "error_code": 400, "description": f"Bad Request: {description}"}
    assert await call(http, telegram, "sendMessage", **params) == (400, expected)
    assert telegram.sent == []


async def test_limits_are_met_exactly(
    http: aiohttp.ClientSession, telegram: FakeTelegramApi
) -> None:
    markup = keyboard(
        {"text": "S", "callback_data": "é" * 32}, {"text": "Open", "url": "tg://resolve?domain=x"}
    )
    status, _ = await call(
        http, telegram, "sendMessage", chat_id=JOHN.id, text="x" * 4096, reply_markup=markup
    )
    assert status == 200


async def test_a_wrong_token_and_an_unknown_method(
    http: aiohttp.ClientSession, telegram: FakeTelegramApi
) -> None:
    async with http.post(f"{telegram.url}/bot1:wrong/getMe") as response:
        assert (response.status, await response.json()) == (
            401,
            {"ok": False, "error_code": 401, "description": "Unauthorized"},
        )
    assert await call(http, telegram, "sendDice", chat_id=JOHN.id) == (
        404,
        {"ok": False, "error_code": 404, "description": "Not Found"},
    )


async def test_form_and_query_parameters_work_like_json(
    http: aiohttp.ClientSession, telegram: FakeTelegramApi
) -> None:
    form = {
        "chat_id": str(JOHN.id),
        "text": "Pick",
        "reply_markup": json.dumps(DOC_SEND["reply_markup"]),
    }
    async with http.post(telegram.api_url + "sendMessage", data=form) as response:
        assert (await response.json())["result"]["reply_markup"] == DOC_SEND["reply_markup"]
    async with http.get(
        telegram.api_url + "SENDMESSAGE", params={"chat_id": JOHN.id, "text": "q"}
    ) as response:
        assert (await response.json())["result"]["text"] == "q"
    async with http.get(telegram.api_url + "getMe") as response:
        me = (await response.json())["result"]
    assert me["id"] == int(BOT_TOKEN.split(":")[0]) and me["is_bot"] is True


async def test_chat_actions_and_locations(
    http: aiohttp.ClientSession, telegram: FakeTelegramApi
) -> None:
    assert await call(http, telegram, "sendChatAction", chat_id=JOHN.id, action="typing") == (
        200,
        {"ok": True, "result": True},
    )
    assert telegram.chat_actions == [(JOHN.id, "typing")]
    status, answer = await call(http, telegram, "sendChatAction", chat_id=JOHN.id, action="dancing")
    assert (status, answer["description"]) == (
        400,
        "Bad Request: wrong parameter action in request",
    )
    status, answer = await call(
        http, telegram, "sendLocation", chat_id=JOHN.id, latitude=52.52, longitude=13.405
    )
    assert (status, answer["result"]["location"]) == (200, {"latitude": 52.52, "longitude": 13.405})
    status, answer = await call(http, telegram, "sendLocation", chat_id=JOHN.id, latitude=52.52)
    assert (status, answer["description"]) == (
        400,
        'Bad Request: parameter "longitude" is required',
    )


# --- webhook --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "description"),
    [
        (
            {"url": "http://shop.example.com/hook"},
            "bad webhook: An HTTPS URL must be provided for webhook",
        ),
        (
            {"url": "https://shop.example.com:8080/hook"},
            "bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443",
        ),
        (
            {"url": PUBLIC_HOOK, "secret_token": "base64+/="},
            "secret token contains unallowed characters",
        ),
        ({"url": PUBLIC_HOOK, "secret_token": "a" * 257}, "secret token is too long"),
        (
            {"url": PUBLIC_HOOK, "allowed_updates": "message"},
            "can't parse allowed_updates JSON object",
        ),
    ],
)
async def test_set_webhook_refuses_what_telegram_refuses(
    http: aiohttp.ClientSession, telegram: FakeTelegramApi, params: Json, description: str
) -> None:
    status, answer = await call(http, telegram, "setWebhook", **params)
    assert (status, answer["description"]) == (400, f"Bad Request: {description}")
    assert telegram.webhook is None


async def test_webhook_info_follows_set_and_delete(
    http: aiohttp.ClientSession, telegram: FakeTelegramApi
) -> None:
    empty = {"url": "", "has_custom_certificate": False, "pending_update_count": 0}
    assert (await call(http, telegram, "getWebhookInfo"))[1]["result"] == empty
    settings = {
        "url": "https://shop.example.com:8443/tg",
        "secret_token": "a" * 256,
        "allowed_updates": ["message"],
    }
    assert (await call(http, telegram, "setWebhook", **settings))[1][
        "description"
    ] == "Webhook was set"
    assert (await call(http, telegram, "setWebhook", **settings))[1][
        "description"
    ] == "Webhook is already set"
    info = (await call(http, telegram, "getWebhookInfo"))[1]["result"]
    assert info == empty | {
        "url": settings["url"],
        "max_connections": 40,
        "allowed_updates": ["message"],
    }
    await call(http, telegram, "setWebhook", url=PUBLIC_HOOK, max_connections=500)
    info = (await call(http, telegram, "getWebhookInfo"))[1]["result"]
    assert (info["allowed_updates"], info["max_connections"]) == (["message"], 100)
    assert (await call(http, telegram, "deleteWebhook"))[1]["description"] == "Webhook was deleted"
    assert (await call(http, telegram, "deleteWebhook"))[1][
        "description"
    ] == "Webhook is already deleted"
    with pytest.raises(RuntimeError, match="setWebhook"):
        await telegram.send_text("hi")


async def test_updates_carry_the_secret_and_increasing_ids_and_may_come_twice(
    hooked: FakeTelegramApi, bot: Bot
) -> None:
    first = await hooked.send_text("Grüße 🍕")
    await hooked.send_location(52.52, 13.405)
    await hooked.deliver(hooked.updates[0])
    assert first is not None and first.url == f"{bot.url}/telegram/webhook"
    assert all(headers["X-Telegram-Bot-Api-Secret-Token"] == SECRET for headers, _ in bot.received)
    ids = [update["update_id"] for update in bot.updates()]
    assert ids[1] == ids[0] + 1 and ids[2] == ids[0]
    assert bot.updates()[0]["message"]["text"] == "Grüße 🍕" and "Grüße".encode() in first.body
    assert bot.updates()[1]["message"]["location"] == {"latitude": 52.52, "longitude": 13.405}
    assert (
        bot.updates()[1]["message"]["message_id"] == bot.updates()[0]["message"]["message_id"] + 1
    )


async def test_allowed_updates_decide_what_is_delivered(
    http: aiohttp.ClientSession, telegram: FakeTelegramApi, bot: Bot
) -> None:
    await call(http, telegram, "setWebhook", url=PUBLIC_HOOK)
    assert await telegram.emit("message_reaction", {"chat": JOHN.as_chat()}) is None
    await call(http, telegram, "setWebhook", url=PUBLIC_HOOK, allowed_updates=["callback_query"])
    assert await telegram.send_text("hi") is None
    assert bot.received == [] and len(telegram.updates) == 2
    assert (
        "X-Telegram-Bot-Api-Secret-Token" not in (await telegram.emit("callback_query", {})).headers
    )


async def test_refused_updates_wait_until_retried_or_dropped(
    http: aiohttp.ClientSession, hooked: FakeTelegramApi, bot: Bot
) -> None:
    bot.status = 500
    delivery = await hooked.send_text("hi")
    assert delivery is not None and not delivery.ok
    info = (await call(http, hooked, "getWebhookInfo"))[1]["result"]
    assert info["pending_update_count"] == 1
    assert (
        info["last_error_message"] == "Wrong response from the webhook: 500 Internal Server Error"
    )
    assert isinstance(info["last_error_date"], int)
    await hooked.retry_pending()
    assert len(hooked.pending) == 1
    bot.status = 200
    [retried] = await hooked.retry_pending()
    assert retried is not None and retried.ok and hooked.pending == []
    assert bot.updates()[0] == bot.updates()[-1]
    bot.status = 502
    await hooked.send_text("again")
    await call(http, hooked, "deleteWebhook", drop_pending_updates=True)
    assert hooked.pending == []


async def test_an_unreachable_webhook_keeps_the_update_pending(telegram: FakeTelegramApi) -> None:
    async with Bot() as gone:
        origin = gone.url
    telegram.deliver_to = origin
    async with aiohttp.ClientSession() as http:
        await call(http, telegram, "setWebhook", url=PUBLIC_HOOK)
    delivery = await telegram.send_text("hi")
    assert delivery is not None and delivery.status is None and len(telegram.pending) == 1
    assert telegram.last_error is not None and telegram.last_error[1].startswith(
        "Connection failed"
    )


# --- buttons and callbacks ------------------------------------------------------------------


async def test_callbacks_come_from_buttons_the_bot_sent_and_are_answered_once(
    http: aiohttp.ClientSession, hooked: FakeTelegramApi, bot: Bot
) -> None:
    sent = (await call(http, hooked, "sendMessage", **DOC_SEND))[1]["result"]
    with pytest.raises(ValueError, match="no button with data 'size:XL'"):
        await hooked.press(sent, "size:XL")
    await hooked.press(sent, "size:S")
    query_id = bot.updates()[-1]["callback_query"]["id"]
    answer = {"callback_query_id": query_id, "text": "Added!", "show_alert": False, "cache_time": 0}
    assert await call(http, hooked, "answerCallbackQuery", **answer) == (
        200,
        {"ok": True, "result": True},
    )
    assert hooked.callback_answers[query_id] == answer
    too_old = "Bad Request: query is too old and response timeout expired or query ID is invalid"
    assert (await call(http, hooked, "answerCallbackQuery", **answer))[1]["description"] == too_old
    assert (await call(http, hooked, "answerCallbackQuery", callback_query_id="1"))[1][
        "description"
    ] == too_old
    await hooked.press(sent, "size:M")
    long_answer = {
        "callback_query_id": bot.updates()[-1]["callback_query"]["id"],
        "text": "x" * 201,
    }
    assert (await call(http, hooked, "answerCallbackQuery", **long_answer))[1]["description"] == (
        "Bad Request: MESSAGE_TOO_LONG"
    )


async def test_editing_the_keyboard_changes_what_can_be_pressed(
    http: aiohttp.ClientSession, hooked: FakeTelegramApi
) -> None:
    sent = (await call(http, hooked, "sendMessage", **DOC_SEND))[1]["result"]
    where = {"chat_id": JOHN.id, "message_id": sent["message_id"]}
    same = await call(
        http, hooked, "editMessageReplyMarkup", **where, reply_markup=DOC_SEND["reply_markup"]
    )
    assert same[1]["description"].startswith("Bad Request: message is not modified: specified new")
    smaller = keyboard({"text": "L", "callback_data": "size:L"})
    edited = (await call(http, hooked, "editMessageReplyMarkup", **where, reply_markup=smaller))[1][
        "result"
    ]
    assert edited["reply_markup"] == smaller and "edit_date" in edited
    with pytest.raises(ValueError, match="size:S"):
        await hooked.press(sent, "size:S")
    assert (await hooked.press(sent, "size:L")) is not None
    removed = (await call(http, hooked, "editMessageReplyMarkup", **where))[1]["result"]
    assert "reply_markup" not in removed
    with pytest.raises(ValueError):
        await hooked.press(sent, "size:L")


@pytest.mark.parametrize(
    ("where", "description"),
    [
        ({"chat_id": JOHN.id}, "message identifier is not specified"),
        ({"chat_id": JOHN.id, "message_id": 999}, "message to edit not found"),
        ({"chat_id": JOHN.id, "message_id": 1}, "message can't be edited"),
    ],
)
async def test_edits_of_missing_or_foreign_messages_fail(
    http: aiohttp.ClientSession, hooked: FakeTelegramApi, where: Json, description: str
) -> None:
    await hooked.send_text("hi")
    answer = await call(http, hooked, "editMessageReplyMarkup", **where)
    assert answer == (
        400,
        {"ok": False, "error_code": 400, "description": f"Bad Request: {description}"},
    )


def test_a_callback_query_can_only_press_a_shown_button() -> None:
    plain = {"message_id": 1, "chat": JOHN.as_chat(), "text": "no keyboard"}
    with pytest.raises(ValueError, match="shows no button"):
        telegram_callback_query(JOHN, plain, "x", chat_instance="-1")


# --- payments -------------------------------------------------------------------------------


async def test_an_invoice_is_a_message_with_its_invoice(
    http: aiohttp.ClientSession, telegram: FakeTelegramApi
) -> None:
    status, answer = await call(http, telegram, "sendInvoice", **INVOICE)
    assert status == 200
    assert answer["result"]["invoice"] == {
        "title": "Pizza Salami",
        "description": "One large pizza",
        "start_parameter": "",
        "currency": "USD",
        "total_amount": 1299,
    }
    stars = INVOICE | {
        "currency": "XTR",
        "provider_token": "",
        "prices": [{"label": "Pizza", "amount": 50}],
    }
    assert (await call(http, telegram, "sendInvoice", **stars))[0] == 200


@pytest.mark.parametrize(
    ("changes", "description"),
    [
        ({"payload": "p" * 129}, "INVOICE_PAYLOAD_INVALID"),
        ({"payload": "ü" * 65}, "INVOICE_PAYLOAD_INVALID"),
        ({"payload": ""}, "INVOICE_PAYLOAD_INVALID"),
        ({"currency": "ABC"}, "CURRENCY_INVALID"),
        ({"provider_token": ""}, "PAYMENT_PROVIDER_INVALID"),
        ({"currency": "XTR"}, "PAYMENT_PROVIDER_INVALID"),
        (
            {"currency": "XTR", "provider_token": "", "prices": [{"label": "a", "amount": 1}] * 2},
            "STARS_INVOICE_INVALID",
        ),
        ({"prices": []}, "CURRENCY_TOTAL_AMOUNT_INVALID"),
        ({"prices": [{"label": "Pizza", "amount": 0}]}, "CURRENCY_TOTAL_AMOUNT_INVALID"),
        ({"prices": [{"label": "Pizza", "amount": 12.99}]}, "can't parse prices JSON object"),
        ({"prices": {"label": "Pizza", "amount": 1299}}, "can't parse prices JSON object"),
        ({"title": ""}, 'parameter "title" is required'),
    ],
)
async def test_invoices_are_refused_as_telegram_refuses_them(
    http: aiohttp.ClientSession, telegram: FakeTelegramApi, changes: Json, description: str
) -> None:
    status, answer = await call(http, telegram, "sendInvoice", **(INVOICE | changes))
    assert (status, answer["description"]) == (400, f"Bad Request: {description}")


async def invoice(http: aiohttp.ClientSession, telegram: FakeTelegramApi) -> Json:
    result: Json = (await call(http, telegram, "sendInvoice", **INVOICE))[1]["result"]
    return result


async def test_a_payment_answered_in_time_ends_with_the_payment_message(
    http: aiohttp.ClientSession, hooked: FakeTelegramApi, bot: Bot
) -> None:
    async def answer(update: Json) -> None:
        if "pre_checkout_query" in update:
            query = update["pre_checkout_query"]
            await call(
                http, hooked, "answerPreCheckoutQuery", pre_checkout_query_id=query["id"], ok=True
            )

    bot.on_update = answer
    payment = await hooked.pay(await invoice(http, hooked), order_info={"name": "John"})
    query_update, payment_update = bot.updates()
    assert set(query_update["pre_checkout_query"]) == DOC_PRE_CHECKOUT_KEYS
    assert query_update["pre_checkout_query"]["invoice_payload"] == "order-42"
    assert payment.answer == {"ok": True} and payment.message is not None
    assert payment_update["message"] == payment.message
    assert shape_differences(payment.message["successful_payment"], DOC_PAYMENT) == []
    assert payment.message["successful_payment"]["total_amount"] == 1299


async def test_a_payment_may_be_answered_in_the_webhook_reply(
    http: aiohttp.ClientSession, hooked: FakeTelegramApi, bot: Bot
) -> None:
    sent = await invoice(http, hooked)
    bot.reply = {"method": "answerPreCheckoutQuery", "pre_checkout_query_id": "x", "ok": True}

    async def reply_with_the_id(update: Json) -> None:
        if "pre_checkout_query" in update:
            assert bot.reply is not None
            bot.reply["pre_checkout_query_id"] = update["pre_checkout_query"]["id"]

    bot.on_update = reply_with_the_id
    payment = await hooked.pay(sent)
    assert payment.message is not None
    assert [(c.method, c.status, c.from_webhook_reply) for c in hooked.requests[-2:]] == [
        ("answerPreCheckoutQuery", 200, True),
        ("answerPreCheckoutQuery", 400, True),
    ]


async def test_a_refused_or_late_payment_charges_nothing(
    http: aiohttp.ClientSession, hooked: FakeTelegramApi, bot: Bot
) -> None:
    async def refuse(update: Json) -> None:
        if "pre_checkout_query" in update:
            query_id = update["pre_checkout_query"]["id"]
            no_reason = await call(
                http, hooked, "answerPreCheckoutQuery", pre_checkout_query_id=query_id, ok=False
            )
            assert (
                no_reason[1]["description"] == 'Bad Request: parameter "error_message" is required'
            )
            await call(
                http,
                hooked,
                "answerPreCheckoutQuery",
                pre_checkout_query_id=query_id,
                ok=False,
                error_message="Sold out",
            )

    bot.on_update = refuse
    refused = await hooked.pay(await invoice(http, hooked))
    assert (refused.answer, refused.message) == ({"ok": False, "error_message": "Sold out"}, None)
    bot.on_update = None
    hooked.pre_checkout_timeout = 0.1
    late = await hooked.pay(await invoice(http, hooked))
    assert (late.answer, late.message) == (None, None)
    answer = await call(
        http, hooked, "answerPreCheckoutQuery", pre_checkout_query_id=late.query["id"], ok=True
    )
    assert answer[1]["description"].startswith("Bad Request: query is too old")
    await call(http, hooked, "setWebhook", url=PUBLIC_HOOK, allowed_updates=["message"])
    hooked.pre_checkout_timeout = 5.0
    unseen = await hooked.pay(await invoice(http, hooked))
    assert unseen.deliveries == [None] and unseen.answer is None


# --- injected failures ----------------------------------------------------------------------


async def test_flood_control_answers_429_with_retry_after_for_any_call(
    http: aiohttp.ClientSession, telegram: FakeTelegramApi
) -> None:
    telegram.fail_next(429, times=2)
    assert await call(http, telegram, "sendMessage", chat_id=JOHN.id, text="hi") == (429, DOC_429)
    assert await call(http, telegram, "getMe") == (429, DOC_429)
    assert (await call(http, telegram, "getMe"))[0] == 200
    telegram.fail_next(429, retry_after=7)
    assert (await call(http, telegram, "getMe"))[1]["parameters"] == {"retry_after": 7}
    assert telegram.sent == []


async def test_flood_control_refuses_every_call_of_the_bot_until_retry_after_passed(
    http: aiohttp.ClientSession, telegram: FakeTelegramApi
) -> None:
    """§5.4: the block affects all the bot's calls, for every chat, until it ends."""
    telegram.flood(1)
    assert await call(http, telegram, "getMe") == (
        429,
        DOC_429
        | {"description": "Too Many Requests: retry after 1", "parameters": {"retry_after": 1}},
    )
    other = await call(http, telegram, "sendMessage", chat_id=JOHN.id + 1, text="hi")
    assert other[0] == 429 and other[1]["parameters"] == {"retry_after": 1}
    await asyncio.sleep(1.05)
    assert (await call(http, telegram, "sendMessage", chat_id=JOHN.id, text="hi"))[0] == 200


async def test_failures_hit_only_valid_calls(
    http: aiohttp.ClientSession, telegram: FakeTelegramApi
) -> None:
    telegram.fail_next(502)
    assert (await call(http, telegram, "sendMessage", chat_id=JOHN.id))[0] == 400
    assert await call(http, telegram, "sendMessage", chat_id=JOHN.id, text="hi") == (
        502,
        {"ok": False, "error_code": 502, "description": "Bad Gateway"},
    )
    telegram.fail_next(500)
    assert (await call(http, telegram, "getMe"))[1]["description"] == "Internal Server Error"


async def test_a_user_who_blocked_the_bot_gets_nothing(
    http: aiohttp.ClientSession, telegram: FakeTelegramApi
) -> None:
    blocked = {
        "ok": False,
        "error_code": 403,
        "description": "Forbidden: bot was blocked by the user",
    }
    telegram.block(JOHN.id)
    assert await call(http, telegram, "sendMessage", chat_id=JOHN.id, text="hi") == (403, blocked)
    assert await call(http, telegram, "sendChatAction", chat_id=JOHN.id, action="typing") == (
        403,
        blocked,
    )
    assert telegram.sent == [] and telegram.chat_actions == []
    telegram.unblock(JOHN.id)
    assert (await call(http, telegram, "sendMessage", chat_id=JOHN.id, text="hi"))[0] == 200
    telegram.fail_next(403)
    assert await call(http, telegram, "getMe") == (403, blocked)


async def test_a_hanging_call_times_out(
    http: aiohttp.ClientSession, telegram: FakeTelegramApi
) -> None:
    telegram.hang_next()
    with pytest.raises(TimeoutError):
        await http.post(
            telegram.api_url + "sendMessage",
            json={"chat_id": JOHN.id, "text": "hi"},
            timeout=aiohttp.ClientTimeout(total=0.2),
        )
    assert telegram.requests[-1].status is None and telegram.sent == []
    assert (await call(http, telegram, "sendMessage", chat_id=JOHN.id, text="hi"))[0] == 200
