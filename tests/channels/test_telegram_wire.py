"""The Telegram wire format, held to the fake Bot API: updates the fake sends are parsed right,
and every call `render`, `invoice`, the answers and `set_webhook` make is one the fake accepts.

The fake has no sendPhoto: a photo call is checked here against sendPhoto's own rules (an
https photo URL, a caption of at most 1024 characters) and its chat, caption and keyboard are
checked by the fake as the equivalent sendMessage (`photo_as_message`).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
from collections.abc import AsyncIterator, Callable
from typing import Any
from urllib.parse import urlsplit

import aiohttp
import pytest
from aiohttp import web
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from framework.channels.messages import Incoming, WebhookProblem
from framework.channels.telegram_in import (
    CallbackQuery,
    Payment,
    PreCheckout,
    decode_callback,
    parse_update,
    verify_secret,
)
from framework.channels.telegram_out import (
    answer_callback,
    answer_pre_checkout,
    callback_keys,
    encode_callback,
    failure,
    invoice,
    render,
    set_webhook,
)
from framework.runtime.sending import SendFailure
from tests.fakes.telegram_api import BOT_TOKEN, FakeTelegramApi
from tests.fakes.webhooks import Json, LocalServer, TelegramUser, telegram_message, utf16_length

BOT = "pizza"
JOHN = TelegramUser(id=987654321, first_name="John")
HOOK = "https://shop.example.com/telegram/webhook"
SECRET = "theke_Secret-0123"
Call = tuple[str, dict[str, Any]]


class Webhook(LocalServer):
    """The app's webhook, reduced: records each delivery and may reply with one method call."""

    def __init__(self) -> None:
        super().__init__()
        self.received: list[tuple[str | None, Json]] = []
        self.reply: Callable[[Json], Call | None] = lambda update: None

    def routes(self) -> list[web.RouteDef]:
        return [web.post("/telegram/webhook", self._receive)]

    async def _receive(self, request: web.Request) -> web.Response:
        update = json.loads(await request.read())
        self.received.append((request.headers.get("X-Telegram-Bot-Api-Secret-Token"), update))
        call = self.reply(update)
        if call is None:
            return web.Response()
        method, params = call
        return web.json_response({"method": method, **params})

    def last(self) -> Json:
        header, update = self.received[-1]
        assert verify_secret(header, SECRET)
        return update


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture
async def webhook() -> AsyncIterator[Webhook]:
    async with Webhook() as server:
        yield server


@pytest.fixture
async def telegram(http: aiohttp.ClientSession, webhook: Webhook) -> AsyncIterator[FakeTelegramApi]:
    async with FakeTelegramApi(deliver_to=webhook.url) as fake:
        fake.user(JOHN)
        assert (await perform(http, fake, set_webhook(HOOK, SECRET)))["ok"] is True
        yield fake


def photo_as_message(params: Json) -> Call:
    """sendPhoto's own limits, then the rest of the call as a sendMessage for the fake."""
    assert urlsplit(params["photo"]).scheme == "https"
    assert utf16_length(params.get("caption", "")) <= 1024
    message = {key: value for key, value in params.items() if key not in ("photo", "caption")}
    return "sendMessage", message | {"text": params.get("caption") or "[photo]"}


async def perform(http: aiohttp.ClientSession, telegram: FakeTelegramApi, call: Call) -> Json:
    method, params = photo_as_message(call[1]) if call[0] == "sendPhoto" else call
    async with http.post(telegram.api_url + method, json=params) as response:
        answer: Json = await response.json()
        assert answer["ok"] is (response.status == 200)
        return answer


async def accepted(
    http: aiohttp.ClientSession, telegram: FakeTelegramApi, calls: list[Call]
) -> list[Json]:
    """Each call sent in order; every one must be accepted. Their results (sent messages)."""
    answers = [await perform(http, telegram, call) for call in calls]
    assert [answer.get("description") for answer in answers] == [None] * len(calls)
    return [answer["result"] for answer in answers]


def buttons(count: int, title: Callable[[int], str] = lambda n: f"Option {n}") -> list[Json]:
    return [{"title": title(n), "payload": f"choice_{n}"} for n in range(count)]


def rows(calls: list[Call]) -> list[list[str]]:
    """The keyboard of the last call, as the texts of each row."""
    keyboard = calls[-1][1]["reply_markup"]["inline_keyboard"]
    return [[button["text"] for button in row] for row in keyboard]


