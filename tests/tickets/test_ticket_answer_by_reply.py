"""The technician asks, the customer just answers: bots/pc_support takes a reply to a ticket
waiting for the customer (pending) as the answer — the ticket gets it as the customer's comment
and opens again — instead of "I couldn't match that to a problem"."""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from framework.stores.tickets import CUSTOMER, OPEN, PENDING, NewTicket
from framework.tickets.web import TICKETS
from tests.served import everything_said, say, served_bot

PC_SUPPORT = Path(__file__).resolve().parents[2] / "bots" / "pc_support"
NOON = datetime(2026, 11, 27, 12, 0, tzinfo=ZoneInfo("Europe/Berlin")).timestamp()


async def test_a_reply_to_a_pending_ticket_is_its_answer(tmp_path: Path) -> None:
    async with served_bot(PC_SUPPORT, tmp_path, lambda: NOON) as client:
        await say(client, "ada", "Hallo")  # the conversation the ticket came from
        tickets = client.server.app[TICKETS]
        ticket = await tickets.open(
            NewTicket(
                bot="pc_support", subject="Drucker druckt leer", conversation="pc_support:rest:ada"
            )
        )
        await tickets.move("pc_support", ticket.number, PENDING, "anna")
        for _ in range(200):  # the bot's ticket_pending text (bots/pc_support/bot.yaml)
            if any("noch etwas von dir" in t for t in await everything_said(client, "ada")):
                break
            await asyncio.sleep(0.02)
        else:
            raise AssertionError(f"not told: {await everything_said(client, 'ada')}")
        replies = await say(client, "ada", "Es ist ein HP Deskjet 2720, gekauft 2021")
        assert replies == [
            f"Danke, steht jetzt in deinem Ticket Nr. {ticket.number}. Der Techniker meldet sich."
        ]
        kept = await tickets.store.get("pc_support", ticket.number)
        assert kept is not None and kept.status == OPEN
        said = [(event.by, event.text) for event in kept.history if event.kind == "comment"]
        assert said == [(CUSTOMER, "Es ist ein HP Deskjet 2720, gekauft 2021")]


async def test_without_a_pending_ticket_the_reply_is_no_answer(tmp_path: Path) -> None:
    async with served_bot(PC_SUPPORT, tmp_path, lambda: NOON) as client:
        await say(client, "ben", "Hallo")
        replies = await say(client, "ben", "Es ist ein HP Deskjet 2720, gekauft 2021")
        assert not any("Ticket" in reply for reply in replies)
        assert (await client.server.app[TICKETS].store.list("pc_support")) == []
