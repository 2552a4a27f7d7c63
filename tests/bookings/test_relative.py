"""relative_to: a move's wish said from the booking it moves, filling what the customer's own
wish leaves open (a booking on Wednesday 9 December 2026, 15:00, Europe/Berlin)."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from framework.bookings.relative import relative_to
from framework.bookings.wishes import TimeWish

BOOKED = datetime(2026, 12, 9, 15, 0, tzinfo=ZoneInfo("Europe/Berlin"))
WEDNESDAY, NEXT_WEDNESDAY = date(2026, 12, 9), date(2026, 12, 16)
END = time(23, 59, 59)


@pytest.mark.parametrize(
    ("text", "wish", "expected"),
    [
        (
            "eine Woche später, gleiche Uhrzeit",
            TimeWish(),
            TimeWish(days=(NEXT_WEDNESDAY,), exact=time(15)),
        ),
        (
            "a week later at the same time",
            TimeWish(),
            TimeWish(days=(NEXT_WEDNESDAY,), exact=time(15)),
        ),
        ("einen Tag später", TimeWish(), TimeWish(days=(date(2026, 12, 10),))),
        ("a day earlier", TimeWish(), TimeWish(days=(date(2026, 12, 8),))),
        ("later in the day", TimeWish(), TimeWish(days=(WEDNESDAY,), windows=((time(15), END),))),
        (
            "am selben Tag früher",
            TimeWish(),
            TimeWish(days=(WEDNESDAY,), windows=((time(0), time(15)),)),
        ),
        # a time said wins over "later"; "in the day after 3" is no "day after"
        (
            "later in the day? After 3",
            TimeWish(windows=((time(15), END),)),
            TimeWish(days=(WEDNESDAY,), windows=((time(15), END),)),
        ),
        # the booking's own day named to say which one, then "a week later"
        (
            "ich hab Mittwoch Maniküre, ginge das eine Woche später?",
            TimeWish(days=(WEDNESDAY,)),
            TimeWish(days=(NEXT_WEDNESDAY,)),
        ),
        # a day of its own named: it stays
        (
            "eine Woche später, am Donnerstag",
            TimeWish(days=(date(2026, 12, 17),)),
            TimeWish(days=(date(2026, 12, 17),)),
        ),
        (
            "lieber Freitag",
            TimeWish(days=(date(2026, 12, 11),)),
            TimeWish(days=(date(2026, 12, 11),)),
        ),
        ("", TimeWish(), TimeWish()),
    ],
)
def test_relative_wishes(text: str, wish: TimeWish, expected: TimeWish) -> None:
    assert relative_to(text, BOOKED, wish) == expected


def test_huge_input_is_read_quickly() -> None:
    assert relative_to("eine Woche später " * 10_000, BOOKED, TimeWish()).days == (NEXT_WEDNESDAY,)
