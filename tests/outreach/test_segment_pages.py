"""The segments pages served by the real app on SQLite (conftest.py: the shop, its admins and
its agent, signed in through the inbox's sign-in form): signed out every route is refused, an
agent and another bot's admin are refused, a change without the page's CSRF token or from
another Origin changes nothing; a segment made on the page is listed in words, counts its
audience by channel for a purpose, is chosen in a broadcast's draft form (which copies its
definition), replaced and deleted; refusals say why as the API does and keep the form, and
hostile text is shown as text."""

from __future__ import annotations

import re

import pytest
from aiohttp.test_utils import TestClient

from framework.outreach.broadcasts_web import BROADCASTS
from framework.outreach.contact_views import CONTACT_STORE
from framework.outreach.segment_choice import SAVED_SEGMENTS
from framework.stores.contacts import ContactChange
from tests.inbox.conftest import Browser, browsers
from tests.outreach.conftest import HOSTILE, page
from tests.outreach.test_broadcast_pages import DRAFT_FORM

PAGE = "/inbox/segments"
ONE = f"{PAGE}/shop/vips"
FORM = {"bot": "shop", "name": "vips", "description": "Our best", "definition": ""}


async def saved(browser: Browser, **changes: str) -> str:
    form = FORM | {"definition": '{"tags": {"all": ["vip"]}}'} | changes
    answer = await browser.post(PAGE, form, json=False)
    assert answer.status == 303, await answer.text()
    return answer.headers["Location"]


async def test_signed_out_an_agent_and_another_bots_admin_are_refused(
    shop: TestClient, lina: Browser
) -> None:
    await saved(lina)
    async with browsers(shop) as make:
        nobody = make()
        answer = await nobody.session.get(nobody.url(PAGE), allow_redirects=False)
        assert (answer.status, answer.headers["Location"]) == (303, "/inbox/login")
        assert (await nobody.post(PAGE, FORM, csrf=False)).status == 401
        assert (await nobody.post(f"{ONE}/delete", csrf=False)).status == 401

        otto = make()
        assert (await otto.sign_in("otto")).status == 303
        assert "for the inbox's admins" in await page(otto, PAGE, 403)
        await page(otto, ONE, 403)
        assert (await otto.post(f"{ONE}/delete")).status == 403
        assert "Segments" not in await page(otto, "/inbox")

        pia = make()
        assert (await pia.sign_in("pia")).status == 303
        await page(pia, f"{PAGE}?bot=shop", 404)
        await page(pia, ONE, 404)
        assert (await pia.post(f"{ONE}/delete")).status == 404
        assert (await pia.post(PAGE, FORM)).status == 404
    assert await shop.server.app[SAVED_SEGMENTS].get("shop", "vips") is not None


async def test_a_change_without_the_csrf_token_or_from_another_origin_changes_nothing(
    shop: TestClient, lina: Browser
) -> None:
    await saved(lina)
    assert (await lina.post(f"{ONE}/delete", csrf=False)).status == 403
    assert (await lina.post(PAGE, FORM | {"name": "other"}, csrf=False)).status == 403
    forged = await lina.session.post(
        lina.url(f"{ONE}/delete"),
        data={"csrf": lina.csrf},
        headers={"Origin": "https://evil.example"},
        allow_redirects=False,
    )
    assert forged.status == 403
    assert [s.name for s in await shop.server.app[SAVED_SEGMENTS].of_bot("shop")] == ["vips"]


