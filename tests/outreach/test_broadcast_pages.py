"""The broadcasts pages served by the real app on SQLite (conftest.py: the shop, its admins and
its agent, signed in through the inbox's sign-in form): signed out every route is refused, an
agent and another bot's admin are refused, a change without the page's CSRF token changes
nothing; a draft made on the page is previewed, sent (both customers get it once), paused,
resumed and cancelled through the service the admin API uses, and its results show; bad ids
and hostile input get a clear 400 or 404 or are shown as text."""

from __future__ import annotations

import asyncio
import re

import pytest
from aiohttp.test_utils import TestClient

from framework.outreach.broadcasts_web import BROADCASTS
from framework.stores.broadcasts import DONE, DRAFT
from tests.broadcasts.test_broadcasts_served import OFFER, offers
from tests.inbox.conftest import Browser, browsers
from tests.outreach.conftest import HOSTILE, page

PAGE = "/inbox/broadcasts"
DRAFT_FORM = {"bot": "shop", "purpose": "marketing", "text": "spring_offer"}


async def drafted(browser: Browser, **changes: str) -> str:
    """A draft made with the page's form; its id."""
    form = DRAFT_FORM | {"values": "discount=20 %"} | changes
    answer = await browser.post(PAGE, form, json=False)
    assert answer.status == 303, await answer.text()
    found = re.fullmatch(
        r"/inbox/broadcasts/(b[0-9a-f]+)\?done=created", answer.headers["Location"]
    )
    assert found, answer.headers["Location"]
    return found[1]


async def test_signed_out_an_agent_and_another_bots_admin_are_refused(
    shop: TestClient, lina: Browser
) -> None:
    broadcast_id = await drafted(lina)
    async with browsers(shop) as make:
        nobody = make()
        answer = await nobody.session.get(nobody.url(PAGE), allow_redirects=False)
        assert (answer.status, answer.headers["Location"]) == (303, "/inbox/login")
        assert (await nobody.post(PAGE, DRAFT_FORM, csrf=False)).status == 401
        assert (await nobody.post(f"{PAGE}/{broadcast_id}/send", csrf=False)).status == 401

        otto = make()
        assert (await otto.sign_in("otto")).status == 303
        refused = await page(otto, PAGE, 403)
        assert "for the inbox's admins" in refused
        assert (await otto.post(f"{PAGE}/{broadcast_id}/send")).status == 403
        assert "Broadcasts" not in await page(otto, "/inbox")  # not in an agent's navigation

        pia = make()
        assert (await pia.sign_in("pia")).status == 303
        await page(pia, f"{PAGE}?bot=shop", 404)
        await page(pia, f"{PAGE}/{broadcast_id}", 404)  # another bot's: as if there were none
        assert (await pia.post(f"{PAGE}/{broadcast_id}/send")).status == 404
        assert (await pia.post(PAGE, DRAFT_FORM)).status == 404
    assert (await shop.server.app[BROADCASTS].get(broadcast_id)).status == DRAFT


async def test_a_change_without_the_pages_csrf_token_changes_nothing(
    shop: TestClient, lina: Browser
) -> None:
    broadcast_id = await drafted(lina)
    assert (await lina.post(f"{PAGE}/{broadcast_id}/send", csrf=False)).status == 403
    assert (await lina.post(PAGE, DRAFT_FORM, csrf=False)).status == 403
    forged = await lina.session.post(
        lina.url(f"{PAGE}/{broadcast_id}/send"),
        data={"csrf": lina.csrf},
        headers={"Origin": "https://evil.example"},
        allow_redirects=False,
    )
    assert forged.status == 403
    assert (await shop.server.app[BROADCASTS].get(broadcast_id)).status == DRAFT
    assert len(await shop.server.app[BROADCASTS].store.of_bot("shop")) == 1


