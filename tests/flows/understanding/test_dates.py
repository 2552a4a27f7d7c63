import time as clock
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from framework.flows.understanding.dates import parse_date, parse_datetime, parse_time

PROPERTIES = settings(database=None, deadline=None)
BERLIN = ZoneInfo("Europe/Berlin")
# A Friday.
NOW = datetime(2026, 11, 27, 10, 0, tzinfo=BERLIN)
WEEKDAY_NAMES = {
    0: ["montag", "monday", "mon", "mo."],
    1: ["dienstag", "tuesday", "tue", "di."],
    2: ["mittwoch", "wednesday", "wed", "mi."],
    3: ["donnerstag", "thursday", "thu", "do."],
    4: ["freitag", "friday", "fri", "fr"],
    5: ["samstag", "sonnabend", "saturday", "sat", "sa."],
    6: ["sonntag", "sunday", "sun", "so."],
}
NOWS = st.datetimes(
    min_value=datetime(2000, 1, 1),
    max_value=datetime(2090, 12, 31),
    timezones=st.just(BERLIN),
    allow_imaginary=False,
)


def at(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=BERLIN)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("heute", date(2026, 11, 27)),
        ("Today", date(2026, 11, 27)),
        ("morgen", date(2026, 11, 28)),
        ("tomorrow", date(2026, 11, 28)),
        ("übermorgen", date(2026, 11, 29)),
        ("uebermorgen", date(2026, 11, 29)),
        ("day after tomorrow", date(2026, 11, 29)),
        ("gestern", date(2026, 11, 26)),
        ("freitag", date(2026, 11, 27)),
        ("Fr", date(2026, 11, 27)),
        ("friday", date(2026, 11, 27)),
        ("fri", date(2026, 11, 27)),
        ("am Freitag", date(2026, 11, 27)),
        ("diesen freitag", date(2026, 11, 27)),
        ("nächsten Freitag", date(2026, 12, 4)),
        ("next friday", date(2026, 12, 4)),
        ("this coming friday", date(2026, 12, 4)),
        ("übernächsten freitag", date(2026, 12, 11)),
        ("samstag", date(2026, 11, 28)),
        ("Sa.", date(2026, 11, 28)),
        ("nächsten samstag", date(2026, 11, 28)),
        ("donnerstag", date(2026, 12, 3)),
        ("montags", date(2026, 11, 30)),
        ("Samstagabend", date(2026, 11, 28)),
        ("Heiligabend", date(2026, 12, 24)),
        ("Weihnachten", date(2026, 12, 25)),
        ("silvester", date(2026, 12, 31)),
        ("new year's day", date(2027, 1, 1)),
        ("am 24.12.", date(2026, 12, 24)),
        ("24.12.2026", date(2026, 12, 24)),
        ("24.12.26", date(2026, 12, 24)),
        ("24.12.2027", date(2027, 12, 24)),
        ("2026-12-24", date(2026, 12, 24)),
        ("24. Dezember", date(2026, 12, 24)),
        ("24 dez", date(2026, 12, 24)),
        ("24. Dezember 2027", date(2027, 12, 24)),
        ("December 24", date(2026, 12, 24)),
        ("dec 24th", date(2026, 12, 24)),
        ("December 24th, 2027", date(2027, 12, 24)),
        ("24th of December", date(2026, 12, 24)),
        ("3. März", date(2027, 3, 3)),
        ("1.1.", date(2027, 1, 1)),
        ("27.11.", date(2026, 11, 27)),
        ("26.11.", date(2027, 11, 26)),
        ("12.10", date(2027, 10, 12)),
        ("29.02.", date(2028, 2, 29)),
        ("24/12", date(2026, 12, 24)),
        ("12/24", date(2026, 12, 24)),
        ("am 30.", date(2026, 11, 30)),
        ("am 3.", date(2026, 12, 3)),
        ("the 3rd", date(2026, 12, 3)),
        ("in 3 tagen", date(2026, 11, 30)),
        ("in 3 days", date(2026, 11, 30)),
        ("in einer Woche", date(2026, 12, 4)),
        ("in 2 weeks", date(2026, 12, 11)),
        ("Freitag, 4.12.", date(2026, 12, 4)),
        ("heute, Freitag", date(2026, 11, 27)),
        ("in 2 stunden", date(2026, 11, 27)),
        ("morgen um 15 uhr", date(2026, 11, 28)),
    ],
)
def test_parse_date(text: str, expected: date) -> None:
    assert parse_date(text, NOW) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("15 uhr", time(15, 0)),
        ("15:30", time(15, 30)),
        ("15.30 Uhr", time(15, 30)),
        ("um 15.30", time(15, 30)),
        ("15.30", time(15, 30)),
        ("18.00", time(18, 0)),
        ("15h30", time(15, 30)),
        ("15 Uhr 30", time(15, 30)),
        ("07:30", time(7, 30)),
        ("0:30", time(0, 30)),
        ("um 3", time(15, 0)),
        ("um drei", time(15, 0)),
        ("3 uhr", time(15, 0)),
        ("um 7", time(19, 0)),
        ("um 8", time(8, 0)),
        ("um 12", time(12, 0)),
        ("um 8 abends", time(20, 0)),
        ("um 3 Uhr nachmittags", time(15, 0)),
        ("7 Uhr morgens", time(7, 0)),
        ("1 uhr mittags", time(13, 0)),
        ("11 uhr mittags", time(11, 0)),
        ("12 uhr nachts", time(0, 0)),
        ("3pm", time(15, 0)),
        ("3 pm", time(15, 0)),
        ("3 p.m.", time(15, 0)),
        ("3:30pm", time(15, 30)),
        ("9am", time(9, 0)),
        ("12am", time(0, 0)),
        ("12pm", time(12, 0)),
        ("at 7", time(19, 0)),
        ("at three thirty pm", time(15, 30)),
        ("three o'clock", time(15, 0)),
        ("noon", time(12, 0)),
        ("mittag", time(12, 0)),
        ("midnight", time(0, 0)),
        ("halb drei", time(14, 30)),
        ("halb 3", time(14, 30)),
        ("halb drei morgens", time(2, 30)),
        ("halb acht", time(19, 30)),
        ("halb neun", time(8, 30)),
        ("halb eins", time(12, 30)),
        ("viertel nach drei", time(15, 15)),
        ("viertel vor acht", time(19, 45)),
        ("viertel nach 15", time(15, 15)),
        ("zehn vor halb acht", time(19, 20)),
        ("5 nach 3", time(15, 5)),
        ("half past three", time(15, 30)),
        ("quarter to five", time(16, 45)),
        ("a quarter past seven pm", time(19, 15)),
        ("in 2 stunden", time(12, 0)),
    ],
)
def test_parse_time(text: str, expected: time) -> None:
    assert parse_time(text, NOW) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("morgen um 15 uhr", at(2026, 11, 28, 15)),
        ("Morgen um 15 Uhr bitte", at(2026, 11, 28, 15)),
        ("next friday 3pm", at(2026, 12, 4, 15)),
        ("freitag 18:30", at(2026, 11, 27, 18, 30)),
        ("Fr, 18:30", at(2026, 11, 27, 18, 30)),
        ("fri 7pm", at(2026, 11, 27, 19)),
        ("mo 15 uhr", at(2026, 11, 30, 15)),
        ("tomorrow at noon", at(2026, 11, 28, 12)),
        ("24.12. um 19 uhr", at(2026, 12, 24, 19)),
        ("24.12. 19 Uhr", at(2026, 12, 24, 19)),
        ("24.12.2026 19:00", at(2026, 12, 24, 19)),
        ("am 24.12. um halb acht", at(2026, 12, 24, 19, 30)),
        ("Am Freitag um halb 8", at(2026, 11, 27, 19, 30)),
        ("heute abend um 8", at(2026, 11, 27, 20)),
        ("tonight at 8", at(2026, 11, 27, 20)),
        ("morgen früh um 8", at(2026, 11, 28, 8)),
        ("tomorrow morning at 9", at(2026, 11, 28, 9)),
        ("heute mittag", at(2026, 11, 27, 12)),
        ("in 3 tagen um 18 uhr", at(2026, 11, 30, 18)),
        ("15 uhr", at(2026, 11, 27, 15)),
        ("um 9", at(2026, 11, 28, 9)),
        ("10 uhr", at(2026, 11, 27, 10)),
        ("in 2 stunden", at(2026, 11, 27, 12)),
        ("in zwei Stunden", at(2026, 11, 27, 12)),
        ("in 2 hours", at(2026, 11, 27, 12)),
        ("in 2h", at(2026, 11, 27, 12)),
        ("in 30 minuten", at(2026, 11, 27, 10, 30)),
        ("in 30 minutes", at(2026, 11, 27, 10, 30)),
        ("in 30 min", at(2026, 11, 27, 10, 30)),
        ("in einer Stunde", at(2026, 11, 27, 11)),
        ("in an hour", at(2026, 11, 27, 11)),
        ("in einer halben Stunde", at(2026, 11, 27, 10, 30)),
        ("in half an hour", at(2026, 11, 27, 10, 30)),
        ("in anderthalb Stunden", at(2026, 11, 27, 11, 30)),
        ("in 1,5 Stunden", at(2026, 11, 27, 11, 30)),
        ("in twenty five minutes", at(2026, 11, 27, 10, 25)),
        ("in etwa 20 Minuten", at(2026, 11, 27, 10, 20)),
        ("jetzt", NOW),
        ("sofort bitte", NOW),
        ("heute in 2 stunden", at(2026, 11, 27, 12)),
        ("Guten Morgen, um 12 Uhr bitte", at(2026, 11, 27, 12)),
        ("2 Pizzen um 19 Uhr", at(2026, 11, 27, 19)),
        ("um 3 am freitag", at(2026, 11, 27, 15)),
        ("so um 8", at(2026, 11, 28, 8)),
        ("so 18 uhr", at(2026, 11, 29, 18)),
        ("do 19 uhr", at(2026, 12, 3, 19)),
        ("samstagabend um 8", at(2026, 11, 28, 20)),
        ("Montagmorgen um 9", at(2026, 11, 30, 9)),
        ("Silvester um 20 Uhr", at(2026, 12, 31, 20)),
        ("new year's eve 8pm", at(2026, 12, 31, 20)),
        ("so gegen 19 Uhr", at(2026, 11, 27, 19)),
    ],
)
def test_parse_datetime(text: str, expected: datetime) -> None:
    result = parse_datetime(text, NOW)
    assert result == expected
    assert result is not None and result.tzinfo is BERLIN


