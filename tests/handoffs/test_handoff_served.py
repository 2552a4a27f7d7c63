"""A person takes a served conversation over: the customer hears their place in the queue, the
bot goes on helping while they wait and is silent while a person holds the conversation, of two
agents who claim at once one wins, the agent's words reach the customer, and back with the bot
the flow goes on where it stopped; a flow's `handoff:` step waits for the hand back; outside
the business's hours the customer is offered something else at once."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient

from framework.app import look_after_handoffs
from framework.edge.metrics import METRICS
from framework.handoffs.web import HANDOFFS
from framework.stores.handoffs import HandoffTaken
from tests.served import served

NOON = 1796036400.0  # 2026-11-30 12:00 UTC, a Monday
BOT = """
name: shop
business:
  name: Shop
  locale: en-GB
  languages: [en]
  currency: EUR
  timezone: Europe/Berlin
  hours: {mon: ["09:00-18:00"], tue: ["09:00-18:00"]}
slots:
  size: {type: text}
  note: {type: text}
flows:
  order:
    triggers: [order]
    steps:
      - ask: size
        text: Which size?
      - say: "Size {{ size }} it is."
  special:
    triggers: [special request]
    steps:
      - handoff: {reason: special request}
      - ask: note
        text: Anything else for the kitchen?
"""
SESSION = "shop:rest:{}"


@pytest.fixture
async def shop(tmp_path: Path) -> AsyncIterator[TestClient]:
    async with served(tmp_path / "shop", BOT, NOON) as client:
        yield client


async def say(client: TestClient, sender: str, text: str) -> list[str]:
    response = await client.post("/webhooks/rest/webhook", json={"sender": sender, "message": text})
    assert response.status == 200, await response.text()
    return [reply["text"] for reply in await response.json()]


async def later(client: TestClient, sender: str, last: str, after: str) -> list[str]:
    """Everything said in the conversation, as a REST client polls for it, once `after` was
    said and then `last`."""
    said: list[str] = []
    for _ in range(300):
        url = f"/webhooks/rest/conversations/{sender}/messages"
        said = [m["text"] for m in await (await client.get(url)).json()]
        if said and said[-1] == last and any(text.startswith(after) for text in said):
            return said
        await asyncio.sleep(0.02)
    return said


async def heard(client: TestClient, sender: str, start: str) -> None:
    """Waits until the conversation's messages hold one that starts with `start`."""
    url = f"/webhooks/rest/conversations/{sender}/messages"
    for _ in range(300):
        said = [m["text"] for m in await (await client.get(url)).json()]
        if any(text.startswith(start) for text in said):
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"{sender} never heard {start!r}")


async def test_a_person_takes_over_and_hands_back(shop: TestClient) -> None:
    handoffs = shop.server.app[HANDOFFS]
    assert await say(shop, "ada", "order") == ["Which size?"]
    assert await say(shop, "ada", "I want to talk to a person") == [
        "I'm getting a colleague for you – one moment, please. Until then I'm happy to help.",
        "Which size?",
    ]
    ada = SESSION.format("ada")
    claims = [handoffs.claim("shop", ada, agent) for agent in ("anna", "ben")]
    results = await asyncio.gather(*claims, return_exceptions=True)
    assert sorted(type(r).__name__ for r in results) == ["Handoff", "HandoffTaken"]
    winner = next(r for r in results if not isinstance(r, HandoffTaken))
    await handoffs.say("shop", ada, winner.agent, "Yes, all our sizes are vegan.")
    assert await say(shop, "ada", "is the large one big enough for two?") == []  # theirs now
    await handoffs.end("shop", ada, winner.agent, "returned")
    heard = await later(shop, "ada", "Which size?", "You're back")
    assert heard[-4:] == [
        f"{winner.agent} is with you now.",
        "Yes, all our sizes are vegan.",
        "You're back with the bot.",
        "Which size?",
    ]
    assert "You are number 1 in the queue" in heard[-5]
    assert await say(shop, "ada", "large") == ["Size large it is."]


