"""The bookings calendar served by the real app with bots/nail_studio (a SQLite file, a clock
standing on Wednesday 9 December 2026, 08:00 in Berlin) and agents signed in through the
inbox's sign-in form: signed out every route is refused, a change without the page's CSRF token
changes nothing, the day and week show each staff member's hours, breaks, bookings and holds;
cancel, move, no-show and a walk-in change the store, and a chat booking's customer hears of a
cancel or a move in their conversation; a time taken meanwhile is refused and changes nothing;
hostile input is refused with 400/404 or shown as text."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from framework.app import create_app
from framework.bookings.availability import Offer, new_hold
from framework.flows import load_bot
from framework.inbox.auth import AGENTS
from framework.reception.web import BOOKING_OFFICE, BookingOffice
from framework.stores.agents import Agent
from framework.stores.bookings import Booking
from framework.workspace import Workspace
from tests.handoffs.test_handoff_served import say
from tests.inbox.conftest import PASSWORD, Browser, browsers

NAILS = Path(__file__).resolve().parents[2] / "bots" / "nail_studio"
BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 12, 9, 8, 0, tzinfo=BERLIN).timestamp()  # a Wednesday morning
THURSDAY = date(2026, 12, 10)
PAGE = "/inbox/calendar"
ONE = f"{PAGE}/nail_studio"
Client = TestClient[web.Request, web.Application]
HOSTILE = '<img src=x onerror="alert(1)"><script>alert(2)</script>'


@pytest.fixture
async def studio(tmp_path: Path) -> AsyncIterator[Client]:
    """The nail studio served, with the agents lina (every bot) and otto (only the pizzeria)."""
    bot = load_bot(NAILS)
    settings = Workspace(root=tmp_path, bots=(NAILS,), store=f"sqlite:///{tmp_path / 'state.db'}")
    client = TestClient(TestServer(create_app(settings, {bot.name: bot}, clock=lambda: NOW)))
    await client.start_server()
    agents = client.app[AGENTS]
    await agents.add(Agent(name="lina", display="Lina"), PASSWORD, NOW)
    await agents.add(Agent(name="otto", bots=("pizza",)), PASSWORD, NOW)
    try:
        yield client
    finally:
        await client.close()


@pytest.fixture
async def lina(studio: Client) -> AsyncIterator[Browser]:
    async with browsers(studio) as make:
        browser = make()
        assert (await browser.sign_in("lina")).status == 303
        yield browser


async def booked(client: Client, service: str, staff: str, start: datetime, **who: Any) -> Booking:
    """A confirmed booking (`who`: conversation, customer), taken as the chat takes one."""
    office = office_of(client)
    plan = office.plan("nail_studio")
    chosen = plan.services[service]
    new = new_hold(plan, chosen, Offer.at(start, chosen, staff), NOW, plan.hold, **who)
    held = await office.bookings.hold(new, NOW)
    return await office.bookings.confirm("nail_studio", held.number, "customer", NOW)


def office_of(client: Client) -> BookingOffice:
    return client.app[BOOKING_OFFICE]


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=BERLIN)


async def stored(client: Client, number: int) -> Booking:
    found = await office_of(client).bookings.store.get("nail_studio", number)
    assert found is not None
    return found


async def page(browser: Browser, path: str) -> tuple[int, str]:
    answer = await browser.session.get(browser.url(path), allow_redirects=False)
    return answer.status, await answer.text()


async def heard(client: Client, sender: str, words: str) -> list[str]:
    """What the customer's REST conversation said, once a message with `words` is in it."""
    said: list[str] = []
    for _ in range(300):
        url = f"/webhooks/rest/conversations/{sender}/messages"
        said = [m["text"] for m in await (await client.get(url)).json()]
        if any(words in text for text in said):
            return said
        await asyncio.sleep(0.02)
    return said


async def test_signed_out_every_route_is_refused_and_nothing_changes(studio: Client) -> None:
    one = await booked(studio, "manicure", "anna", at(THURSDAY, 10))
    for path in (PAGE, f"{ONE}/{one.number}", f"{ONE}/new", f"{PAGE}?day=2026-12-10"):
        answer = await studio.get(path, allow_redirects=False)
        assert (answer.status, answer.headers["Location"]) == (303, "/inbox/login"), path
    short = await studio.get("/calendar?day=2026-12-10&view=week", allow_redirects=False)
    assert short.headers["Location"] == f"{PAGE}?day=2026-12-10&view=week"
    slot = {"slot": "anna|2026-12-10T14:00:00+01:00", "name": "Eve", "service": "manicure"}
    for change in ("cancel", "move", "no_show"):
        answer = await studio.post(f"{ONE}/{one.number}/{change}", data=slot)
        assert answer.status == 401, change
    assert (await studio.post(f"{ONE}/new", data=slot)).status == 401
    assert await stored(studio, one.number) == one
    assert await office_of(studio).bookings.store.get("nail_studio", 1002) is None


