"""The admin API for tickets: list and show with the admin key only, reply / note / status as
an agent, refusals as 404, 409 and 400 with the reason, hostile input refused cleanly."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient

from tests.served import served
from tests.tickets.test_ticket_news import later_messages, open_ticket
from tests.tickets.test_ticket_step import BOT, NOON

KEY = "admin-key-for-tickets-0123456789"
AUTH = {"Authorization": f"Bearer {KEY}"}


@pytest.fixture
async def desk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[TestClient]:
    monkeypatch.setenv("THEKE_ADMIN_KEY", KEY)
    async with served(tmp_path / "helpdesk", BOT, NOON) as client:
        yield client


async def test_an_agent_answers_and_solves_through_the_api(desk: TestClient) -> None:
    await open_ticket(desk, "ada")
    assert (await desk.get("/admin/tickets")).status == 403
    listed = await (await desk.get("/admin/tickets?status=open", headers=AUTH)).json()
    assert [(t["number"], t["status"]) for t in listed["tickets"]] == [(1001, "open")]
    url = "/admin/tickets/helpdesk/1001"
    reply = {"agent": "anna", "text": "Bitte den Akku 30 s ausbauen."}
    response = await desk.post(f"{url}/reply", json=reply, headers=AUTH)
    assert response.status == 200
    solved = await desk.post(
        f"{url}/status", json={"agent": "anna", "status": "solved"}, headers=AUTH
    )
    assert (await solved.json())["status"] == "solved"
    shown = await (await desk.get(url, headers=AUTH)).json()
    assert [(e["kind"], e["by"]) for e in shown["history"]] == [
        ("created", "bot"),
        ("comment", "agent:anna"),
        ("status", "agent:anna"),
    ]
    assert await later_messages(desk, "ada", 2) == [
        "News on your ticket 1001:\nBitte den Akku 30 s ausbauen.",
        "Your ticket 1001 is solved. If it isn't, just reply here.",
    ]


async def test_refusals_say_why(desk: TestClient) -> None:
    await open_ticket(desk, "ada")
    url = "/admin/tickets/helpdesk"
    closing = {"agent": "anna", "status": "closed"}
    assert (await desk.post(f"{url}/1001/status", json=closing, headers=AUTH)).status == 200
    backwards = await desk.post(
        f"{url}/1001/status", json={"agent": "anna", "status": "open"}, headers=AUTH
    )
    assert backwards.status == 409 and "closed" in (await backwards.json())["error"]
    for path, status in [
        (f"{url}/4711", 404),
        (f"{url}/{'9' * 40}", 404),
        (f"{url}/%EF%BC%91", 400),
        ("/admin/tickets/nobot/1001", 400),
        ("/admin/tickets?status=done", 400),
        ("/admin/tickets?limit=0", 400),
    ]:
        assert (await desk.get(path, headers=AUTH)).status == status, path
    for body in [
        {"agent": "anna"},
        {"agent": "anna", "text": ""},
        {"agent": "", "text": "x"},
        {"agent": "anna", "text": "x" * 5000},
        {"agent": "anna", "text": "\ud800"},
        ["not", "an", "object"],
    ]:
        response = await desk.post(f"{url}/1001/reply", json=body, headers=AUTH)
        assert response.status == 400, body
    odd = await desk.post(f"{url}/1001/shout", json={"agent": "a"}, headers=AUTH)
    assert odd.status == 400
