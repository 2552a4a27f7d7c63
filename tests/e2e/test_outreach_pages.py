"""The business's broadcasts and contacts pages in a real browser against the real server
(`theke run bots/airline`), with the inbox admin anna and three travellers who subscribed to
flight SA 1234 put into the store first (one of whose consent texts is HTML): anna signs in at
the inbox, creates a notification draft, sees its preview (count per channel, text per
language), sends it and watches its results come in without a reload; she schedules another for
a time, sees it scheduled with that time in the bot's zone, and cancels it; she finds a
traveller on the contacts page, exports their data as a JSON download and deletes them after a
confirmation.
Every page passes axe-core with no violation at 1280×800 and 390×844, fits the phone's width
and shows hostile text as text; screenshots in test-artifacts/outreach-*.png.
"""

from __future__ import annotations

import asyncio
import json
import re
import urllib.request
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from framework.stores.agents import ADMIN, Agent
from framework.stores.consents import GRANTED, Consent
from framework.stores.opening import open_agents, open_consents
from tests.e2e.conftest import running_theke, sized_context
from tests.e2e.test_agent_inbox import DESKTOP, PASSWORD, audit, shot, sign_in
from tests.e2e.test_webchat import bot_messages, write

try:
    from playwright.sync_api import Browser, BrowserContext, Page, expect
except ImportError as error:  # a clear failure, never a skip
    raise ImportError("tests/e2e need Playwright for Python (pip install -e '.[dev]')") from error

NOW = "2026-12-07T18:30+01:00"
PHONE = {"width": 390, "height": 844}
SIZES = {"desktop": DESKTOP, "phone": PHONE}
TOPIC = "flight:SA1234:2026-12-10"
HOSTILE = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>'
SEEDED = [f"airline:rest:e2e-{size}" for size in sorted(SIZES)]
"""Travellers whose consent came in an import whose evidence is HTML (one per size: each
size's contacts test deletes its own)."""
DELAYED = "Flug SA 1234 am 10.12.2026 ist verspätet: neuer Abflug 14:35 Uhr."
VALUES = "flight=SA 1234\nday=10.12.2026\ntime=14:35"


async def _seed(store: str) -> None:
    """The admin anna, and SEEDED subscribed to TOPIC with HOSTILE as what they were shown."""
    agents, consents = await open_agents(store), await open_consents(store)
    at = datetime.fromisoformat(NOW).timestamp() - 3600
    try:
        await agents.add(Agent(name="anna", display="Anna S.", role=ADMIN), PASSWORD, at)
        for conversation in SEEDED:
            purpose, source = f"notify:{TOPIC}", "import:crm-export.csv"
            granted = Consent(
                "airline", conversation, purpose, GRANTED, HOSTILE, "rest", source, at
            )
            await consents.record(granted)
    finally:
        await consents.close()
        await agents.close()


