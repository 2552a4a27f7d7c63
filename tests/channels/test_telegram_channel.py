"""The pizza bot through the fake Telegram Bot API, driven by updates exactly as Telegram sends
them: a whole order with inline buttons and a location as the address, paid through the link,
plus a duplicated update, a 429 with retry_after, a blocked bot and forged requests."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from framework.channels.common import CONTEXT
from framework.channels.telegram import TelegramChannel
from framework.cli import main
from framework.payments.web import PAYMENTS
from tests.channels.shop import (
    ADMIN,
    PIZZA,
    conversation_log,
    eventually,
    notes_for_business,
    pay_on_the_sandbox,
    serve_pizza,
)
from tests.fakes.telegram_api import BOT_TOKEN, QUERY_INVALID, FakeTelegramApi
from tests.fakes.webhooks import (
    TELEGRAM_USER,
    telegram_callback_query,
    telegram_successful_payment,
)

SECRET = "theke_secret-token_0123"
KEY = f"pizza:telegram:{TELEGRAM_USER.id}"
ADMIN_HEADERS = {"Authorization": f"Bearer {ADMIN}"}


@contextlib.asynccontextmanager
async def telegram_shop(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, **account: str
) -> AsyncIterator[tuple[FakeTelegramApi, TestClient]]:
    """The pizza bot on the fake Bot API, its webhook set; `account` adds bot settings."""
    monkeypatch.setenv("TG_TOKEN", BOT_TOKEN)
    monkeypatch.setenv("TG_SECRET", SECRET)
    settings = {"token": "env:TG_TOKEN", "secret_token": "env:TG_SECRET", **account}
    async with FakeTelegramApi() as fake:
        # a message a chat every 50 ms instead of Telegram's 500 (test_pacing.py: the pace)
        spec = {"api_base": fake.url, "chat_interval": 0.05, "bots": {"pizza": settings}}
        client = await serve_pizza(tmp_path, {"telegram": spec})
        fake.deliver_to = f"http://127.0.0.1:{client.port}"
        await channel_of(client).set_webhook("pizza", "https://bot.example.com")
        try:
            yield fake, client
        finally:
            await client.close()


@pytest.fixture
async def telegram(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[tuple[FakeTelegramApi, TestClient]]:
    async with telegram_shop(tmp_path, monkeypatch) as shop:
        yield shop


def channel_of(client: TestClient) -> TelegramChannel:
    channel = client.app[CONTEXT].runtime.delivery.channels["telegram"]
    assert isinstance(channel, TelegramChannel)
    return channel


def bot_texts(fake: FakeTelegramApi) -> list[str]:
    return [message.get("text", "") for message in fake.sent]


async def said(fake: FakeTelegramApi, text: str) -> dict[str, Any]:
    def find() -> dict[str, Any] | None:
        return next((m for m in reversed(fake.sent) if text in m.get("text", "")), None)

    return await eventually(find, f"the bot says {text!r}: {bot_texts(fake)}")


def button(message: dict[str, Any], title: str) -> dict[str, Any]:
    rows = message["reply_markup"]["inline_keyboard"]
    return next(b for row in rows for b in row if b["text"] == title)


async def test_a_whole_order_through_telegram(telegram: tuple[FakeTelegramApi, TestClient]) -> None:
    fake, client = telegram
    assert fake.webhook is not None and fake.webhook.secret_token == SECRET
    await fake.send_text("2 große Salami und eine Cola")
    extras = await said(fake, "Extras dazu?")
    await fake.press(extras, button(extras, "Keine Extras")["callback_data"])
    more = await said(fake, "Noch etwas dazu?")
    assert fake.callback_answers, "every button press is answered"
    await fake.press(more, button(more, "Nein")["callback_data"])
    await said(fake, "Sollen wir liefern oder holst du ab?")
    await fake.send_text("liefern")
    await said(fake, "Wohin sollen wir liefern?")
    await fake.send_location(52.486234, 13.424501)
    confirm = await said(fake, "So bestellen?")
    await fake.press(confirm, button(confirm, "Ja")["callback_data"])
    link_message = await said(fake, "kostet 30,00")
    link = button(link_message, "Jetzt bezahlen")
    await pay_on_the_sandbox(client, link["url"])
    done = await said(fake, "Danke, bezahlt!")
    assert "52.486234, 13.424501" in done["text"]


async def test_a_duplicated_update_is_answered_once(
    telegram: tuple[FakeTelegramApi, TestClient],
) -> None:
    fake, client = telegram
    await fake.send_text("hallo")
    await said(fake, "Willkommen")
    await fake.deliver(fake.updates[-1])
    await fake.deliver(fake.updates[-1])
    await said(fake, "Willkommen")
    log = await conversation_log(client, KEY)
    assert [e["text"] for e in log if e["from"] == "customer"] == ["hallo"]
    assert len([t for t in bot_texts(fake) if "Willkommen" in t]) == 1


async def test_too_many_requests_waits_for_retry_after(
    telegram: tuple[FakeTelegramApi, TestClient],
) -> None:
    fake, _client = telegram
    fake.fail_next(429, retry_after=1)
    await fake.send_text("hallo")
    await said(fake, "Willkommen")  # sent after the pause, not lost


async def test_a_blocked_bot_marks_the_customer_unreachable(
    telegram: tuple[FakeTelegramApi, TestClient],
) -> None:
    fake, client = telegram
    fake.user(TELEGRAM_USER)
    fake.block(TELEGRAM_USER.id)
    await fake.send_text("hallo")

    notes = await notes_for_business(client, KEY)
    assert "blocked" in notes[0]
    fake.unblock(TELEGRAM_USER.id)
    await fake.send_text("bestellen")  # writing again makes them reachable
    await said(fake, "Welche Pizza")


async def test_forged_and_misrouted_updates_are_refused(
    telegram: tuple[FakeTelegramApi, TestClient],
) -> None:
    fake, client = telegram
    update = {
        "update_id": 1,
        "message": {"message_id": 1, "chat": {"id": 5, "type": "private"}, "date": 0, "text": "hi"},
    }
    missing = await client.post("/webhooks/telegram/pizza", json=update)
    wrong = await client.post(
        "/webhooks/telegram/pizza", json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "nope"}
    )
    unknown = await client.post(
        "/webhooks/telegram/sushi", json=update, headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}
    )
    garbage = await client.post(
        "/webhooks/telegram/pizza",
        data=b"{not json",
        headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
    )
    assert (missing.status, wrong.status, unknown.status, garbage.status) == (401, 401, 404, 400)
    assert fake.sent == []


async def test_theke_channels_telegram_set_webhook(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TG_TOKEN", BOT_TOKEN)
    monkeypatch.setenv("TG_SECRET", SECRET)
    async with FakeTelegramApi() as fake:
        (tmp_path / "flows.yaml").write_text(
            f"version: 1\nbots: [{PIZZA}]\nchannels:\n  telegram:\n    api_base: {fake.url}\n"
            "    bots: {pizza: {token: env:TG_TOKEN, secret_token: env:TG_SECRET}}\n",
            encoding="utf-8",
        )
        args = [
            "channels",
            "telegram",
            "set-webhook",
            "--url",
            "https://bot.example.com",
            "-w",
            str(tmp_path),
        ]
        assert await asyncio.to_thread(main, args) == 0
        assert fake.webhook is not None
        assert fake.webhook.url == "https://bot.example.com/webhooks/telegram/pizza"
        assert fake.webhook.secret_token == SECRET
        bad = [
            "channels",
            "telegram",
            "set-webhook",
            "--url",
            "http://insecure.example",
            "-w",
            str(tmp_path),
        ]
        assert await asyncio.to_thread(main, bad) == 1


@pytest.fixture
async def telegram_invoices(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[tuple[FakeTelegramApi, TestClient]]:
    monkeypatch.setenv("TG_PROVIDER", "284685063:TEST:provider")
    async with telegram_shop(tmp_path, monkeypatch, provider_token="env:TG_PROVIDER") as shop:
        yield shop


async def order_to_the_invoice(fake: FakeTelegramApi) -> dict[str, Any]:
    await fake.send_text("eine kleine Margherita und eine Cola")
    extras = await said(fake, "Extras dazu?")
    await fake.press(extras, button(extras, "Keine Extras")["callback_data"])
    await said(fake, "Noch etwas dazu?")
    await fake.send_text("nein")
    await said(fake, "liefern oder holst du ab")
    await fake.send_text("abholen")
    confirm = await said(fake, "So bestellen?")
    await fake.press(confirm, button(confirm, "Ja")["callback_data"])
    return await eventually(
        lambda: next((m for m in fake.sent if "invoice" in m), None), "an invoice"
    )


async def test_a_telegram_invoice_paid_in_the_chat(
    telegram_invoices: tuple[FakeTelegramApi, TestClient],
) -> None:
    fake, client = telegram_invoices
    invoice = await order_to_the_invoice(fake)
    assert (invoice["invoice"]["currency"], invoice["invoice"]["total_amount"]) == ("EUR", 1100)
    assert "Du kannst direkt hier im Chat bezahlen." in bot_texts(fake)[-2]
    payment = await fake.pay(invoice)
    assert payment.answer == {"ok": True}
    await said(fake, "Danke, bezahlt! Deine Bestellung Nr. 1001 über 11,00\xa0€")
    assert payment.message is not None
    await fake.emit("message", payment.message)  # Telegram delivers it again
    orders = client.app[PAYMENTS].orders
    [order] = await orders.list("pizza")
    assert (order.status, order.provider) == ("paid", "telegram")
    assert order.payment == payment.message["successful_payment"]["telegram_payment_charge_id"]
    assert len([t for t in bot_texts(fake) if "Danke, bezahlt!" in t]) == 1


async def test_a_cancelled_order_is_refused_at_pre_checkout(
    telegram_invoices: tuple[FakeTelegramApi, TestClient],
) -> None:
    fake, client = telegram_invoices
    invoice = await order_to_the_invoice(fake)
    await fake.send_text("abbrechen")
    await said(fake, "storniert")
    payment = await fake.pay(invoice)
    assert payment.answer == {"ok": False, "error_message": "This order can no longer be paid."}
    assert payment.message is None
    [order] = await client.app[PAYMENTS].orders.list("pizza")
    assert order.status == "cancelled"


async def problems(client: TestClient, kind: str) -> str:
    metrics = await (await client.get("/metrics", headers=ADMIN_HEADERS)).text()
    prefix = f'theke_channel_problems_total{{channel="telegram",kind="{kind}"}} '
    return next((line.removeprefix(prefix) for line in metrics.splitlines() if prefix in line), "")


async def test_a_payment_for_no_order_is_answered_200_and_kept_for_the_business(
    telegram_invoices: tuple[FakeTelegramApi, TestClient],
) -> None:
    """Telegram retries a webhook it does not get a 2xx for: a charge with a payload Theke does
    not know used to be answered 503, forever."""
    fake, client = telegram_invoices
    user = fake.user()
    charge = telegram_successful_payment(
        user, message_id=77, currency="EUR", total_amount=1100, invoice_payload="tg_unknown"
    )
    for _ in range(2):  # and delivered twice: kept once
        delivery = await fake.emit("message", charge)
        assert delivery is not None and delivery.status == 200
    notes = await notes_for_business(client, "pizza:$business:deliveries")
    assert notes == ["A payment matches no order: refund it with the payment provider."]
    assert await problems(client, "unmatched_payment") == "2.0"
    assert await client.app[PAYMENTS].orders.list("pizza") == []


async def test_a_charge_of_another_amount_does_not_pay_the_order(
    telegram_invoices: tuple[FakeTelegramApi, TestClient],
) -> None:
    fake, client = telegram_invoices
    invoice = await order_to_the_invoice(fake)
    payload = fake.invoices[(invoice["chat"]["id"], invoice["message_id"])].payload
    charge = telegram_successful_payment(
        fake.user(), message_id=78, currency="EUR", total_amount=50, invoice_payload=payload
    )
    delivery = await fake.emit("message", charge)
    assert delivery is not None and delivery.status == 200
    [order] = await client.app[PAYMENTS].orders.list("pizza")
    assert order.status == "awaiting_payment"
    [entry] = order.unmatched
    assert (entry["amount"], entry["reason"]) == (50, "not the order's amount or currency")
    assert entry["refund"].startswith("refund by hand: a Telegram payment is refunded")
    assert not [text for text in bot_texts(fake) if "bezahlt" in text]


async def test_a_refused_pre_checkout_answer_still_answers_the_webhook(
    telegram_invoices: tuple[FakeTelegramApi, TestClient],
) -> None:
    fake, client = telegram_invoices
    invoice = await order_to_the_invoice(fake)
    fake.pre_checkout_timeout = 0.5
    fake.fail_next(400)  # answerPreCheckoutQuery is refused
    payment = await fake.pay(invoice)
    [delivery] = payment.deliveries
    assert delivery is not None and delivery.status == 200
    assert payment.message is None  # not answered: Telegram charges nothing
    assert await problems(client, "pre_checkout_not_answered") == "1.0"


async def test_a_press_whose_query_is_too_old_still_runs_its_turn(
    telegram: tuple[FakeTelegramApi, TestClient],
) -> None:
    """After Theke was unreachable, Telegram refuses to answer the old press ("query is too
    old"); the customer's choice still counts."""
    fake, client = telegram
    await fake.send_text("2 große Salami und eine Cola")
    extras = await said(fake, "Extras dazu?")
    data = button(extras, "Keine Extras")["callback_data"]
    stale = telegram_callback_query(fake.user(), extras, data, chat_instance="1")
    delivery = await fake.emit("callback_query", stale)  # never opened: the fake refuses it
    assert delivery is not None and delivery.status == 200
    await said(fake, "Noch etwas dazu?")
    refused = await eventually(
        lambda: [c for c in fake.requests if c.method == "answerCallbackQuery"], "the answer"
    )
    assert [(c.status, (c.response or {}).get("description")) for c in refused] == [
        (400, f"Bad Request: {QUERY_INVALID}")
    ]
    assert await problems(client, "callback_not_answered") == "1.0"
