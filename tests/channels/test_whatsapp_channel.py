"""The pizza bot through the fake WhatsApp Cloud API, driven by webhooks exactly as Meta sends
them (signed over their bytes): a whole order with reply buttons, a list and a location as the
delivery address, paid through the CTA link; plus the verification handshake, a duplicated
webhook, rate limits, statuses, a closed 24-hour window and forged or odd requests."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from framework.channels import whatsapp as whatsapp_channel
from framework.channels.common import CONTEXT
from framework.channels.whatsapp import WhatsAppChannel
from framework.errors import ChannelError
from tests.channels.shop import (
    ADMIN,
    conversation_log,
    eventually,
    notes_for_business,
    pay_on_the_sandbox,
    serve_pizza,
)
from tests.fakes import webhooks as wa
from tests.fakes.graph_api import ACCESS_TOKEN, APP_SECRET, FakeGraphApi, SentMessage

VERIFY = "verify-me-0123"
KEY = f"pizza:whatsapp:{wa.CUSTOMER.user_id}"
ADMIN_HEADERS = {"Authorization": f"Bearer {ADMIN}"}


class Clock:
    """Real time, moved on by tests (the 24-hour window)."""

    def __init__(self, start: float) -> None:
        self.offset = start - time.time()

    def __call__(self) -> float:
        return time.time() + self.offset


@contextlib.asynccontextmanager
async def whatsapp_shop(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    clock: Callable[[], float] | None = None,
    **number: Any,
) -> AsyncIterator[tuple[FakeGraphApi, TestClient]]:
    """The pizza bot on the fake Graph API; `number` adds settings of its phone number."""
    monkeypatch.setenv("WA_SECRET", APP_SECRET)
    monkeypatch.setenv("WA_VERIFY", VERIFY)
    monkeypatch.setenv("WA_TOKEN", ACCESS_TOKEN)
    async with FakeGraphApi() as graph:
        spec = {
            "app_secret": "env:WA_SECRET",
            "verify_token": "env:WA_VERIFY",
            "token": "env:WA_TOKEN",
            "api_base": graph.url,
            "recipient_interval": 0,
            "numbers": {graph.business.phone_number_id: {"bot": "pizza", **number}},
        }
        client = await serve_pizza(tmp_path, {"whatsapp": spec}, clock=clock)
        try:
            yield graph, client
        finally:
            await client.close()


@pytest.fixture
async def whatsapp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[tuple[FakeGraphApi, TestClient, Clock]]:
    clock = Clock(1795802400.0)  # Friday 19:00 in Berlin
    template = {"name": "theke_update", "language": "de"}
    async with whatsapp_shop(tmp_path, monkeypatch, clock, template=template) as (graph, client):
        yield graph, client, clock


def webhook(client: TestClient) -> str:
    return f"http://127.0.0.1:{client.port}/webhooks/whatsapp"


def shown(sent: SentMessage) -> str:
    payload = sent.payload
    if payload["type"] == "text":
        return str(payload["text"]["body"])
    if payload["type"] == "interactive":
        return str(payload["interactive"]["body"]["text"])
    if payload["type"] == "template":
        return str(payload["template"]["components"][0]["parameters"][0]["text"])
    return ""


async def said(graph: FakeGraphApi, text: str) -> SentMessage:
    def find() -> SentMessage | None:
        return next((s for s in reversed(graph.sent) if text in shown(s)), None)

    return await eventually(find, f"the bot says {text!r}: {[shown(s) for s in graph.sent]}")


def choices(sent: SentMessage) -> dict[str, str]:
    """Title → id of a message's reply buttons or list rows."""
    action = sent.payload["interactive"]["action"]
    if "buttons" in action:
        return {b["reply"]["title"]: b["reply"]["id"] for b in action["buttons"]}
    return {row["title"]: row["id"] for section in action["sections"] for row in section["rows"]}


