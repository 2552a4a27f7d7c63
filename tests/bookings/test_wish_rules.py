"""read_wish: rules found on the second blind set of customer conversations (holdout2), each
pinned in words of its own: a person excluded is never wished, noon as a bound is twelve
o'clock, a day of the month may be an ordinal word, the part of the day the customer works is
not wished, an English short weekday may end a sentence ("sat??")."""

from __future__ import annotations

from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from framework.bookings.offering import customer_wish
from framework.bookings.plan import Plan, plan_of
from framework.bookings.wishes import read_wish
from framework.flows import load_bot

BERLIN = ZoneInfo("Europe/Berlin")
MON = datetime(2026, 12, 7, 18, 30, tzinfo=BERLIN)
STAFF = {"anna": "anna", "maria": "maria", "mia": "maria", "lena": "lena"}
END = time(23, 59, 59)


@pytest.mark.parametrize(
    "text",
    [
        "war letztes Mal bei Anna, diesmal Freitag, aber nicht bei Anna",
        "Anna did them last time; Friday please, but not with Anna",
        "nicht bei Anni, mit Anna war ich nie zufrieden",
    ],
)
def test_a_person_also_excluded_is_not_wished(text: str) -> None:
    wish = read_wish(text, MON, staff=STAFF)
    assert wish is not None
    assert wish.staff is None and "anna" not in wish.other_staff
    assert wish.not_staff == ("anna",)


def test_an_excluded_person_leaves_the_others_named() -> None:
    wish = read_wish("mit Lena oder Anna, aber nicht mit Anna", MON, staff=STAFF)
    assert wish is not None
    assert (wish.staff, wish.other_staff, wish.not_staff) == ("lena", (), ("anna",))


@pytest.mark.parametrize(
    ("text", "window"),
    [
        ("Samstag ab Mittag", (time(12), END)),
        ("from noon on Saturday", (time(12), END)),
        ("Samstag bis Mittag", (time(0), time(12))),
        ("sat b4 noon", (time(0), time(12))),
        ("Saturday before noon", (time(0), time(12))),
        ("Samstag vor dem Mittag", (time(0), time(12))),
    ],
)
def test_noon_as_a_bound_is_twelve(text: str, window: tuple[time, time]) -> None:
    wish = read_wish(text, MON, staff=STAFF)
    assert wish is not None
    assert wish.days == (date(2026, 12, 12),)
    assert wish.windows == (window,)


def test_noon_alone_is_still_lunchtime() -> None:
    wish = read_wish("Samstag mittags", MON, staff=STAFF)
    assert wish is not None and wish.windows == ((time(11, 30), time(14)),)


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("am Dienstag, den fünften Januar", date(2027, 1, 5)),
        ("am einundzwanzigsten Dezember", date(2026, 12, 21)),
        ("den dreißigsten Dezember vormittags", date(2026, 12, 30)),
        ("on the tenth of December", date(2026, 12, 10)),
        ("January twenty-first", date(2027, 1, 21)),
        ("the thirtieth of december", date(2026, 12, 30)),
    ],
)
def test_a_day_of_the_month_as_an_ordinal_word(text: str, day: date) -> None:
    wish = read_wish(text, MON, staff=STAFF)
    assert wish is not None and wish.days == (day,)


def test_erst_is_no_ordinal() -> None:
    wish = read_wish("erst im Januar", MON, staff=STAFF)
    assert wish is not None and len(wish.days) == 31


@pytest.fixture(scope="module")
def plan() -> Plan:
    found = plan_of(load_bot(Path(__file__).resolve().parents[2] / "bots" / "nail_studio"))
    assert found is not None
    return found


@pytest.mark.parametrize(
    ("text", "windows"),
    [
        ("Freitag vormittags, nachmittags muss ich arbeiten", ((time(8), time(12)),)),
        ("Freitag, abends hab ich Dienst", ((time(0), time(17)), (time(22), END))),
        ("Friday, I work afternoons", ((time(0), time(12)), (time(17), END))),
        ("Friday please, mornings I'm at work", ((time(0), time(8)), (time(12), END))),
        ("Freitag, nachmittags bin ich frei", ((time(12), time(17)),)),
    ],
)
def test_the_part_of_the_day_the_customer_works_is_not_wished(
    plan: Plan, text: str, windows: tuple[tuple[time, time], ...]
) -> None:
    wish = customer_wish(plan, text, MON)
    assert wish.days == (date(2026, 12, 11),)
    assert wish.windows == windows


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("shellac sat?? whenever after 2", date(2026, 12, 12)),
        ("mani thurs, after work", date(2026, 12, 10)),
        ("pedi fri! pls", date(2026, 12, 11)),
    ],
)
def test_an_english_short_weekday_before_a_sentence_break(text: str, day: date) -> None:
    wish = read_wish(text, MON, staff=STAFF)
    assert wish is not None and wish.days == (day,)


@pytest.mark.parametrize("text", ["i sat, waiting for ages", "they sat, chatting"])
def test_a_short_weekday_after_a_subject_is_a_verb(text: str) -> None:
    assert read_wish(text, MON, staff=STAFF) is None