@pytest.mark.parametrize(
    "text",
    [
        "heute",
        "morgen",
        "freitag",
        "24.12.",
        "in 3 tagen",
        "heute abend",
        "next friday",
    ],
)
def test_parse_datetime_needs_a_time(text: str) -> None:
    assert parse_date(text, NOW) is not None
    assert parse_datetime(text, NOW) is None


@pytest.mark.parametrize(
    "text",
    [
        "",
        " ",
        "pizza",
        "ja",
        "15",
        "31.02.",
        "31.02.2026",
        "30.2.",
        "32.1.",
        "1.13.",
        "2026-02-30",
        "31. Februar",
        "25:00",
        "12:60",
        "24:00",
        "13pm",
        "um 25",
        "morgen 25:00",
        "morgen oder übermorgen",
        "um 7 oder 8",
        "montag freitag",
        "Freitag, 28.11.",
        "nicht heute",
        "not now",
        "18-19 uhr",
        "zwischen 18 und 19 uhr",
        "bis 18 uhr",
        "nächste Woche",
        "next week",
        "in a few minutes",
        "in ein paar minuten",
        "in 2 stunden und 30 minuten",
        "morgen in 2 stunden",
        "2 to 3 pm",
        "dezember",
        "vor 3 tagen",
        "siebzehn uhr",
        "do you have a table?",
        "24.12. " * 40,
    ],
)
def test_unclear_or_invalid(text: str) -> None:
    assert parse_date(text, NOW) is None
    assert parse_time(text, NOW) is None
    assert parse_datetime(text, NOW) is None