# --- updates from the fake -----------------------------------------------------------------


async def test_a_text_message_is_incoming_from_the_chat(
    telegram: FakeTelegramApi, webhook: Webhook
) -> None:
    await telegram.send_text("Eine Pizza Salami, bitte 🍕", JOHN)
    update = webhook.last()
    [incoming] = parse_update(update, BOT)
    assert incoming == Incoming(
        bot=BOT,
        channel="telegram",
        customer=str(JOHN.id),
        message_id=f"tg:{update['update_id']}",
        text="Eine Pizza Salami, bitte 🍕",
        address={"chat_id": JOHN.id},
        name="John",
        sent_at=float(update["message"]["date"]),
    )


async def test_a_location_is_text_and_an_attachment(
    telegram: FakeTelegramApi, webhook: Webhook
) -> None:
    await telegram.send_location(52.52, 13.405, JOHN)
    [incoming] = parse_update(webhook.last(), BOT)
    assert isinstance(incoming, Incoming)
    assert incoming.text == "52.520000, 13.405000"
    assert incoming.attachment == {"type": "location", "latitude": 52.52, "longitude": 13.405}


async def test_a_pressed_button_is_its_title_and_payload(
    http: aiohttp.ClientSession, telegram: FakeTelegramApi, webhook: Webhook
) -> None:
    entry = {"text": "Which size?", "buttons": buttons(3, lambda n: "SML"[n])}
    [sent] = await accepted(http, telegram, render(entry, JOHN.id))
    await telegram.press(sent, encode_callback("choice_1"))
    update = webhook.last()
    press, incoming = parse_update(update, BOT)
    assert press == CallbackQuery(update["callback_query"]["id"], JOHN.id)
    assert isinstance(incoming, Incoming)
    assert (incoming.text, incoming.payload) == ("M", "choice_1")
    assert (incoming.customer, incoming.message_id) == (str(JOHN.id), f"tg:{update['update_id']}")
    assert incoming.address == {"chat_id": JOHN.id}
    await accepted(http, telegram, [answer_callback(press.id, "Added! " * 40)])
    assert len(telegram.callback_answers[press.id]["text"]) == 200


async def test_a_pressed_long_payload_maps_back_through_the_keys(
    http: aiohttp.ClientSession, telegram: FakeTelegramApi, webhook: Webhook
) -> None:
    long = "pizza:" + "ü" * 60
    entry = {"text": "Add it?", "buttons": [{"title": "Yes", "payload": long}]}
    [sent] = await accepted(http, telegram, render(entry, JOHN.id))
    keys = callback_keys(entry)
    [key] = keys
    await telegram.press(sent, key)
    press, incoming = parse_update(webhook.last(), BOT)
    assert isinstance(incoming, Incoming) and isinstance(press, CallbackQuery)
    assert (incoming.text, incoming.payload) == ("Yes", key)
    assert keys[key] == long
    await accepted(http, telegram, [answer_callback(press.id)])


async def test_a_paid_invoice_is_a_pre_checkout_then_a_payment(
    http: aiohttp.ClientSession, telegram: FakeTelegramApi, webhook: Webhook
) -> None:
    parsed: list[Any] = []

    def answer(update: Json) -> Call | None:
        parsed.extend(parse_update(update, BOT))
        query = parsed[-1]
        return answer_pre_checkout(query.id, ok=True) if isinstance(query, PreCheckout) else None

    webhook.reply = answer
    call = invoice(
        JOHN.id,
        title="Pizza Salami",
        description="One large pizza",
        payload="order-42",
        currency="EUR",
        prices=[("Pizza Salami", 1299), ("Delivery", 250)],
        provider_token="284685063:TEST:abc",
    )
    [sent] = await accepted(http, telegram, [call])
    payment = await telegram.pay(sent)
    assert payment.answer == {"ok": True} and payment.message is not None
    charge = payment.message["successful_payment"]
    assert parsed == [
        PreCheckout(payment.query["id"], "order-42", "EUR", 1549, str(JOHN.id)),
        Payment(
            str(JOHN.id),
            "order-42",
            "EUR",
            1549,
            charge["telegram_payment_charge_id"],
            charge["provider_payment_charge_id"],
        ),
    ]


