"""The contacts pages served by the real app on SQLite (conftest.py: the shop, where ada and ben
hold the consent to offers and dora withdrew it with STOP; its admins and its agent signed in
through the inbox's sign-in form): signed out, as an agent or as another bot's admin every
route is refused; the holders of a purpose are listed, by channel, searched and a page at a
time; a contact's page shows its ledger (what was shown, the source, the withdrawal); its
export is a JSON download; its deletion needs the page's CSRF token and the confirmation, and
then nothing of it is left in the ledger or the export; bad keys, queries and hostile text get
a clear 400 or 404 or are shown as text."""

from __future__ import annotations

import json
import re
from urllib.parse import quote

import pytest
from aiohttp.test_utils import TestClient

from framework.outreach.contact_views import CONTACT_STORE
from framework.outreach.web import CONSENTS
from framework.stores.consents import GRANTED, Consent
from framework.stores.contacts import ContactChange
from tests.inbox.conftest import Browser, browsers
from tests.outreach.conftest import HOSTILE, NOW, page

PAGE = "/inbox/contacts"
ADA = "shop:rest:ada"


def one(key: str) -> str:
    return f"{PAGE}/{quote(key, safe='')}"


async def granted(client: TestClient, conversation: str, text: str = "Angebote?") -> None:
    store = client.server.app[CONSENTS].store
    channel = conversation.split(":")[1]
    entry = Consent("shop", conversation, "marketing", GRANTED, text, channel, "import:x", NOW)
    await store.record(entry)


def customers(listed: str) -> list[str]:
    return re.findall(r'<td><a href="/inbox/contacts/[^"]+">([^<]*)</a></td>', listed)


async def test_signed_out_an_agent_and_another_bots_admin_are_refused(
    shop: TestClient, lina: Browser
) -> None:
    paths = [PAGE, one(ADA), one(ADA) + "/export", one(ADA) + "/delete"]
    async with browsers(shop) as make:
        nobody, otto, pia = make(), make(), make()
        for path in paths:
            answer = await nobody.session.get(nobody.url(path), allow_redirects=False)
            assert (answer.status, answer.headers["Location"]) == (303, "/inbox/login")
        assert (await nobody.post(one(ADA) + "/delete", {"confirm": "erase"})).status == 401
        assert (await otto.sign_in("otto")).status == 303
        assert (await pia.sign_in("pia")).status == 303
        for path in paths:
            assert "for the inbox's admins" in await page(otto, path, 403)
            await page(pia, path, 404)  # not pia's bot: as if there were none
        assert (await otto.post(one(ADA) + "/delete", {"confirm": "erase"})).status == 403
        assert (await pia.post(one(ADA) + "/delete", {"confirm": "erase"})).status == 404
    assert ADA in json.loads(await page(lina, one(ADA) + "/export"))["conversation"]


async def test_the_holders_are_listed_by_channel_searched_and_paged(
    shop: TestClient, lina: Browser
) -> None:
    listed = await page(lina, PAGE)
    assert customers(listed) == ["ada", "ben"]  # dora said STOP
    assert customers(await page(lina, f"{PAGE}?channel=web")) == []
    assert customers(await page(lina, f"{PAGE}?q=BE")) == ["ben"]
    assert customers(await page(lina, f"{PAGE}?purpose=notify:news")) == []
    for number in range(30):
        await granted(shop, f"shop:web:w{number:02d}")
    first = await page(lina, f"{PAGE}?channel=web")
    assert customers(first) == [f"w{n:02d}" for n in range(25)]
    link = re.search(r'href="([^"]+)">Next page', first)
    assert link is not None
    second = await page(lina, link[1].replace("&amp;", "&"))
    assert customers(second) == [f"w{n:02d}" for n in range(25, 30)]
    assert "Next page" not in second and "First page" in second
    assert customers(await page(lina, f"{PAGE}?q=w2")) == [f"w{n}" for n in range(20, 30)]


@pytest.mark.parametrize(
    ("query", "problem"),
    [
        ("purpose=spam", "Purpose: marketing or notify:"),
        ("purpose=notify:", "Purpose: marketing or notify:"),
        ("purpose=notify:%3Cscript%3E", "Purpose: marketing or notify:"),
        ("channel=fax", "Channel: one of callback, rest, telegram, web, whatsapp"),
        ("q=" + "x" * 65, "Search: at most 64 characters"),
        ("after=pizza:rest:x", "after: a conversation of this bot"),
    ],
)
async def test_a_bad_query_says_why(lina: Browser, query: str, problem: str) -> None:
    text = await page(lina, f"{PAGE}?{query}", 400)
    assert problem in text and "<script>" not in text


