"""The HTTP surface: REST contract, web chat socket, health, readiness, metrics, bad input."""

from __future__ import annotations

import io
import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer

from framework.app import create_app
from framework.flows import load_bot
from framework.stores.memory.sessions import MemoryStore
from framework.stores.session_store import Store
from framework.workspace import Workspace

ROOT = Path(__file__).parent.parent
PIZZA = ROOT / "bots" / "pizza"
COUNTER = ROOT / "tests" / "runtime" / "bots" / "counter"
FRIDAY_EVENING = 1795802400.0  # 2026-11-27 19:00 in Berlin: the pizzeria is open


async def client_for(tmp_path: Path, *paths: Path, **settings: object) -> TestClient:
    bots = {bot.name: bot for bot in map(load_bot, paths)}
    store = MemoryStore()

    async def opener() -> Store:
        return store

    workspace = Workspace(root=tmp_path, bots=paths, **settings)  # type: ignore[arg-type]
    app = create_app(workspace, bots, store=opener, clock=lambda: FRIDAY_EVENING)
    client = TestClient(TestServer(app))
    await client.start_server()
    return client


@pytest.fixture
async def pizza(tmp_path: Path) -> AsyncIterator[TestClient]:
    client = await client_for(tmp_path, PIZZA)
    yield client
    await client.close()


async def test_health_readiness_and_status(pizza: TestClient) -> None:
    assert await (await pizza.get("/health")).json() == {"status": "ok"}
    assert await (await pizza.get("/ready")).json() == {"status": "ready", "payments": "sandbox"}
    assert await (await pizza.get("/webhooks/rest/")).json() == {"status": "ok"}


async def test_the_rest_channel_speaks_rasas_format(pizza: TestClient) -> None:
    response = await pizza.post(
        "/webhooks/rest/webhook",
        json={"sender": "ada", "message": "2 große Salami und eine Cola", "metadata": {}},
    )
    assert response.status == 200
    [reply] = await response.json()
    assert reply["recipient_id"] == "ada"
    assert "2× Salami (Groß) – 25,00\u00a0€" in reply["text"]  # the order so far, then:
    assert reply["text"].endswith("Für die Salami: Extras dazu? (z. B. Extra Käse) – oder „keine“.")
    assert {"title": "Keine Extras", "payload": "keine"} in reply["buttons"]
    [summary] = await (
        await pizza.post("/webhooks/rest/webhook", json={"sender": "ada", "message": "keine"})
    ).json()
    assert "Summe: 27,50\u00a0€" in summary["text"]


