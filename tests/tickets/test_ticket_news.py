"""The business works a ticket (answers it, solves it) and the customer hears of it in their
conversation; the business's webhooks hear ticket.created, .updated and .solved, signed; a
customer asks in the chat where their ticket stands, and only ever learns of their own."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from framework.events import EVENTS
from framework.tickets.web import TICKETS
from tests.fakes.signed_hooks import signed_hooks
from tests.served import served
from tests.tickets.test_ticket_step import BOT, NOON, say

SECRET = "whsec_ticket_events_0123456789abcdef0123456"


@pytest.fixture
async def receiver() -> AsyncIterator[tuple[list[dict[str, Any]], str]]:
    async with signed_hooks(SECRET, NOON) as hooks:
        yield hooks


@pytest.fixture
async def desk(
    tmp_path: Path, receiver: tuple[list[dict[str, Any]], str], monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[TestClient]:
    monkeypatch.setenv("DESK_HOOK_SECRET", SECRET)
    subscription = {"url": receiver[1], "secret": "env:DESK_HOOK_SECRET", "types": ["ticket.*"]}
    async with served(tmp_path / "helpdesk", BOT, NOON, events=(subscription,)) as client:
        yield client


async def open_ticket(client: TestClient, sender: str) -> None:
    await say(client, sender, "broken", f"{sender}-1")
    await say(client, sender, "my laptop", f"{sender}-2")
    await say(client, sender, f"{sender}@example.com", f"{sender}-3")


async def later_messages(client: TestClient, sender: str, count: int) -> list[str]:
    """What the bot said outside a turn, as a REST client polls for it."""
    url = f"/webhooks/rest/conversations/{sender}/messages"
    for _ in range(300):
        found = [m["text"] for m in await (await client.get(url)).json() if "ticket" in m["text"]]
        if len(found) >= count:
            return found
        await asyncio.sleep(0.02)
    return found


async def test_the_customer_hears_the_answer_and_the_solution_and_the_business_the_events(
    desk: TestClient, receiver: tuple[list[dict[str, Any]], str]
) -> None:
    await open_ticket(desk, "ada")
    tickets = desk.server.app[TICKETS]
    await tickets.reply("helpdesk", 1001, "anna", "Please hold the power button for 30 s.")
    await tickets.move("helpdesk", 1001, "solved", "anna")
    assert await later_messages(desk, "ada", 2) == [
        "News on your ticket 1001:\nPlease hold the power button for 30 s.",
        "Your ticket 1001 is solved. If it isn't, just reply here.",
    ]
    while await desk.server.app[EVENTS].deliver():
        pass
    events = receiver[0]
    assert [e["type"] for e in events] == ["ticket.created", "ticket.updated", "ticket.solved"]
    assert events[1]["data"]["text"] == "Please hold the power button for 30 s."
    assert events[2]["data"]["ticket"]["status"] == "solved"
    ticket = events[0]["data"]["ticket"]
    assert (ticket["number"], ticket["subject"]) == (1001, "my laptop is broken")
    assert "contact" not in ticket and "conversation" not in ticket  # as order events: no ids


async def test_a_customer_asks_for_their_ticket_and_learns_nothing_of_anothers(
    desk: TestClient,
) -> None:
    await open_ticket(desk, "ada")
    await desk.server.app[TICKETS].reply("helpdesk", 1001, "anna", "A new charger is on its way.")
    await say(desk, "ada", "how is my ticket", "ada-4")
    assert await say(desk, "ada", "1001", "ada-5") == [
        "Ticket 1001: open. A new charger is on its way."
    ]
    await say(desk, "eve", "how is my ticket", "eve-1")
    assert await say(desk, "eve", "1001", "eve-2") == ["I find no ticket 1001 of yours."]


async def test_after_stop_the_customer_still_hears_the_answer_to_their_ticket(
    desk: TestClient,
) -> None:
    """The answer to the customer's own ticket is no offer and no notification: a STOP does
    not keep it back, and the STOP's confirmation says so."""
    await open_ticket(desk, "ada")
    [stopped] = await say(desk, "ada", "stop", "ada-stop")
    assert "You'll only still hear from us about your own orders, bookings and requests" in (
        stopped
    )
    await desk.server.app[TICKETS].reply("helpdesk", 1001, "anna", "Hold the power button.")
    assert await later_messages(desk, "ada", 1) == [
        "News on your ticket 1001:\nHold the power button."
    ]
