"""The segments page in a real browser against the real server (`theke run bots/airline`, the
travellers of test_outreach_pages.py): the admin anna opens Segments from the navigation, is
told why a bad name is refused (the form kept), makes a segment whose description is hostile
HTML, counts who it admits for the flight's topic by channel, chooses it for a draft (whose
preview names the copied segment) and deletes it. Every page passes axe-core with no violation
at 1280×800 and 390×844 and fits the phone's width; screenshots in
test-artifacts/outreach-*.png."""

from __future__ import annotations

import re

from playwright.sync_api import BrowserContext, expect

from tests.e2e.test_outreach_pages import HOSTILE, TOPIC, checked, drafted, signed_in
from tests.e2e.test_outreach_pages import admin as admin  # the admin's browser, each size
from tests.e2e.test_outreach_pages import airline_server as airline_server  # the served airline


def test_a_segment_is_refused_made_counted_chosen_for_a_draft_and_deleted(
    airline_server: str, admin: BrowserContext
) -> None:
    page, errors, size = signed_in(admin, airline_server)
    name = f"rest-{size}"
    page.get_by_role("link", name="Segments").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Segments · airline")
    checked(page, "segments")

    page.get_by_label("Name", exact=True).fill("Rest Only")
    page.get_by_label("Definition").fill('{"channels": ["rest"]}')
    page.get_by_role("button", name="Save segment").click()
    expect(page.get_by_role("alert")).to_contain_text("is not a segment's name")
    expect(page.get_by_label("Definition")).to_have_value('{"channels": ["rest"]}')  # kept
    checked(page, "a refused segment")
    assert [e for e in errors if "400 (Bad Request)" not in e] == []  # the refusal's own 400
    errors.clear()

    page.get_by_label("Name", exact=True).fill(name)
    page.get_by_label("Description (optional)").fill(HOSTILE)
    page.get_by_role("button", name="Save segment").click()
    expect(page.get_by_role("status").filter(has_text="Saved.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Segment {name}")
    expect(page.locator(".out-asks")).to_contain_text("channel: rest")
    page.get_by_label("Purpose").fill(f"notify:{TOPIC}")
    page.get_by_role("button", name="Count").click()
    expect(page.locator(".out-channels")).to_contain_text(re.compile(r"rest: \d+"))
    admits = re.compile(
        r"would reach\s+\d+\s+(person|people)\s+\(\d+ conversations?\)\s+and leaves out\s+\d+"
    )
    expect(page.locator("#main")).to_contain_text(admits)
    checked(page, "a segment")

    page.get_by_role("link", name="Broadcasts").click()
    drafted(page, name)
    expect(page.locator(".out-segment")).to_contain_text('"channels": ["rest"]')
    expect(page.locator(".out-channels")).not_to_contain_text("web")

    page.get_by_role("link", name="Segments").click()
    page.get_by_role("link", name=name, exact=True).click()
    page.get_by_role("button", name=f"Delete segment {name}").click()
    expect(page.get_by_role("status").filter(has_text="Deleted.")).to_be_visible()
    expect(page.get_by_role("link", name=name, exact=True)).to_have_count(0)
    checked(page, "segments after a deletion")
    assert page.evaluate("window.__pwned") is None
    assert errors == []
