"""Bad input gets a clear 400 (or is stored sanitised), never a 500 or a traceback.

The attacks: JSON nested deeper than the interpreter's recursion limit, bytes that are not
UTF-8 (or are UTF-8-encoded surrogates), and lone surrogates (`"\\ud800"`, half of a UTF-16
pair) in the message, the sender, the message id, names and addresses — on REST, the web chat
socket, the WhatsApp and Telegram webhooks; a lone surrogate already stored in a conversation
(written by an older version) that broke every web chat socket opened on it; and the admin
API's numbers: a 40-digit order number reached SQLite (500), full-width digits were read as an
order number and as an amount.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import WSMsgType
from aiohttp.test_utils import TestClient, TestServer

from framework.app import create_app
from framework.channels.common import CONTEXT
from framework.errors import BadRequest
from framework.flows import load_bot
from framework.payments.order_actions import parse_amount
from framework.stores.records import Commit, InboxItem
from framework.stores.session_store import Store
from framework.stores.sqlite.orders import SqliteOrders
from framework.stores.sqlite.sessions import SqliteStore
from framework.workspace import Workspace
from tests.fakes import webhooks as wa
from tests.fakes.graph_api import APP_SECRET

ROOT = Path(__file__).resolve().parents[2]
PIZZA = ROOT / "bots" / "pizza"
FRIDAY_EVENING = 1795802400.0
ADMIN = "admin-key-for-tests"
TG_SECRET = "tg-secret-0123"
REST = "/webhooks/rest/webhook"
NESTED = b"[" * 8_000 + b"]" * 8_000
"""16 KB: within every body limit (the chat socket takes 16 KB), 8 times the recursion limit."""
LONE = "\ud800"
"""Half of a UTF-16 surrogate pair: JSON can write it ("\\ud800"), UTF-8 cannot carry it."""


@pytest.fixture
async def shop(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[TestClient]:
    """The pizza bot on SQLite (the store that refused a lone surrogate in a key), with REST,
    the web chat, WhatsApp and Telegram, and the admin API."""
    monkeypatch.setenv("T_ADMIN", ADMIN)
    for name, value in {"WA_S": APP_SECRET, "WA_V": "v", "WA_T": "t", "TG_T": "1:x"}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("TG_S", TG_SECRET)
    nowhere = "http://127.0.0.1:9"  # replies are not the point: nothing listens there
    channels = {
        "rest": {},
        "web": {},
        "whatsapp": {
            "app_secret": "env:WA_S",
            "verify_token": "env:WA_V",
            "token": "env:WA_T",
            "api_base": nowhere,
            "numbers": {wa.BUSINESS.phone_number_id: {"bot": "pizza"}},
        },
        "telegram": {
            "api_base": nowhere,
            "bots": {"pizza": {"token": "env:TG_T", "secret_token": "env:TG_S"}},
        },
    }
    workspace = Workspace(root=tmp_path, bots=(PIZZA,), channels=channels, admin_key="env:T_ADMIN")

    async def sessions() -> Store:
        return await SqliteStore.open(tmp_path / "state.db")

    async def orders() -> SqliteOrders:
        return await SqliteOrders.open(tmp_path / "state.db")

    app = create_app(
        workspace,
        {"pizza": load_bot(PIZZA)},
        store=sessions,
        orders=orders,
        clock=lambda: FRIDAY_EVENING,
    )
    client = TestClient(TestServer(app))
    await client.start_server()
    yield client
    await client.close()


def no_tracebacks(caplog: pytest.LogCaptureFixture) -> None:
    tracebacks = [r.getMessage() for r in caplog.records if r.exc_info]
    assert tracebacks == [], tracebacks


async def error_of(response: Any, status: int = 400) -> str:
    assert response.status == status, await response.text()
    assert response.content_type == "application/json"
    return str((await response.json())["error"])


# REST -------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("body", "error"),
    [
        (NESTED, "nested too deeply"),
        (b'{"sender": "ada", "message": ' + NESTED + b"}", "nested too deeply"),
        (b'{"sender": "ad\xff", "message": "hi"}', "not UTF-8"),
        (b'{"sender": "ad\xed\xa0\x80", "message": "hi"}', "not UTF-8"),  # a UTF-8-coded surrogate
        (b'{"sender": "ada\\ud800", "message": "hi"}', "'sender' is not valid Unicode"),
        (
            b'{"sender": "ada", "message": "hi", "message_id": "m\\udfff"}',
            "'message_id' is not valid Unicode",
        ),
        (b'{"sender": "ada", "message": NaN}', "not valid JSON"),
    ],
)
async def test_rest_refuses_hostile_bodies_with_a_clear_400(
    shop: TestClient, caplog: pytest.LogCaptureFixture, body: bytes, error: str
) -> None:
    response = await shop.post(REST, data=body, headers={"Content-Type": "application/json"})
    assert error in await error_of(response)
    no_tracebacks(caplog)


async def test_a_charset_python_does_not_know_is_no_500(shop: TestClient) -> None:
    body = json.dumps({"sender": "ada", "message": "hallo"}).encode()
    response = await shop.post(
        REST, data=body, headers={"Content-Type": "application/json; charset=x-nonsense"}
    )
    assert response.status == 200  # JSON is UTF-8 (RFC 8259), whatever the header says


async def test_a_lone_surrogate_in_the_message_is_stored_sanitised(
    shop: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    body = b'{"sender": "ada", "message": "eine Salami \\ud83d bitte"}'
    response = await shop.post(REST, data=body, headers={"Content-Type": "application/json"})
    assert response.status == 200
    log = await shop.app[CONTEXT].runtime.store.log("pizza:rest:ada", 0)
    assert log[0]["text"] == "eine Salami \ufffd bitte"
    no_tracebacks(caplog)


# The web chat socket ---------------------------------------------------------------------------
async def test_the_web_chat_socket_answers_hostile_messages_and_stays_open(
    shop: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    async with shop.ws_connect("/chat/pizza/ws?customer=surrogate-1") as socket:
        await socket.send_str(NESTED.decode())
        error = await socket.receive_json(timeout=5)
        assert error["code"] == "bad_message" and "nested too deeply" in error["message"]
        await socket.send_str('{"type": "message", "id": "\\ud800", "text": "hi"}')
        error = await socket.receive_json(timeout=5)
        assert "'id' is not valid Unicode" in error["message"]
        await socket.send_str('{"type": "message", "id": "m-1", "text": "Salami \\ud83d"}')
        said = [await socket.receive_json(timeout=5) for _ in range(3)]
        assert said[0] == {"type": "typing"}
        assert said[1]["entry"]["text"] == "Salami \ufffd"
    no_tracebacks(caplog)


@pytest.mark.parametrize("after", ["\uff11\uff12", "9" * 40, "-1", "x"])
async def test_the_web_chat_socket_refuses_a_bad_after(shop: TestClient, after: str) -> None:
    response = await shop.get("/chat/pizza/ws", params={"customer": "surrogate-2", "after": after})
    assert "'after'" in await error_of(response)


async def test_a_lone_surrogate_already_stored_does_not_break_the_web_chat(
    shop: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    """Written as an older version did (no replacement where items are made): the socket used
    to die on its first send, the page reconnected forever and showed nothing."""
    store = shop.app[CONTEXT].runtime.store
    key = "pizza:web:surrogate-3"
    await store.enqueue(key, InboxItem.message("m-0", "2026-11-27T18:00:00+00:00", "hi"))
    claim = await store.claim(key, "test", 5.0)
    assert claim is not None
    entries = [{"from": "customer", "text": f"Salami {LONE}"}, {"from": "bot", "text": "Gern!"}]
    assert await store.commit(claim, Commit("m-0", {}, {}, entries))
    async with shop.ws_connect("/chat/pizza/ws?customer=surrogate-3") as socket:
        first = await socket.receive(timeout=5)
        assert first.type == WSMsgType.TEXT
        assert json.loads(first.data)["entry"]["text"] == "Salami \ufffd"
        second = await socket.receive_json(timeout=5)
        assert second["entry"]["text"] == "Gern!"
    no_tracebacks(caplog)


# Webhooks ---------------------------------------------------------------------------------------
async def whatsapp(shop: TestClient, body: bytes) -> Any:
    headers = {"X-Hub-Signature-256": wa.signature(body, APP_SECRET)}
    return await shop.post("/webhooks/whatsapp", data=body, headers=headers)


async def telegram(shop: TestClient, body: bytes) -> Any:
    headers = {"X-Telegram-Bot-Api-Secret-Token": TG_SECRET, "Content-Type": "application/json"}
    return await shop.post("/webhooks/telegram/pizza", data=body, headers=headers)


@pytest.mark.parametrize("send", [whatsapp, telegram])
@pytest.mark.parametrize(
    ("body", "error"),
    [(NESTED, "nested too deeply"), (b'{"x": "\xc3"}', "not UTF-8")],
)
async def test_signed_webhooks_with_hostile_bodies_get_a_clear_400(
    shop: TestClient, caplog: pytest.LogCaptureFixture, send: Any, body: bytes, error: str
) -> None:
    assert error in await error_of(await send(shop, body))
    no_tracebacks(caplog)


async def test_lone_surrogates_in_a_whatsapp_message_are_stored_sanitised(
    shop: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    customer = wa.Customer(name=f"Kerry {LONE}", wa_id=f"1631555{LONE}", user_id=None)
    payload = wa.inbound(
        wa.text(f"Salami {LONE}", customer=customer),
        wa.location(
            52.52, 13.40, name=f"Zuhause {LONE}", address=f"Hauptstr. 1 {LONE}", customer=customer
        ),
        customer=customer,
    )
    body = json.dumps(payload).encode()  # ensure_ascii: the surrogates travel as \\ud800
    assert (await whatsapp(shop, body)).status == 200
    store = shop.app[CONTEXT].runtime.store
    key = "pizza:whatsapp:1631555\ufffd"
    for _ in range(200):
        log = await store.log(key, 0)
        if len([e for e in log if e["from"] == "customer"]) == 2:
            break
        await _tick()
    said = [entry for entry in log if entry["from"] == "customer"]
    assert said[0]["text"] == "Salami \ufffd"
    assert LONE not in json.dumps(said, ensure_ascii=False)
    no_tracebacks(caplog)


async def test_a_lone_surrogate_in_a_telegram_message_is_stored_sanitised(
    shop: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    update = {
        "update_id": 1,
        "message": {
            "message_id": 7,
            "date": 1795802400,
            "chat": {"id": 4242, "type": "private", "first_name": f"Ada {LONE}"},
            "from": {"id": 4242, "is_bot": False, "first_name": f"Ada {LONE}"},
            "text": f"Salami {LONE}",
        },
    }
    assert (await telegram(shop, json.dumps(update).encode())).status == 200
    store = shop.app[CONTEXT].runtime.store
    for _ in range(200):
        log = await store.log("pizza:telegram:4242", 0)
        if log:
            break
        await _tick()
    assert log[0]["text"] == "Salami \ufffd"
    no_tracebacks(caplog)


async def _tick() -> None:
    await asyncio.sleep(0.02)


# The admin API ----------------------------------------------------------------------------------
ADMIN_HEADERS = {"Authorization": f"Bearer {ADMIN}"}


@pytest.mark.parametrize(
    ("number", "status"),
    [
        ("1" * 40, 404),  # an integer SQLite cannot hold: it raised OverflowError, a 500
        ("9" * 5000, 404),  # beyond what int() reads from text by default
        ("\uff11\uff10\uff10\uff11", 400),  # full-width 1001: not an order number
        ("\u0661\u0660\u0660\u0661", 400),  # Arabic-Indic 1001
    ],
)
async def test_the_admin_api_reads_order_numbers_strictly(
    shop: TestClient, caplog: pytest.LogCaptureFixture, number: str, status: int
) -> None:
    response = await shop.get(f"/admin/orders/pizza/{number}", headers=ADMIN_HEADERS)
    await error_of(response, status)
    action = await shop.post(f"/admin/orders/pizza/{number}/refund", json={}, headers=ADMIN_HEADERS)
    await error_of(action, status)
    no_tracebacks(caplog)


@pytest.mark.parametrize("query", ["limit=\uff15\uff10", "limit=" + "9" * 40])
async def test_the_admin_api_reads_limits_strictly(shop: TestClient, query: str) -> None:
    response = await shop.get(f"/admin/orders?{query}", headers=ADMIN_HEADERS)
    assert "limit" in await error_of(response)


async def test_undelivered_reads_after_strictly(shop: TestClient) -> None:
    wide = await shop.get("/admin/undelivered", params={"after": "\uff11"}, headers=ADMIN_HEADERS)
    assert "digits 0-9" in await error_of(wide)
    huge = await shop.get("/admin/undelivered", params={"after": "9" * 40}, headers=ADMIN_HEADERS)
    assert await huge.json() == {"undelivered": []}


def test_full_width_digits_are_not_an_amount() -> None:
    for written in ("\uff12.\uff15\uff10", "\u0662.\u0665\u0660", "2.50\u00a0", "1_000"):
        with pytest.raises(BadRequest, match="digits 0-9"):
            parse_amount(written, "EUR")
    assert parse_amount("2.50", "EUR") == 250
    assert parse_amount(3, "EUR") == 300
