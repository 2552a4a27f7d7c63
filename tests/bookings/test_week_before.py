"""week_before and in_the_week: "the week before a date" as the seven days it means, the date
it counts from no wish of its own, and weekdays preferred elsewhere moved into that week."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from framework.bookings.week_before import in_the_week, week_before
from framework.bookings.wishes import TimeWish

NOW = datetime(2027, 2, 1, 20, 50, tzinfo=ZoneInfo("Europe/Berlin"))
WEEK = tuple(date(2027, 2, day) for day in range(6, 13))
YEAR_END = (*(date(2027, 12, day) for day in range(27, 32)), date(2028, 1, 1), date(2028, 1, 2))


@pytest.mark.parametrize(
    ("text", "said", "week"),
    [
        ("in der Woche vor dem 13.2.", "vom 6.2. bis 12.2.", WEEK),
        (
            "Geburtstag am 13.2., in der Woche davor bitte",
            "Geburtstag , vom 6.2. bis 12.2. bitte",
            WEEK,
        ),
        ("the week before 13.2.", "vom 6.2. bis 12.2.", WEEK),
        ("in der Woche vor dem 3.1.", "vom 27.12. bis 2.1.", YEAR_END),
        ("Woche davor", "Woche davor", ()),  # no date to count from
        ("am 13.2. bitte", "am 13.2. bitte", ()),
        ("in der Woche vor dem 31.2.", "in der Woche vor dem 31.2.", ()),  # no such day
    ],
)
def test_the_week_before_a_date(text: str, said: str, week: tuple[date, ...]) -> None:
    read, days = week_before(text, NOW)
    assert (" ".join(read.split()), days) == (said, week)


def test_preferred_weekdays_fall_in_that_week() -> None:
    thursday_friday = TimeWish(days=(date(2027, 2, 4), date(2027, 2, 5)))
    assert in_the_week(thursday_friday, WEEK).days == (date(2027, 2, 11), date(2027, 2, 12))
    inside = TimeWish(days=(date(2027, 2, 8),))
    assert in_the_week(inside, WEEK) == inside
    assert in_the_week(thursday_friday, ()) == thursday_friday


def test_huge_input() -> None:
    text, week = week_before("Woche vor dem 13.2. " + "x" * 100_000, NOW)
    assert week == WEEK and len(text) < 100_100
