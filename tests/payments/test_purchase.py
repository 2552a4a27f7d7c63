"""A whole purchase over HTTP with the sandbox provider: chat → link → checkout page → paid →
the chat goes on with the order number → the business acts through the admin API → the
customer hears of it. Plus the admin API's bad input."""

from __future__ import annotations

import asyncio
import io
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from framework.app import create_app
from framework.channels.common import CONTEXT
from framework.flows import load_bot
from framework.payments import web as web_module
from framework.payments.signing import sign
from framework.payments.web import PAYMENTS
from framework.stores.memory.orders import MemoryOrders
from framework.stores.memory.sessions import MemoryStore
from framework.stores.order_store import OrderStore
from framework.stores.session_store import Store
from framework.workspace import Workspace
from tests.payments.rest import say

ROOT = Path(__file__).parent.parent.parent
PIZZA = ROOT / "bots" / "pizza"
FRIDAY_EVENING = 1795802400.0  # 2026-11-27 19:00 in Berlin: the pizzeria is open
ADMIN_KEY = "test-admin-key-0123456789"
SANDBOX_SECRET = "sandbox-secret-0123456789"
SESSION = "pizza:rest:ada"
ORDER = [
    "2 große Salami und eine Cola",
    "keine",
    "nein",
    "liefern",
    "Weserstraße 5, 12047 Berlin",
]


