"""The contacts pages served by the real app on SQLite (conftest.py: the shop, where ada and ben
hold the consent to offers and dora withdrew it with STOP; its admins and its agent signed in
through the inbox's sign-in form): signed out, as an agent or as another bot's admin every
route is refused; every contact is listed, filtered by tags, a consent held, language,
channel, seen since and a searched text (as the admin API filters), once even when it joins
two conversations, and a page at a time with the cursor, the filters going along; a wrong
filter is said on the page with the form kept; a contact's page shows its channels, 24-hour
windows, tags, consents and ledger (what was shown, the source, the withdrawal); its export is
a JSON download; its deletion needs the page's CSRF token and the confirmation, and then
nothing of it is left in the ledger or the export; bad keys and hostile text get a clear 400
or 404 or are shown as text."""

from __future__ import annotations

import hashlib
import html
import json
import re
from typing import Any
from urllib.parse import quote

import pytest
from aiohttp.test_utils import TestClient
from markupsafe import escape

from framework.outreach.contact_views import CONTACT_STORE
from framework.outreach.web import CONSENTS
from framework.stores.consents import GRANTED, Consent
from framework.stores.contacts import ContactChange
from tests.inbox.conftest import Browser, browsers
from tests.outreach.conftest import HOSTILE, NOW, page

PAGE = "/inbox/contacts"
ADA = "shop:rest:ada"
WHATSAPP = "shop:whatsapp:4917012345"
DAY = 86400.0


def one(key: str) -> str:
    return f"{PAGE}/{quote(key, safe='')}"


async def granted(client: TestClient, conversation: str, text: str = "Angebote?") -> None:
    store = client.server.app[CONSENTS].store
    channel = conversation.split(":")[1]
    entry = Consent("shop", conversation, "marketing", GRANTED, text, channel, "import:x", NOW)
    await store.record(entry)


def customers(listed: str) -> list[str]:
    return re.findall(r"<td><a href=\"/inbox/contacts/[^\"]+\">([^<]*)</a>", listed)


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


async def seen(client: TestClient, conversation: str, at: float, **change: Any) -> None:
    """The contact of `conversation` wrote at `at` on its channel (and `change`)."""
    seen_on = conversation.split(":")[1]
    update = ContactChange(seen_on=seen_on, **change)
    await client.server.app[CONTACT_STORE].update("shop", conversation, update, at)


async def linked(client: TestClient, one: str, other: str) -> None:
    """The two conversations joined into one contact, as a link code typed in `other` does."""
    store, code = client.server.app[CONTACT_STORE], hashlib.sha256(b"K7M4QX").hexdigest()
    await store.offer("shop", one, code, NOW + 600, NOW)
    assert (await store.link("shop", other, code, NOW)).outcome == "linked"


async def test_the_contacts_are_listed_by_every_filter(shop: TestClient, lina: Browser) -> None:
    assert customers(await page(lina, PAGE)) == ["ada", "ben", "dora"]  # dora too: no consent
    await seen(shop, "shop:rest:ada", NOW, add=("vip", "veg"), answers=(("diet", "Vegan"),))
    await seen(shop, "shop:rest:ben", NOW, add=("vip",))
    await seen(shop, "shop:rest:dora", NOW, lang="en")
    await seen(shop, "shop:web:old", NOW - 40 * DAY)
    await seen(shop, WHATSAPP, NOW - 3600)
    await linked(shop, ADA, WHATSAPP)
    assert customers(await page(lina, PAGE)) == ["ada", "ben", "dora", "old"]
    expected = {
        "tag=vip": ["ada", "ben"],
        "tag=vip+veg": ["ada"],  # the form's field: every tag in it
        "tag=vip&tag=veg": ["ada"],  # as in the admin API
        "tag=veg,+vip": ["ada"],
        "purpose=marketing": ["ada", "ben"],  # dora said STOP
        "purpose=notify:news": [],
        "lang=en": ["dora"],
        "channel=whatsapp": ["ada"],
        "channel=web": ["old"],
        "seen_since=2026-11-15": ["ada", "ben", "dora"],
        "seen_since=2026-11-30T11:30%2B01:00": ["ada", "ben", "dora"],
        "q=BE": ["ben"],
        "q=4917": ["ada"],  # its WhatsApp number
        "q=vegan": ["ada"],  # a noted answer
        "tag=vip&purpose=marketing&lang=de&channel=rest&q=a": ["ada"],
    }
    for query, who in expected.items():
        assert customers(await page(lina, f"{PAGE}?{query}")) == who, query
    ada = await page(lina, f"{PAGE}?tag=vip+veg&purpose=marketing&q=%3Cb%3E")
    assert 'id="tag" name="tag" value="vip veg"' in ada  # the form keeps what was asked
    assert 'id="purpose" name="purpose" value="marketing"' in ada
    assert 'id="q" name="q" value="&lt;b&gt;"' in ada
    assert "No contact matches the filters." in ada
    row = flat(await page(lina, f"{PAGE}?tag=veg")).split("<tbody>")[1]
    assert "4917012345</span></td><td>rest, whatsapp</td><td>veg, vip</td><td>de</td>" in row


