"""The inbox's tickets tab: open and pending tickets first, a ticket with its history; a reply
reaches the customer's channel, an internal note never does, solving is told; a change without
the CSRF token changes nothing."""

from __future__ import annotations

from collections.abc import Callable

from aiohttp.test_utils import TestClient

from framework.stores.tickets import NewTicket
from framework.tickets.web import TICKETS
from tests.handoffs.test_handoff_served import later
from tests.inbox.conftest import NOON, Browser, say

TICKET = "/inbox/tickets/shop/1001"


async def _tickets(shop: TestClient) -> None:
    tickets = shop.server.app[TICKETS]
    for subject in ("Box arrived <b>crushed</b>", "Invoice address"):
        new = NewTicket(
            bot="shop", subject=subject, conversation="shop:rest:ada", slots={"size": "L"}
        )
        await tickets.open(new, NOON)
    await tickets.move("shop", 1002, "solved", "ben")


async def test_the_list_puts_open_tickets_first_and_a_ticket_shows_its_history(
    shop: TestClient, open_browser: Callable[[], Browser]
) -> None:
    await _tickets(shop)
    anna = open_browser()
    await anna.sign_in("anna")
    listed = await (await anna.session.get(anna.url("/inbox/tickets"))).text()
    assert listed.index("#1001") < listed.index("#1002")
    assert "Box arrived &lt;b&gt;crushed&lt;/b&gt;" in listed
    page = await (await anna.session.get(anna.url(TICKET))).text()
    assert "What the bot collected" in page and "<dd>L</dd>" in page
    for button in ("Send reply", "Add note", "Solve", "Close", "Waiting for the customer"):
        assert button in page
    assert (await anna.session.get(anna.url("/inbox/tickets/shop/9999"))).status == 404


async def test_a_reply_reaches_the_customer_and_a_note_does_not(
    shop: TestClient, open_browser: Callable[[], Browser]
) -> None:
    assert await say(shop, "ada", "order") == ["Which size?"]
    await _tickets(shop)
    anna = open_browser()
    await anna.sign_in("anna")
    refused = await anna.post(f"{TICKET}/reply", {"text": "forged"}, csrf=False, json=False)
    assert refused.status == 403
    note = await anna.post(f"{TICKET}/note", {"text": "customer sounded upset"}, json=False)
    assert (note.status, note.headers["Location"]) == (303, TICKET)
    reply = await anna.post(f"{TICKET}/reply", {"text": "A new box is on its way."}, json=False)
    assert reply.status == 303
    solved = await anna.post(f"{TICKET}/solved", json=False)
    assert solved.status == 303
    solved_text = "Your ticket 1001 is solved. If it isn't, just reply here."
    heard = await later(shop, "ada", solved_text, "News on your ticket 1001")
    assert heard[-1] == solved_text
    told = "\n".join(heard)
    assert "News on your ticket 1001:\nA new box is on its way." in told
    assert "upset" not in told and "forged" not in told
    ticket = await shop.server.app[TICKETS].store.get("shop", 1001)
    assert ticket is not None and ticket.status == "solved"
    assert [(e.text, e.public) for e in ticket.history if e.kind == "comment"] == [
        ("customer sounded upset", False),
        ("A new box is on its way.", True),
    ]
    page = await (await anna.session.get(anna.url(TICKET))).text()
    assert "internal note" in page
    backwards = await anna.post(f"{TICKET}/open", json=False)
    assert backwards.status == 409  # statuses move forward only: the page says why