async def test_a_change_without_the_pages_csrf_token_changes_nothing(
    studio: Client, lina: Browser
) -> None:
    one = await booked(studio, "manicure", "anna", at(THURSDAY, 10))
    path = f"{ONE}/{one.number}/cancel"
    assert (await lina.post(path, {"note": "x"}, csrf=False)).status == 403
    assert (await lina.post(path, {"note": "x", "csrf": "forged"}, csrf=False)).status == 403
    foreign = await lina.session.post(
        lina.url(path),
        data={"csrf": lina.csrf},
        headers={"Origin": "https://evil.example"},
        allow_redirects=False,
    )
    assert foreign.status == 403
    new = {"slot": "maria|2026-12-10T12:00:00+01:00", "name": "Eve", "service": "manicure"}
    assert (await lina.post(f"{ONE}/new", new, csrf=False)).status == 403
    assert await stored(studio, one.number) == one


async def test_the_day_and_the_week_show_hours_breaks_bookings_and_holds(
    studio: Client, lina: Browser
) -> None:
    office = office_of(studio)
    plan = office.plan("nail_studio")
    ada = await booked(studio, "manicure", "anna", at(THURSDAY, 10), customer={"name": "Ada"})
    gel = plan.services["gel_nails"]
    hold = new_hold(plan, gel, Offer.at(at(THURSDAY, 11), gel, "lena"), NOW, plan.hold)
    held = await office.bookings.hold(hold, NOW)
    gone = await booked(studio, "pedicure", "maria", at(THURSDAY, 15), customer={"name": "Gus"})
    await office.bookings.cancel("nail_studio", gone.number, "customer", NOW)

    status, day = await page(lina, f"{PAGE}?day=2026-12-10")
    assert status == 200, day
    assert "Thursday 10 December 2026" in day
    assert "Works 10:00–19:00; break 13:00–13:30" in day  # Anna
    assert "Works 12:00–19:00" in day and "Works 10:00–18:00; break 14:00–14:30" in day
    assert f'10:00–10:45 Maniküre <span class="cal-item__number">(booking {ada.number})' in day
    assert "Ada" in day and "Confirmed" in day
    assert "11:00–12:30 Gelnägel Neumodellage" in day and "Held until 08:10" in day
    assert "Gus" not in day  # cancelled: its time is free again
    assert 'rowspan="3"' in day and "Break 13:00–13:30" in day  # the grid: 45 min, 3 rows
    assert f'href="{ONE}/{held.number}"' in day

    status, week = await page(lina, f"{PAGE}?day=2026-12-10&view=week&staff=lena")
    assert status == 200, week
    assert "Week of Mon 7 Dec – Sunday 13 December 2026" in week
    assert week.count("Day off") == 4  # Fri 11 and Sat 12 December: in the list and the grid
    assert "Not working" in week and "Anna" not in week.split('id="calendar-data"')[1]
    assert "Held until 08:10" in week
    _, anna = await page(lina, f"{PAGE}?day=2026-12-10&view=week&staff=anna")
    assert anna.count("Works 10:00–19:00; break 13:00–13:30") == 10  # Tue to Sat, list and grid


async def test_cancelling_tells_the_customer_in_their_chat(studio: Client, lina: Browser) -> None:
    await say(studio, "ada", "Hallo")
    chat = {"conversation": "nail_studio:rest:ada", "customer": {"channel": "rest", "id": "ada"}}
    one = await booked(studio, "manicure", "anna", at(THURSDAY, 10), **chat)
    status, shown = await page(lina, f"{ONE}/{one.number}")
    assert status == 200 and "The customer is told in their chat." in shown
    assert "35,00\xa0€" in shown and "in the chat (rest)" in shown
    answer = await lina.post(f"{ONE}/{one.number}/cancel", {"note": "Anna ist krank."})
    assert answer.status == 303
    assert answer.headers["Location"] == (
        f"{PAGE}?bot=nail_studio&day=2026-12-10&view=day&done=cancel&number=1001&told=1"
    )
    done = await stored(studio, one.number)
    assert done.status == "cancelled" and done.history[-1].by == "agent:lina"
    assert done.history[-1].note == "Anna ist krank."
    said = await heard(studio, "ada", "Termin Nr. 1001")
    assert any("absagen" in text and "Anna ist krank." in text for text in said), said
    _, after = await page(lina, answer.headers["Location"])
    assert "Booking 1001 is cancelled. The customer is told in their chat." in after


