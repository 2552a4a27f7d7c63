"""The contacts page in a real browser against the real server (`theke run bots/airline` on a
SQLite file), with contacts put into its contact store and consent ledger first: the admin anna
opens Contacts, sees every contact, filters by a tag and a consent held (the filters stay in
the address and the form), is told on the page why a wrong date is refused (the form kept),
opens a contact and reads its channel, 24-hour window, tags, time zone, noted answer and the
words of its consent. A customer's hostile id and answer show as text. Every page passes
axe-core with no violation at 1280×800 and 390×844 and fits the phone's width; screenshots in
test-artifacts/outreach-*.png."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, expect

from framework.stores.agents import ADMIN, Agent
from framework.stores.consents import GRANTED, Consent
from framework.stores.contacts import ContactChange
from framework.stores.opening import open_agents, open_consents, open_contacts
from tests.e2e.conftest import running_theke
from tests.e2e.test_agent_inbox import PASSWORD
from tests.e2e.test_outreach_pages import HOSTILE, NOW, checked, signed_in
from tests.e2e.test_outreach_pages import admin as admin  # the admin's browser, each size

ASKED = "Darf Spree Air dir hier Angebote schicken? Abmelden mit STOP."
LENA = "airline:whatsapp:4917011111"
CONTACTS = {
    LENA: ("vip", "frequent"),
    "airline:telegram:22222": ("vip",),
    "airline:rest:33333": ("frequent",),
    f"airline:web:{HOSTILE}": ("vip",),
}
"""The contacts seeded, with their tags; all but the Telegram one hold `marketing`."""


async def _seed(store: str) -> None:
    agents, consents = await open_agents(store), await open_consents(store)
    contacts = await open_contacts(store)
    at = datetime.fromisoformat(NOW).timestamp() - 3600
    try:
        await agents.add(Agent(name="anna", display="Anna S.", role=ADMIN), PASSWORD, at)
        for conversation, tags in CONTACTS.items():
            channel = conversation.split(":")[1]
            noted = (("wish", HOSTILE),) if conversation == LENA else ()
            change = ContactChange(seen_on=channel, lang="de", add=tags, answers=noted)
            await contacts.update("airline", conversation, change, at)
            if channel != "telegram":
                source = "import:crm-export.csv"
                asked = Consent(
                    "airline", conversation, "marketing", GRANTED, ASKED, channel, source, at
                )
                await consents.record(asked)
        zone = ContactChange(timezone="Europe/Berlin")
        await contacts.update("airline", LENA, zone, at)
    finally:
        await contacts.close()
        await consents.close()
        await agents.close()


@pytest.fixture(scope="module")
def contacts_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder: Path = tmp_path_factory.mktemp("contacts-server")
    asyncio.run(_seed(f"sqlite:///{folder / 'state.db'}"))
    with running_theke(folder, "airline", NOW) as url:
        yield url


def test_contacts_are_filtered_by_a_tag_and_a_consent_and_one_is_opened(
    contacts_server: str, admin: BrowserContext
) -> None:
    page, errors, _size = signed_in(admin, contacts_server)
    page.get_by_role("link", name="Contacts").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Contacts · airline")
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(len(CONTACTS))
    checked(page, "contacts all")

    page.get_by_label("Seen since").fill("yesterday")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("alert")).to_contain_text("seen_since: a date (2026-11-01)")
    expect(page.get_by_label("Seen since")).to_have_value("yesterday")  # kept
    checked(page, "contacts with a wrong filter")
    assert [e for e in errors if "400 (Bad Request)" not in e] == []  # the refusal's own 400
    errors.clear()

    page.get_by_label("Seen since").fill("2026-12-01")
    page.get_by_label("Tags").fill("vip")
    page.get_by_label("Consent held").fill("marketing")
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(r"\?bot=airline&tag=vip&purpose=marketing&lang=&"))
    expect(rows).to_have_count(2)  # not the Telegram one (no consent), nor the untagged
    expect(rows.get_by_role("link", name=HOSTILE, exact=True)).to_have_count(1)  # as text
    expect(page.get_by_label("Tags")).to_have_value("vip")
    checked(page, "contacts filtered")

    rows.get_by_role("link", name="4917011111").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("4917011111")
    slots = page.locator(".slots").first
    expect(slots).to_contain_text("frequent, vip")
    expect(slots).to_contain_text("Europe/Berlin")
    expect(slots.locator("dd").filter(has_text="onerror")).to_have_text(HOSTILE)
    window = page.locator(".slots__row").filter(has_text="24-hour window")
    expect(window).to_contain_text("open until 2026-12-08 16:30 UTC")
    expect(page.locator(".out-ledger__text")).to_have_text(ASKED)
    expect(page.locator(".out-ledger .line__by")).to_contain_text("source import:crm-export.csv")
    expect(page.get_by_role("link", name="Export (JSON)")).to_be_visible()
    checked(page, "contact detail")
    assert page.evaluate("window.__pwned") is None
    assert errors == []