async def test_a_contacts_ledger_with_hostile_text_shows_as_text(
    shop: TestClient, lina: Browser
) -> None:
    shown = await page(lina, one("shop:rest:dora"))
    assert "<dt>Answers</dt><dd>none kept</dd>" in shown
    noted = ContactChange(answers=(("diet", "vegan"), ("wish", HOSTILE)))
    await shop.app[CONTACT_STORE].update("shop", "shop:rest:dora", noted, NOW)
    shown = await page(lina, one("shop:rest:dora"))
    assert "<dt>Answer diet</dt><dd>vegan</dd>" in shown
    assert HOSTILE not in shown and "<dt>Answer wish</dt><dd>&lt;img src=x" in shown
    assert "Darf Laden Lina dir hier Angebote schicken? Abmelden mit STOP." in shown
    assert "withdrawn · marketing · rest · source stop" in shown
    assert "<strong>marketing</strong>: withdrawn" in shown
    assert "<dt>Language</dt><dd>de</dd>" in shown  # the contact store's
    assert "<dt>Last message on rest</dt><dd>2026-11-30 11:00 UTC</dd>" in shown
    await granted(shop, f"shop:web:{HOSTILE}", HOSTILE)
    hostile = await page(lina, one(f"shop:web:{HOSTILE}"))
    assert HOSTILE not in hostile and hostile.count("&lt;img src=x onerror=") >= 2
    assert "The contact store knows nothing of this customer yet" in hostile  # never wrote
    assert customers(await page(lina, f"{PAGE}?q=onerror")) == [
        HOSTILE.replace("<", "&lt;").replace(">", "&gt;").replace('"', "&#34;")
    ]
    searched = await page(lina, f"{PAGE}?q={quote(HOSTILE[:60])}")
    assert "<img src=x" not in searched


@pytest.mark.parametrize(
    ("key", "status"),
    [
        ("nonsense", 400),
        ("shop:rest", 400),
        ("shop::ada", 400),
        ("shop:rest:" + "x" * 1100, 400),
        ("pizza:rest:ada", 404),
    ],
)
async def test_bad_keys(lina: Browser, key: str, status: int) -> None:
    for path in ("", "/export", "/delete"):
        text = await page(lina, one(key) + path, status)
        assert "<script>" not in text
    assert (await lina.post(one(key) + "/delete", {"confirm": "erase"})).status == status


async def test_an_export_downloads_and_a_confirmed_deletion_leaves_nothing(
    shop: TestClient, lina: Browser
) -> None:
    answer = await lina.session.get(lina.url(one(ADA) + "/export"))
    assert answer.status == 200
    assert re.fullmatch(
        r'attachment; filename="theke-export-shop-rest-[0-9a-f]{16}\.json"',
        answer.headers["Content-Disposition"],
    )
    exported = json.loads(await answer.text())
    assert exported["consents"][0]["purpose"] == "marketing" and exported["log"]

    confirm = await page(lina, one(ADA) + "/delete")
    assert "This cannot be undone." in confirm and 'name="confirm" value="erase"' in confirm
    assert (await lina.post(one(ADA) + "/delete", {"confirm": "erase"}, csrf=False)).status == 403
    refused = await lina.post(one(ADA) + "/delete", {}, json=False)
    assert refused.status == 400 and "nothing was deleted" in await refused.text()
    assert customers(await page(lina, PAGE)) == ["ada", "ben"]

    deleted = await lina.post(one(ADA) + "/delete", {"confirm": "erase"}, json=False)
    assert (deleted.status, deleted.headers["Location"]) == (
        303,
        f"{PAGE}?bot=shop&purpose=marketing&done=deleted",
    )
    listed = await page(lina, deleted.headers["Location"])
    assert "The customer&#39;s data is deleted." in listed and customers(listed) == ["ben"]
    after = json.loads(await page(lina, one(ADA) + "/export"))
    assert (after["session"], after["log"], after["consents"]) == (None, [], [])
    assert "None: this conversation never agreed" in await page(lina, one(ADA))
