"""Pages tell browsers what they may do; the chat's socket and the metrics are not for anyone.

The attacks: another site frames the chat or the checkout page (clickjacking) or loads a script
into it; another site's page opens a customer's chat socket in the background (cross-site
WebSocket hijacking: the browser sends the page's Origin, and Theke did not look at it); a
stranger reads `/metrics` (which bots run, how busy the shop is); and a 503 that showed the
caller the store's internal address (`redis://10.0.0.5:6379/0`).
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestClient, TestServer

from framework.app import create_app
from framework.edge.metrics import MetricsSetupError
from framework.flows import load_bot
from framework.stores.memory.orders import MemoryOrders
from framework.stores.memory.sessions import MemoryStore
from framework.stores.order_store import OrderStore
from framework.stores.redis.sessions import RedisStore
from framework.stores.session_store import Store
from framework.workspace import PaymentSettings, Workspace, read_workspace
from tests.payments.rest import say
from tests.runtime.processes import free_port

ROOT = Path(__file__).resolve().parents[2]
PIZZA = ROOT / "bots" / "pizza"
FRIDAY_EVENING = 1795802400.0
ADMIN = "admin-key-for-tests"
ORDER = ["2 große Salami und eine Cola", "keine", "nein", "liefern", "Weserstraße 5, 12047 Berlin"]
SHOP_SITE = "https://www.pizzeria-napoli.example"


async def serve(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, store: Store | None = None, **settings: Any
) -> TestClient:
    monkeypatch.setenv("T_ADMIN", ADMIN)
    sessions = store or MemoryStore()

    async def open_store() -> Store:
        return sessions

    async def open_orders() -> OrderStore:
        return MemoryOrders()

    workspace = Workspace(root=tmp_path, bots=(PIZZA,), admin_key="env:T_ADMIN", **settings)
    app = create_app(
        workspace,
        {"pizza": load_bot(PIZZA)},
        store=open_store,
        orders=open_orders,
        clock=lambda: FRIDAY_EVENING,
    )
    client = TestClient(TestServer(app))
    await client.start_server()
    return client


@pytest.fixture
async def shop(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[TestClient]:
    client = await serve(tmp_path, monkeypatch)
    yield client
    await client.close()


async def checkout_path(client: TestClient) -> str:
    for text in ORDER:
        await say(client, text)
    [reply] = await say(client, "ja")
    return re.sub(r"^https?://[^/]+", "", reply["custom"]["url"])


def policy(response: Any) -> dict[str, str]:
    csp = response.headers["Content-Security-Policy"]
    return {part.split(" ", 1)[0]: part.partition(" ")[2] for part in csp.split("; ")}


def assert_protected(response: Any) -> None:
    headers = response.headers
    assert headers["X-Content-Type-Options"] == "nosniff", response.url
    assert headers["Referrer-Policy"] == "no-referrer", response.url
    assert headers["X-Frame-Options"] == "DENY", response.url
    csp = policy(response)
    assert csp["default-src"] == "'none'"
    assert csp["script-src"] == "'self'"
    assert csp["frame-ancestors"] == "'none'"
    assert "'unsafe-inline'" not in response.headers["Content-Security-Policy"]


# Every page -------------------------------------------------------------------------------------
async def test_every_page_and_answer_carries_the_security_headers(shop: TestClient) -> None:
    pages = ["/chat/pizza", "/paid/pizza", await checkout_path(shop)]
    others = ["/", "/health", "/webhooks/rest/", "/static/webchat/webchat.js", "/nowhere"]
    for path in pages:
        response = await shop.get(path, allow_redirects=False)
        assert response.status == 200 and response.content_type == "text/html", path
        assert_protected(response)
        html = await response.text()
        nonces = set(re.findall(r'<style nonce="([^"]+)"', html))
        styles = html.count("<style")
        assert len(nonces) == (1 if styles else 0), path  # every inline style has the nonce
        if nonces:
            assert f"'nonce-{nonces.pop()}'" in policy(response)["style-src"]
    for path in others:
        assert_protected(await shop.get(path, allow_redirects=False))


async def test_the_nonce_is_new_for_every_answer(shop: TestClient) -> None:
    first = policy(await shop.get("/paid/pizza"))["style-src"]
    second = policy(await shop.get("/paid/pizza"))["style-src"]
    assert first != second


async def test_an_answer_without_a_page_allows_no_inline_style(shop: TestClient) -> None:
    body = {"sender": "ada", "message": "hallo", "message_id": "m1"}
    response = await shop.post("/webhooks/rest/webhook", json=body)
    assert response.status == 200
    assert_protected(response)
    assert policy(response)["style-src"] == "'self'"  # no nonce made: nothing inline allowed


async def test_a_shop_site_may_frame_the_chat_when_the_workspace_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = await serve(tmp_path, monkeypatch, frame_ancestors=(SHOP_SITE,))
    try:
        response = await client.get("/chat/pizza")
        assert policy(response)["frame-ancestors"] == SHOP_SITE
        assert "X-Frame-Options" not in response.headers
    finally:
        await client.close()


# The chat's socket ------------------------------------------------------------------------------
async def socket_status(client: TestClient, origin: str | None) -> int:
    headers = {"Origin": origin} if origin else {}
    try:
        async with client.ws_connect("/chat/pizza/ws?customer=origin-test-1", headers=headers):
            return 101
    except aiohttp.WSServerHandshakeError as refused:
        return refused.status


async def test_another_sites_page_cannot_open_the_chat_socket(shop: TestClient) -> None:
    own = f"http://{shop.host}:{shop.port}"
    assert await socket_status(shop, "https://evil.example") == 403
    assert await socket_status(shop, f"http://{shop.host}:{shop.port + 1}") == 403
    assert await socket_status(shop, "null") == 403  # a sandboxed frame or a file: page
    assert await socket_status(shop, own) == 101
    assert await socket_status(shop, None) == 101  # not a browser page: nothing to protect
    refused = await shop.get(
        "/chat/pizza/ws?customer=origin-test-1",
        headers={"Origin": "https://evil.example", "Connection": "Upgrade", "Upgrade": "websocket"},
    )
    assert "server.allowed_origins" in (await refused.json())["error"]


async def test_origins_the_workspace_allows_may_open_the_chat(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = await serve(
        tmp_path,
        monkeypatch,
        allowed_origins=(SHOP_SITE,),
        public_url="https://chat.pizzeria-napoli.example",
        payments=PaymentSettings(provider="sandbox"),
    )
    try:
        assert await socket_status(client, SHOP_SITE) == 101
        assert await socket_status(client, "https://chat.pizzeria-napoli.example") == 101
        assert await socket_status(client, "https://evil.example") == 403
    finally:
        await client.close()


def test_allowed_origins_are_read_from_flows_yaml(tmp_path: Path) -> None:
    (tmp_path / "flows.yaml").write_text(
        f"bots: [{PIZZA}]\nserver:\n  allowed_origins: [{SHOP_SITE}]\n"
        f"  frame_ancestors: [{SHOP_SITE}]\n  metrics: 127.0.0.1:9100\n"
    )
    workspace, problems = read_workspace(tmp_path)
    assert problems == [] and workspace is not None
    assert workspace.allowed_origins == workspace.frame_ancestors == (SHOP_SITE,)
    assert workspace.metrics == "127.0.0.1:9100"
    (tmp_path / "flows.yaml").write_text(f"bots: [{PIZZA}]\nserver:\n  metrics: public\n")
    assert read_workspace(tmp_path)[0] is None


# Metrics ----------------------------------------------------------------------------------------
async def test_metrics_need_the_admin_key(shop: TestClient) -> None:
    assert (await shop.get("/metrics")).status == 403
    wrong = await shop.get("/metrics", headers={"Authorization": "Bearer guessed"})
    assert wrong.status == 403
    right = await shop.get("/metrics", headers={"Authorization": f"Bearer {ADMIN}"})
    assert right.status == 200 and "theke_turns" in await right.text()


async def test_metrics_on_an_address_of_their_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    port = free_port()
    client = await serve(tmp_path, monkeypatch, metrics=f"127.0.0.1:{port}")
    try:
        assert (await client.get("/metrics")).status == 404  # not on the public port at all
        async with (
            aiohttp.ClientSession() as session,
            session.get(f"http://127.0.0.1:{port}/metrics") as private,
        ):
            assert private.status == 200 and "theke_turns" in await private.text()
    finally:
        await client.close()


def test_a_metrics_setting_that_is_no_address_stops_the_start(tmp_path: Path) -> None:
    workspace = Workspace(root=tmp_path, bots=(PIZZA,), metrics="everyone")
    with pytest.raises(MetricsSetupError, match="neither admin nor host:port"):
        create_app(workspace, {"pizza": load_bot(PIZZA)})


# Error bodies -----------------------------------------------------------------------------------
async def test_errors_never_show_the_stores_address(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    address = f"127.0.0.1:{free_port()}"  # nothing listens: the store is down
    down = RedisStore.from_url(f"redis://{address}/0")
    client = await serve(tmp_path, monkeypatch, store=down)
    try:
        ready = await client.get("/ready")
        assert ready.status == 503
        message = await client.post("/webhooks/rest/webhook", json={"sender": "a", "message": "x"})
        assert message.status == 503
        for response in (ready, message):
            body = await response.text()
            assert address not in body and "redis" not in body.lower(), body
        assert (await message.json())["error"] == "temporarily unavailable: try again shortly"
    finally:
        await client.close()