async def test_meta_verifies_the_webhook(whatsapp: tuple[FakeGraphApi, TestClient, Clock]) -> None:
    _graph, client, _clock = whatsapp
    ok = await client.get(
        "/webhooks/whatsapp",
        params={"hub.mode": "subscribe", "hub.verify_token": VERIFY, "hub.challenge": "1158201444"},
    )
    assert (ok.status, await ok.text()) == (200, "1158201444")
    wrong = await client.get(
        "/webhooks/whatsapp",
        params={"hub.mode": "subscribe", "hub.verify_token": "nope", "hub.challenge": "x"},
    )
    assert wrong.status == 403


async def test_a_whole_order_through_whatsapp(
    whatsapp: tuple[FakeGraphApi, TestClient, Clock],
) -> None:
    graph, client, _clock = whatsapp
    url = webhook(client)
    await graph.post_messages(url, wa.text("2 große Salami und eine Cola"))
    extras = await said(graph, "Extras dazu?")
    assert extras.payload["interactive"]["type"] == "button"
    await graph.post_messages(url, wa.button_reply(choices(extras)["Keine Extras"], "Keine Extras"))
    more = await said(graph, "Noch etwas dazu?")
    await graph.post_messages(url, wa.button_reply(choices(more)["Nein"], "Nein"))
    await said(graph, "Sollen wir liefern oder holst du ab?")
    await graph.post_messages(url, wa.text("liefern"))
    await said(graph, "Wohin sollen wir liefern?")
    place = wa.location(
        52.4862, 13.4245, name="Pizzeria Gegenüber", address="Weserstraße 5, 12047 Berlin"
    )
    await graph.post_messages(url, place)
    confirm = await said(graph, "So bestellen?")
    await graph.post_messages(url, wa.button_reply(choices(confirm)["Ja"], "Ja"))
    pay = await said(graph, "kostet 30,00")
    assert pay.payload["interactive"]["type"] == "cta_url"
    link = pay.payload["interactive"]["action"]["parameters"]
    assert link["display_text"] == "Jetzt bezahlen"
    await pay_on_the_sandbox(client, link["url"])
    done = await said(graph, "Danke, bezahlt!")
    assert "Weserstraße 5, 12047 Berlin" in shown(done)
    assert {s.to.lstrip("+") for s in graph.sent} == {wa.CUSTOMER.wa_id}


async def test_the_menu_list_and_a_duplicated_webhook(
    whatsapp: tuple[FakeGraphApi, TestClient, Clock],
) -> None:
    graph, client, _clock = whatsapp
    delivery = await graph.post_messages(webhook(client), wa.text("bestellen"))
    pizza = await said(graph, "Welche Pizza")
    await graph.redeliver(delivery)
    await graph.redeliver(delivery)
    await said(graph, "Welche Pizza")
    log = await conversation_log(client, KEY)
    assert [e["text"] for e in log if e["from"] == "customer"] == ["bestellen"]
    assert len([s for s in graph.sent if "Welche Pizza" in shown(s)]) == 1
    assert pizza.payload["interactive"]["type"] == "button"


async def test_rate_limits_are_retried_in_order(
    whatsapp: tuple[FakeGraphApi, TestClient, Clock],
) -> None:
    graph, client, _clock = whatsapp
    graph.fail_next(130429)
    await graph.post_messages(webhook(client), wa.text("hallo"))
    await said(graph, "Willkommen")
    graph.fail_next(131056)
    await graph.post_messages(webhook(client), wa.text("öffnungszeiten"))
    await said(graph, "Freitag")
    graph.fail_next(131000)  # an HTTP 500 from the Graph API
    await graph.post_messages(webhook(client), wa.text("speisekarte"))
    await said(graph, "Tippe auf eine Pizza")
    assert await system_notes(client) == []  # nothing lost, nothing given up


async def system_notes(client: TestClient) -> list[str]:
    return [e["text"] for e in await conversation_log(client, KEY) if e["from"] == "system"]


async def test_an_oversized_webhook_is_refused(
    whatsapp: tuple[FakeGraphApi, TestClient, Clock],
) -> None:
    graph, client, _clock = whatsapp
    huge = wa.inbound(*[wa.text("x" * 1000) for _ in range(100)])
    assert (await graph.post_webhook(webhook(client), huge)).status == 413