async def test_a_refused_pre_checkout_charges_nothing(
    http: aiohttp.ClientSession, telegram: FakeTelegramApi, webhook: Webhook
) -> None:
    webhook.reply = lambda update: answer_pre_checkout(update["pre_checkout_query"]["id"], False)
    call = invoice(
        JOHN.id,
        title="Stars",
        description="A sticker pack",
        payload="order-43",
        currency="XTR",
        prices=[("Pack", 50)],
        provider_token="",
    )
    payment = await telegram.pay((await accepted(http, telegram, [call]))[0])
    assert payment.answer == {"ok": False, "error_message": "This order cannot be paid right now."}
    assert payment.message is None


# --- updates built by hand -----------------------------------------------------------------


def update(kind: str, body: Any, update_id: int = 7) -> Json:
    return {"update_id": update_id, kind: body}


def message(fields: Json) -> Json:
    return update("message", telegram_message(JOHN, 5, fields, date=1700000000))


def test_a_venue_is_its_title_and_address() -> None:
    where = {"latitude": 48.137154, "longitude": 11.576124}
    venue = {"location": where, "title": "Pizzeria Roma", "address": "Marienplatz 1"}
    [incoming] = parse_update(message({"venue": venue, "location": where}), BOT)
    assert isinstance(incoming, Incoming)
    assert incoming.text == "Pizzeria Roma, Marienplatz 1"
    assert incoming.attachment == {
        "type": "location",
        "latitude": 48.137154,
        "longitude": 11.576124,
        "name": "Pizzeria Roma",
        "address": "Marienplatz 1",
    }


def test_a_photo_is_its_largest_size_and_caption() -> None:
    sizes = [
        {"file_id": f"id-{side}", "file_unique_id": f"u{side}", "width": side, "height": side}
        for side in (90, 1280, 320)
    ]
    [incoming] = parse_update(message({"photo": sizes, "caption": "This one?"}), BOT)
    assert isinstance(incoming, Incoming)
    assert incoming.text == "This one?"
    assert incoming.attachment == {"type": "image", "id": "id-1280", "caption": "This one?"}
    [bare] = parse_update(message({"photo": sizes[:1]}), BOT)
    assert isinstance(bare, Incoming) and (bare.text, bare.attachment) == (
        "",
        {"type": "image", "id": "id-90"},
    )


def test_a_last_name_is_part_of_the_name() -> None:
    named = message({"text": "hi"})
    named["message"]["from"]["last_name"] = "Doe"
    [incoming] = parse_update(named, BOT)
    assert isinstance(incoming, Incoming) and incoming.name == "John Doe"


@pytest.mark.parametrize(
    ("fields", "text"),
    [
        ({"sticker": {"file_id": "x"}}, ""),
        ({"voice": {"file_id": "x", "duration": 2}}, ""),
        ({"document": {"file_id": "x"}, "caption": "meine Rechnung"}, "meine Rechnung"),
    ],
)
def test_media_is_a_message_whose_caption_is_the_text(fields: Json, text: str) -> None:
    [read] = parse_update(message(fields), BOT)
    assert isinstance(read, Incoming) and read.text == text
    assert read.attachment == {"type": next(iter(fields))}


def test_a_message_of_no_known_kind_is_a_problem() -> None:
    [problem] = parse_update(message({}), BOT)
    assert isinstance(problem, WebhookProblem) and problem.kind == "unsupported"


def test_group_messages_and_other_updates_are_problems() -> None:
    group = message({"text": "hi all"})
    group["message"]["chat"] = {"id": -100123, "type": "supergroup", "title": "Fans"}
    [problem] = parse_update(group, BOT)
    assert isinstance(problem, WebhookProblem)
    assert (problem.kind, problem.data) == ("group_chat", {"chat_id": -100123})
    edited = {"update_id": 8, "edited_message": message({"text": "x"})["message"]}
    assert [p.kind for p in parse_update(edited, BOT) if isinstance(p, WebhookProblem)] == [
        "ignored:edited_message"
    ]
    [reaction] = parse_update(update("message_reaction", {}), BOT)
    assert isinstance(reaction, WebhookProblem) and reaction.kind == "ignored:message_reaction"
    channel = {"id": -100456, "type": "channel", "title": "News"}
    post = {"message_id": 1, "chat": channel, "date": 1, "text": "Neu: Pizza Diavola"}
    [posted] = parse_update(update("channel_post", post), BOT)
    assert isinstance(posted, WebhookProblem) and posted.kind == "ignored:channel_post"