async def test_moving_to_a_free_time_tells_the_customer_and_a_taken_time_is_refused(
    studio: Client, lina: Browser
) -> None:
    await say(studio, "ada", "Hallo")
    chat = {"conversation": "nail_studio:rest:ada", "customer": {"channel": "rest", "id": "ada"}}
    one = await booked(studio, "manicure", "anna", at(THURSDAY, 10), **chat)
    other = await booked(studio, "shellac", "maria", at(THURSDAY, 12), customer={"name": "Bo"})
    status, form = await page(lina, f"{ONE}/{one.number}?on=2026-12-10&staff=")
    assert status == 200
    assert ">14:00 with Anna<" in form and ">12:00 with Maria<" not in form  # taken
    assert ">13:00 with Anna<" not in form  # Anna's break
    assert ">12:45 with Maria<" not in form  # Bo's shellac and its buffer
    moved = await lina.post(
        f"{ONE}/{one.number}/move?on=2026-12-10", {"slot": "anna|2026-12-10T14:00:00+01:00"}
    )
    assert moved.status == 303, await moved.text()
    done = await stored(studio, one.number)
    assert (done.resource, done.start) == ("anna", at(THURSDAY, 14).timestamp())
    said = await heard(studio, "ada", "verschieben: Maniküre ist jetzt am")
    assert any("Termin Nr. 1001" in text and "14:00" in text for text in said), said

    taken = {"slot": "maria|2026-12-10T12:00:00+01:00"}
    refused = await lina.post(f"{ONE}/{one.number}/move?on=2026-12-10", taken)
    assert refused.status == 409
    assert "That time is not free any more" in await refused.text()
    for typed in ("anna|2026-12-10T14:07:00+01:00", "anna|2026-12-10T13:00:00+01:00"):
        assert (await lina.post(f"{ONE}/{one.number}/move", {"slot": typed})).status == 409
    assert await stored(studio, one.number) == done and await stored(studio, other.number) == other


async def test_a_no_show_is_marked_only_after_the_start(studio: Client, lina: Browser) -> None:
    past = await booked(studio, "removal", "anna", at(date(2026, 12, 8), 10))
    ahead = await booked(studio, "removal", "anna", at(THURSDAY, 10))
    _, shown = await page(lina, f"{ONE}/{ahead.number}")
    assert "once the appointment has started" in shown and "Mark as no-show" not in shown
    refused = await lina.post(f"{ONE}/{ahead.number}/no_show")
    assert refused.status == 409 and "Nothing was changed." in await refused.text()
    assert (await stored(studio, ahead.number)).status == "confirmed"
    _, before = await page(lina, f"{ONE}/{past.number}")
    assert "Mark as no-show" in before
    assert (await lina.post(f"{ONE}/{past.number}/no_show")).status == 303
    assert (await stored(studio, past.number)).status == "no_show"
    _, day = await page(lina, f"{PAGE}?day=2026-12-08")
    assert "No-show" in day


async def test_a_walk_in_is_held_and_confirmed_at_once_and_nobody_is_told(
    studio: Client, lina: Browser
) -> None:
    status, form = await page(lina, f"{ONE}/new?service=shellac&staff=maria&on=2026-12-10")
    assert status == 200 and ">12:00 with Maria<" in form and "with Anna" not in form
    walk_in = {"service": "shellac", "slot": "maria|2026-12-10T12:00:00+01:00"}
    made = await lina.post(f"{ONE}/new", walk_in | {"name": HOSTILE, "phone": "+49 30 123"})
    assert made.status == 303, await made.text()
    assert "done=new&number=1001" in made.headers["Location"]
    booking = await stored(studio, 1001)
    assert (booking.status, booking.conversation, booking.service) == ("confirmed", "", "shellac")
    assert booking.customer == {"name": HOSTILE, "phone": "+49 30 123"}
    assert [e.by for e in booking.history] == ["agent:lina", "agent:lina"]
    for path in (f"{PAGE}?day=2026-12-10", f"{ONE}/1001"):
        _, shown = await page(lina, path)
        assert "&lt;script&gt;alert(2)&lt;/script&gt;" in shown and "<script>alert" not in shown
    again = await lina.post(f"{ONE}/new", walk_in | {"name": "Second"})
    assert again.status == 409 and "not free any more" in await again.text()
    assert await office_of(studio).bookings.store.get("nail_studio", 1002) is None
    _, shown = await page(lina, f"{ONE}/1001")
    assert "Nobody is messaged (no chat)" in shown


