"""A broadcast that names its approved WhatsApp template, on SQLite and Redis with a clock the
test moves: its WhatsApp holders' notices carry the template (the bot's default language's
code where the template lacks the conversation's), the other channels get the text; while
Meta has the template paused it hands nothing more to WhatsApp holders and waits until Meta
reinstates it, nobody twice; disabled, it waits for the admin; a marketing broadcast waits
while the template's quality is at or below the bot's `stop_at_quality`, a notification only
for a pause."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from framework.broadcasts.rules import TEMPLATE_DISABLED, TEMPLATE_PAUSED, TEMPLATE_QUALITY
from framework.broadcasts.sending import LEASE
from framework.runtime.notice_templates import with_template
from framework.stores.broadcasts import DONE, SENDING, Broadcast
from framework.stores.consents import MARKETING
from framework.stores.records import STATUS, InboxItem, LogEntry, iso_time
from framework.stores.template_states import TemplateNews
from framework.stores.whatsapp_templates import WhatsAppTemplate
from tests.broadcasts.rig import KINDS, Rig, rig_on

OFFER = WhatsAppTemplate("spring_offer", "marketing", {"de": "de", "en": "en_US"}, ("discount",))
FLIGHT = "notify:flight:LH1234:2026-12-02"
DELAY = WhatsAppTemplate("flight_delay", "utility", {"de": "de"})


@pytest.fixture(params=KINDS)
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def shop(kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> AsyncIterator[Rig]:
    async with rig_on(kind, tmp_path, request.config, "") as rig:
        yield rig


async def meta_says(rig: Rig, template: WhatsAppTemplate, **said: str) -> None:
    """Meta's news of the template, now, in its first language."""
    code = next(iter(template.languages.values()))
    await rig.templates.note(TemplateNews(template.name, code, rig.now, **said))


async def after_the_lease(rig: Rig, broadcast_id: str, most: int = 3) -> Broadcast:
    """The steps once a waiting broadcast's lease ran out (it is looked at again then)."""
    rig.now += LEASE + 1
    return await rig.steps(broadcast_id, most)


async def holders(rig: Rig, purpose: str = MARKETING) -> list[str]:
    return await rig.grant(purpose, "web:cem", "whatsapp:491701", "whatsapp:491702")


async def test_whatsapp_holders_get_the_template_the_others_the_text(shop: Rig) -> None:
    web, ada, ben = await holders(shop)
    offer = await shop.started(template=OFFER, values={"discount": "20 %"})
    assert (await shop.steps(offer)).status == DONE
    for key in (web, ada, ben):
        await shop.runtime.drain(key)
    told = [e for e in await shop.sessions.log(ada, after=0) if e["from"] == "bot"]
    assert told[0].get("whatsapp_template") == {
        "name": "spring_offer",
        "language": "de",
        "parameters": ["20 %"],
    }
    assert told[0]["broadcast"] == offer
    shown = [e for e in await shop.sessions.log(web, after=0) if e["from"] == "bot"]
    assert shown[0]["text"] == "Angebot: 20 % auf alles!" and "whatsapp_template" not in shown[0]


async def failed_status(shop: Rig, errors: list[Any]) -> str:
    """The offer reached ada as its template; WhatsApp then reports it failed with `errors`.
    Ada's conversation."""
    _web, ada, _ben = await holders(shop)
    offer = await shop.started(template=OFFER, values={"discount": "20 %"})
    await shop.steps(offer)
    await shop.runtime.drain(ada)
    peeked = await shop.sessions.peek(ada)
    assert peeked is not None
    [(message_id, record)] = peeked.session["flags"]["deliveries"].items()
    assert record["template"] == {"name": "spring_offer", "language": "de"}
    failed = {
        "seq": record["seq"],
        "message_id": message_id,
        "status": "failed",
        "timestamp": int(shop.now),
        "errors": errors,
    }
    item = InboxItem(f"status:{message_id}:failed", iso_time(shop.now), STATUS, failed)
    running = await shop.runtime.accept(ada, item)
    assert running is not None
    await running
    return ada


async def test_a_failed_status_saying_meta_paused_the_template_holds_the_broadcast(
    shop: Rig,
) -> None:
    await failed_status(shop, [{"code": 132015, "title": "Template is paused"}])
    assert (await shop.templates.of_template("spring_offer"))["de"].status == "PAUSED"
    again = await shop.started(template=OFFER, values={"discount": "30 %"})
    waiting = await shop.steps(again, 2)
    # the web holder has the text; the WhatsApp holders wait for Meta to reinstate it
    assert (waiting.status, waiting.waiting, waiting.queued) == (SENDING, TEMPLATE_PAUSED, 1)