def test_a_press_in_a_group_is_answered_but_runs_no_turn() -> None:
    shown = {"message_id": 3, "chat": {"id": -100123, "type": "group"}, "date": 1, "text": "?"}
    query = {"id": "q1", "from": JOHN.as_user(), "message": shown, "data": "p:yes"}
    pressed, problem = parse_update(update("callback_query", query), BOT)
    assert pressed == CallbackQuery("q1", -100123)
    assert isinstance(problem, WebhookProblem) and problem.kind == "group_chat"


def test_callbacks_without_data_or_chat_are_only_answered() -> None:
    shown = {"message_id": 3, "chat": JOHN.as_chat(), "date": 1, "text": "Pick"}
    assert parse_update(update("callback_query", {"id": "q1", "message": shown}), BOT) == [
        CallbackQuery("q1", JOHN.id)
    ]
    inline = {"id": "q2", "inline_message_id": "AAA", "data": "p:x"}
    press, problem = parse_update(update("callback_query", inline), BOT)
    assert press == CallbackQuery("q2", None)
    assert isinstance(problem, WebhookProblem) and problem.kind == "unsupported"
    plain = {"id": "q3", "message": shown, "data": "legacy"}
    [_, incoming] = parse_update(update("callback_query", plain), BOT)
    assert isinstance(incoming, Incoming) and (incoming.text, incoming.payload) == (
        "legacy",
        "legacy",
    )


HUGE = 10**5000
"""Too big for str() (Python's digit limit): a parser that prints it raises."""

HOSTILE: list[Any] = [
    None,
    [],
    "update",
    0,
    3.5,
    {},
    {"update_id": 1},
    {"update_id": "1", "message": {}},
    {"update_id": True, "message": {}},
    {"update_id": HUGE, "message": {}},
    {"update_id": 2**63, "message": {}},
    {"update_id": 1, 5: "x"},
    {"update_id": 1, "message": None},
    {"update_id": 1, "message": []},
    {"update_id": 1, "message": {"text": "hi"}},
    {"update_id": 1, "message": {"chat": {"type": "private"}, "text": "hi"}},
    {"update_id": 1, "message": {"chat": {"id": HUGE, "type": "private"}, "text": "hi"}},
    {"update_id": 1, "message": {"chat": {"id": 1, "type": HUGE}, "text": "hi"}},
    {"update_id": 1, "message": {"chat": {"id": 1.5, "type": "private"}, "text": "hi"}},
    {"update_id": 1, "message": {"chat": {"id": 1, "type": "private"}, "text": 42}},
    {"update_id": 1, "message": {"chat": {"id": 1, "type": "private"}, "date": HUGE, "text": ""}},
    {"update_id": 1, "message": {"chat": {"id": 1, "type": "private"}, "location": {}}},
    {
        "update_id": 1,
        "message": {
            "chat": {"id": 1, "type": "private"},
            "location": {"latitude": HUGE, "longitude": float("nan")},
        },
    },
    {"update_id": 1, "message": {"chat": {"id": 1, "type": "private"}, "venue": {"title": 1}}},
    {"update_id": 1, "message": {"chat": {"id": 1, "type": "private"}, "photo": []}},
    {"update_id": 1, "message": {"chat": {"id": 1, "type": "private"}, "photo": ["x", None]}},
    {"update_id": 1, "message": {"chat": {"id": 1, "type": "private"}, "photo": [{"width": 1}]}},
    {
        "update_id": 1,
        "message": {"chat": {"id": 1, "type": "private"}, "successful_payment": {"currency": 1}},
    },
    {"update_id": 1, "callback_query": "press"},
    {"update_id": 1, "callback_query": {"data": "p:x"}},
    {"update_id": 1, "callback_query": {"id": "q", "data": "p:x", "message": {"chat": []}}},
    {
        "update_id": 1,
        "callback_query": {
            "id": "q",
            "data": "p:x",
            "message": {
                "chat": {"id": 1, "type": "private"},
                "reply_markup": {"inline_keyboard": 7},
            },
        },
    },
    {"update_id": 1, "pre_checkout_query": {"id": "q", "total_amount": "12"}},
]


