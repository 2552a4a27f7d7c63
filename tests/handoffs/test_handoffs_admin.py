"""The handoff's admin API: the queue, a claim race over HTTP (one 200, one 409 naming the
holder), the person's words, the hand back; refusals with their status and reason."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import quote

import pytest
from aiohttp.test_utils import TestClient

from tests.handoffs.test_handoff_served import BOT, NOON, later, say
from tests.served import served

KEY = "admin-key-for-handoffs-0123456789"
AUTH = {"Authorization": f"Bearer {KEY}"}
ADA = quote("shop:rest:ada", safe="")


@pytest.fixture
async def shop(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[TestClient]:
    monkeypatch.setenv("THEKE_ADMIN_KEY", KEY)
    async with served(tmp_path / "shop", BOT, NOON) as client:
        yield client


async def test_two_agents_race_one_wins_writes_and_hands_back(shop: TestClient) -> None:
    await say(shop, "ada", "order")
    await say(shop, "ada", "I want to talk to a person")
    listed = await (await shop.get("/admin/handoffs", headers=AUTH)).json()
    assert [(h["session"], h["state"]) for h in listed["handoffs"]] == [("shop:rest:ada", "queued")]
    url = f"/admin/handoffs/shop/{ADA}"
    claims = [
        shop.post(f"{url}/claim", json={"agent": agent}, headers=AUTH) for agent in ("anna", "ben")
    ]
    responses = await asyncio.gather(*claims)
    assert sorted(r.status for r in responses) == [200, 409]
    [won] = [r for r in responses if r.status == 200]
    winner = (await won.json())["agent"]
    loser = next(r for r in responses if r.status == 409)
    assert winner in (await loser.json())["error"]
    said = await shop.post(f"{url}/say", json={"agent": winner, "text": "Hi!"}, headers=AUTH)
    assert said.status == 200
    back = await shop.post(f"{url}/return", json={"agent": winner}, headers=AUTH)
    assert (await back.json())["state"] == "returned"
    heard = await later(shop, "ada", "Which size?", "You're back")
    assert heard[-3:] == ["Hi!", "You're back with the bot.", "Which size?"]


async def test_refusals(shop: TestClient) -> None:
    url = f"/admin/handoffs/shop/{ADA}"
    assert (await shop.get("/admin/handoffs")).status == 403
    nobody = await shop.post(f"{url}/claim", json={"agent": "anna"}, headers=AUTH)
    assert nobody.status == 404
    await say(shop, "ada", "I want to talk to a person")
    for body, status in [
        ({}, 400),
        ({"agent": ""}, 400),
        ({"agent": "x" * 65}, 400),
        ({"agent": "\x1b[2J"}, 409),
    ]:
        response = await shop.post(f"{url}/claim", json=body, headers=AUTH)
        assert response.status == status, body
    odd = await shop.post(f"{url}/shout", json={"agent": "anna"}, headers=AUTH)
    assert odd.status == 400
    unheld = await shop.post(f"{url}/say", json={"agent": "anna", "text": "hi"}, headers=AUTH)
    assert unheld.status == 409 and "claim it first" in (await unheld.json())["error"]


async def test_what_the_person_corrects_is_what_the_bot_goes_on_with(shop: TestClient) -> None:
    await say(shop, "ada", "order")
    await say(shop, "ada", "I want to talk to a person")
    url = f"/admin/handoffs/shop/{ADA}"
    await shop.post(f"{url}/claim", json={"agent": "anna"}, headers=AUTH)
    changed = {"agent": "anna", "slots": {"size": "family size", "nosuchslot": "x"}}
    assert (await shop.post(f"{url}/slots", json=changed, headers=AUTH)).status == 200
    bad = {"agent": "anna", "slots": "size=large"}
    assert (await shop.post(f"{url}/slots", json=bad, headers=AUTH)).status == 400
    await shop.post(f"{url}/return", json={"agent": "anna"}, headers=AUTH)
    heard = await later(shop, "ada", "Size family size it is.", "You're back")
    assert heard[-2:] == ["You're back with the bot.", "Size family size it is."]