async def test_the_list_goes_on_page_by_page_with_its_cursor(
    shop: TestClient, lina: Browser
) -> None:
    for number in range(30):
        await seen(shop, f"shop:web:w{number:02d}", NOW, add=("web",))
    first = await page(lina, f"{PAGE}?tag=web")
    assert customers(first) == [f"w{n:02d}" for n in range(25)]
    assert "First page" not in first
    link = re.search(r'href="([^"]+)">Next page', first)
    assert link is not None and "tag=web" in link[1]  # the filters go along
    second = await page(lina, html.unescape(link[1]))
    assert customers(second) == [f"w{n:02d}" for n in range(25, 30)]
    assert "Next page" not in second and "First page" in second
    assert 'id="tag" name="tag" value="web"' in second


@pytest.mark.parametrize(
    ("query", "problem", "kept"),
    [
        ("tag=VIP", "tag: at most 50, each 1 to 40 of a-z 0-9 _ -", 'value="VIP"'),
        ("purpose=spam", "purpose: marketing or notify:&lt;topic&gt;", 'value="spam"'),
        ("lang=deutsch", "lang: a language code such as de or en", 'value="deutsch"'),
        ("channel=fa%20x", "channel: a channel&#39;s name", "<option selected>fa x</option>"),
        ("seen_since=yesterday", "seen_since: a date (2026-11-01)", 'value="yesterday"'),
        ("q=" + "x" * 65, "q: at most 64 characters", 'value="' + "x" * 65 + '"'),
        ("after=pizza:rest:x", "after: the `after` of the page before", ""),
        ("tg=vip", "&#39;tg&#39; is no filter: use after, bot, channel", ""),
        (
            "tag=%3Cscript%3Ealert(1)%3C/script%3E",
            "tag: at most 50",
            'value="&lt;script&gt;alert(1)&lt;/script&gt;"',
        ),
    ],
)
async def test_a_wrong_filter_is_said_on_the_page_with_the_form_kept(
    lina: Browser, query: str, problem: str, kept: str
) -> None:
    text = await page(lina, f"{PAGE}?lang=de&{query}", 400)
    alert = re.search(r'<div class="alert" id="alert" role="alert" >([^<]*)</div>', text)
    assert alert is not None and alert[1].startswith("Nothing is listed: "), text
    assert problem in alert[1]
    assert kept in text and "<script>" not in text
    assert "Correct the filter above: nothing was read." in text and customers(text) == []
    assert 'class="topbar__nav"' in text  # the business area's frame, not an error page


def flat(text: str) -> str:
    return re.sub(r">\s+<", "><", text)