@pytest.mark.parametrize("hostile", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_updates_are_problems_not_exceptions(hostile: Any) -> None:
    parsed = parse_update(hostile, BOT)
    assert parsed and all(
        isinstance(each, Incoming | CallbackQuery | WebhookProblem) for each in parsed
    )


def test_a_ten_thousand_character_text_is_read_whole() -> None:
    [incoming] = parse_update(message({"text": "Pizza " * 1666 + "!!!!"}), BOT)
    assert isinstance(incoming, Incoming) and len(incoming.text) == 10_000


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(["id", "type", "chat", "text", "data", "photo", "width", "file_id"])
            | st.text(max_size=6),
            inner,
            max_size=4,
        )
    ),
    max_leaves=20,
)
CHATS = st.fixed_dictionaries(
    {"id": st.integers() | JSON, "type": st.sampled_from(["private", "group"]) | JSON}
)
MESSAGES = st.fixed_dictionaries(
    {"chat": CHATS},
    optional={
        key: JSON
        for key in ("text", "date", "from", "location", "venue", "photo", "successful_payment")
    },
)
UPDATES = st.fixed_dictionaries(
    {"update_id": st.integers() | JSON},
    optional={
        "message": MESSAGES | JSON,
        "callback_query": st.fixed_dictionaries(
            {"id": st.text(max_size=5) | JSON, "message": MESSAGES | JSON, "data": JSON}
        ),
        "pre_checkout_query": JSON,
    },
)


@settings(max_examples=300, deadline=None, database=None)
@given(UPDATES | JSON)
def test_no_update_makes_the_parser_raise(hostile: Any) -> None:
    assert parse_update(hostile, BOT)


# --- callback data ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("payload", "plain"),
    [
        ("", True),
        ("x" * 62, True),
        ("x" * 63, False),
        ("ü" * 31, True),
        ("ü" * 32, False),
        ("🍕" * 15, True),
        ("🍕" * 16, False),
    ],
)
def test_callback_data_fits_64_bytes(payload: str, plain: bool) -> None:
    data = encode_callback(payload)
    assert 1 <= len(data.encode()) <= 64
    if plain:
        assert data == "p:" + payload and decode_callback(data) == payload
        return
    digest = base64.urlsafe_b64encode(hashlib.sha256(payload.encode()).digest()).decode()
    assert data == "h:" + digest[:22] and decode_callback(data) == data
    assert callback_keys({"text": "?", "buttons": [{"title": "t", "payload": payload}]}) == {
        data: payload
    }


def test_data_without_a_known_prefix_is_its_own_payload() -> None:
    assert decode_callback("size:M") == "size:M"
    assert decode_callback("p:p:x") == "p:x"


@settings(max_examples=200, deadline=None, database=None)
@given(st.text(max_size=80))
def test_every_payload_round_trips(payload: str) -> None:
    data = encode_callback(payload)
    assert 1 <= len(data.encode()) <= 64
    entry = {"text": "?", "buttons": [{"title": "t", "payload": payload}]}
    assert callback_keys(entry).get(data, decode_callback(data)) == payload


# --- rendering, accepted by the fake -------------------------------------------------------

LONG_TEXT = "\n\n".join(
    f"Paragraph {n}: " + " ".join(f"word{n}x{m}" for m in range(120)) for n in range(10)
)
PAY_LINK = {"title": "Pay 15,49 € now", "url": "https://checkout.stripe.com/c/pay/cs_test_a1b2"}
ENTRIES: dict[str, Json] = {
    "plain text": {"text": "Hallo! Was darf es sein?"},
    "html is not parsed": {"text": "<b>5 < 7</b> & <i>unclosed"},
    "no buttons": {"text": "Pick", "buttons": []},
    "1 button": {"text": "Pick", "buttons": buttons(1)},
    "3 buttons": {"text": "Pick", "buttons": buttons(3)},
    "4 buttons": {"text": "Pick", "buttons": buttons(4)},
    "12 buttons": {"text": "Pick", "buttons": buttons(12), "list_button": "Menu"},
    "a 21-character title": {
        "text": "Pick",
        "buttons": buttons(2, lambda n: "Quattro Formaggi XL" + "!!"[: n + 1]),
    },
    "a 100-character title": {"text": "Pick", "buttons": buttons(1, lambda n: "Ä" * 100)},
    "a 200-byte payload": {"text": "Pick", "buttons": [{"title": "A", "payload": "€" * 66}]},
    "10,000 characters": {"text": LONG_TEXT[:10_000], "buttons": buttons(2)},
    "one 10,000-character word": {"text": "x" * 10_000},
    "an image with a short caption": {"text": "Salami", "image": "https://img.example.com/s.jpg"},
    "an image with a long caption": {
        "text": "Zutaten: " + "Tomaten, Mozzarella, Salami. " * 60,
        "image": "https://img.example.com/s.jpg",
        "buttons": buttons(2),
    },
    "an image without text": {"text": "", "image": "https://img.example.com/s.jpg"},
    "a payment link": {"text": "Your order: 15,49 €", "buttons": buttons(1), "link": PAY_LINK},
    "only buttons": {"text": " ", "buttons": buttons(2), "list_button": "Choose"},
}