async def test_statuses_are_kept_and_a_late_failure_is_written(
    whatsapp: tuple[FakeGraphApi, TestClient, Clock],
) -> None:
    graph, client, _clock = whatsapp
    await graph.post_messages(webhook(client), wa.text("hallo"))
    greeting = await said(graph, "Willkommen")
    graph.queue_status(greeting, "read")
    graph.queue_status(greeting, "delivered")
    graph.queue_status(greeting, "sent")
    await graph.flush_statuses(webhook(client), batch=True, duplicate=True)
    graph.queue_status(greeting, "failed", error_code=131026)
    await graph.flush_statuses(webhook(client))

    found = await notes_for_business(client, KEY)
    assert "(131026)" in found[0]
    wrong = await client.get("/admin/undelivered")
    assert wrong.status == 403
    for _ in range(200):  # the business inbox is a turn of its own
        listed = await client.get(
            "/admin/undelivered", headers={"Authorization": f"Bearer {ADMIN}"}
        )
        undelivered = (await listed.json())["undelivered"]
        if undelivered:
            break
        await asyncio.sleep(0.02)
    [entry] = undelivered
    assert entry["conversation"] == KEY
    assert entry["text"] == found[0]


async def test_outside_the_24_hour_window_the_template_is_sent(
    whatsapp: tuple[FakeGraphApi, TestClient, Clock],
) -> None:
    graph, client, clock = whatsapp
    await graph.post_messages(webhook(client), wa.text("2 kleine Margherita"))
    await said(graph, "Extras dazu?")
    clock.offset += 25 * 3600  # the customer went quiet; the conversation's reminder comes later
    sent = await said(graph, "Bist du noch da")
    assert sent.payload["type"] == "template"
    assert sent.payload["template"]["name"] == "theke_update"


async def test_forged_odd_and_unknown_webhooks(
    whatsapp: tuple[FakeGraphApi, TestClient, Clock],
) -> None:
    graph, client, _clock = whatsapp
    url = webhook(client)
    forged = await graph.post_webhook(url, wa.inbound(wa.text("hi")), signed_with="wrong")
    assert forged.status == 401
    plain = await client.post("/webhooks/whatsapp", data=b"{}")
    assert plain.status == 401
    unknown_number = wa.inbound(wa.text("hi"), business=wa.Business(phone_number_id="999999"))
    assert (await graph.post_webhook(url, unknown_number)).status == 200
    unknown = wa.message("interactive", {"interactive": {"type": "call_permission_reply"}})
    odd = await graph.post_messages(url, unknown, wa.reaction("wamid.x", "👍"))
    assert odd.status == 200
    await graph.post_messages(url, wa.text("hallo"))
    await said(graph, "Willkommen")
    metrics = await (await client.get("/metrics", headers=ADMIN_HEADERS)).text()
    assert 'theke_channel_problems_total{channel="whatsapp",kind="unknown_number"} 1.0' in metrics
    assert 'theke_channel_problems_total{channel="whatsapp",kind="unsupported"} 1.0' in metrics
    assert ACCESS_TOKEN not in metrics and APP_SECRET not in metrics


async def test_a_slow_turn_shows_read_and_typing(
    whatsapp: tuple[FakeGraphApi, TestClient, Clock], monkeypatch: pytest.MonkeyPatch
) -> None:
    graph, client, _clock = whatsapp
    monkeypatch.setattr(whatsapp_channel, "TYPING_AFTER", 0.0)  # every turn is "slow" now
    delivery = await graph.post_messages(webhook(client), wa.text("hallo"))
    await said(graph, "Willkommen")
    [receipt] = await eventually(lambda: graph.read_receipts, "a read receipt")
    assert receipt["status"] == "read"
    assert receipt["typing_indicator"] == {"type": "text"}
    assert (
        receipt["message_id"]
        == json.loads(delivery.body)["entry"][0]["changes"][0]["value"]["messages"][0]["id"]
    )


async def test_the_menu_is_a_list_and_a_row_orders(
    whatsapp: tuple[FakeGraphApi, TestClient, Clock],
) -> None:
    graph, client, _clock = whatsapp
    await graph.post_messages(webhook(client), wa.text("speisekarte"))
    menu = await said(graph, "Tippe auf eine Pizza")
    assert menu.payload["interactive"]["type"] == "list"
    assert menu.payload["interactive"]["action"]["button"] == "Pizza wählen"
    rows = choices(menu)
    assert len(rows) == 10
    await graph.post_messages(webhook(client), wa.list_reply(rows["Salami"], "Salami"))
    await said(graph, "Welche Größe für die Salami?")