def test_time_alone_that_has_passed_means_tomorrow() -> None:
    assert parse_datetime("9:59", NOW) == at(2026, 11, 28, 9, 59)
    assert parse_datetime("10:00", NOW) == NOW
    assert parse_datetime("10:01", NOW) == at(2026, 11, 27, 10, 1)


def test_yearless_date_rolls_over_the_new_year() -> None:
    late = at(2026, 12, 30, 12)
    assert parse_date("2.1.", late) == date(2027, 1, 2)
    assert parse_date("24.12.", late) == date(2027, 12, 24)
    assert parse_date("30.12.", late) == date(2026, 12, 30)
    assert parse_date("am 2.", late) == date(2027, 1, 2)


def test_in_two_hours_across_the_autumn_dst_change() -> None:
    before = at(2026, 10, 25, 1, 30)  # CEST; clocks go back at 03:00 CEST
    result = parse_datetime("in 2 hours", before)
    assert result is not None and result.tzinfo is BERLIN
    assert result.astimezone(UTC) - before.astimezone(UTC) == timedelta(hours=2)
    assert (result.hour, result.minute, result.utcoffset()) == (2, 30, timedelta(hours=1))


def test_in_two_hours_across_the_spring_dst_change() -> None:
    before = at(2026, 3, 29, 1, 30)  # CET; clocks jump from 02:00 to 03:00
    result = parse_datetime("in 2 stunden", before)
    assert result is not None
    assert result.astimezone(UTC) - before.astimezone(UTC) == timedelta(hours=2)
    assert (result.hour, result.minute, result.utcoffset()) == (4, 30, timedelta(hours=2))