@pytest.mark.parametrize("name", list(ENTRIES))
async def test_every_rendered_call_is_accepted(
    http: aiohttp.ClientSession, telegram: FakeTelegramApi, name: str
) -> None:
    calls = render(ENTRIES[name], JOHN.id)
    assert calls
    results = await accepted(http, telegram, calls)
    keyboard = calls[-1][1].get("reply_markup")
    assert results[-1].get("reply_markup") == keyboard
    assert all("parse_mode" not in params for _, params in calls)


def test_empty_text_with_nothing_else_renders_nothing() -> None:
    assert render({"text": ""}, JOHN.id) == []
    assert render({"text": " \n", "list_button": "Menu"}, JOHN.id) == []


def test_buttons_share_a_row_when_few_and_short() -> None:
    assert rows(render(ENTRIES["3 buttons"], 1)) == [["Option 0", "Option 1", "Option 2"]]
    assert rows(render(ENTRIES["4 buttons"], 1)) == [[f"Option {n}"] for n in range(4)]
    assert len(rows(render(ENTRIES["12 buttons"], 1))) == 12
    assert rows(render(ENTRIES["a 21-character title"], 1)) == [
        ["Quattro Formaggi XL!"],
        ["Quattro Formaggi XL!!"],
    ]
    [[title]] = rows(render(ENTRIES["a 100-character title"], 1))
    assert title == "Ä" * 63 + "…"


def test_a_payment_link_is_a_url_row_after_the_choices() -> None:
    calls = render(ENTRIES["a payment link"], JOHN.id)
    assert calls[-1][1]["reply_markup"]["inline_keyboard"] == [
        [{"text": "Option 0", "callback_data": "p:choice_0"}],
        [{"text": "Pay 15,49 € now", "url": PAY_LINK["url"]}],
    ]


def test_a_long_text_is_split_at_paragraphs_with_buttons_on_the_last_part() -> None:
    calls = render(ENTRIES["10,000 characters"], JOHN.id)
    texts = [params["text"] for _, params in calls]
    assert len(texts) == 3 and all(len(text) <= 4096 for text in texts)
    assert all(text.startswith("Paragraph") for text in texts)
    assert "\n\n".join(texts) == LONG_TEXT[:10_000].rstrip()
    assert ["reply_markup" in params for _, params in calls] == [False, False, True]


def test_a_caption_too_long_for_a_photo_is_sent_first() -> None:
    calls = render(ENTRIES["an image with a long caption"], JOHN.id)
    assert [method for method, _ in calls] == ["sendMessage", "sendPhoto"]
    assert "caption" not in calls[1][1] and "reply_markup" in calls[1][1]
    short = render(ENTRIES["an image with a short caption"], JOHN.id)
    assert short == [
        (
            "sendPhoto",
            {"chat_id": JOHN.id, "photo": "https://img.example.com/s.jpg", "caption": "Salami"},
        )
    ]


WORDS = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Zs", "Cc")), min_size=1, max_size=30
)
SPACES = st.sampled_from([" ", "  ", "\n", "\n\n", "\t", " \n "])
TEXTS = st.one_of(
    st.text(max_size=300),
    st.lists(st.tuples(WORDS, SPACES).map("".join), max_size=1500).map("".join),
    st.builds(lambda n, c: c * n, st.integers(0, 10_000), st.sampled_from(["x", "ü", "🍕", " "])),
).map(lambda text: text[:10_000])


@settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(text=TEXTS, count=st.integers(0, 15))
async def test_any_text_and_buttons_are_accepted_without_losing_words(
    http: aiohttp.ClientSession, telegram: FakeTelegramApi, text: str, count: int
) -> None:
    calls = render({"text": text, "buttons": buttons(count)}, JOHN.id)
    before = len(telegram.sent)
    await accepted(http, telegram, calls)
    sent = [message["text"] for message in telegram.sent[before:]]
    assert len(sent) == len(calls)
    if not text.strip():
        assert sent == (["…"] if count else [])
        return
    assert "".join(text.split()) == "".join("".join(sent).split())
    for word in text.split():
        assert utf16_length(word) > 4096 or any(word in part for part in sent)


# --- invoices, answers, webhook ----------------------------------------------------------


def test_invoice_texts_are_shortened_and_the_payload_is_never_cut() -> None:
    method, params = invoice(
        JOHN.id,
        title="Pizza Quattro Formaggi, extra large",
        description="Käse " * 60,
        payload="ü" * 64,
        currency="EUR",
        prices=[("Pizza", 1299)],
        provider_token="284685063:TEST:abc",
    )
    assert method == "sendInvoice"
    assert (len(params["title"]), params["title"][-1]) == (32, "…")
    assert (len(params["description"]), params["description"][-1]) == (255, "…")
    assert params["prices"] == [{"label": "Pizza", "amount": 1299}]
    for payload in ("ü" * 65, "p" * 129, ""):
        with pytest.raises(ValueError, match="1–128 bytes"):
            invoice(
                JOHN.id,
                title="t",
                description="d",
                payload=payload,
                currency="EUR",
                prices=[("Pizza", 1299)],
                provider_token="x",
            )


async def test_shortened_invoices_are_accepted(
    http: aiohttp.ClientSession, telegram: FakeTelegramApi
) -> None:
    call = invoice(
        JOHN.id,
        title="T" * 100,
        description="D" * 1000,
        payload="€" * 42,
        currency="EUR",
        prices=[("Pizza", 1299)],
        provider_token="284685063:TEST:abc",
    )
    [sent] = await accepted(http, telegram, [call])
    assert sent["invoice"]["total_amount"] == 1299


def test_answers() -> None:
    assert answer_callback("q") == ("answerCallbackQuery", {"callback_query_id": "q"})
    assert answer_pre_checkout("q", True) == (
        "answerPreCheckoutQuery",
        {"pre_checkout_query_id": "q", "ok": True},
    )
    assert answer_pre_checkout("q", False, "Sold out")[1] == {
        "pre_checkout_query_id": "q",
        "ok": False,
        "error_message": "Sold out",
    }


async def test_the_webhook_is_set_for_what_a_shop_needs(
    telegram: FakeTelegramApi, webhook: Webhook
) -> None:
    assert telegram.webhook is not None
    assert telegram.webhook.allowed_updates == ("message", "callback_query", "pre_checkout_query")
    assert set_webhook(HOOK, SECRET)[1]["drop_pending_updates"] is False
    await telegram.send_text("hi", JOHN)
    header, _ = webhook.received[-1]
    assert verify_secret(header, SECRET) and not verify_secret(header, SECRET + "x")


@pytest.mark.parametrize(
    ("url", "secret"),
    [
        ("http://shop.example.com/hook", SECRET),
        ("https://shop.example.com:8080/hook", SECRET),
        ("shop.example.com/hook", SECRET),
        (HOOK, ""),
        (HOOK, "a" * 257),
        (HOOK, "has space"),
        (HOOK, "ümlaut"),
    ],
)
def test_a_webhook_telegram_would_refuse_is_an_error(url: str, secret: str) -> None:
    with pytest.raises(ValueError):
        set_webhook(url, secret)


def test_the_longest_secret_is_allowed() -> None:
    assert set_webhook("https://shop.example.com:8443/hook", "a" * 256)[1]["secret_token"] == (
        "a" * 256
    )


@pytest.mark.parametrize(
    ("header", "ok"),
    [(SECRET, True), (None, False), ("", False), ("theke_Secret-0124", False), ("ß\udc80", False)],
)
def test_the_secret_header(header: str | None, ok: bool) -> None:
    assert verify_secret(header, SECRET) is ok


# --- failures ---------------------------------------------------------------------------------


async def refusal(
    http: aiohttp.ClientSession, telegram: FakeTelegramApi, chat_id: int = JOHN.id
) -> tuple[int, Json]:
    method, params = render({"text": "Your pizza is on its way"}, chat_id)[0]
    async with http.post(telegram.api_url + method, json=params) as response:
        return response.status, await response.json()


