"""Free times of the nail studio's plan (bots/nail_studio/booking.yaml): working hours, breaks,
buffers, notice, holidays, what is taken, the spread of offers, and the days the clocks change
in Europe/Berlin (a plan of its own that works through the night, so the changed hour is inside
working time)."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, time, timedelta
from itertools import pairwise
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from framework.bookings.availability import Offer, choose, free_times, search_days
from framework.bookings.plan import Plan, Staff, load_plan
from framework.bookings.wishes import TimeWish
from framework.flows import load_bot
from framework.stores.bookings import Busy

BERLIN = ZoneInfo("Europe/Berlin")
STUDIO = Path(__file__).resolve().parents[2] / "bots" / "nail_studio"
TUESDAY = date(2026, 12, 8)
MONDAY_EVENING = datetime(2026, 12, 7, 20, 0, tzinfo=BERLIN)


@pytest.fixture(scope="module")
def plan() -> Plan:
    found = load_plan(load_bot(STUDIO), STUDIO)
    assert found is not None
    return found


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), BERLIN)


def starts(offers: list[Offer]) -> list[tuple[str, str]]:
    return [(offer.start.strftime("%a %H:%M"), offer.staff) for offer in offers]


def offered(
    plan: Plan,
    service: str,
    wish: TimeWish,
    now: datetime = MONDAY_EVENING,
    busy: tuple[Busy, ...] = (),
    staff: tuple[str, ...] | None = None,
) -> list[Offer]:
    chosen_service = plan.services[service]
    days = search_days(plan, wish, now)
    who = list(staff or chosen_service.staff)
    return choose(free_times(plan, chosen_service, who, days, busy, now), wish, plan.offers)


def test_the_earliest_times_an_hour_apart_on_an_empty_day(plan: Plan) -> None:
    offers = offered(plan, "manicure", TimeWish(days=(TUESDAY,)))
    assert starts(offers) == [("Tue 10:00", "anna"), ("Tue 11:00", "anna"), ("Tue 12:00", "anna")]
    assert offers[0].end == at(TUESDAY, 10, 45)


def test_a_taken_time_with_its_buffer_is_not_offered(plan: Plan) -> None:
    taken = Busy("anna", at(TUESDAY, 10).timestamp(), at(TUESDAY, 11, 10).timestamp(), 1001)
    offers = offered(plan, "manicure", TimeWish(days=(TUESDAY,)), busy=(taken,), staff=("anna",))
    assert starts(offers)[0] == ("Tue 11:15", "anna")


def test_the_appointment_and_its_buffer_end_before_a_booking_starts(plan: Plan) -> None:
    # Manicure: 45 minutes and 10 after. Taken from 11:00: 10:00 ends 10:55 (fits), 10:15 not.
    taken = Busy("anna", at(TUESDAY, 11).timestamp(), at(TUESDAY, 19).timestamp(), 1001)
    wish = TimeWish(days=(TUESDAY,))
    found = list(
        free_times(plan, plan.services["manicure"], ["anna"], [TUESDAY], [taken], MONDAY_EVENING)
    )
    assert [offer.start.strftime("%H:%M") for offer in found] == ["10:00"]
    assert choose(iter(found), wish, 3) == found


def test_a_break_is_never_overlapped(plan: Plan) -> None:
    found = free_times(plan, plan.services["manicure"], ["anna"], [TUESDAY], [], MONDAY_EVENING)
    clocks = [offer.start.strftime("%H:%M") for offer in found]
    assert "12:15" in clocks and "13:30" in clocks  # 12:15-13:00, then after the break
    assert not {"12:30", "12:45", "13:00", "13:15"} & set(clocks)


def test_a_long_service_ends_by_closing_time(plan: Plan) -> None:
    found = list(
        free_times(plan, plan.services["gel_nails"], ["anna"], [TUESDAY], [], MONDAY_EVENING)
    )
    assert found[-1].start == at(TUESDAY, 17, 30) and found[-1].end == at(TUESDAY, 19)


def test_staff_work_their_own_hours(plan: Plan) -> None:
    # Maria starts at 12 on a Tuesday; Lena does not work Tuesdays at all.
    assert starts(offered(plan, "pedicure", TimeWish(days=(TUESDAY,))))[0] == ("Tue 12:00", "maria")
    assert offered(plan, "pedicure", TimeWish(days=(TUESDAY,)), staff=("lena",)) == []


def test_notice_keeps_the_next_two_hours_free(plan: Plan) -> None:
    now = at(TUESDAY, 9, 40)
    offers = offered(plan, "manicure", TimeWish(days=(TUESDAY,)), now=now)
    assert offers[0].start == at(TUESDAY, 11, 45)


def test_holidays_days_off_and_closed_days_are_skipped(plan: Plan) -> None:
    christmas_week = TimeWish(days=(date(2026, 12, 24), date(2026, 12, 27), date(2026, 12, 28)))
    assert offered(plan, "manicure", christmas_week) == []
    lena_off = TimeWish(days=(date(2026, 12, 11),))
    assert offered(plan, "manicure", lena_off, staff=("lena",)) == []


def test_a_time_of_day_window(plan: Plan) -> None:
    afternoon = TimeWish(days=(TUESDAY,), windows=((time(15), time(18)),))
    assert starts(offered(plan, "manicure", afternoon)) == [
        ("Tue 15:00", "anna"),
        ("Tue 16:00", "anna"),
        ("Tue 17:00", "anna"),
    ]


def test_a_clock_time_comes_first_and_else_the_nearest(plan: Plan) -> None:
    wish = TimeWish(days=(TUESDAY,), exact=time(15))
    assert starts(offered(plan, "manicure", wish))[0] == ("Tue 15:00", "anna")
    both = (
        Busy("anna", at(TUESDAY, 14).timestamp(), at(TUESDAY, 16).timestamp(), 1),
        Busy("maria", at(TUESDAY, 14).timestamp(), at(TUESDAY, 16).timestamp(), 2),
    )
    # Taken: the nearest, and of two as near the later (who says "at 3" may not come sooner).
    assert starts(offered(plan, "manicure", wish, busy=both)) == [
        ("Tue 16:00", "anna"),
        ("Tue 17:00", "anna"),
        ("Tue 13:00", "maria"),
    ]


def test_without_a_day_the_horizon_is_searched_from_today(plan: Plan) -> None:
    days = search_days(plan, TimeWish(), MONDAY_EVENING)
    assert days[0] == MONDAY_EVENING.date() and days[-1] == date(2027, 2, 5)
    holidays = {date(2026, 12, day) for day in (24, 25, 26, 31)} | {date(2027, 1, 1)}
    assert len(days) == 61 - len(holidays) and not holidays & set(days)


def night_plan(plan: Plan) -> Plan:
    """The studio's plan with one person working every night from 00:00 to 06:00."""
    night = {weekday: ((time(0), time(6)),) for weekday in range(7)}
    owl = Staff("owl", "Owl", (), night, (), frozenset())
    business = dataclasses.replace(plan.business, holidays=frozenset())
    return dataclasses.replace(plan, staff={"owl": owl}, business=business)


