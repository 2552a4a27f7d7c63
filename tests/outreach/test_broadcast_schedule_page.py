"""A broadcast given a time on its page (conftest.py: the shop served on SQLite at noon in
Berlin, its admin lina signed in): the Schedule field takes a time in the bot's zone, the list
and the page show it scheduled with that time and still preview it; it is moved, sent now or
cancelled; a time the API refuses the page refuses with the same reason, changing nothing."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import TestClient

from framework.outreach.broadcasts_web import BROADCASTS
from framework.stores.broadcasts import CANCELLED, DRAFT, SCHEDULED, SENDING
from tests.inbox.conftest import Browser
from tests.outreach.conftest import HOSTILE, NOW, page
from tests.outreach.test_broadcast_pages import PAGE, drafted


async def test_a_draft_is_scheduled_moved_and_sent_now_on_its_page(
    shop: TestClient, lina: Browser
) -> None:
    broadcast_id = await drafted(lina)
    draft = await page(lina, f"{PAGE}/{broadcast_id}")
    assert 'action="/inbox/broadcasts/' + broadcast_id + '/schedule"' in draft
    assert 'type="datetime-local" id="at" name="at" required value=""' in draft
    assert 'min="2026-11-30T12:00" max="2027-02-28T12:00"' in draft  # 90 days, in Berlin

    answer = await lina.post(f"{PAGE}/{broadcast_id}/schedule", {"at": "2026-11-30T13:30"})
    assert answer.headers["Location"] == f"{PAGE}/{broadcast_id}?done=schedule"
    kept = await shop.server.app[BROADCASTS].get(broadcast_id)
    assert (kept.status, kept.starts_at) == (SCHEDULED, NOW + 5400)
    shown = await page(lina, f"{PAGE}/{broadcast_id}?done=schedule")
    assert "Scheduled: it starts at its time by itself." in shown
    assert "It starts <strong>2026-11-30 13:30 Europe/Berlin</strong>." in shown
    assert 'value="2026-11-30T13:30"' in shown and "Another time" in shown
    assert "would reach <strong>2</strong> people now" in shown  # the preview
    assert "/send" in shown and "/cancel" in shown and "/pause" not in shown
    listed = await page(lina, PAGE)
    assert '<span class="out-scheduled">2026-11-30 13:30 Europe/Berlin</span>' in listed

    await lina.post(f"{PAGE}/{broadcast_id}/schedule", {"at": "2026-12-01T09:00"})
    assert (await shop.server.app[BROADCASTS].get(broadcast_id)).starts_at == NOW + 21 * 3600
    answer = await lina.post(f"{PAGE}/{broadcast_id}/send")
    assert answer.status == 303
    sending = await shop.server.app[BROADCASTS].get(broadcast_id)
    assert (sending.status, sending.starts_at, sending.started_at) == (SENDING, 0, NOW)
    refused = await lina.post(f"{PAGE}/{broadcast_id}/schedule", {"at": "2026-12-01T09:00"})
    assert refused.status == 409
    assert "a sending broadcast cannot be scheduled" in await refused.text()


async def test_a_scheduled_broadcast_is_cancelled_on_its_page(
    shop: TestClient, lina: Browser
) -> None:
    broadcast_id = await drafted(lina)
    await lina.post(f"{PAGE}/{broadcast_id}/schedule", {"at": "2026-12-01T09:00"})
    assert (await lina.post(f"{PAGE}/{broadcast_id}/cancel")).status == 303
    assert (await shop.server.app[BROADCASTS].get(broadcast_id)).status == CANCELLED
    cancelled = await page(lina, f"{PAGE}/{broadcast_id}")
    assert "/schedule" not in cancelled and "It starts" not in cancelled


@pytest.mark.parametrize(
    ("at", "problem"),
    [
        ("", "Schedule: a date with a time"),
        ("2026-11-30T11:59", "Schedule: 2026-11-30 11:59 Europe/Berlin is past"),
        ("2027-03-01T09:00", "more than 90 days ahead"),
        ("30.11.2026 14:00", "Schedule: a date with a time"),
        (HOSTILE, "Schedule: a date"),
        ("2026-12-01T09:00" + "9" * 200, "at most 40 characters"),
    ],
)
async def test_a_refused_time_says_why_and_changes_nothing(
    shop: TestClient, lina: Browser, at: str, problem: str
) -> None:
    broadcast_id = await drafted(lina)
    answer = await lina.post(f"{PAGE}/{broadcast_id}/schedule", {"at": at})
    text = await answer.text()
    assert answer.status == 400, text
    assert problem in text and "<script>alert" not in text
    assert (await shop.server.app[BROADCASTS].get(broadcast_id)).status == DRAFT