@pytest.mark.parametrize("code", [[132015], {"n": 132015}, "132015", 132015.0, True])
async def test_a_failed_status_with_a_code_of_another_shape_pauses_nothing(
    shop: Rig, code: Any
) -> None:
    ada = await failed_status(shop, [{"code": code}])
    assert await shop.templates.of_template("spring_offer") == {}
    said = [e["text"] for e in await shop.sessions.log(ada, after=0) if e["from"] == "bot"]
    assert len(said) == 1  # the offer; no apology of a turn that failed


def test_the_code_is_the_conversation_s_language_s_else_the_default_s() -> None:
    data = {
        "whatsapp_template": {
            "name": "spring_offer",
            "languages": {"de": "de", "en": "en_US"},
            "default": "de",
            "parameters": ["20 %"],
        }
    }
    for lang, code in (("en", "en_US"), ("de", "de"), ("fr", "de"), (None, "de")):
        told: list[LogEntry] = [{"from": "bot", "text": "x"}, {"from": "bot", "text": "y"}]
        with_template(told, data, lang, "whatsapp")
        assert told[0]["whatsapp_template"]["language"] == code
        assert "whatsapp_template" not in told[1]  # the notice's own message only
    told = [{"from": "bot", "text": "x"}]
    with_template(told, data, "de", "telegram")
    assert told == [{"from": "bot", "text": "x"}]


async def test_a_paused_template_holds_whatsapp_until_meta_reinstates_it(shop: Rig) -> None:
    web, ada, ben = await holders(shop)
    await meta_says(shop, OFFER, status="PAUSED")
    offer = await shop.started(template=OFFER, values={"discount": "20 %"})
    waiting = await shop.steps(offer, most=3)
    assert (waiting.status, waiting.waiting, waiting.queued, waiting.cursor) == (
        SENDING,
        TEMPLATE_PAUSED,
        1,
        web,
    )
    assert shop.reached(offer) == [web]  # the web holder before WhatsApp is not held up
    assert (await after_the_lease(shop, offer)).queued == 1  # still paused
    await meta_says(shop, OFFER, status="REINSTATED")
    done = await after_the_lease(shop, offer)
    assert (done.status, done.waiting, done.queued) == (DONE, "", 3)
    assert shop.reached(offer) == sorted([web, ada, ben])
    assert set(shop.got.values()) == {1}


async def test_a_disabled_template_waits_for_the_admin(shop: Rig) -> None:
    await holders(shop)
    await meta_says(shop, OFFER, status="DISABLED")
    offer = await shop.started(template=OFFER, values={"discount": "20 %"})
    for _ in range(3):
        waiting = await after_the_lease(shop, offer)
        assert (waiting.status, waiting.waiting, waiting.queued) == (SENDING, TEMPLATE_DISABLED, 1)
    await shop.broadcasts.act(offer, "cancel")
    assert (await after_the_lease(shop, offer)).queued == 1


async def test_a_red_template_holds_marketing_not_notifications(shop: Rig) -> None:
    await holders(shop)
    await holders(shop, FLIGHT)
    await meta_says(shop, OFFER, quality="RED")
    await meta_says(shop, DELAY, quality="RED")
    offer = await shop.started(template=OFFER, values={"discount": "20 %"})
    flight = await shop.started(FLIGHT, "delayed", template=DELAY)
    assert (await shop.steps(offer, most=3)).waiting == TEMPLATE_QUALITY
    assert (await shop.steps(flight)).status == DONE  # wanted news: quality does not hold it
    await meta_says(shop, OFFER, quality="YELLOW")  # better: red is the default's limit
    assert (await after_the_lease(shop, offer)).status == DONE
    await meta_says(shop, DELAY, status="PAUSED")  # a pause holds notifications too
    again = await shop.started(FLIGHT, "delayed", template=DELAY)
    assert (await shop.steps(again, most=3)).waiting == TEMPLATE_PAUSED


@pytest.mark.parametrize(
    ("setting", "quality", "waits"),
    [("yellow", "YELLOW", True), ("yellow", "GREEN", False), ("never", "RED", False)],
)
async def test_stop_at_quality_says_how_low_is_too_low(
    kind: str,
    tmp_path: Path,
    request: pytest.FixtureRequest,
    setting: str,
    quality: str,
    waits: bool,
) -> None:
    settings = f"broadcasts: {{stop_at_quality: {setting}}}\n"
    async with rig_on(kind, tmp_path, request.config, settings) as rig:
        await holders(rig)
        await meta_says(rig, OFFER, quality=quality)
        offer = await rig.started(template=OFFER, values={"discount": "20 %"})
        found = await rig.steps(offer, most=3)
        assert (found.waiting, found.status) == (
            (TEMPLATE_QUALITY, SENDING) if waits else ("", DONE)
        )