async def test_a_draft_is_previewed_sent_and_its_results_shown(
    shop: TestClient, lina: Browser
) -> None:
    broadcast_id = await drafted(lina)
    shown = await page(lina, f"{PAGE}/{broadcast_id}?done=created")
    assert "The draft is saved." in shown
    assert "would reach <strong>2</strong> people now, one conversation each;" in shown
    assert "<strong>2</strong> conversations hold its purpose" in shown
    assert "<li>rest: 2</li>" in shown
    assert OFFER in shown and "Spring offer at Laden Lina: 20 % off everything!" in shown
    assert 'action="/inbox/broadcasts/' + broadcast_id + '/send"' in shown
    assert "data-refresh" not in shown  # a draft does not look again

    answer = await lina.post(f"{PAGE}/{broadcast_id}/send", json=False)
    assert answer.headers["Location"] == f"{PAGE}/{broadcast_id}?done=send"
    sending = await page(lina, f"{PAGE}/{broadcast_id}")
    assert 'data-refresh="5"' in sending and "/pause" in sending and "/send" not in sending
    service = shop.server.app[BROADCASTS]
    for _ in range(200):
        if (await service.get(broadcast_id)).status == DONE:
            break
        await service.sender.step()
        await asyncio.sleep(0.01)
    assert await offers(shop, [1, 1, 0]) == [1, 1, 0]
    done = await page(lina, f"{PAGE}/{broadcast_id}")
    assert "2 handed out" in done and 'data-refresh="5"' in done  # the last results come in
    assert re.search(r"<dt>Sent</dt><dd>2</dd>", done), done
    listed = await page(lina, PAGE)
    assert f'href="/inbox/broadcasts/{broadcast_id}"' in listed and ">done<" in listed
    assert re.search(r'<textarea id="values"[^>]*></textarea>', listed)  # a new form is empty


async def test_pause_resume_cancel_and_refusals(shop: TestClient, lina: Browser) -> None:
    broadcast_id = await drafted(lina, purpose="notify", topic="news", values="")
    refused = await lina.post(f"{PAGE}/{broadcast_id}/pause", json=False)
    assert refused.status == 409
    assert "a draft broadcast cannot pause" in await refused.text()
    for action, after in (("send", "sending"), ("pause", "paused"), ("resume", "sending")):
        answer = await lina.post(f"{PAGE}/{broadcast_id}/{action}", json=False)
        assert answer.status == 303, await answer.text()
        assert (await shop.server.app[BROADCASTS].get(broadcast_id)).status == after
    await lina.post(f"{PAGE}/{broadcast_id}/cancel", json=False)
    cancelled = await page(lina, f"{PAGE}/{broadcast_id}")
    assert "Cancelled: nothing more goes out." in cancelled and "Notification: news" in cancelled
    assert 'type="submit" class="button button--primary">Send' not in cancelled
    assert (await lina.post(f"{PAGE}/{broadcast_id}/explode")).status == 404


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"text": "no_such_text"}, "text: one of the bot&#39;s texts"),
        ({"purpose": "notify", "topic": ""}, "topic: 1 to 200 letters"),
        ({"purpose": "notify", "topic": HOSTILE}, "topic: 1 to 200 letters"),
        ({"purpose": "spam"}, "Purpose: marketing, or a notification"),
        ({"lang": "<b>de</b>"}, "lang: a language code"),
        ({"values": "no equals sign"}, "one name=value a line"),
        ({"values": "\n".join(f"n{i}=v" for i in range(21))}, "values: an object of at most 20"),
        ({"segment": "{tags: vip}"}, "Segment: JSON, e.g."),
        ({"segment": '{"colour": "red"}'}, "segment: "),
        ({"segment": '{"tags": {"any": ["' + HOSTILE.replace('"', "'") + '"]}}'}, "segment: "),
        ({"segment": "[" * 5000}, "Segment: at most 4000 characters"),
    ],
)
async def test_a_refused_draft_says_why_and_keeps_the_form(
    shop: TestClient, lina: Browser, changes: dict[str, str], problem: str
) -> None:
    answer = await lina.post(PAGE, DRAFT_FORM | changes, json=False)
    text = await answer.text()
    assert answer.status == 400, text
    assert problem in text
    assert "<script>alert" not in text and "<img src=x" not in text  # escaped, never markup
    assert await shop.server.app[BROADCASTS].store.of_bot("shop") == []


async def test_bad_ids_and_hostile_values(shop: TestClient, lina: Browser) -> None:
    for bad in ("nobody", "b" + "0" * 70, "%3Cscript%3E", "..%2F..%2Fetc"):
        text = await page(lina, f"{PAGE}/{bad}", 404)
        assert text == '{"error": "no such broadcast here: see /inbox/broadcasts"}'
    await page(lina, f"{PAGE}?bot=nobody", 404)
    broadcast_id = await drafted(lina, values=f"discount={HOSTILE}")
    shown = await page(lina, f"{PAGE}/{broadcast_id}")
    assert HOSTILE not in shown and "&lt;img src=x onerror=" in shown


async def test_a_segment_narrows_the_holders_in_the_preview(
    shop: TestClient, lina: Browser
) -> None:
    broadcast_id = await drafted(lina, segment='{"channels": ["web"]}')
    kept = await shop.server.app[BROADCASTS].get(broadcast_id)
    assert kept.segment == {"channels": ["web"]}
    shown = await page(lina, f"{PAGE}/{broadcast_id}")
    assert "would reach <strong>0</strong> people now" in shown
    assert "it leaves out\n    <strong>2</strong> of the holders now" in shown