def test_wall_time_skipped_by_dst_moves_forward() -> None:
    result = parse_datetime("morgen um 02:30", at(2026, 3, 28, 12))
    assert result is not None
    assert (result.date(), result.hour, result.minute) == (date(2026, 3, 29), 3, 30)
    assert result.utcoffset() == timedelta(hours=2)


def test_calendar_days_ignore_dst() -> None:
    assert parse_date("in 3 tagen", at(2026, 10, 24, 23, 30)) == date(2026, 10, 27)
    result = parse_datetime("morgen um 18 uhr", at(2026, 10, 24, 18))
    assert result == at(2026, 10, 25, 18)
    assert result is not None and result.utcoffset() == timedelta(hours=1)


@PROPERTIES
@given(NOWS, st.integers(min_value=0, max_value=72))
def test_hours_from_now_are_exact_elapsed_time(now: datetime, hours: int) -> None:
    result = parse_datetime(f"in {hours} stunden", now)
    assert result is not None and result.tzinfo is BERLIN
    assert result.astimezone(UTC) - now.astimezone(UTC) == timedelta(hours=hours)


@PROPERTIES
@given(NOWS, st.integers(min_value=0, max_value=23), st.integers(min_value=0, max_value=59))
def test_time_alone_is_the_next_such_moment(now: datetime, hour: int, minute: int) -> None:
    result = parse_datetime(f"{hour:02d}:{minute:02d}", now)
    assert result is not None and result.tzinfo is BERLIN
    assert now.timestamp() <= result.timestamp() < now.timestamp() + 25 * 3600


