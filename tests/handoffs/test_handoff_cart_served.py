"""The agent changes the cart of a held pizza order through the admin API
(`POST /admin/handoffs/{bot}/{session}/cart`): the customer's summary after the hand back shows
it, refusals are 400 saying why and send nothing, and another agent who does not hold the
conversation is refused."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from aiohttp.test_utils import TestClient

from framework.channels.common import CONTEXT
from tests.clocks import FRIDAY_EVENING
from tests.handoffs.test_handoff_served import later, say
from tests.served import served_bot

PIZZA = Path(__file__).resolve().parents[2] / "bots" / "pizza"
KEY = "admin-key-for-handoffs-0123456789"
AUTH = {"Authorization": f"Bearer {KEY}"}
ADA = "pizza:rest:ada"
URL = f"/admin/handoffs/pizza/{quote(ADA, safe='')}"
SUMMARY = "2× Salami (Groß) – 25,00\xa0€\nSumme: 25,00\xa0€\n\nNoch etwas dazu?"


@pytest.fixture
async def pizza(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[TestClient]:
    """Ada ordered two large salami and asked for a person; anna holds the conversation."""
    monkeypatch.setenv("THEKE_ADMIN_KEY", KEY)
    async with served_bot(PIZZA, tmp_path, lambda: FRIDAY_EVENING) as client:
        assert await say(client, "ada", "2 große Salami ohne extras") == [SUMMARY]
        await say(client, "ada", "Mitarbeiter")
        claimed = await client.post(f"{URL}/claim", json={"agent": "anna"}, headers=AUTH)
        assert claimed.status == 200
        yield client


async def cart(client: TestClient, agent: str, change: dict[str, Any]) -> tuple[int, Any]:
    answer = await client.post(f"{URL}/cart", json={"agent": agent, **change}, headers=AUTH)
    return answer.status, await answer.json()


async def test_the_customers_summary_shows_what_the_agent_changed(pizza: TestClient) -> None:
    add = {"item": "margherita", "options": ["medium", "cheese"], "quantity": 2}
    assert await cart(pizza, "anna", {"add": add}) == (
        200,
        {"sent": True, "change": "2× Margherita (Mittel, Extra Käse) added as line 2"},
    )
    status, answer = await cart(pizza, "anna", {"line": 1, "quantity": 1})
    assert (status, answer["change"]) == (200, "line 1 is now 1× Salami (Groß)")
    assert await cart(pizza, "anna", {"add": {"item": "cola"}}) == (
        200,
        {"sent": True, "change": "1× Cola 0,33 l added as line 3"},
    )
    assert (await cart(pizza, "anna", {"remove": 3}))[0] == 200
    await pizza.post(f"{URL}/return", json={"agent": "anna"}, headers=AUTH)
    summary = (
        "1× Salami (Groß) – 12,50\xa0€\n2× Margherita (Mittel, Extra Käse) – 22,00\xa0€\n"
        "Summe: 34,50\xa0€\n\nNoch etwas dazu?"
    )
    heard = await later(pizza, "ada", summary, "Du schreibst wieder")
    assert heard[-2:] == ["Du schreibst wieder mit dem Bot.", summary]


async def test_refusals_say_why_and_send_nothing(pizza: TestClient) -> None:
    for change, status, reason in [
        ({"add": {"item": "salamy"}}, 400, "'salamy' is not an item of the catalog"),
        ({"add": {"item": "salami", "options": ["huge"]}}, 400, "'huge' is not an option"),
        ({"add": {"item": "cola", "quantity": 0}}, 400, "the quantity must be from 1 to 99"),
        ({"line": 9, "quantity": 1}, 400, "the cart has no line 9 (its lines: 1)"),
        ({"remove": 1, "add": {"item": "cola"}}, 400, "a cart change is"),
        ({}, 400, "a cart change is"),
    ]:
        answer = await cart(pizza, "anna", change)
        assert answer[0] == status and reason in answer[1]["error"], (change, answer)
    status, answer = await cart(pizza, "ben", {"add": {"item": "cola"}})
    assert status == 409 and "ben does not hold this conversation" in answer["error"]
    peeked = await pizza.server.app[CONTEXT].runtime.store.peek(ADA)
    assert peeked is not None and len(peeked.session["cart"]["lines"]) == 1
    await pizza.post(f"{URL}/return", json={"agent": "anna"}, headers=AUTH)
    heard = await later(pizza, "ada", SUMMARY, "Du schreibst wieder")
    assert heard[-2:] == ["Du schreibst wieder mit dem Bot.", SUMMARY]  # nothing refused is in
    status, _ = await cart(pizza, "anna", {"add": {"item": "cola"}})
    assert status == 409  # handed back: nobody holds it