def _say(url: str, sender: str, text: str) -> list[str]:
    """A customer's message over the REST channel; the bot's replies."""
    body = json.dumps({"sender": sender, "message": text}).encode()
    asked = urllib.request.Request(
        f"{url}/webhooks/rest/webhook", body, {"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(asked, timeout=10) as answer:
        return [str(reply.get("text", "")) for reply in json.load(answer)]


@pytest.fixture(scope="module")
def airline_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The airline on a SQLite file with the admin anna and SEEDED (who then wrote to the bot,
    as a conversation with a consent has), and Ben, who subscribed over REST."""
    folder: Path = tmp_path_factory.mktemp("outreach-server")
    asyncio.run(_seed(f"sqlite:///{folder / 'state.db'}"))
    with running_theke(folder, "airline", NOW) as url:
        for conversation in SEEDED:
            _say(url, conversation.rsplit(":", 1)[1], "Hallo")
        assert "Darf Spree Air" in " ".join(_say(url, "e2e-ben", "K7Q2XM Meier"))
        assert "Erledigt" in " ".join(_say(url, "e2e-ben", "ja"))
        yield url


@pytest.fixture(params=sorted(SIZES))
def admin(request: pytest.FixtureRequest, browser: Browser) -> Iterator[BrowserContext]:
    """The admin's browser at desktop (1280×800) or phone (390×844) size."""
    with sized_context(browser, SIZES[request.param]) as context:
        yield context


def checked(page: Page, name: str) -> None:
    """axe-core finds nothing, nothing is wider than a phone, a screenshot is kept."""
    size = "phone" if (page.viewport_size or {}).get("width") == PHONE["width"] else "desktop"
    audit(page, f"{name} ({size})")
    shot(page, f"outreach-{name.replace(' ', '-')}-{size}")
    if size == "phone":
        width = page.evaluate("document.scrollingElement.scrollWidth")
        assert width <= PHONE["width"], f"{name}: {width}px wide"


def signed_in(admin: BrowserContext, url: str) -> tuple[Page, list[str], str]:
    """anna signed in at the inbox; the console's errors, gathered as they come; the size
    ("phone" or "desktop")."""
    errors: list[str] = []
    page = sign_in(admin, url, errors)
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    size = "phone" if (page.viewport_size or {}).get("width") == PHONE["width"] else "desktop"
    return page, errors, size


def drafted(page: Page, segment: str = "") -> None:
    """A draft of the delay notice for TOPIC saved with the broadcasts page's form (narrowed
    to the saved segment of that name, if one is named)."""
    page.get_by_label("A notification topic: those who subscribed to it").check()
    page.get_by_label("Topic (for a notification)").fill(TOPIC)
    page.get_by_label("Text (one of the bot's texts, in each of its languages)").select_option(
        "flight_delayed"
    )
    page.get_by_label("Values for the text's names (one name=value a line)").fill(VALUES)
    if segment:
        page.get_by_label("Saved segment (optional)").select_option(segment)
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_role("status").filter(has_text="The draft is saved.")).to_be_visible()


def test_a_broadcast_is_created_previewed_sent_and_its_results_shown(
    airline_server: str, admin: BrowserContext
) -> None:
    errors: list[str] = []
    chat = admin.new_page()  # a traveller follows the flight in the web chat
    chat.goto(f"{airline_server}/chat/airline")
    write(chat, "K7Q2XM Meier")
    expect(bot_messages(chat, "Darf Spree Air dich hier zu diesem Flug")).to_have_count(1)
    write(chat, "ja gerne")
    expect(bot_messages(chat, "Erledigt")).to_have_count(1)

    page = sign_in(admin, airline_server, errors)
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.get_by_role("link", name="Broadcasts").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Broadcasts · airline")
    checked(page, "broadcasts")

    drafted(page)
    holding = page.get_by_text(re.compile(r"It would reach \d+ people now, one conversation each"))
    reach = re.search(
        r"It would reach (\d+) people now, one conversation each;\s+(\d+)",
        holding.text_content() or "",
    )
    assert reach is not None and reach[1] == reach[2]  # nobody linked two chats here
    holders = int(reach[1])
    assert holders >= 4  # Ben, the two imported, and one or two in the web chat
    preview = page.locator(".out-channels")
    expect(preview).to_contain_text(f"rest: {len(SEEDED) + 1}")
    expect(preview).to_contain_text("web: ")
    texts = page.locator(".out-preview").first
    expect(texts).to_contain_text(DELAYED)
    expect(texts).to_contain_text("Flight SA 1234 on 10.12.2026 is delayed: new departure 14:35")
    checked(page, "a draft")

    page.get_by_role("button", name="Send now").click()
    expect(page.get_by_role("status").filter(has_text="You sent it")).to_be_visible()
    page.evaluate("window.__notReloaded = true")
    expect(bot_messages(chat, DELAYED)).to_have_count(1)  # the traveller reads it, once
    live = page.locator("#broadcast-live")
    expect(live).to_have_attribute("data-status", "done", timeout=30_000)  # looked at in place
    expect(live).to_contain_text(f"{holders} handed out")
    sent = live.locator(".out-results div").filter(has_text="Sent")
    expect(sent).to_contain_text(str(holders), timeout=30_000)  # shown in each conversation
    assert page.evaluate("window.__notReloaded") is True
    checked(page, "a sent broadcast")

    page.get_by_role("link", name=re.compile("All broadcasts of airline")).click()
    expect(page.locator("tbody tr").first).to_contain_text("done")
    assert page.evaluate("window.__pwned") is None
    assert errors == []


def test_a_broadcast_is_scheduled_shown_with_its_time_and_cancelled(
    airline_server: str, admin: BrowserContext
) -> None:
    errors: list[str] = []
    page = sign_in(admin, airline_server, errors)
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.get_by_role("link", name="Broadcasts").click()
    drafted(page)

    page.get_by_label("Or send it at a time (Europe/Berlin)").fill("2026-12-08T09:00")
    page.get_by_role("button", name="Schedule").click()
    expect(page.get_by_role("status").filter(has_text="Scheduled: it starts")).to_be_visible()
    live = page.locator("#broadcast-live")
    expect(live).to_have_attribute("data-status", "scheduled")
    expect(live).to_contain_text("It starts 2026-12-08 09:00 Europe/Berlin.")
    expect(page.get_by_label("Another time (Europe/Berlin)")).to_have_value("2026-12-08T09:00")
    expect(page.locator(".out-preview").first).to_contain_text(DELAYED)  # still previewed
    checked(page, "a scheduled broadcast")

    page.get_by_role("button", name="Cancel broadcast").click()
    expect(live).to_have_attribute("data-status", "cancelled")
    page.get_by_role("link", name=re.compile("All broadcasts of airline")).click()
    expect(page.locator("tbody tr").first).to_contain_text("cancelled")
    assert errors == []


def test_a_contact_is_found_exported_and_deleted(
    airline_server: str, admin: BrowserContext
) -> None:
    page, errors, size = signed_in(admin, airline_server)
    page.get_by_role("link", name="Contacts").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Contacts · airline")
    page.get_by_label("Consent held").fill(f"notify:{TOPIC}")
    page.get_by_role("button", name="Show").click()
    rows = page.locator("tbody tr")
    expect(rows.filter(has_text="e2e-ben")).to_have_count(1)
    checked(page, "contacts")
    page.get_by_label("Channel").select_option("rest")
    page.get_by_label("Search").fill(f"e2e-{size}")
    page.get_by_role("button", name="Show").click()
    expect(rows).to_have_count(1)
    rows.get_by_role("link", name=f"e2e-{size}").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"e2e-{size}")
    shown = page.locator(".out-ledger__text")
    expect(shown).to_have_count(1)
    assert shown.text_content() == HOSTILE  # text, not markup
    expect(page.locator(".out-ledger .line__by")).to_contain_text("source import:crm-export.csv")
    expect(page.locator(".slots").nth(1)).to_contain_text("Last message")  # the contact store
    assert page.evaluate("window.__pwned") is None
    checked(page, "a contact")

    with page.expect_download() as downloading:
        page.get_by_role("link", name="Export (JSON)").click()
    download = downloading.value
    assert re.fullmatch(
        r"theke-export-airline-rest-[0-9a-f]{16}\.json", download.suggested_filename
    )
    exported = json.loads(Path(download.path()).read_text(encoding="utf-8"))
    assert exported["conversation"] == f"airline:rest:e2e-{size}"
    assert exported["consents"][0]["text"] == HOSTILE
    assert exported["log"]  # the conversation it had with the bot

    page.get_by_role("link", name="Delete this customer's data").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Delete e2e-{size} (rest)?")
    checked(page, "a contact's deletion")
    page.get_by_role("button", name="Delete for good").click()
    notice = page.get_by_role("status").filter(has_text="The customer's data is deleted.")
    expect(notice).to_be_visible()
    page.get_by_label("Consent held").fill(f"notify:{TOPIC}")
    page.get_by_label("Search").fill(f"e2e-{size}")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_text("No contact matches the filters.")).to_be_visible()
    page.goto(f"{airline_server}/inbox/contacts/airline%3Arest%3Ae2e-{size}")
    expect(page.get_by_text("Theke holds nothing of this customer")).to_be_visible()
    assert errors == []