async def test_a_handoff_step_waits_for_the_hand_back_then_the_flow_goes_on(
    shop: TestClient,
) -> None:
    handoffs = shop.server.app[HANDOFFS]
    await say(shop, "bo", "special request")
    bo = SESSION.format("bo")
    await handoffs.claim("shop", bo, "anna")
    await handoffs.end("shop", bo, "anna", "returned")
    heard = await later(shop, "bo", "Anything else for the kitchen?", "You're back")
    assert heard[-2:] == ["You're back with the bot.", "Anything else for the kitchen?"]


async def test_outside_the_hours_the_customer_is_told_at_once(tmp_path: Path) -> None:
    evening = NOON + 8 * 3600  # 21:00 in Berlin
    async with served(tmp_path / "shop", BOT, evening) as client:
        [reply] = await say(client, "cy", "human")
        assert reply.startswith("Nobody from our team is here right now.")
        assert await client.server.app[HANDOFFS].store.get("shop", SESSION.format("cy")) is None
        assert await say(client, "cy", "order") == ["Which size?"]  # the bot still serves


async def test_while_waiting_the_bot_goes_on_helping_and_never_mind_leaves_the_queue(
    shop: TestClient,
) -> None:
    await say(shop, "di", "human")
    assert await say(shop, "di", "order") == ["Which size?"]
    store = shop.server.app[HANDOFFS].store
    assert (await store.get("shop", SESSION.format("di"))) is not None  # still waiting
    assert await say(shop, "di", "never mind") == [
        "All right, I'll carry on with you then.",
        "Which size?",
    ]
    assert await store.get("shop", SESSION.format("di")) is None


async def test_nobody_in_time_is_said_and_the_bot_serves_on(shop: TestClient) -> None:
    await say(shop, "ed", "order")
    await say(shop, "ed", "I want to talk to a person")
    assert await shop.server.app[HANDOFFS].time_out("shop", wait=-1.0) == 1  # the clock stands
    heard = await later(shop, "ed", "Which size?", "Sorry, nobody is free")
    assert any(text.startswith("Sorry, nobody is free right now.") for text in heard)
    assert await say(shop, "ed", "large") == ["Size large it is."]


async def test_the_queue_and_the_wait_are_measured(shop: TestClient) -> None:
    app = shop.server.app
    await say(shop, "fe", "I want to talk to a person")
    await say(shop, "gu", "I want to talk to a person")
    await look_after_handoffs(app[HANDOFFS], {"shop": object()}, app[METRICS])  # what the loop does
    sample = app[METRICS].registry.get_sample_value
    assert sample("theke_handoffs", {"bot": "shop", "state": "queued"}) == 2
    await app[HANDOFFS].claim("shop", SESSION.format("fe"), "anna")
    await later(shop, "fe", "anna is with you now.", "anna is with you now.")
    assert sample("theke_handoff_wait_seconds_count") == 1
    assert sample("theke_records_total", {"bot": "shop", "record": "human_requested"}) == 2


async def test_metrics_count_handoffs_by_reason_and_by_how_they_ended(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("T_ADMIN", "k3y")
    async with served(tmp_path / "shop", BOT, NOON, admin_key="env:T_ADMIN") as client:
        handoffs = client.server.app[HANDOFFS]
        for sender, text, end in (
            ("ha", "I want to talk to a person", "returned"),
            ("io", "special request", "closed"),
            ("ju", "special request", "returned"),
        ):
            await say(client, sender, text)
            await handoffs.claim("shop", SESSION.format(sender), "anna")
            await handoffs.end("shop", SESSION.format(sender), "anna", end)
            told = "You're back with the bot." if end == "returned" else "Thanks for the chat!"
            await heard(client, sender, told)
        metrics = client.get("/metrics", headers={"Authorization": "Bearer k3y"})
        text = await (await metrics).text()
    for sample in (
        'theke_handoff_requests_total{bot="shop",reason="asked for a person"} 1.0',
        'theke_handoff_requests_total{bot="shop",reason="special request"} 2.0',
        'theke_handoff_ends_total{bot="shop",outcome="returned"} 2.0',
        'theke_handoff_ends_total{bot="shop",outcome="closed"} 1.0',
        "theke_handoff_wait_seconds_count 3.0",
    ):
        assert sample in text, sample
