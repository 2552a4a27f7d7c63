"""The business's contacts through the admin API on the served airline bot (SQLite): travellers
who wrote over REST, two of whom follow a flight; the list filters by tag, purpose held,
language, channel, last seen and a searched text, pages with its cursor, and refuses broken,
hostile and huge queries with a 400 that says what to write (and changes nothing); one
contact shows its channels, window, tags and consent ledger."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode
from zoneinfo import ZoneInfo

import pytest
from aiohttp.test_utils import TestClient

from framework.outreach.contact_views import CONTACT_STORE
from framework.stores.contacts import ContactChange
from tests.served import say, served_bot

AIRLINE = Path(__file__).resolve().parents[2] / "bots" / "airline"
NOW = datetime(2026, 12, 7, 18, 30, tzinfo=ZoneInfo("Europe/Berlin")).timestamp()
KEY = "secret-admin-key"
AUTH = {"Authorization": f"Bearer {KEY}"}
TOPIC = "notify:flight:SA1234:2026-12-10"


@pytest.fixture
async def airline(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[TestClient]:
    """ada and ben follow SA 1234; cem only said hello; ada is tagged vip and noted as Ada
    Lovelace; dora exists in the contact store only, seen a month ago, in English."""
    monkeypatch.setenv("THEKE_ADMIN_KEY", KEY)
    async with served_bot(AIRLINE, tmp_path, lambda: NOW) as client:
        for sender in ("ada", "ben"):
            await say(client, sender, "K7Q2XM Meier")
            await say(client, sender, "ja")
        await say(client, "cem", "Hallo")
        contacts = client.server.app[CONTACT_STORE]
        noted = ContactChange(add=("vip",), answers=(("name", "Ada Lovelace"),))
        await contacts.update("airline", "airline:rest:ada", noted, NOW)
        old = ContactChange(seen_on="rest", lang="en")
        await contacts.update("airline", "airline:rest:dora", old, NOW - 30 * 86400)
        yield client


async def listed(client: TestClient, status: int = 200, **query: Any) -> Any:
    answer = await client.get(f"/admin/contacts?{urlencode(query, doseq=True)}", headers=AUTH)
    body = await answer.json()
    assert answer.status == status, body
    return body


def who(body: dict[str, Any]) -> list[str]:
    return [c["conversations"][0].rsplit(":", 1)[1] for c in body["contacts"]]


async def test_the_list_filters_by_what_the_business_asks(airline: TestClient) -> None:
    assert who(await listed(airline)) == ["ada", "ben", "cem", "dora"]
    assert who(await listed(airline, tag="vip")) == ["ada"]
    assert who(await listed(airline, tag=["vip", "other"])) == []  # every tag
    assert who(await listed(airline, purpose=TOPIC)) == ["ada", "ben"]
    assert who(await listed(airline, purpose="marketing")) == []
    assert who(await listed(airline, lang="en")) == ["dora"]
    assert who(await listed(airline, channel="rest", lang="de")) == ["ada", "ben", "cem"]
    assert who(await listed(airline, channel="whatsapp")) == []
    assert who(await listed(airline, channel="fax")) == []  # no such channel: nobody
    assert who(await listed(airline, seen_since="2026-12-01")) == ["ada", "ben", "cem"]
    assert who(await listed(airline, seen_since=str(NOW - 31 * 86400))) == [
        "ada",
        "ben",
        "cem",
        "dora",
    ]
    assert who(await listed(airline, q="LOVELACE")) == ["ada"]  # a noted answer, case aside
    assert who(await listed(airline, q="BE")) == ["ben"]  # the customer's id
    both = await listed(airline, purpose=TOPIC, q="ada", tag="vip", lang="de")
    assert who(both) == ["ada"] and both["contacts"][0]["tags"] == ["vip"]


async def test_the_cursor_pages_through_every_contact_once(airline: TestClient) -> None:
    contacts, code = airline.server.app[CONTACT_STORE], hashlib.sha256(b"K7M4QX").hexdigest()
    await contacts.offer("airline", "airline:rest:ada", code, NOW + 600, NOW)
    joined = await contacts.link("airline", "airline:web:zed", code, NOW)  # ada on the web too
    assert joined.outcome == "linked"  # the store pages it under both: it is listed once
    seen: list[str] = []
    after = ""
    while True:
        page = (
            await listed(airline, limit=1, after=after) if after else await listed(airline, limit=1)
        )
        seen += who(page)
        after = page["after"]
        if not after:
            break
    assert seen == ["ada", "ben", "cem", "dora"]


@pytest.mark.parametrize(
    ("query", "said"),
    [
        ({"tag": "VIP!"}, "tag:"),
        ({"tag": ["a"] * 51}, "tag: at most 50"),
        ({"purpose": "adverts"}, "purpose: marketing or notify:"),
        ({"lang": "deutsch"}, "lang:"),
        ({"channel": "Fax!"}, "channel: a channel's name"),
        ({"seen_since": "yesterday"}, "seen_since: a date"),
        ({"seen_since": "1e400"}, "seen_since"),
        ({"seen_since": "-5"}, "seen_since"),
        ({"q": "x" * 65}, "q: at most 64"),
        ({"after": "pizza:rest:ada"}, "after:"),
        ({"after": "airline:" + "x" * 5000}, "after:"),
        ({"limit": "0"}, "limit is a number from 1 to 500"),
        ({"limit": "\uff19"}, "digits 0-9"),  # a full-width nine
        ({"tg": "vip"}, "'tg' is no filter"),
        ({"bot": "pizza"}, "name a bot: airline"),
        ({"q": '<script>alert(1)</script>" OR 1=1'}, ""),  # a text like any other: no match
    ],
)
async def test_broken_hostile_and_huge_queries_are_refused_clearly(
    airline: TestClient, query: dict[str, Any], said: str
) -> None:
    if not said:
        assert who(await listed(airline, **query)) == []
        return
    body = await listed(airline, 400, **query)
    assert said in body["error"], body
    assert who(await listed(airline)) == ["ada", "ben", "cem", "dora"]  # nothing lost


async def test_one_contact_with_its_channels_window_tags_and_ledger(airline: TestClient) -> None:
    answer = await airline.get(
        f"/admin/contacts/{quote('airline:rest:ada', safe='')}", headers=AUTH
    )
    shown = await answer.json()
    assert answer.status == 200, shown
    assert shown["contact"]["tags"] == ["vip"] and shown["contact"]["lang"] == "de"
    assert shown["contact"]["answers"] == {"name": "Ada Lovelace"}
    [rest] = shown["conversations"]
    assert rest["channel"] == "rest" and rest["last_wrote"] == NOW
    assert rest["window_until"] is None  # WhatsApp's window only
    assert rest["consents"][TOPIC]["state"] == "granted"
    assert [e["purpose"] for e in rest["ledger"]] == [TOPIC]
    assert "Darf Spree Air" in rest["ledger"][0]["text"]  # what the traveller was shown


async def test_showing_needs_the_key_and_a_known_contact(airline: TestClient) -> None:
    ada = f"/admin/contacts/{quote('airline:rest:ada', safe='')}"
    assert (await airline.get(ada)).status == 403
    assert (await airline.get("/admin/contacts")).status == 403
    nobody = await airline.get(
        f"/admin/contacts/{quote('airline:rest:zed', safe='')}", headers=AUTH
    )
    assert nobody.status == 404 and "never wrote" in (await nobody.json())["error"]
    broken = await airline.get("/admin/contacts/not%20a%20key", headers=AUTH)
    assert broken.status == 400 and "bot:channel:customer" in (await broken.json())["error"]
    huge = await airline.get(f"/admin/contacts/airline%3Arest%3A{'x' * 3000}", headers=AUTH)
    assert huge.status == 400