@pytest.mark.parametrize(
    "path",
    [
        f"{PAGE}?day=2026-13-45",
        f"{PAGE}?day={'9' * 5000}",
        f"{PAGE}?view=month",
        f"{PAGE}?staff=nobody",
        f"{ONE}/new?service=haircut",
        f"{ONE}/new?on=tomorrow",
        f"{ONE}/new?staff=%3Cb%3E",
        f"{ONE}/1001?on=2026-02-30",
        f"{PAGE}?day=9999-12-31&view=week",
        f"{PAGE}?day=0001-01-01",
        f"{ONE}/new?on=9999-12-31",
        f"{ONE}/1001?on=0001-01-01",
    ],
)
async def test_bad_dates_views_staff_and_services_are_400(
    studio: Client, lina: Browser, path: str
) -> None:
    await booked(studio, "manicure", "anna", at(THURSDAY, 10))
    status, text = await page(lina, path)
    assert status == 400, text


async def test_unknown_bots_bookings_and_changes_are_404_and_other_bots_agents_403(
    studio: Client, lina: Browser
) -> None:
    await booked(studio, "manicure", "anna", at(THURSDAY, 10))
    for path in (
        f"{PAGE}?bot=pizza",
        f"{PAGE}/pizza/1001",
        f"{ONE}/1999",
        f"{ONE}/{'1' * 40}",
        f"{PAGE}/%3Cscript%3E/new",
    ):
        status, text = await page(lina, path)
        assert status == 404, (path, text)
    assert (await lina.post(f"{ONE}/1001/delete")).status == 404
    assert (await lina.post(f"{ONE}/1999/cancel")).status == 404
    async with browsers(studio) as make:
        otto = make()
        await otto.sign_in("otto")
        assert (await page(otto, PAGE))[0] == 404  # none of his bots takes bookings
        assert (await page(otto, f"{PAGE}?bot=nail_studio"))[0] == 403
        assert (await otto.post(f"{ONE}/1001/cancel")).status == 403
    assert (await stored(studio, 1001)).status == "confirmed"


async def test_hostile_forms_are_refused_with_a_reason_and_change_nothing(
    studio: Client, lina: Browser
) -> None:
    one = await booked(studio, "manicure", "anna", at(THURSDAY, 10))
    path = f"{ONE}/{one.number}"
    huge = await lina.post(f"{path}/cancel", {"note": "x" * 100_000})
    assert huge.status in (400, 413) and "x" * 600 not in await huge.text()
    long = await lina.post(f"{path}/cancel", {"note": "x" * 501})
    assert long.status == 400 and "at most 500 characters" in await long.text()
    for slot in ("", "anna", "anna|tomorrow", "anna|2026-12-10T14:00", "nobody|2026-12-10T14:00Z"):
        answer = await lina.post(f"{path}/move", {"slot": slot})
        assert answer.status == 400 and "Pick one of the free times" in await answer.text()
    for far in ("anna|9999-12-31T23:59:59+00:00", "anna|0001-01-01T00:00:00+01:00"):
        assert (await lina.post(f"{path}/move", {"slot": far})).status == 400
    free = {"service": "manicure", "slot": "anna|2026-12-10T14:00:00+01:00"}
    for bad in ({"name": ""}, {"name": "x" * 101}, {"name": "Eve", "phone": "<b>1</b>"}):
        assert (await lina.post(f"{ONE}/new", free | bad)).status == 400, bad
    assert (await lina.post(f"{ONE}/new", free | {"service": "haircut"})).status == 400
    assert await stored(studio, one.number) == one
    assert await office_of(studio).bookings.store.get("nail_studio", 1002) is None
