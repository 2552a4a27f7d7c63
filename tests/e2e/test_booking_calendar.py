"""The bookings calendar in a real browser against the real server (`theke run bots/nail_studio`,
its clock started on Wednesday 9 December 2026, 08:00 in Berlin), with the agent anna and four
bookings on Thursday put into the store first (one from a web chat conversation, a live hold,
one whose customer's name is HTML): the agent signs in at the inbox, opens /calendar and sees
them, moves one to another free time, cancels one, books a walk-in, and the calendar reloads
its data in place. The day and week views, a booking and the walk-in form pass axe-core with
no violation at 1280×800 and 360×640; screenshots in test-artifacts/booking-calendar-*.png.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from framework.bookings.availability import Offer, new_hold
from framework.bookings.plan import plan_of
from framework.flows import load_bot
from framework.stores.agents import Agent
from framework.stores.opening import open_agents, open_bookings
from tests.e2e.conftest import PHONE, ROOT, running_theke
from tests.e2e.test_agent_inbox import DESKTOP, PASSWORD, audit, shot, sign_in

try:
    from playwright.sync_api import Browser, BrowserContext, Page, expect
except ImportError as error:  # a clear failure, never a skip
    raise ImportError("tests/e2e need Playwright for Python (pip install -e '.[dev]')") from error

NOW = "2026-12-09T08:00+01:00"  # a Wednesday morning, before the studio opens
THURSDAY = "2026-12-10"
HOSTILE = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>'
BOOKED = [  # service, staff, hour, customer, conversation, confirmed
    ("manicure", "anna", 10, "Ada", "nail_studio:web:e2e-ada", True),
    ("gel_nails", "lena", 11, "Hanna", "nail_studio:web:e2e-hanna", False),
    ("pedicure", "maria", 12, HOSTILE, "", True),
    ("shellac", "anna", 15, "Cleo", "", True),
]


async def _seed(store: str) -> None:
    """The agent anna, and BOOKED on Thursday (numbers 1001 to 1004)."""
    agents, bookings = await open_agents(store), await open_bookings(store)
    now = datetime.fromisoformat(NOW)
    plan = plan_of(load_bot(ROOT / "bots" / "nail_studio"))
    assert plan is not None
    try:
        await agents.add(Agent(name="anna", display="Anna K."), PASSWORD, now.timestamp())
        for service, staff, hour, name, conversation, confirmed in BOOKED:
            start = datetime.fromisoformat(f"{THURSDAY}T{hour:02d}:00+01:00")
            chosen = plan.services[service]
            customer = {"name": name} | ({"channel": "web"} if conversation else {})
            offer = Offer.at(start, chosen, staff)
            who = {"conversation": conversation, "customer": customer}
            new = new_hold(plan, chosen, offer, now.timestamp(), plan.hold, **who)
            held = await bookings.hold(new, now.timestamp())
            if confirmed:
                await bookings.confirm("nail_studio", held.number, "customer", now.timestamp())
    finally:
        await bookings.close()
        await agents.close()


@pytest.fixture(scope="module")
def studio_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder: Path = tmp_path_factory.mktemp("calendar-server")
    asyncio.run(_seed(f"sqlite:///{folder / 'state.db'}"))
    with running_theke(folder, "nail_studio", NOW) as url:
        yield url


@pytest.fixture(params=["desktop", "phone"])
def sized(request: pytest.FixtureRequest, browser: Browser) -> Iterator[BrowserContext]:
    viewport = DESKTOP if request.param == "desktop" else PHONE
    context = browser.new_context(viewport=viewport, locale="de-DE")
    context.set_default_timeout(15_000)
    try:
        yield context
    finally:
        context.close()


def _calendar(context: BrowserContext, server: str, errors: list[str]) -> Page:
    page = sign_in(context, server, errors)
    page.on("console", lambda message: _blocked(message.type, message.text, errors))
    page.goto(f"{server}/calendar?bot=nail_studio&day={THURSDAY}")
    expect(page).to_have_url(re.compile(rf"/inbox/calendar\?bot=nail_studio&day={THURSDAY}$"))
    return page


def _blocked(kind: str, text: str, errors: list[str]) -> None:
    """A console error (a style or script the page's CSP blocked, a failed fetch) fails."""
    if kind == "error":
        errors.append(text)


def _on_phone(page: Page) -> bool:
    return page.viewport_size is not None and page.viewport_size["width"] == PHONE["width"]


def _fits(page: Page) -> None:
    if _on_phone(page):
        width = page.evaluate("document.scrollingElement.scrollWidth")
        assert width <= PHONE["width"], width


def test_the_day_and_week_views_are_accessible_at_both_sizes(
    studio_server: str, sized: BrowserContext
) -> None:
    errors: list[str] = []
    page = _calendar(sized, studio_server, errors)
    size = "phone" if _on_phone(page) else "desktop"
    anna = page.get_by_role("region", name="Anna")
    expect(anna.get_by_role("link", name="10:00–10:45 Maniküre (booking 1001)")).to_be_visible()
    expect(anna.get_by_text("Works 10:00–19:00; break 13:00–13:30")).to_be_visible()
    lena = page.get_by_role("region", name="Lena")
    expect(lena.locator(".cal-item--held")).to_contain_text("Held until")
    hostile = page.locator(".cal-lists .cal-item__who").filter(has_text="onerror")
    assert hostile.text_content() == HOSTILE  # text, not markup
    assert page.locator("#calendar-data img, #calendar-data script").count() == 0
    assert page.evaluate("window.__pwned") is None
    grid = page.locator(".cal-grids")
    if size == "desktop":
        expect(grid).to_be_visible()  # the grid for the eye; the list below says the same
    else:
        expect(grid).to_be_hidden()
    audit(page, f"calendar day ({size})")
    shot(page, f"booking-calendar-day-{size}")
    _fits(page)

    page.keyboard.press("Tab")  # the skip link, then the content: every link is reachable
    page.keyboard.press("Enter")
    link = page.get_by_role("link", name="10:00–10:45 Maniküre (booking 1001)")
    link.focus()
    assert link.evaluate("(a) => getComputedStyle(a).outlineStyle") != "none"

    page.get_by_role("link", name="Week view").click()
    expect(page.get_by_role("heading", level=2)).to_contain_text("Week of Mon 7 Dec")
    expect(page.get_by_role("region", name="Lena").get_by_text("Day off")).to_have_count(2)
    audit(page, f"calendar week ({size})")
    shot(page, f"booking-calendar-week-{size}")
    _fits(page)

    page.goto(f"{studio_server}/inbox/calendar/nail_studio/1001")
    expect(page.get_by_role("heading", level=1)).to_have_text("Booking 1001: Maniküre")
    audit(page, f"a booking ({size})")
    shot(page, f"booking-calendar-booking-{size}")
    _fits(page)
    page.goto(f"{studio_server}/inbox/calendar/nail_studio/new?on={THURSDAY}")
    audit(page, f"a new booking ({size})")
    _fits(page)
    assert errors == []


def test_an_agent_moves_cancels_and_books_a_walk_in(studio_server: str, browser: Browser) -> None:
    errors: list[str] = []
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, locale="de-DE")
    context.set_default_timeout(15_000)
    try:
        page = _calendar(context, studio_server, errors)
        page.get_by_role("link", name="10:00–10:45 Maniküre (booking 1001)").click()
        page.get_by_label("Day", exact=True).fill("2026-12-11")
        page.get_by_label("With", exact=True).select_option(label="Anna")
        page.get_by_role("button", name="Show free times").click()
        page.get_by_label("Free time on Friday 11 December 2026").select_option("14:00 with Anna")
        page.get_by_role("button", name="Move booking").click()
        expect(page.get_by_role("status").filter(has_text="Booking 1001 is moved")).to_contain_text(
            "The customer is told in their chat."
        )
        expect(page.get_by_role("heading", level=2)).to_contain_text("Friday 11 December 2026")
        moved = page.get_by_role("link", name="14:00–14:45 Maniküre (booking 1001)")
        expect(moved).to_be_visible()
        shot(page, "booking-calendar-moved-phone")

        page.goto(f"{studio_server}/inbox/calendar?bot=nail_studio&day={THURSDAY}")
        page.get_by_role("link", name="15:00–15:45 Shellac (booking 1004)").click()
        page.get_by_label("Note to the customer (optional)").fill("Anna ist leider krank.")
        page.clock.install()  # the calendar's 30 seconds pass when the test says so
        page.get_by_role("button", name="Cancel booking").click()
        expect(page.get_by_text("Booking 1004 is cancelled.")).to_be_visible()
        expect(page.get_by_role("link", name=re.compile("booking 1004"))).to_have_count(0)
        page.evaluate("window.__notReloaded = true")

        walk_in = context.new_page()
        walk_in.goto(f"{studio_server}/inbox/calendar/nail_studio/new?on={THURSDAY}")
        walk_in.get_by_label("Service").select_option(label="Shellac")
        walk_in.get_by_label("With", exact=True).select_option(label="Maria")
        walk_in.get_by_role("button", name="Show free times").click()
        walk_in.get_by_label("Free time on Thursday 10 December 2026").select_option(
            "13:15 with Maria"
        )
        walk_in.get_by_label("Customer's name").fill("Wanda Walk-in")
        walk_in.get_by_label("Phone (optional)").fill("+49 30 555 0101")
        walk_in.get_by_role("button", name="Book").click()
        expect(walk_in.get_by_text("Booking 1005 is booked.")).to_be_visible()
        shot(walk_in, "booking-calendar-walk-in-phone")

        listed = page.locator(".cal-lists").get_by_text("Wanda Walk-in")
        expect(listed).to_have_count(0)
        page.clock.fast_forward("00:31")  # the calendar's data reloads in place every 30 s
        expect(listed).to_be_visible()
        listed.evaluate("(entry) => { entry.__kept = true; }")
        page.get_by_role("link", name="Reload now").click()  # and when asked
        expect(page.locator("#announcer")).to_have_text("Calendar reloaded: nothing changed.")
        assert listed.evaluate("(entry) => entry.__kept === true")  # a click on it is not lost
        assert page.evaluate("window.__notReloaded") is True
    finally:
        context.close()
    assert errors == []