@pytest.fixture
async def shop(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[TestClient]:
    monkeypatch.setenv("THEKE_TEST_ADMIN_KEY", ADMIN_KEY)
    monkeypatch.setenv("THEKE_SANDBOX_SECRET", SANDBOX_SECRET)
    store, orders = MemoryStore(), MemoryOrders()

    async def open_store() -> Store:
        return store

    async def open_orders() -> OrderStore:
        return orders

    workspace = Workspace(root=tmp_path, bots=(PIZZA,), admin_key="env:THEKE_TEST_ADMIN_KEY")
    app = create_app(
        workspace,
        {"pizza": load_bot(PIZZA)},
        store=open_store,
        orders=open_orders,
        clock=lambda: FRIDAY_EVENING,
        tick=0.05,
    )
    client = TestClient(TestServer(app))
    await client.start_server()
    yield client
    await client.close()


async def chat_log(client: TestClient, containing: str) -> list[str]:
    """The conversation as the customer sees it, once it contains `containing`."""
    store = client.app[CONTEXT].runtime.store
    for _ in range(200):
        texts = [entry["text"] for entry in await store.log(SESSION, 0, 200)]
        if any(containing in text for text in texts):
            return texts
        await asyncio.sleep(0.02)
    raise AssertionError(f"the chat never said {containing!r}: {texts}")


async def order_and_get_link(client: TestClient) -> str:
    for text in ORDER:
        await say(client, text)
    [reply] = await say(client, "ja")
    assert (
        reply["text"]
        == "Deine Bestellung Nr. 1001 kostet 30,00\xa0€. Bitte bezahle über diesen Link."
    )
    link = reply["custom"]
    assert link["type"] == "payment_link"
    assert link["title"] == "Jetzt bezahlen"
    path = re.sub(r"^https?://[^/]+", "", link["url"])
    assert re.fullmatch(r"/pay/cs_sandbox_[A-Za-z0-9_-]{27}", path)  # 160 random bits
    return path


def admin(key: str = ADMIN_KEY) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


async def test_order_pay_on_the_sandbox_page_and_the_chat_goes_on(shop: TestClient) -> None:
    checkout = await order_and_get_link(shop)
    page = await shop.get(checkout)
    html = await page.text()
    assert page.status == 200
    for shown in ["2× Salami (Groß)", "25,00\xa0€", "Cola 0,33 l", "Lieferung", "2,50\xa0€"]:
        assert shown in html
    assert "30,00\xa0€" in html
    assert "enthaltene MwSt. 7 %" in html and "enthaltene MwSt. 19 %" in html

    paid = await shop.post(checkout, data={"decision": "pay"}, allow_redirects=False)
    assert paid.status == 303
    assert paid.headers["Location"] == "http://127.0.0.1:8080/paid/pizza"

    texts = await chat_log(shop, "Danke, bezahlt!")
    assert texts[-1] == (
        "Danke, bezahlt! Deine Bestellung Nr. 1001 über 30,00\xa0€ ist eingegangen. "
        "Wir liefern in etwa 45 Minuten an Weserstraße 5, 12047 Berlin."
    )
    again = await shop.get(checkout)
    assert "Diese Zahlungsanfrage ist beendet" in await again.text()
    second = await shop.post(checkout, data={"decision": "pay"}, allow_redirects=False)
    assert second.headers["Location"] == checkout  # a second payment is refused

    listed = await (await shop.get("/admin/orders", headers=admin())).json()
    [order] = listed["orders"]
    assert (order["number"], order["status"], order["total"]) == (1001, "paid", "30.00")
    assert order["delivery"] == {"fulfilment": "delivery", "address": "Weserstraße 5, 12047 Berlin"}
    assert [tax["rate"] for tax in order["taxes"]] == ["7", "19"]


async def test_the_business_accepts_and_dispatches_and_the_customer_is_told(
    shop: TestClient,
) -> None:
    checkout = await order_and_get_link(shop)
    await shop.post(checkout, data={"decision": "pay"}, allow_redirects=False)
    await chat_log(shop, "Danke, bezahlt!")
    for action, told in [
        ("accept", "wurde angenommen"),
        ("dispatch", "ist unterwegs zu dir"),
        ("deliver", "wurde geliefert"),
    ]:
        response = await shop.post(f"/admin/orders/pizza/1001/{action}", headers=admin())
        assert response.status == 200, await response.text()
        await chat_log(shop, told)
    order = await (await shop.get("/admin/orders/pizza/1001", headers=admin())).json()
    assert [step["status"] for step in order["history"]] == [
        "paid",
        "accepted",
        "out_for_delivery",
        "delivered",
    ]
    again = await shop.post("/admin/orders/pizza/1001/accept", headers=admin())
    assert again.status == 409
    assert "delivered" in (await again.json())["error"]


async def test_after_stop_the_customer_still_hears_where_their_paid_order_is(
    shop: TestClient,
) -> None:
    """Their own order's status is no offer and no notification: a STOP does not keep it
    back, and the STOP's confirmation says so."""
    checkout = await order_and_get_link(shop)
    await shop.post(checkout, data={"decision": "pay"}, allow_redirects=False)
    await chat_log(shop, "Danke, bezahlt!")
    [stopped] = await say(shop, "stop")
    assert (
        "Nur zu deinen eigenen Bestellungen, Terminen und Anfragen hörst du weiter"
        in (stopped["text"])
    )
    response = await shop.post("/admin/orders/pizza/1001/dispatch", headers=admin())
    assert response.status == 200, await response.text()
    texts = await chat_log(shop, "ist unterwegs zu dir")
    assert texts.index(stopped["text"]) < len(texts) - 1  # told after the STOP


async def test_a_customer_who_cancels_in_the_chat_is_refunded_in_the_record(
    shop: TestClient,
) -> None:
    """What the chat promises is what the business's record says: cancelled, 30.00 back."""
    checkout = await order_and_get_link(shop)
    await shop.post(checkout, data={"decision": "pay"}, allow_redirects=False)
    await chat_log(shop, "Danke, bezahlt!")
    [offer] = await say(shop, "ich will meine Bestellung stornieren")
    assert "Du bekommst 30,00\xa0€ zurück" in offer["text"]
    [told] = await say(shop, "ja")
    assert told["text"].startswith("Deine Bestellung Nr. 1001 wurde storniert.")
    order = await (await shop.get("/admin/orders/pizza/1001", headers=admin())).json()
    assert (order["status"], order["refunded"]) == ("cancelled", "30.00")
    assert order["history"][-1]["by"] == "customer"


async def test_a_paid_order_the_kitchen_accepted_is_not_cancelled_by_the_chat(
    shop: TestClient,
) -> None:
    checkout = await order_and_get_link(shop)
    await shop.post(checkout, data={"decision": "pay"}, allow_redirects=False)
    await chat_log(shop, "Danke, bezahlt!")
    [offer] = await say(shop, "bitte stornieren")
    assert "stornieren?" in offer["text"]
    await shop.post("/admin/orders/pizza/1001/accept", headers=admin())  # meanwhile
    await chat_log(shop, "wurde angenommen")
    [told] = await say(shop, "ja")
    assert "Das Stornieren hat nicht geklappt" in told["text"]
    assert "nichts erstattet" in told["text"]
    order = await (await shop.get("/admin/orders/pizza/1001", headers=admin())).json()
    assert (order["status"], order["refunded"]) == ("accepted", "0.00")


async def test_declining_on_the_page_places_no_order(shop: TestClient) -> None:
    checkout = await order_and_get_link(shop)
    await shop.post(checkout, data={"decision": "decline"}, allow_redirects=False)
    await chat_log(shop, "Die Zahlung hat leider nicht geklappt.")
    order = await (await shop.get("/admin/orders/pizza/1001", headers=admin())).json()
    assert order["status"] == "failed"


async def test_refunds_are_checked_against_what_was_paid(shop: TestClient) -> None:
    checkout = await order_and_get_link(shop)
    await shop.post(checkout, data={"decision": "pay"}, allow_redirects=False)
    await chat_log(shop, "Danke, bezahlt!")
    url = "/admin/orders/pizza/1001/refund"
    too_much = await shop.post(url, headers=admin(), json={"amount": "30.01"})
    assert too_much.status == 409
    assert "at most 30.00 EUR" in (await too_much.json())["error"]
    for bad in ["-1", "0", "abc", "1e999", True]:
        response = await shop.post(url, headers=admin(), json={"amount": bad})
        assert response.status in (400, 409), bad
    part = await shop.post(url, headers=admin(), json={"amount": "2.50"})
    assert (await part.json())["refunded"] == "2.50"
    rest = await shop.post(url, headers=admin())
    assert (await rest.json())["status"] == "refunded"
    await chat_log(shop, "haben wir 30,00\xa0€ erstattet")


@pytest.mark.parametrize(
    "headers", [{}, {"Authorization": "Bearer wrong"}, {"Authorization": ADMIN_KEY}]
)
async def test_the_admin_api_needs_the_key(shop: TestClient, headers: dict[str, str]) -> None:
    for response in [
        await shop.get("/admin/orders", headers=headers),
        await shop.get("/admin/orders/pizza/1001", headers=headers),
        await shop.post("/admin/orders/pizza/1001/accept", headers=headers),
    ]:
        assert response.status == 403
        assert "admin key" in (await response.json())["error"]


async def test_admin_bad_input_is_refused_clearly(shop: TestClient) -> None:
    checks = [
        (shop.get("/admin/orders?bot=nope", headers=admin()), 400),
        (shop.get("/admin/orders?limit=0", headers=admin()), 400),
        (shop.get("/admin/orders/pizza/abc", headers=admin()), 400),
        (shop.get("/admin/orders/pizza/999999", headers=admin()), 404),
        (shop.post("/admin/orders/pizza/1001/explode", headers=admin()), 400),
    ]
    for call, status in checks:
        response = await call
        assert response.status == status, await response.text()


async def test_forged_and_stale_webhooks_change_nothing(shop: TestClient) -> None:
    checkout = await order_and_get_link(shop)
    checkout_id = checkout.rsplit("/", 1)[1]
    body = (
        '{"id": "evt_forged", "type": "checkout.session.completed", '
        f'"data": {{"object": {{"id": "{checkout_id}"}}}}}}'
    ).encode()
    for headers in [
        {},
        {"Theke-Signature": "t=1795802400,v1=" + "0" * 64},
        {"Theke-Signature": "garbage"},
    ]:
        response = await shop.post("/payments/webhook", data=body, headers=headers)
        assert response.status == 400
    order = await (await shop.get("/admin/orders/pizza/1001", headers=admin())).json()
    assert order["status"] == "awaiting_payment"


async def test_hostile_webhook_bodies_are_refused(shop: TestClient) -> None:
    await order_and_get_link(shop)
    huge = b"{" + b" " * (1024 * 1024) + b"}"
    response = await shop.post("/payments/webhook", data=io.BytesIO(huge))
    assert response.status == 413
    for body in [b"", b"not json", b"[1, 2]", b'{"id": 1}', b"\xff\xfe{}"]:
        headers = {"Theke-Signature": sign(body, SANDBOX_SECRET, int(FRIDAY_EVENING))}
        response = await shop.post("/payments/webhook", data=body, headers=headers)
        assert response.status == 400, body
        assert "not a sandbox event" in (await response.json())["error"]
    order = await (await shop.get("/admin/orders/pizza/1001", headers=admin())).json()
    assert order["status"] == "awaiting_payment"


async def test_a_slow_provider_gets_a_quick_answer_and_the_work_finishes_after(
    shop: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    checkout = await order_and_get_link(shop)
    payments = shop.app[PAYMENTS]
    events: list[tuple[bytes, dict[str, str]]] = []

    async def capture(body: bytes, headers: dict[str, str]) -> None:
        events.append((body, headers))

    sandbox = payments.provider
    sandbox.emit = capture
    await shop.post(checkout, data={"decision": "pay"}, allow_redirects=False)
    read = sandbox.read

    async def slow_read(checkout_id: str) -> Any:
        await asyncio.sleep(0.3)
        return await read(checkout_id)

    monkeypatch.setattr(sandbox, "read", slow_read)
    monkeypatch.setattr(web_module, "WEBHOOK_BUDGET", 0.05)
    [(body, headers)] = events
    response = await shop.post("/payments/webhook", data=body, headers=headers)
    assert (response.status, (await response.json())["outcome"]) == (202, "pending")
    await chat_log(shop, "Danke, bezahlt!")