async def test_a_segment_made_counted_chosen_for_a_draft_replaced_and_deleted(
    shop: TestClient, lina: Browser
) -> None:
    change = ContactChange(add=("vip",))
    await shop.server.app[CONTACT_STORE].update("shop", "shop:rest:ada", change, 1.0)
    assert await saved(lina) == f"{ONE}?done=saved"
    listed = await page(lina, PAGE)
    assert 'href="/inbox/segments/shop/vips">vips</a>' in listed and "Our best" in listed
    assert "tags: every one of vip" in listed
    assert 'href="/inbox/segments" aria-current="page">Segments</a>' in listed

    shown = await page(lina, f"{ONE}?done=saved")
    assert "Saved. A broadcast made with it" in shown
    assert re.search(r"would reach\s+<strong>1</strong> person\s+\(1 conversation\)", shown)
    assert "<strong>1</strong>." in shown and "<li>rest: 1</li>" in shown
    news = await page(lina, f"{ONE}?purpose=notify:news")
    assert "<strong>notify:news</strong>" in news and "<li>rest:" not in news
    bad = await page(lina, f"{ONE}?purpose={HOSTILE}", 400)
    assert "purpose: a purpose: marketing" in bad and "<script>alert" not in bad

    form = await page(lina, "/inbox/broadcasts")
    assert '<option value="vips">vips – Our best</option>' in form
    answer = await lina.post(
        "/inbox/broadcasts", DRAFT_FORM | {"saved_segment": "vips"}, json=False
    )
    assert answer.status == 303, await answer.text()
    broadcast_id = answer.headers["Location"].split("/")[-1].split("?")[0]
    assert (await shop.server.app[BROADCASTS].get(broadcast_id)).segment == {
        "tags": {"all": ["vip"]}
    }

    assert (
        await saved(lina, definition='{"channels": ["web"]}', description="") == f"{ONE}?done=saved"
    )
    assert "<li>channel: web</li>" in await page(lina, ONE)
    kept = await shop.server.app[SAVED_SEGMENTS].get("shop", "vips")
    assert kept is not None and kept.definition == {"channels": ["web"]}
    answer = await lina.post(f"{ONE}/delete", json=False)
    assert (answer.status, answer.headers["Location"]) == (303, f"{PAGE}?bot=shop&done=deleted")
    assert "Deleted. Broadcasts made with it keep their copy." in await page(
        lina, f"{PAGE}?bot=shop&done=deleted"
    )
    await page(lina, ONE, 404)
    assert (await shop.server.app[BROADCASTS].get(broadcast_id)).segment == {
        "tags": {"all": ["vip"]}
    }


@pytest.mark.parametrize(
    ("changes", "status", "problem"),
    [
        ({"name": "Not A Name"}, 400, "is not a segment&#39;s name"),
        ({"name": HOSTILE}, 400, "is not a segment&#39;s name"),
        ({"definition": "{tags: vip}"}, 400, "Definition: JSON, e.g."),
        ({"definition": '{"colour": "red"}'}, 400, "definition: a segment has no &#39;colour&#39;"),
        (
            {"definition": '{"tags": {"any": ["' + HOSTILE.replace('"', "'") + '"]}}'},
            400,
            "definition: tags.any",
        ),
        ({"definition": "[" * 5000}, 400, "Definition: at most 4000 characters"),
        ({"description": "d" * 201}, 400, "more than the 200"),
    ],
)
async def test_a_refused_segment_says_why_and_keeps_the_form(
    shop: TestClient, lina: Browser, changes: dict[str, str], status: int, problem: str
) -> None:
    form = FORM | {"definition": "{}"} | changes
    answer = await lina.post(PAGE, form, json=False)
    text = await answer.text()
    assert answer.status == status, text
    assert problem in text
    assert "<script>alert" not in text and "<img src=x" not in text  # escaped, never markup
    assert await shop.server.app[SAVED_SEGMENTS].of_bot("shop") == []


async def test_a_draft_naming_a_saved_segment_and_json_or_an_unknown_one_is_refused(
    shop: TestClient, lina: Browser
) -> None:
    await saved(lina)
    both = DRAFT_FORM | {"saved_segment": "vips", "segment": '{"channels": ["web"]}'}
    answer = await lina.post("/inbox/broadcasts", both, json=False)
    assert answer.status == 400 and "not both" in await answer.text()
    gone = DRAFT_FORM | {"saved_segment": "gone"}
    answer = await lina.post("/inbox/broadcasts", gone, json=False)
    text = await answer.text()
    assert answer.status == 400 and "has no saved segment &#39;gone&#39;" in text
    assert await shop.server.app[BROADCASTS].store.of_bot("shop") == []


async def test_hostile_text_in_a_description_is_shown_as_text(lina: Browser) -> None:
    await saved(lina, description=HOSTILE[:200])
    for shown in (await page(lina, PAGE), await page(lina, ONE)):
        assert HOSTILE[:30] not in shown and "&lt;img src=x onerror=" in shown
    await page(lina, f"{PAGE}/shop/No%20Name", 404)
    await page(lina, f"{PAGE}/nobody/vips", 404)
