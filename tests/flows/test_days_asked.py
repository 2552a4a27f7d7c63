"""The day a customer asks about, for `business.day_asked` (on Friday 2026-11-06)."""

from __future__ import annotations

from datetime import date

import pytest

from framework.flows.days_asked import day_asked

FRIDAY = date(2026, 11, 6)


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("Und morgen ab wann?", date(2026, 11, 7)),
        ("what about tomorrow lunch then?", date(2026, 11, 7)),
        ("habt ihr übermorgen offen?", date(2026, 11, 8)),
        ("and the day after tomorrow?", date(2026, 11, 8)),
        ("seid ihr heute morgen schon da?", date(2026, 11, 6)),  # this morning: today
        ("habt ihr heute noch auf?", date(2026, 11, 6)),
        ("und am Montag?", date(2026, 11, 9)),
        ("open on friday?", date(2026, 11, 6)),  # today is Friday
        ("Habt ihr an Silvester offen?", date(2026, 12, 31)),
        ("are you open on christmas eve?", date(2026, 12, 24)),
        ("and on new year's day?", date(2027, 1, 1)),
        ("am 24.12. auch?", date(2026, 12, 24)),
        ("am 1.3.?", date(2027, 3, 1)),  # passed this year: next year's
        ("am 31.2.?", None),  # no such day
        ("wann habt ihr offen?", None),
        ("2 Salami bitte", None),
    ],
)
def test_the_day_a_message_asks_about(text: str, day: date | None) -> None:
    assert day_asked(text, FRIDAY) == day