async def test_flood_control_waits_as_long_as_telegram_says(
    http: aiohttp.ClientSession, telegram: FakeTelegramApi
) -> None:
    telegram.fail_next(429, retry_after=7)
    problem = failure(*await refusal(http, telegram), attempt=5)
    assert (problem.retry_after, problem.permanent, problem.code) == (7.0, False, 429)
    assert "trying again in 7 s" in str(problem)


def test_flood_control_without_retry_after_backs_off() -> None:
    assert failure(429, {"ok": False, "error_code": 429}, 3).retry_after == 8.0
    assert failure(429, None, 40).retry_after == 300.0


async def test_a_customer_who_blocked_the_bot_is_unreachable(
    http: aiohttp.ClientSession, telegram: FakeTelegramApi
) -> None:
    telegram.block(JOHN.id)
    problem = failure(*await refusal(http, telegram), attempt=0)
    assert (problem.permanent, problem.unreachable, problem.code) == (True, True, 403)
    assert "blocked the bot" in str(problem)


@pytest.mark.parametrize(
    "description",
    [
        "Forbidden: user is deactivated",
        "Forbidden: bot can't initiate conversation with a user",
    ],
)
def test_gone_customers_are_unreachable(description: str) -> None:
    body = {"ok": False, "error_code": 403, "description": description}
    problem = failure(403, body, 0)
    assert problem.permanent and problem.unreachable


def test_other_forbidden_chats_are_permanent_but_not_unreachable() -> None:
    body = {"ok": False, "error_code": 403, "description": "Forbidden: bot was kicked"}
    problem = failure(403, body, 0)
    assert problem.permanent and not problem.unreachable


@pytest.mark.parametrize(
    ("code", "attempt", "wait"), [(500, 0, 1.0), (502, 3, 8.0), (503, 9, 60.0)]
)
async def test_server_errors_are_retried_with_backoff(
    http: aiohttp.ClientSession, telegram: FakeTelegramApi, code: int, attempt: int, wait: float
) -> None:
    telegram.fail_next(code)
    problem = failure(*await refusal(http, telegram), attempt=attempt)
    assert (problem.retry_after, problem.unreachable, problem.code) == (wait, False, code)


async def test_a_call_without_an_answer_is_retried(
    http: aiohttp.ClientSession, telegram: FakeTelegramApi
) -> None:
    telegram.hang_next()
    method, params = render({"text": "hi"}, JOHN.id)[0]
    with pytest.raises(asyncio.TimeoutError):
        await http.post(
            telegram.api_url + method, json=params, timeout=aiohttp.ClientTimeout(total=0.2)
        )
    problem = failure(0, None, 2)
    assert (problem.retry_after, problem.code) == (4.0, 0)
    assert "could not be reached" in str(problem)


async def test_bad_requests_are_permanent(
    http: aiohttp.ClientSession, telegram: FakeTelegramApi
) -> None:
    problem = failure(*await refusal(http, telegram, chat_id=42), attempt=0)
    assert (problem.permanent, problem.unreachable, problem.code) == (True, False, 400)
    assert "chat not found" in str(problem)


async def test_a_wrong_token_is_named_but_never_shown(
    http: aiohttp.ClientSession, telegram: FakeTelegramApi
) -> None:
    wrong = "999:AAwrongTokenThatMustNotLeak"
    async with http.post(f"{telegram.url}/bot{wrong}/getMe") as response:
        problem = failure(response.status, await response.json(), 0)
    assert (problem.permanent, problem.code) == (True, 401)
    assert "token" in str(problem) and wrong not in str(problem) and BOT_TOKEN not in str(problem)


async def test_an_unknown_method_is_permanent(
    http: aiohttp.ClientSession, telegram: FakeTelegramApi
) -> None:
    async with http.post(telegram.api_url + "sendDice", json={"chat_id": JOHN.id}) as response:
        problem = failure(response.status, await response.json(), 0)
    assert (problem.permanent, problem.code) == (True, 404)


@pytest.mark.parametrize("body", [None, "<html>Bad Gateway</html>", [], {"error_code": "x"}])
def test_broken_error_bodies_are_classified_by_the_status(body: Any) -> None:
    problem = failure(502, body, 1)
    assert isinstance(problem, SendFailure) and problem.retry_after == 2.0