async def test_a_contact_shows_its_channels_windows_tags_and_consent_history(
    shop: TestClient, lina: Browser
) -> None:
    await seen(shop, ADA, NOW, add=("vip",), timezone="Europe/Berlin", answers=(("diet", "vegan"),))
    await seen(shop, WHATSAPP, NOW - 3600)
    await linked(shop, ADA, WHATSAPP)
    shown = flat(await page(lina, one(WHATSAPP)))  # either conversation opens the contact
    assert "<dt>Language</dt><dd>de</dd>" in shown
    assert "<dt>Time zone</dt><dd>Europe/Berlin</dd>" in shown
    assert "<dt>Tags</dt><dd>vip</dd>" in shown and "<dt>Answer diet</dt><dd>vegan</dd>" in shown
    assert "<dt>Last seen</dt><dd>2026-11-30 11:00 UTC</dd>" in shown
    assert ">rest: ada</h2>" in shown and ">whatsapp: 4917012345</h2>" in shown
    assert "<dt>24-hour window</dt><dd>none (WhatsApp only)</dd>" in shown  # rest
    assert "<dt>24-hour window</dt><dd>open until 2026-12-01 10:00 UTC</dd>" in shown
    assert "<dt>Consent marketing</dt><dd>granted 2026-11-30 11:00 UTC</dd>" in shown
    assert "<dt>Consents</dt><dd>none</dd>" in shown  # on WhatsApp
    assert "Darf Laden Lina dir hier Angebote schicken? Abmelden mit STOP." in shown
    assert "granted · marketing · rest · source flow:" in shown
    assert "No entries: this conversation never agreed to anything." in shown
    assert f'href="{one(WHATSAPP)}/export"' in shown and f'href="{one(WHATSAPP)}/delete"' in shown

    await seen(shop, "shop:whatsapp:4917099", NOW - 2 * DAY)
    closed = flat(await page(lina, one("shop:whatsapp:4917099")))
    assert "<dd>closed since 2026-11-29 11:00 UTC: templates only</dd>" in closed
    dora = flat(await page(lina, one("shop:rest:dora")))
    assert "withdrawn · marketing · rest · source stop" in dora
    assert "<dt>Consent marketing</dt><dd>withdrawn 2026-11-30 11:00 UTC</dd>" in dora
    nobody = await page(lina, one("shop:rest:nobody"))
    assert "Theke holds nothing of this customer" in nobody


async def test_hostile_names_answers_and_texts_show_as_text(
    shop: TestClient, lina: Browser
) -> None:
    await seen(shop, "shop:rest:dora", NOW, add=("x",), answers=(("wish", HOSTILE),))
    shown = await page(lina, one("shop:rest:dora"))
    assert HOSTILE not in shown and "<dt>Answer wish</dt><dd>&lt;img src=x" in shown
    assert customers(await page(lina, f"{PAGE}?q=onerror")) == ["dora"]  # found in an answer
    await granted(shop, f"shop:web:{HOSTILE}", HOSTILE)
    await seen(shop, f"shop:web:{HOSTILE}", NOW, add=("h",))
    hostile = await page(lina, one(f"shop:web:{HOSTILE}"))
    assert HOSTILE not in hostile and hostile.count("&lt;img src=x onerror=") >= 3
    listed = await page(lina, f"{PAGE}?tag=h&q={quote(HOSTILE[:60])}")
    assert "<img src=x" not in listed and "<script>" not in listed
    assert customers(listed) == [str(escape(HOSTILE))]
    assert f'href="{one(f"shop:web:{HOSTILE}")}"' in listed  # the key percent-encoded


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
    assert customers(await page(lina, PAGE)) == ["ada", "ben", "dora"]

    deleted = await lina.post(one(ADA) + "/delete", {"confirm": "erase"}, json=False)
    assert (deleted.status, deleted.headers["Location"]) == (
        303,
        f"{PAGE}?bot=shop&done=deleted",
    )
    listed = await page(lina, deleted.headers["Location"])
    assert "The customer&#39;s data is deleted." in listed
    assert customers(listed) == ["ben", "dora"]
    after = json.loads(await page(lina, one(ADA) + "/export"))
    assert (after["session"], after["log"], after["consents"]) == (None, [], [])
    assert "Theke holds nothing of this customer" in await page(lina, one(ADA))
