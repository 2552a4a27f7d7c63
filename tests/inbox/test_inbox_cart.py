"""The agent inbox's cart form on a held pizza order: the agent who holds the conversation adds
an item with options, changes a line's quantity and removes a line (quantity 0); the page shows
the cart's numbered lines, and back with the bot the customer's summary has the change. A
change without the CSRF token, from an agent who does not hold the conversation or that the
catalog cannot take is refused and changes nothing."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient

from framework.channels.common import CONTEXT
from framework.handoffs.web import HANDOFFS
from framework.inbox import setup
from framework.inbox.auth import AGENTS
from framework.stores.agents import Agent
from tests.clocks import FRIDAY_EVENING
from tests.handoffs.test_handoff_served import later
from tests.inbox.conftest import PASSWORD, Browser, browsers, say
from tests.served import served_bot

PIZZA = Path(__file__).resolve().parents[2] / "bots" / "pizza"
ADA = "pizza:rest:ada"
PAGE = f"/inbox/c/pizza/{ADA}"
POLL = 0.25


@pytest.fixture
async def pizza(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[TestClient]:
    monkeypatch.setattr(setup, "POLL", POLL)  # the hub's look (2 s in a deployment)
    async with served_bot(PIZZA, tmp_path, lambda: FRIDAY_EVENING) as client:
        for name in ("anna", "ben"):
            await client.server.app[AGENTS].add(Agent(name=name), PASSWORD, FRIDAY_EVENING)
        yield client


@pytest.fixture
async def agents(pizza: TestClient) -> AsyncIterator[Callable[[], Browser]]:
    async with browsers(pizza) as make:
        yield make


async def held_by_anna(pizza: TestClient, agents: Callable[[], Browser]) -> Browser:
    await say(pizza, "ada", "2 große Salami ohne extras")
    await say(pizza, "ada", "Mitarbeiter")
    anna = agents()
    await anna.sign_in("anna")
    assert (await anna.post(f"{PAGE}/claim")).status == 200
    return anna


async def change(
    browser: Browser, form: list[tuple[str, str]], csrf: bool = True
) -> tuple[int, str]:
    headers = {"Accept": "application/json"}
    if csrf:
        headers["X-CSRF-Token"] = browser.csrf
    answer = await browser.session.post(
        browser.url(f"{PAGE}/cart"), data=form, headers=headers, allow_redirects=False
    )
    body = await answer.json()
    return answer.status, str(body.get("notice") or body.get("error"))


async def lines(pizza: TestClient) -> list[tuple[int, str, int]]:
    peeked = await pizza.server.app[CONTEXT].runtime.store.peek(ADA)
    assert peeked is not None
    return [
        (line["id"], line["item"], line["quantity"]) for line in peeked.session["cart"]["lines"]
    ]


async def test_the_holder_changes_the_cart_and_the_customer_hears_it(
    pizza: TestClient, agents: Callable[[], Browser]
) -> None:
    anna = await held_by_anna(pizza, agents)
    page = await (await anna.session.get(anna.url(PAGE))).text()
    assert "Add to cart" in page and '<option value="margherita">Margherita</option>' in page
    assert '<span class="cart__line">1.</span> 2× Salami (Groß)' in page
    add = [("item", "margherita"), ("options", "medium"), ("options", "cheese"), ("quantity", "2")]
    assert await change(anna, add) == (
        200,
        "Cart: 2× Margherita (Mittel, Extra Käse) added as line 2. "
        "The bot goes on from it once you hand the conversation back.",
    )
    assert (await change(anna, [("line", "1"), ("quantity", "1")]))[0] == 200
    assert (await change(anna, [("item", "cola")]))[0] == 200
    status, notice = await change(anna, [("line", "3"), ("quantity", "0")])
    assert (status, notice.split(".")[0]) == (200, "Cart: line 3 removed: 1× Cola 0,33 l")
    assert await lines(pizza) == [(1, "salami", 1), (2, "margherita", 2)]
    page = await (await anna.session.get(anna.url(PAGE))).text()
    assert '<span class="cart__line">2.</span> 2× Margherita (Mittel, Extra Käse)' in page
    assert (await anna.post(f"{PAGE}/return")).status == 200
    summary = (
        "1× Salami (Groß) – 12,50\xa0€\n2× Margherita (Mittel, Extra Käse) – 22,00\xa0€\n"
        "Summe: 34,50\xa0€\n\nNoch etwas dazu?"
    )
    assert (await later(pizza, "ada", summary, "Du schreibst wieder"))[-1] == summary


async def test_refused_changes_change_nothing(
    pizza: TestClient, agents: Callable[[], Browser]
) -> None:
    anna = await held_by_anna(pizza, agents)
    status, error = await change(anna, [("item", "margherita")], csrf=False)
    assert status == 403
    for form, reason in [
        ([("item", "margherita")], "Not changed: 'margherita' takes one size"),
        ([("item", "salami"), ("options", "large"), ("options", "tuna")], "'tuna' is not an"),
        ([("item", "cola"), ("quantity", "1000")], "the quantity must be from 1 to 99"),
        ([("line", "4"), ("quantity", "2")], "Not changed: the cart has no line 4"),
        ([("quantity", "2")], "Choose an item to add or a line of the cart to change."),
    ]:
        status, error = await change(anna, form)
        assert status == 400 and reason in error, (form, error)
    ben = agents()
    await ben.sign_in("ben")
    status, error = await change(ben, [("item", "cola")])
    assert status == 409 and "claim it first" in error
    assert "Add to cart" not in await (await ben.session.get(ben.url(PAGE))).text()
    assert await lines(pizza) == [(1, "salami", 2)]


async def test_a_page_hears_a_change_once_the_conversations_turn_applied_it(
    pizza: TestClient, agents: Callable[[], Browser]
) -> None:
    """As from another worker: the news is told here, applied by this worker's tick, and the
    state's change (no line in the log) is what the hub's look tells the page."""
    anna = await held_by_anna(pizza, agents)
    socket = await anna.session.ws_connect(anna.url("/inbox/live"), origin=anna.base)
    await socket.send_str(json.dumps({"watch": {"bot": "pizza", "session": ADA}}))
    await asyncio.sleep(POLL * 2)
    with contextlib.suppress(TimeoutError):  # what the looks told so far
        while True:
            await socket.receive(timeout=POLL * 2)
    await pizza.server.app[HANDOFFS].change_cart("pizza", ADA, "anna", {"add": {"item": "cola"}})
    heard: list[str] = []
    async with asyncio.timeout(3.0):
        while "message" not in heard:
            heard.append(json.loads((await socket.receive()).data)["what"])
    assert heard[0] == "changed" and await lines(pizza) == [(1, "salami", 2), (2, "cola", 1)]
    await socket.close()
