"""One customer's data through the admin API on the served airline bot (SQLite): the export
shows the conversation and the consent kept word for word; DELETE erases it, and the export
afterwards holds nothing of them while another traveller's data stays; no key, a malformed key
and a bot the server does not serve are refused."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from urllib.parse import quote
from zoneinfo import ZoneInfo

import pytest
from aiohttp.test_utils import TestClient

from framework.stores.opening import open_reach
from tests.served import say, served_bot

AIRLINE = Path(__file__).resolve().parents[2] / "bots" / "airline"
NOW = datetime(2026, 12, 7, 18, 30, tzinfo=ZoneInfo("Europe/Berlin")).timestamp()
KEY = "secret-admin-key"
AUTH = {"Authorization": f"Bearer {KEY}"}


@pytest.fixture
async def airline(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[TestClient]:
    monkeypatch.setenv("THEKE_ADMIN_KEY", KEY)
    async with served_bot(AIRLINE, tmp_path, lambda: NOW) as client:
        yield client


def url(key: str, export: bool = False) -> str:
    return f"/admin/contacts/{quote(key, safe='')}" + ("/export" if export else "")


async def test_export_then_erase_leaves_nothing_of_the_customer(airline: TestClient) -> None:
    for sender in ("ada", "ben"):
        await say(airline, sender, "K7Q2XM Meier")
        await say(airline, sender, "ja")
    before = await (await airline.get(url("airline:rest:ada", export=True), headers=AUTH)).json()
    said = str(before)
    assert "K7Q2XM Meier" in said and "Darf Spree Air dich hier" in said
    response = await airline.delete(url("airline:rest:ada"), headers=AUTH)
    assert response.status == 200, await response.text()
    after = await (await airline.get(url("airline:rest:ada", export=True), headers=AUTH)).json()
    assert "K7Q2XM" not in str(after) and "Darf Spree Air" not in str(after)
    other = await (await airline.get(url("airline:rest:ben", export=True), headers=AUTH)).json()
    assert "K7Q2XM Meier" in str(other)


async def test_erase_reaches_the_broadcasts_reach_records(
    airline: TestClient, tmp_path: Path
) -> None:
    """What the broadcasts keep of a customer (the frequency cap, a 131049 hold) is in the
    export and gone after DELETE, on the server's own store."""
    await say(airline, "ada", "K7Q2XM Meier")
    reach = await open_reach(f"sqlite:///{tmp_path / 'state.db'}", tmp_path)
    try:
        await reach.marketed("airline", "spring", ["airline:rest:ada"], NOW)
        await reach.hold("airline", "airline:rest:ada", NOW + 86400)
        shown = await airline.get(url("airline:rest:ada", export=True), headers=AUTH)
        assert (await shown.json())["reach"]["held_until"] == NOW + 86400
        response = await airline.delete(url("airline:rest:ada"), headers=AUTH)
        report = await response.json()
        assert report["reach_forgotten"] >= 2 and report["broadcast_marks_forgotten"] == 0
        assert await reach.kept("airline", "airline:rest:ada") is None
    finally:
        await reach.close()


async def test_refusals(airline: TestClient) -> None:
    assert (await airline.get(url("airline:rest:ada", export=True))).status == 403
    assert (await airline.delete(url("airline:rest:ada"))).status == 403
    assert (await airline.get(url("not a key", export=True), headers=AUTH)).status == 400
    assert (await airline.delete(url("pizza:rest:ada"), headers=AUTH)).status == 400
