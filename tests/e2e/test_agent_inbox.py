"""The agent inbox in a real browser against the real server (`theke run bots/pizza`), with an
agent added by `theke agents add` first: a customer asks for a person in the web chat while the
inbox is open, the conversation appears in the queue without a reload, the agent claims it,
writes, the customer reads it, what the customer writes appears in the transcript as text, and
the agent returns the conversation to the bot. At desktop (1280×800) and phone (360×640) size,
each view audited by axe-core with no violation; screenshots in test-artifacts/.
"""

from __future__ import annotations

import asyncio
import re
import subprocess
from collections.abc import Iterator
from typing import Any

import pytest

from framework.stores.opening import open_tickets
from framework.stores.tickets import NewTicket
from tests.e2e.conftest import ARTIFACTS, PHONE, ROOT, _theke, running_theke
from tests.e2e.test_webchat import bot_messages, open_chat, write

try:
    from playwright.sync_api import Browser, BrowserContext, Page, expect
except ImportError as error:  # a clear failure, never a skip
    raise ImportError("tests/e2e need Playwright for Python (pip install -e '.[dev]')") from error

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
DESKTOP = {"width": 1280, "height": 800}
PASSWORD = "a long inbox password"
HOSTILE = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>'


@pytest.fixture(scope="module")
def inbox_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The pizza server on a SQLite file where `theke agents add` put the agent anna, and the
    ticket desk has one ticket."""
    folder = tmp_path_factory.mktemp("inbox-server")
    store = f"sqlite:///{folder / 'state.db'}"
    workspace = folder / "flows.yaml"
    workspace.write_text(f"version: 1\nbots: [{ROOT / 'bots' / 'pizza'}]\nstore: {store}\n")
    for name, display in (("anna", "Anna S."), ("ben", "Ben K.")):
        add = ["agents", "add", name, "--display", display, "--password-stdin"]
        added = subprocess.run(
            [_theke(), *add, "-w", str(workspace)],
            input=PASSWORD,
            capture_output=True,
            text=True,
            check=False,
        )
        assert added.returncode == 0, added.stderr
    asyncio.run(_a_ticket(store))
    with running_theke(folder) as url:
        yield url


async def _a_ticket(store: str) -> None:
    tickets = await open_tickets(store)
    try:
        subject = "Pizza arrived cold"
        await tickets.create(NewTicket(bot="pizza", subject=subject, slots={"size": "groß"}), 0.0)
    finally:
        await tickets.close()


def _axe_source() -> str:
    if not AXE.exists():
        pytest.fail(f"axe-core is not installed at {AXE}: run `make services` (npm ci)")
    return AXE.read_text(encoding="utf-8")


def audit(page: Page, name: str) -> None:
    """axe-core on the page as it is (WCAG 2.1 AA and best practices): no violation. The script
    is evaluated through the DevTools protocol, so the page's own CSP stays as it is."""
    page.evaluate(_axe_source() + "\n;true")
    result: dict[str, Any] = page.evaluate("async () => await axe.run(document)")
    found = [(v["id"], v["help"], [n["target"] for n in v["nodes"]]) for v in result["violations"]]
    assert found == [], f"{name}: {found}"


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True, animations="disabled")


def sign_in(context: BrowserContext, server: str, errors: list[str], name: str = "anna") -> Page:
    page = context.new_page()
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{server}/inbox")
    expect(page).to_have_url(re.compile(r"/inbox/login$"))
    page.get_by_label("Name").fill(name)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/inbox$"))
    expect(page.locator("body")).to_have_attribute("data-live", "on")
    return page


SIZES = {"desktop": DESKTOP, "phone": PHONE}


@pytest.fixture(params=sorted(SIZES))
def agent_context(request: pytest.FixtureRequest, browser: Browser) -> Iterator[BrowserContext]:
    """The agent's browser at desktop (1280×800) or phone (360×640) size."""
    context = browser.new_context(viewport=SIZES[request.param], locale="de-DE")
    context.set_default_timeout(15_000)
    try:
        yield context
    finally:
        context.close()


def _size(context: BrowserContext, page: Page) -> str:
    return "phone" if (page.viewport_size or {}).get("width") == PHONE["width"] else "desktop"