def test_the_hour_skipped_in_spring_is_never_offered(plan: Plan) -> None:
    owls = night_plan(plan)
    day = date(2027, 3, 28)
    now = datetime(2027, 3, 26, 12, tzinfo=BERLIN)
    found = list(free_times(owls, owls.services["removal"], ["owl"], [day], [], now))
    clocks = [offer.start.strftime("%H:%M") for offer in found]
    assert "01:45" in clocks and "03:00" in clocks
    assert not [clock for clock in clocks if clock.startswith("02:")]
    late = next(offer for offer in found if offer.start.strftime("%H:%M") == "01:45")
    assert late.end.strftime("%H:%M %z") == "03:15 +0200"  # 30 minutes of real time
    assert late.end.timestamp() - late.start.timestamp() == 30 * 60


def test_the_hour_repeated_in_autumn_is_offered_once(plan: Plan) -> None:
    owls = night_plan(plan)
    day = date(2026, 10, 25)
    now = datetime(2026, 10, 23, 12, tzinfo=BERLIN)
    found = list(free_times(owls, owls.services["removal"], ["owl"], [day], [], now))
    clocks = [offer.start.strftime("%H:%M") for offer in found]
    assert len(clocks) == len(set(clocks))
    early = next(offer for offer in found if offer.start.strftime("%H:%M") == "02:45")
    assert early.end.timestamp() - early.start.timestamp() == 30 * 60
    assert all(
        later.start.timestamp() > earlier.start.timestamp() for earlier, later in pairwise(found)
    )


def test_busy_spans_of_other_staff_do_not_count(plan: Plan) -> None:
    maria_all_day = Busy("maria", at(TUESDAY, 0).timestamp(), at(TUESDAY, 23).timestamp(), 1)
    offers = offered(plan, "manicure", TimeWish(days=(TUESDAY,)), busy=(maria_all_day,))
    assert starts(offers)[0] == ("Tue 10:00", "anna")


def test_days_past_the_horizon_are_not_searched(plan: Plan) -> None:
    far = MONDAY_EVENING.date() + timedelta(days=90)
    assert search_days(plan, TimeWish(days=(far,)), MONDAY_EVENING) == []