async def test_metrics_count_turns(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("T_ADMIN", "k3y")
    pizza = await client_for(tmp_path, PIZZA, admin_key="env:T_ADMIN")
    await pizza.post("/webhooks/rest/webhook", json={"sender": "ada", "message": "hallo"})
    text = await (await pizza.get("/metrics", headers={"Authorization": "Bearer k3y"})).text()
    await pizza.close()
    assert 'theke_turns_total{bot="pizza"} 1.0' in text
    assert "theke_turn_seconds_bucket" in text
    assert "theke_inbox_backlog" in text and "theke_active_sessions" in text


@pytest.mark.parametrize(
    ("body", "error"),
    [
        (b"{not json", "not valid JSON"),
        (b"[1, 2]", "must be a JSON object"),
        (b'{"message": "hi"}', "'sender'"),
        (b'{"sender": "", "message": "hi"}', "'sender'"),
        (b'{"sender": "ada", "message": 5}', "'message'"),
        (b'{"sender": "ada"}', "'message'"),
        (json.dumps({"sender": "a" * 500, "message": "hi"}).encode(), "longer than"),
        (b"\xff\xfe\x00garbage", "not valid JSON"),
    ],
)
async def test_bad_requests_get_a_clear_400(pizza: TestClient, body: bytes, error: str) -> None:
    response = await pizza.post(
        "/webhooks/rest/webhook", data=body, headers={"Content-Type": "application/json"}
    )
    assert response.status == 400
    assert error in (await response.json())["error"]


async def test_a_huge_body_is_refused_with_413(pizza: TestClient) -> None:
    body = json.dumps({"sender": "ada", "message": "x" * (10 * 1024 * 1024)}).encode()
    response = await pizza.post("/webhooks/rest/webhook", data=io.BytesIO(body))
    assert response.status == 413


async def test_one_flooding_customer_is_limited_and_others_are_not(tmp_path: Path) -> None:
    client = await client_for(tmp_path, COUNTER, burst=5, messages_per_minute=1)
    try:
        statuses = []
        for number in range(8):
            response = await client.post(
                "/webhooks/rest/webhook", json={"sender": "flood", "message": f"m{number}"}
            )
            statuses.append(response.status)
        assert statuses == [200] * 5 + [429] * 3
        assert int(response.headers["Retry-After"]) >= 1
        other = await client.post(
            "/webhooks/rest/webhook", json={"sender": "calm", "message": "hi"}
        )
        assert other.status == 200
    finally:
        await client.close()


async def test_several_bots_have_their_own_paths(tmp_path: Path) -> None:
    client = await client_for(tmp_path, PIZZA, COUNTER)
    try:
        ok = await client.post(
            "/bots/counter/webhooks/rest/webhook", json={"sender": "a", "message": "hi"}
        )
        assert (await ok.json())[0]["text"] == "Say something."
        unknown = await client.post(
            "/bots/sushi/webhooks/rest/webhook", json={"sender": "a", "message": "hi"}
        )
        assert unknown.status == 404
        assert "no bot 'sushi'" in (await unknown.json())["error"]
        assert (await client.post("/webhooks/rest/webhook", json={})).status in (404, 405)
        picker = await (await client.get("/")).text()
        assert "/chat/pizza" in picker and "/chat/counter" in picker
    finally:
        await client.close()


async def test_the_chat_page_shows_the_business(pizza: TestClient) -> None:
    page = await (await pizza.get("/chat/pizza")).text()
    assert "Pizzeria Napoli" in page
    assert "<dt>Dienstag</dt>" in page and "11:30–14:30, 17:00–22:30" in page
    assert (await pizza.get("/chat/sushi")).status == 404
    home = await pizza.get("/", allow_redirects=False)
    assert home.status == 302 and home.headers["Location"] == "/chat/pizza"


async def receive_until_idle(socket: object) -> list[dict]:
    messages = []
    while True:
        message = await socket.receive_json(timeout=5)  # type: ignore[attr-defined]
        messages.append(message)
        if message["type"] == "idle":
            return messages


async def test_the_chat_socket_streams_the_conversation_and_resumes(pizza: TestClient) -> None:
    url = "/chat/pizza/ws?customer=customer-0001&after=0"
    async with pizza.ws_connect(url) as socket:
        await socket.send_json({"type": "message", "id": "a1", "text": "2 große Salami"})
        messages = await receive_until_idle(socket)
    assert messages[0] == {"type": "typing"}
    entries = [m["entry"] for m in messages if m["type"] == "entry"]
    assert [(e["seq"], e["from"]) for e in entries] == [(1, "customer"), (2, "bot")]
    assert "Extras dazu?" in entries[1]["text"]
    async with pizza.ws_connect("/chat/pizza/ws?customer=customer-0001&after=1") as socket:
        resent = await socket.receive_json(timeout=5)
        assert resent["entry"]["seq"] == 2  # only what the page has not shown yet
        await socket.send_json({"type": "message", "id": "a1", "text": "2 große Salami"})
        again = await receive_until_idle(socket)
        assert [m for m in again if m["type"] == "entry"] == []  # a resent id is not a new turn


async def test_garbage_on_the_socket_gets_an_error_and_the_socket_lives_on(
    pizza: TestClient,
) -> None:
    async with pizza.ws_connect("/chat/pizza/ws?customer=customer-0002") as socket:
        for garbage in ("not json", "[]", '{"type": "message"}', '{"type": "message", "id": 1}'):
            await socket.send_str(garbage)
            error = await socket.receive_json(timeout=5)
            assert error["type"] == "error" and error["code"] == "bad_message"
        await socket.send_bytes(b"\x00\x01")
        await socket.send_json({"type": "message", "id": "ok", "text": "hallo"})
        messages = await receive_until_idle(socket)
        assert any(m["type"] == "entry" and m["entry"]["from"] == "bot" for m in messages)


async def test_a_bad_customer_id_is_refused(pizza: TestClient) -> None:
    response = await pizza.get("/chat/pizza/ws?customer=x")
    assert response.status == 400


async def test_a_socket_dropped_mid_turn_loses_nothing(pizza: TestClient) -> None:
    socket = await pizza.ws_connect("/chat/pizza/ws?customer=customer-0003")
    await socket.send_json({"type": "message", "id": "b1", "text": "eine Margherita"})
    await socket.close()
    async with pizza.ws_connect("/chat/pizza/ws?customer=customer-0003&after=0") as socket:
        first = await socket.receive_json(timeout=5)
        second = await socket.receive_json(timeout=5)
    assert first["entry"]["text"] == "eine Margherita"
    assert second["entry"]["text"].startswith("Welche Größe")
    assert socket.closed


def logged_text(caplog: pytest.LogCaptureFixture) -> str:
    return "\n".join(f"{r.getMessage()} {r.__dict__}" for r in caplog.records)


async def test_logs_never_carry_what_customers_write(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("DEBUG")
    client = await client_for(tmp_path, PIZZA)
    try:
        for text in ("2 große Salami", "keine", "nein", "liefern", "Geheimweg 7, 10115 Berlin"):
            await client.post(
                "/webhooks/rest/webhook", json={"sender": "+4915112345678", "message": text}
            )
    finally:
        await client.close()
    assert caplog.records, "the turns should have logged something"
    assert "Geheimweg" not in logged_text(caplog)
    assert "+4915112345678" not in logged_text(caplog)


async def test_debug_logging_includes_texts_on_purpose(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("DEBUG")
    client = await client_for(tmp_path, PIZZA, debug=True)
    try:
        await client.post(
            "/webhooks/rest/webhook", json={"sender": "ada", "message": "Geheimweg 7"}
        )
    finally:
        await client.close()
    assert "Geheimweg 7" in logged_text(caplog)
