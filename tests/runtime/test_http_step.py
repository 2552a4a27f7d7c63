"""The `http:` step against a real web API (an aiohttp server on a socket), in the served app:
what the business's server receives, what goes into slots, retries only where repeating is
safe, failures into `on_error`, secrets from the environment, and a host no answer can change."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from framework.app import create_app
from framework.flows import load_bot
from framework.flows.language.reader import read_bot
from framework.stores.memory.sessions import MemoryStore
from framework.stores.session_store import Store
from framework.workspace import Workspace

NOON = 1796036400.0

BOT = """
name: shop
business: {{name: Shop, locale: en-GB, languages: [en], currency: EUR, timezone: Europe/Berlin}}
slots:
  item: {{type: text}}
  available: {{type: integer}}
  code: {{type: integer}}
  ticket: {{type: text}}
flows:
  stock:
    triggers: [stock]
    steps:
      - ask: item
        text: Which item?
      - http:
          url: "{api}/stock/{{{{ item }}}}?lang=en"
          headers: {{Authorization: "Bearer env:SHOP_API_TOKEN"}}
          retries: 2
        save: {{body.available: available, status: code}}
        on_error:
          - say: The stock list is not reachable.
          - end
      - say: "{{{{ available }}}} left ({{{{ code }}}})."
  complain:
    triggers: [complain]
    steps:
      - ask: item
        text: About which item?
      - http:
          method: POST
          url: "{api}/tickets"
          json: {{item: "{{{{ item }}}}", count: "{{{{ 2 }}}}", tags: [chat, "{{{{ item }}}}"]}}
          retries: 3
        save: {{body.ticket: ticket}}
        on_error:
          - say: No ticket today.
          - end
      - say: "Ticket {{{{ ticket }}}}."
  moved:
    triggers: [moved]
    steps:
      - http: {{url: "{api}/moved"}}
        save: {{status: code}}
      - say: "got {{{{ code }}}}"
"""


@dataclass
class Api:
    """The business's web API: records what it received; `fail` makes the next answers 503."""

    received: list[dict[str, Any]] = field(default_factory=list)
    fail: int = 0

    async def stock(self, request: web.Request) -> web.Response:
        item, query = request.match_info["item"], dict(request.query)
        self.received.append({"item": item, "query": query, "headers": dict(request.headers)})
        if self.fail:
            self.fail -= 1
            return web.Response(status=503)
        if request.match_info["item"] == "nothing":
            return web.json_response({"error": "unknown"}, status=404)
        return web.json_response({"available": 7, "item": request.match_info["item"]})

    async def tickets(self, request: web.Request) -> web.Response:
        self.received.append({"json": await request.json(), "headers": dict(request.headers)})
        if self.fail:
            self.fail -= 1
            return web.Response(status=503)
        return web.json_response({"ticket": "T-2041"}, status=201)

    async def moved(self, request: web.Request) -> web.Response:
        raise web.HTTPFound("http://169.254.169.254/latest/meta-data/")


@pytest.fixture
async def api() -> AsyncIterator[tuple[Api, str]]:
    state = Api()
    app = web.Application()
    app.router.add_get("/stock/{item}", state.stock)
    app.router.add_post("/tickets", state.tickets)
    app.router.add_get("/moved", state.moved)
    server = TestServer(app)
    await server.start_server()
    yield state, str(server.make_url("")).rstrip("/")
    await server.close()


@pytest.fixture
async def shop(
    tmp_path: Path, api: tuple[Api, str], monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[TestClient]:
    monkeypatch.setenv("SHOP_API_TOKEN", "s3cr3t-token")
    folder = tmp_path / "shop"
    folder.mkdir()
    (folder / "bot.yaml").write_text(BOT.format(api=api[1]), encoding="utf-8")
    bot = load_bot(folder)
    store = MemoryStore()

    async def opener() -> Store:
        return store

    app = create_app(
        Workspace(root=tmp_path, bots=(folder,)), {bot.name: bot}, store=opener, clock=lambda: NOON
    )
    client = TestClient(TestServer(app))
    await client.start_server()
    yield client
    await client.close()


async def say(client: TestClient, sender: str, text: str) -> list[str]:
    response = await client.post("/webhooks/rest/webhook", json={"sender": sender, "message": text})
    assert response.status == 200
    return [reply["text"] for reply in await response.json()]


async def test_a_get_reads_the_answer_into_slots(shop: TestClient, api: tuple[Api, str]) -> None:
    await say(shop, "ada", "stock")
    assert await say(shop, "ada", "Salami & Käse/2") == ["7 left (200)."]
    [call] = api[0].received
    assert (call["item"], call["query"]) == ("Salami & Käse/2", {"lang": "en"})  # one part
    assert call["headers"]["Authorization"] == "Bearer s3cr3t-token"


async def test_a_get_is_tried_again_after_a_5xx(shop: TestClient, api: tuple[Api, str]) -> None:
    api[0].fail = 2
    await say(shop, "bo", "stock")
    assert await say(shop, "bo", "olives") == ["7 left (200)."]
    assert len(api[0].received) == 3


async def test_a_post_sends_the_rendered_body_once_with_an_idempotency_key(
    shop: TestClient, api: tuple[Api, str]
) -> None:
    await say(shop, "cy", "complain")
    assert await say(shop, "cy", "cold pizza") == ["Ticket T-2041."]
    [call] = api[0].received
    assert call["json"] == {"item": "cold pizza", "count": 2, "tags": ["chat", "cold pizza"]}
    assert len(call["headers"]["Idempotency-Key"]) > 20


async def test_a_post_is_never_repeated_and_fails_into_on_error(
    shop: TestClient, api: tuple[Api, str]
) -> None:
    api[0].fail = 1
    await say(shop, "di", "complain")
    assert await say(shop, "di", "cold pizza") == ["No ticket today."]
    assert len(api[0].received) == 1


async def test_an_error_status_fails_into_on_error(shop: TestClient, api: tuple[Api, str]) -> None:
    await say(shop, "ed", "stock")
    assert await say(shop, "ed", "nothing") == ["The stock list is not reachable."]


async def test_a_missing_secret_fails_without_calling(
    shop: TestClient, api: tuple[Api, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SHOP_API_TOKEN")
    await say(shop, "fa", "stock")
    assert await say(shop, "fa", "olives") == ["The stock list is not reachable."]
    assert api[0].received == []


async def test_a_redirect_is_not_followed(shop: TestClient) -> None:
    assert await say(shop, "gi", "moved") == ["got 302"]


def test_a_template_in_the_host_is_refused(tmp_path: Path) -> None:
    source = BOT.format(api="https://{{ item }}.example.com")
    (tmp_path / "bot.yaml").write_text(source, encoding="utf-8")
    _bot, problems = read_bot(tmp_path)
    assert any("must start with http:// or https:// and a written host" in str(p) for p in problems)