def test_a_customer_asks_for_a_person_and_an_agent_takes_over(
    inbox_server: str, agent_context: BrowserContext, browser: Browser
) -> None:
    errors: list[str] = []
    login = agent_context.new_page()
    size = _size(agent_context, login)
    login.goto(f"{inbox_server}/inbox/login")
    audit(login, f"sign-in page ({size})")
    shot(login, f"inbox-login-{size}")
    login.close()
    inbox = sign_in(agent_context, inbox_server, errors)
    expect(inbox.get_by_text("Nobody is waiting for a person.")).to_be_visible()
    inbox.evaluate("window.__notReloaded = true")

    customer_context = browser.new_context(viewport=PHONE, locale="de-DE")
    customer_context.set_default_timeout(15_000)
    chat = open_chat(customer_context, inbox_server, errors)
    write(chat, "Ich möchte mit einem Menschen sprechen")
    expect(bot_messages(chat, "Mitarbeiter")).to_have_count(1)

    row = inbox.locator("#lists .row__link").first
    expect(row).to_contain_text("in the queue")  # live: the page was not reloaded
    assert inbox.evaluate("window.__notReloaded") is True
    audit(inbox, f"inbox with a waiting conversation ({size})")
    shot(inbox, f"inbox-queue-{size}")

    row.click()
    inbox.get_by_role("button", name="Claim").click()
    composer = inbox.get_by_label("Message to the customer")
    expect(composer).to_be_visible()
    composer.fill("Hallo, hier ist Anna. Wie kann ich helfen?")
    inbox.get_by_role("button", name="Send").click()
    expect(composer).to_have_value("")
    expect(bot_messages(chat, "Hallo, hier ist Anna.")).to_have_count(1)  # the customer reads it

    held = inbox.locator("#lists .row__link").first
    held.evaluate("(link) => { link.__kept = true; }")
    write(chat, HOSTILE)
    said = inbox.locator("#transcript .line--customer").filter(has_text="onerror")
    expect(said).to_have_count(1)  # live, within the hub's poll
    # The same look again left the unchanged list alone: a click on it cannot be lost.
    assert held.evaluate("(link) => link.__kept === true")
    assert said.locator(".line__text").text_content() == HOSTILE  # text, not markup
    assert inbox.locator("#transcript img, #transcript script").count() == 0
    assert inbox.evaluate("window.__pwned") is None
    expect(inbox.locator("#transcript .line--agent")).to_contain_text("hier ist Anna")
    audit(inbox, f"a held conversation ({size})")
    shot(inbox, f"inbox-conversation-{size}")

    inbox.get_by_role("button", name="Return to bot").click()
    expect(inbox.get_by_text("Not waiting for a person")).to_be_visible()
    expect(bot_messages(chat, "wieder mit dem Bot")).to_have_count(1)

    inbox.get_by_role("link", name="Tickets").click()
    inbox.get_by_role("link", name=re.compile("#1001")).click()
    expect(inbox.get_by_role("heading", level=1)).to_contain_text("Pizza arrived cold")
    audit(inbox, f"a ticket ({size})")
    shot(inbox, f"inbox-ticket-{size}")
    customer_context.close()
    assert errors == []


def test_on_a_phone_the_tickets_fit_and_the_keyboard_reaches_everything(
    inbox_server: str, browser: Browser
) -> None:
    errors: list[str] = []
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, locale="de-DE")
    context.set_default_timeout(15_000)
    try:
        inbox = sign_in(context, inbox_server, errors)
        inbox.keyboard.press("Tab")  # the skip link first, visibly focused
        skip = inbox.get_by_role("link", name="Skip to the content")
        expect(skip).to_be_focused()
        assert skip.evaluate("(link) => getComputedStyle(link).outlineStyle") != "none"
        inbox.keyboard.press("Enter")
        expect(inbox.locator("#main")).to_be_focused()
        inbox.get_by_role("link", name="Tickets").click()
        audit(inbox, "tickets on a phone")
        shot(inbox, "inbox-tickets-phone")
        width = inbox.evaluate("document.scrollingElement.scrollWidth")
        assert width <= PHONE["width"], width
    finally:
        context.close()
    assert errors == []


def test_two_agents_claim_one_holds_it_and_the_bot_resumes_the_order(
    inbox_server: str, browser: Browser
) -> None:
    """A customer in the middle of an order asks for a person; Anna and Ben both have the
    conversation open; Anna claims it, and Ben's page shows, without a reload, that Anna has
    it (of two claims at once the store lets one win: tests/inbox and
    tests/stores/test_handoff_store.py). After Anna hands it back, the bot asks the order's
    open question again."""
    errors: list[str] = []
    contexts = [browser.new_context(viewport=DESKTOP, locale="de-DE") for _ in range(3)]
    try:
        for context in contexts:
            context.set_default_timeout(15_000)
        chat = open_chat(contexts[2], inbox_server, errors)
        write(chat, "2 Salami bitte")
        expect(bot_messages(chat, "Welche Größe")).to_have_count(1)
        write(chat, "Ich möchte mit einem Menschen sprechen")
        anna, ben = (
            sign_in(contexts[n], inbox_server, errors, who) for n, who in enumerate(("anna", "ben"))
        )
        for page in (anna, ben):
            row = page.locator("#lists .row__link").first
            expect(row).to_contain_text("in the queue")
            row.click()
            expect(page.get_by_role("button", name="Claim")).to_be_visible()
        anna.get_by_role("button", name="Claim").click()
        expect(anna.get_by_label("Message to the customer")).to_be_visible()
        expect(ben.get_by_text("Taken by anna")).to_be_visible()  # live, no reload
        expect(ben.get_by_label("Message to the customer")).to_have_count(0)
        shot(ben, "inbox-taken-desktop")
        anna.get_by_label("Message to the customer").fill("Klar, ich helfe dir.")
        anna.get_by_role("button", name="Send").click()
        expect(bot_messages(chat, "Klar, ich helfe dir.")).to_have_count(1)
        anna.get_by_role("button", name="Return to bot").click()
        expect(bot_messages(chat, "Welche Größe")).to_have_count(2)  # the order goes on
        shot(anna, "inbox-returned-desktop")
    finally:
        for context in contexts:
            context.close()
    assert errors == []