@PROPERTIES
@given(NOWS, st.sampled_from(sorted(WEEKDAY_NAMES)), st.data())
def test_weekdays_are_the_next_such_day(now: datetime, weekday: int, data: st.DataObject) -> None:
    name = data.draw(st.sampled_from(WEEKDAY_NAMES[weekday]))
    bare = parse_date(name, now)
    following = parse_date(f"next {name}", now)
    assert bare is not None and following is not None
    assert bare.weekday() == following.weekday() == weekday
    assert 0 <= (bare - now.date()).days <= 6
    assert 1 <= (following - now.date()).days <= 7


@PROPERTIES
@given(st.dates(min_value=date(1000, 1, 1)))
def test_full_dates_round_trip(day: date) -> None:
    assert parse_date(f"{day.day}.{day.month}.{day.year}", NOW) == day
    assert parse_date(day.isoformat(), NOW) == day


@PROPERTIES
@given(NOWS, st.dates())
def test_yearless_dates_are_the_next_occurrence(now: datetime, day: date) -> None:
    result = parse_date(f"{day.day}.{day.month}.", now)
    assert result is not None
    assert (result.month, result.day) == (day.month, day.day)
    assert 0 <= (result - now.date()).days <= 8 * 366


@PROPERTIES
@given(st.times())
def test_two_digit_clock_times_are_exact(moment: time) -> None:
    assert parse_time(f"{moment.hour:02d}:{moment.minute:02d}", NOW) == time(
        moment.hour, moment.minute
    )


@PROPERTIES
@given(st.text())
def test_any_text_gives_the_documented_types(text: str) -> None:
    day = parse_date(text, NOW)
    moment = parse_time(text, NOW)
    combined = parse_datetime(text, NOW)
    assert day is None or (isinstance(day, date) and not isinstance(day, datetime))
    assert moment is None or (isinstance(moment, time) and moment.tzinfo is None)
    assert combined is None or (isinstance(combined, datetime) and combined.tzinfo is BERLIN)


@PROPERTIES
@given(
    st.lists(
        st.sampled_from(
            [
                *("in ", "a ", "1", "2", "12", "30", ".", ":", ",", "-", "/", " ", "um "),
                *("uhr", "am ", "pm", "halb ", "viertel ", "nach ", "vor ", "morgen", "fr"),
                *("so ", "dezember ", "th ", "einund", "zwanzig", "minuten ", "stunden"),
                *("next ", "freitag ", "heute ", "abends ", "😀", "\u202e", "ß", "ü"),
            ]
        ),
        max_size=60,
    )
)
def test_date_like_noise_never_raises(parts: list[str]) -> None:
    text = "".join(parts)
    result = parse_datetime(text, NOW)
    assert result is None or result.tzinfo is BERLIN
    parse_date(text, NOW)
    parse_time(text, NOW)


@PROPERTIES
@given(st.text(min_size=1, max_size=20))
def test_huge_input_is_rejected_quickly(seed: str) -> None:
    huge = seed * (1_000_000 // len(seed) + 1)
    started = clock.perf_counter()
    assert parse_date(huge, NOW) is None
    assert parse_time(huge, NOW) is None
    assert parse_datetime(huge, NOW) is None
    assert clock.perf_counter() - started < 0.5


@pytest.mark.parametrize(
    "text",
    [
        "in " + "a-" * 98,
        "1." * 100,
        "1:" * 100,
        "9" * 200,
        "in " + "zwanzig " * 24,
        "am " * 66,
        "so " * 66,
        "12. " * 50,
        "\u202e\u0627\u0644\u062c\u0645\u0639\u0629 15:00\u202c",
        "😀" * 200,
    ],
)
def test_awkward_short_inputs_are_fast(text: str) -> None:
    started = clock.perf_counter()
    parse_datetime(text, NOW)
    assert clock.perf_counter() - started < 0.1