async def test_an_image_is_kept_and_can_be_downloaded(
    whatsapp: tuple[FakeGraphApi, TestClient, Clock],
) -> None:
    graph, client, _clock = whatsapp
    content = b"\xff\xd8\xff\xe0 a photo of the doorbell"
    media = graph.add_media(content, "image/jpeg")
    picture = wa.image(media.id, sha256=media.sha256, caption="Klingel: Rossi")
    await graph.post_messages(webhook(client), picture)

    async def kept() -> dict[str, Any] | None:
        log = await conversation_log(client, KEY)
        return next((e for e in log if e["from"] == "customer"), None)

    entry = None
    for _ in range(200):
        entry = await kept()
        if entry:
            break
        await asyncio.sleep(0.02)
    assert entry is not None and entry["text"] == "Klingel: Rossi"
    assert entry["attachment"]["id"] == media.id
    channel = client.app[CONTEXT].runtime.delivery.channels["whatsapp"]
    assert isinstance(channel, WhatsAppChannel)
    assert await channel.download("pizza", media.id) == (content, "image/jpeg")
    with pytest.raises(ChannelError, match="no media"):
        await channel.download("pizza", "424242")


async def test_each_number_reaches_its_own_bot(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WA_SECRET", APP_SECRET)
    monkeypatch.setenv("WA_VERIFY", VERIFY)
    monkeypatch.setenv("WA_TOKEN", ACCESS_TOKEN)
    bakery = Path(__file__).parent.parent.parent / "framework" / "scaffolds" / "ordering"
    second = wa.Business(phone_number_id="106540352242999", display_phone_number="15550783999")
    async with FakeGraphApi() as graph, FakeGraphApi(business=second) as other:
        spec = {
            "app_secret": "env:WA_SECRET",
            "verify_token": "env:WA_VERIFY",
            "token": "env:WA_TOKEN",
            "api_base": graph.url,
            "numbers": {
                graph.business.phone_number_id: {"bot": "pizza"},
                second.phone_number_id: {"bot": "bakery"},
            },
        }
        client = await serve_pizza(tmp_path, {"whatsapp": spec}, extra_bots=(bakery,))
        try:
            await graph.post_messages(webhook(client), wa.text("hallo"))
            await other.post_messages(webhook(client), wa.text("hallo"))
            await said(graph, "Willkommen bei Pizzeria Napoli")
            customer = str(wa.CUSTOMER.user_id)
            for bot in ("pizza", "bakery"):  # each number's turn runs on its own
                key = f"{bot}:whatsapp:{customer}"
                for _ in range(100):
                    log = await conversation_log(client, key)
                    if any(e["from"] == "customer" for e in log):
                        break
                    await asyncio.sleep(0.05)
                assert [e["text"] for e in log if e["from"] == "customer"] == ["hallo"], bot
            # the bakery answers from its own number (one Graph API base for all numbers)
            await eventually(
                lambda: [c for c in graph.requests if second.phone_number_id in c.path],
                "a send from the bakery's number",
            )
        finally:
            await client.close()


async def test_secrets_never_show_in_logs_notes_or_metrics(
    whatsapp: tuple[FakeGraphApi, TestClient, Clock], caplog: pytest.LogCaptureFixture
) -> None:
    graph, client, _clock = whatsapp
    caplog.set_level(logging.DEBUG)
    graph.token_expired = True  # every send: 190, "Error validating access token"
    await graph.post_messages(webhook(client), wa.text("hallo"))
    notes = await notes_for_business(client, KEY)
    assert "(190)" in notes[0]
    metrics = await (await client.get("/metrics", headers=ADMIN_HEADERS)).text()
    for secret in (ACCESS_TOKEN, APP_SECRET, VERIFY):
        assert secret not in caplog.text
        assert secret not in " ".join(notes)
        assert secret not in metrics
