"""Dates and times in short German and English answers, relative to a given "now".

The text is scanned by a fixed sequence of extractors. Each one records what it found
(a calendar day, a weekday, a clock time, a part of the day, a duration from now) and
blanks its match out, so later extractors do not read the same words twice. The answer
is None when anything is invalid ("31.02.", "25:00"), when two findings disagree ("montag
freitag"), or when the words left over signal an unclear answer ("oder", "nicht", "bis",
an unparsed "uhr" or month name).

Rules for ambiguous input:

* A clock hour 1-7 without am/pm, a part of the day ("abends", "morgens") or a leading
  zero means the afternoon: "um 3", "3 uhr" and "halb drei" are 15:00, 15:00 and 14:30;
  8-12 stay as written ("um 8" is 08:00, "um 8 abends" 20:00).
* A date without a year is its next occurrence, today included.
* A bare weekday is the next such day, today included; "nächsten freitag" and "next
  friday" are the next one strictly after today, "übernächsten freitag" the one after.
* "12.10" without a trailing dot is a date (12 October) when it is a valid date, else a
  time ("15.30", "18.00"); "15.30 uhr" and "um 15.30" are always times.
* "1/12" is day/month; it is read as month/day only when day/month is invalid ("12/24").
* "in 2 hours" counts real elapsed time (correct across DST changes); "in 3 tagen" is a
  calendar day with no time of day.
* Short weekday names ("fr", "fri", "so") count only with a dot, before a number, after
  "am"/"on"/"next" or on their own, so "so um 8" is 08:00 and "so 18 uhr" Sunday 18:00.
* Holidays with a fixed date ("heiligabend", "silvester", "new year's day") are their
  next occurrence; "weihnachten" is the 25th.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from decimal import Decimal
from types import MappingProxyType
from typing import Final, NamedTuple

from framework.flows.understanding.numbers import parse_number, word_to_number

__all__ = ["MAX_CHARS", "parse_date", "parse_datetime", "parse_time"]

MAX_CHARS: Final = 200
# Largest "in N units" amount, so durations stay far from datetime's limits.
_MAX_AMOUNT: Final = 1000
# How many years to look ahead for a yearless date ("29.02." may be years away).
_YEARS_AHEAD: Final = 9


def _numbered(groups: tuple[tuple[str, ...], ...], first: int) -> Mapping[str, int]:
    """Map every name in the n-th group to first + n."""
    return MappingProxyType({name: first + n for n, names in enumerate(groups) for name in names})


def _alternation(words: Mapping[str, object] | frozenset[str]) -> str:
    """Regex alternation trying longer words first, so "tues" wins over "tue"."""
    return "|".join(sorted(words, key=len, reverse=True))


_FOLD: Final = str.maketrans(
    {
        "ä": "ae",
        "ö": "oe",
        "ü": "ue",
        "ß": "ss",
        "\u2019": "'",
        "\u00b4": "'",
        "\u2013": "-",
        "\u2014": "-",
    }
)
_NOISE: Final = re.compile(r"[^a-z0-9.:/',\-]+")

_WEEKDAYS: Final = _numbered(
    (
        ("montag", "monday", "mon", "mo"),
        ("dienstag", "tuesday", "tues", "tue", "di"),
        ("mittwoch", "wednesday", "wed", "mi"),
        ("donnerstag", "thursday", "thurs", "thur", "thu", "do"),
        ("freitag", "friday", "fri", "fr"),
        ("samstag", "sonnabend", "saturday", "sat", "sa"),
        ("sonntag", "sunday", "sun", "so"),
    ),
    0,
)
_SHORT_WEEKDAYS: Final = frozenset(name for name in _WEEKDAYS if len(name) <= 5)
# German compounds such as "samstagabend".
_WEEKDAY_PARTS: Final[Mapping[str, str]] = MappingProxyType(
    {
        "morgen": "am",
        "frueh": "am",
        "vormittag": "am",
        "mittag": "midday",
        "nachmittag": "pm",
        "abend": "pm",
        "nacht": "night",
    }
)
_HOLIDAYS: Final[Mapping[str, tuple[int, int]]] = MappingProxyType(
    {
        "christmas_eve": (12, 24),
        "christmas": (12, 25),
        "new_years_eve": (12, 31),
        "new_year": (1, 1),
    }
)

_MONTHS: Final = _numbered(
    (
        ("januar", "jaenner", "january", "jan"),
        ("februar", "february", "febr", "feb"),
        ("maerz", "marz", "march", "mrz", "mar"),
        ("april", "apr"),
        ("mai", "may"),
        ("juni", "june", "jun"),
        ("juli", "july", "jul"),
        ("august", "aug"),
        ("september", "sept", "sep"),
        ("oktober", "october", "okt", "oct"),
        ("november", "nov"),
        ("dezember", "december", "dez", "dec"),
    ),
    1,
)
# Month names that are no other word, so one left unparsed means a date was missed.
_FULL_MONTHS: Final = frozenset(
    name for name in _MONTHS if len(name) > 4 or name in {"mai", "juni", "juli", "june", "july"}
)

# Seconds for durations, days for calendar steps.
_UNITS: Final[Mapping[str, tuple[int, int]]] = MappingProxyType(
    {
        **dict.fromkeys(("minuten", "minute", "minutes", "mins", "min"), (60, 0)),
        **dict.fromkeys(("stunden", "stunde", "std", "hours", "hour", "hrs", "h"), (3600, 0)),
        **dict.fromkeys(("tagen", "tage", "tag", "days", "day"), (0, 1)),
        **dict.fromkeys(("wochen", "woche", "weeks", "week"), (0, 7)),
    }
)
_RELATION_MINUTES: Final[Mapping[str, int]] = MappingProxyType(
    {"viertel": 15, "quarter": 15, "aquarter": 15, "half": 30}
)
_MINUTE_WORDS: Final[Mapping[str, int]] = MappingProxyType(
    {
        "ten": 10,
        "fifteen": 15,
        "twenty": 20,
        "thirty": 30,
        "forty": 40,
        "fortyfive": 45,
        "fifty": 50,
    }
)
_BACKWARDS: Final = frozenset({"vor", "to", "before"})
_DAY_OFFSETS: Final[Mapping[str, int]] = MappingProxyType(
    {"after_tomorrow": 2, "before_yesterday": -2, "tomorrow": 1, "yesterday": -1, "today": 0}
)

_HOUR_WORDS: Final = _alternation(
    frozenset(
        {
            *("eins", "ein", "zwei", "zwo", "drei", "vier", "fuenf", "sechs", "sieben", "acht"),
            *("neun", "zehn", "elf", "zwoelf", "one", "two", "three", "four", "five", "six"),
            *("seven", "eight", "nine", "ten", "eleven", "twelve"),
        }
    )
)
_HOUR: Final = rf"(?P<hour>[0-9]{{1,2}}|{_HOUR_WORDS})"
# German "am" before a day ("um 3 am freitag") is not the English a.m.
_MERIDIEM: Final = (
    r"(?P<mer>a\.m\.?|p\.m\.?|pm\b|am\b(?!\s*(?:[0-9]|[a-z]*tag\b|(?:mo|di|mi|do|fr|sa|so)\b"
    r"|morgen|abend|nachmittag|vormittag|mittag|wochenende)))"
)
_MODIFIERS: Final = (
    r"uebernaechste[nmrs]?|naechste[nmrs]?|kommende[nmrs]?|diese[nmrs]?|this\s+coming"
    r"|next|this|coming"
)


class _Clock(NamedTuple):
    hour: int
    minute: int
    # An hour 1-12 that the part of the day or the afternoon rule still has to place.
    flexible: bool


@dataclass
class _Found:
    """Everything the extractors recorded for one message."""

    today: date
    dates: set[date] = field(default_factory=set)
    day_offsets: set[int] = field(default_factory=set)
    weekdays: set[tuple[int, int]] = field(default_factory=set)
    clocks: set[_Clock] = field(default_factory=set)
    dayparts: set[str] = field(default_factory=set)
    durations: set[timedelta] = field(default_factory=set)
    invalid: bool = False


class _Answer(NamedTuple):
    day: date | None
    clock: time | None
    moment: datetime | None


# True: understood; False: recognised but invalid; None: not ours, leave the text.
_Handler = Callable[[re.Match[str], _Found], bool | None]


def parse_date(text: str, now: datetime) -> date | None:
    """The calendar day a message names, such as "morgen", "fr", "24.12." or "in 3 days"."""
    answer = _analyse(text, now)
    return None if answer is None else answer.day


def parse_time(text: str, now: datetime) -> time | None:
    """The wall-clock time (without tzinfo) a message names, such as "15 uhr" or "halb drei"."""
    answer = _analyse(text, now)
    return None if answer is None else answer.clock


def parse_datetime(text: str, now: datetime) -> datetime | None:
    """The moment a message names, in now's time zone; None when it names no time of day.

    A time alone means today, or tomorrow when it has already passed today.
    """
    answer = _analyse(text, now)
    if answer is None or answer.clock is None:
        return None
    if answer.moment is not None:
        return answer.moment
    if answer.day is not None:
        return _localise(answer.day, answer.clock, now.tzinfo)
    today = _localise(now.date(), answer.clock, now.tzinfo)
    if today.timestamp() >= now.timestamp():
        return today
    return _localise(now.date() + timedelta(days=1), answer.clock, now.tzinfo)


def _analyse(text: str, now: datetime) -> _Answer | None:
    if not text or len(text) > MAX_CHARS:
        return None
    found = _Found(today=now.date())
    rest = _normalise(text)
    for pattern, handler in _EXTRACTORS:
        rest = _consume(rest, pattern, handler, found)
    if found.invalid or _UNSURE.search(rest):
        return None
    return _resolve(found, now)


def _normalise(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text).lower().translate(_FOLD)
    return f" {_NOISE.sub(' ', folded)} "


def _consume(text: str, pattern: re.Pattern[str], handler: _Handler, found: _Found) -> str:
    def replace(match: re.Match[str]) -> str:
        outcome = handler(match, found)
        if outcome is None:
            return match[0]
        found.invalid = found.invalid or not outcome
        return " "

    return pattern.sub(replace, text)


def _resolve(found: _Found, now: datetime) -> _Answer | None:
    if found.durations:
        return _resolve_duration(found, now)
    days = _days(found)
    clocks = _clocks(found)
    if days is None or clocks is None or len(days) > 1 or len(clocks) > 1:
        return None
    return _Answer(min(days, default=None), min(clocks, default=None), None)


def _resolve_duration(found: _Found, now: datetime) -> _Answer | None:
    """A duration ("in 2 stunden") stands alone; only "heute" may come with it."""
    others = any((found.dates, found.weekdays, found.clocks, found.dayparts))
    if len(found.durations) > 1 or others or found.day_offsets - {0}:
        return None
    moment = _shift(now, found.durations.pop())
    return _Answer(moment.date(), moment.time(), moment)


def _days(found: _Found) -> set[date] | None:
    days = found.dates | {found.today + timedelta(days=n) for n in found.day_offsets}
    if not days:
        return {_next_weekday(found.today, *weekday) for weekday in found.weekdays}
    if any(day.weekday() != weekday for day in days for weekday, _ in found.weekdays):
        return None
    return days


def _next_weekday(today: date, weekday: int, weeks_ahead: int) -> date:
    """weeks_ahead 0: today or later; 1: strictly after today; 2: a week after that."""
    days = (weekday - today.weekday()) % 7
    if weeks_ahead and days == 0:
        days = 7
    return today + timedelta(days=days + 7 * max(weeks_ahead - 1, 0))


def _clocks(found: _Found) -> set[time] | None:
    if len(found.dayparts) > 1:
        return None
    daypart = min(found.dayparts, default=None)
    return {_wall_time(clock, daypart) for clock in found.clocks}


def _wall_time(clock: _Clock, daypart: str | None) -> time:
    if not clock.flexible:
        return time(clock.hour, clock.minute)
    return time(_place_hour(clock.hour, daypart), clock.minute)


def _place_hour(hour: int, daypart: str | None) -> int:
    """Turn a clock-face hour 1-12 into 0-23 using the part of the day, else 1-7 → pm."""
    if daypart == "am":
        return hour % 12
    if daypart == "pm":
        return hour % 12 + 12
    if daypart == "night":
        return hour + 12 if 7 <= hour <= 11 else hour % 12
    return hour + 12 if hour <= 7 else hour


def _localise(day: date, clock: time, zone: tzinfo | None) -> datetime:
    """Aware datetime; a wall time skipped by a DST change moves forward by the gap."""
    naive = datetime.combine(day, clock)
    if zone is None:
        return naive
    return naive.replace(tzinfo=zone).astimezone(UTC).astimezone(zone)


def _shift(now: datetime, duration: timedelta) -> datetime:
    """now plus real elapsed time, so "in 2 hours" is 2 hours even across DST changes."""
    if now.tzinfo is None:
        return now + duration
    return (now.astimezone(UTC) + duration).astimezone(now.tzinfo)


# Handlers, in the order the extractors run.


def _on_weekday(match: re.Match[str], found: _Found) -> bool | None:
    name = match["day"]
    if name in _SHORT_WEEKDAYS and not match["article"] and not match["mod"]:
        context = _SHORT_CONTEXT.match(match.string, match.end())
        if context is None:
            return None
    found.weekdays.add((_WEEKDAYS[name], _weeks_ahead(match["mod"])))
    if match["part"]:
        found.dayparts.add(_WEEKDAY_PARTS[match["part"]])
    return True


def _weeks_ahead(modifier: str | None) -> int:
    if modifier is None:
        return 0
    if modifier.startswith("ueber"):
        return 2
    if modifier.startswith(("diese", "this")) and "coming" not in modifier:
        return 0
    return 1


def _ignore(match: re.Match[str], found: _Found) -> bool:
    """Greetings such as "guten morgen" name no day; swallow them before "morgen" does."""
    return True


def _duration(minutes: int) -> _Handler:
    def handler(match: re.Match[str], found: _Found) -> bool:
        found.durations.add(timedelta(minutes=minutes))
        return True

    return handler


def _on_relative(match: re.Match[str], found: _Found) -> bool:
    amount = _amount(match["amount"])
    if amount is None or not 0 <= amount <= _MAX_AMOUNT:
        return False
    seconds, days = _UNITS[match["unit"]]
    if seconds:
        found.durations.add(timedelta(seconds=int(amount * seconds)))
        return True
    steps = amount * days
    if steps != steps.to_integral_value():
        return False
    found.day_offsets.add(int(steps))
    return True


def _amount(text: str) -> Decimal | None:
    value = word_to_number(text)
    return parse_number(text) if value is None else Decimal(value)


def _on_clock(match: re.Match[str], found: _Found) -> bool:
    groups = match.groupdict()
    hour = word_to_number(groups["hour"])
    minute = _minute(groups.get("minute"), groups.get("minword"))
    if hour is None:
        return False
    clock = _clock(hour, minute, groups.get("mer"), groups["hour"])
    if clock is None:
        return False
    found.clocks.add(clock)
    return True


def _minute(digits: str | None, word: str | None) -> int:
    if word:
        return _MINUTE_WORDS[_squash(word)]
    return int(digits) if digits else 0


def _squash(words: str) -> str:
    return words.replace(" ", "").replace("-", "")


def _clock(hour: int, minute: int, meridiem: str | None, written: str) -> _Clock | None:
    if minute > 59:
        return None
    if meridiem:
        if not 1 <= hour <= 12:
            return None
        return _Clock(hour % 12 + (12 if meridiem[0] == "p" else 0), minute, False)
    if hour > 23:
        return None
    return _Clock(hour, minute, 1 <= hour <= 12 and not written.startswith("0"))


def _on_numeric_date(match: re.Match[str], found: _Found) -> bool:
    return _add_date(found, int(match["day"]), int(match["month"]), match["year"])


def _on_day_dot_month(match: re.Match[str], found: _Found) -> bool:
    """Read "12.10" as a date if it can be one, else as a time such as "15.30"."""
    day, month = int(match["day"]), int(match["month"])
    if _add_date(found, day, month, None):
        return True
    clock = _clock(day, month, None, match["day"]) if len(match["month"]) == 2 else None
    if clock is None:
        return False
    found.clocks.add(clock)
    return True


def _on_slash_date(match: re.Match[str], found: _Found) -> bool:
    first, second = int(match["day"]), int(match["month"])
    year = match["year"]
    return _add_date(found, first, second, year) or _add_date(found, second, first, year)


def _on_month_name(match: re.Match[str], found: _Found) -> bool:
    return _add_date(found, int(match["day"]), _MONTHS[match["month"]], match["year"])


def _add_date(found: _Found, day: int, month: int, year: str | None) -> bool:
    resolved = _calendar_date(day, month, year, found.today)
    if resolved is None:
        return False
    found.dates.add(resolved)
    return True


def _calendar_date(day: int, month: int, year: str | None, today: date) -> date | None:
    if year is None:
        return _next_occurrence(day, month, today)
    year = year.strip()
    full_year = int(year) + (2000 if len(year) == 2 else 0)
    try:
        return date(full_year, month, day)
    except ValueError:
        return None


def _next_occurrence(day: int, month: int, today: date) -> date | None:
    for year in range(today.year, today.year + _YEARS_AHEAD):
        try:
            candidate = date(year, month, day)
        except ValueError:
            continue
        if candidate >= today:
            return candidate
    return None


def _on_holiday(match: re.Match[str], found: _Found) -> bool:
    month, day = _HOLIDAYS[str(match.lastgroup)]
    return _add_date(found, day, month, None)


def _on_clock_phrase(match: re.Match[str], found: _Found) -> bool:
    """Clock phrases: "halb drei", "viertel nach 3", "10 vor halb 8", "quarter to five pm"."""
    groups = match.groupdict()
    hour = word_to_number(groups["hour"])
    minutes = _relation_minutes(groups.get("minutes"))
    if hour is None or hour > 24 or minutes is None:
        return False
    total = hour * 60 - (30 if groups.get("half") else 0)
    total += -minutes if groups.get("relation") in _BACKWARDS else minutes
    clock = _clock_from_minutes(total, 1 <= hour <= 12)
    meridiem = groups.get("mer")
    if meridiem:
        placed = _clock(clock.hour, clock.minute, meridiem, "") if clock.flexible else None
        if placed is None:
            return False
        clock = placed
    found.clocks.add(clock)
    return True


def _relation_minutes(text: str | None) -> int | None:
    if text is None:
        return 0
    key = _squash(text)
    value = _RELATION_MINUTES.get(key, word_to_number(key))
    return value if value is not None and 1 <= value <= 59 else None


def _clock_from_minutes(total: int, on_clock_face: bool) -> _Clock:
    if on_clock_face:
        hour, minute = divmod(total % 720, 60)
        return _Clock(hour or 12, minute, True)
    hour, minute = divmod(total % 1440, 60)
    return _Clock(hour, minute, False)


def _fixed_clock(hour: int) -> _Handler:
    def handler(match: re.Match[str], found: _Found) -> bool:
        found.clocks.add(_Clock(hour, 0, False))
        return True

    return handler


def _on_day_and_part(match: re.Match[str], found: _Found) -> bool:
    found.day_offsets.add(0)
    found.dayparts.add(str(match.lastgroup))
    return True


def _on_daypart(match: re.Match[str], found: _Found) -> bool:
    found.dayparts.add(str(match.lastgroup))
    return True


def _on_relative_day(match: re.Match[str], found: _Found) -> bool:
    found.day_offsets.add(_DAY_OFFSETS[str(match.lastgroup)])
    return True


def _on_day_of_month(match: re.Match[str], found: _Found) -> bool:
    """A day of the month alone ("am 24.", "the 24th"): its next occurrence."""
    day = int(match["de"] or match["en"])
    today = found.today
    for step in range(13):
        years, month = divmod(today.month - 1 + step, 12)
        try:
            candidate = date(today.year + years, month + 1, day)
        except ValueError:
            continue
        if candidate >= today:
            found.dates.add(candidate)
            return True
    return False


# What may follow a short weekday name: "fr.", "fr 18 uhr", or nothing at all.
_SHORT_CONTEXT: Final = re.compile(r"\.|\s*,?\s*[0-9]|\s*$")

_EXTRACTORS: Final[tuple[tuple[re.Pattern[str], _Handler], ...]] = (
    (
        re.compile(
            rf"\b(?:(?P<article>am|on|den|the)\s+)?(?:(?P<mod>{_MODIFIERS})\s+)?"
            rf"(?P<day>{_alternation(_WEEKDAYS)})(?:(?P<part>{_alternation(_WEEKDAY_PARTS)})s?|s)?\b"
        ),
        _on_weekday,
    ),
    (
        re.compile(
            r"\b(?:guten\s+(?:morgen|tag|abend)|good\s+(?:morning|afternoon|evening|night))\b"
        ),
        _ignore,
    ),
    (
        re.compile(
            r"\b(?:jetzt|sofort|right\s+now|now|asap|immediately|right\s+away"
            r"|so\s+schnell\s+wie\s+moeglich|as\s+soon\s+as\s+possible)\b"
        ),
        _duration(0),
    ),
    (
        re.compile(
            r"\bin\s+(?:einer\s+)?halben\s+stunde\b|\bin\s+(?:a\s+)?half\s+(?:an\s+)?hour\b"
        ),
        _duration(30),
    ),
    (
        re.compile(
            r"\bin\s+(?:einer\s+)?viertel\s*stunde\b"
            r"|\bin\s+(?:a\s+)?quarter\s+(?:of\s+an\s+)?hour\b"
        ),
        _duration(15),
    ),
    (
        re.compile(
            r"\bin\s+(?:einer\s+)?dreiviertel\s*stunde\b"
            r"|\bin\s+three\s+quarters\s+of\s+an\s+hour\b"
        ),
        _duration(45),
    ),
    (
        re.compile(
            r"\bin\s+(?:anderthalb|eineinhalb)\s+stunden\b"
            r"|\bin\s+(?:one\s+and\s+a\s+half\s+hours|an\s+hour\s+and\s+a\s+half)\b"
        ),
        _duration(90),
    ),
    (
        re.compile(
            r"\bin\s+(?:(?:etwa|ca\.?|circa|ungefaehr|about|around|approx\.?|roughly)\s+)?"
            r"(?P<amount>[0-9]{1,4}(?:[.,][0-9]{1,2})?|[a-z]+(?:[\s-][a-z]+){0,2}?)"
            rf"\s*(?P<unit>{_alternation(_UNITS)})\b"
        ),
        _on_relative,
    ),
    (
        re.compile(
            r"(?<![0-9.:])(?P<hour>[0-9]{1,2})\.(?P<minute>[0-9]{2})(?![0-9]|\.[0-9])"
            rf"\s*(?:(?:uhr|h)(?![a-z])|{_MERIDIEM})"
        ),
        _on_clock,
    ),
    (
        re.compile(
            r"\b(?:um|gegen|ab|at|around)\s+(?P<hour>[0-9]{1,2})\.(?P<minute>[0-9]{2})"
            rf"(?![0-9]|\.[0-9])(?:\s*{_MERIDIEM})?"
        ),
        _on_clock,
    ),
    (
        re.compile(
            r"(?<![0-9.:])(?P<hour>[0-9]{1,2}):(?P<minute>[0-9]{2})(?![0-9]|:[0-9])"
            rf"(?:\s*(?:(?:uhr|h)(?![a-z])|{_MERIDIEM}))?"
        ),
        _on_clock,
    ),
    (
        re.compile(
            r"(?<![0-9.])(?P<year>[0-9]{4})-(?P<month>[0-9]{1,2})-(?P<day>[0-9]{1,2})(?![0-9])"
        ),
        _on_numeric_date,
    ),
    (
        re.compile(
            r"(?<![0-9.:])(?P<day>[0-9]{1,2})\.\s?(?P<month>[0-9]{1,2})\."
            r"(?:(?P<year>[0-9]{2}(?:[0-9]{2})?|\s[0-9]{4})(?![0-9]|[.:][0-9]))?"
        ),
        _on_numeric_date,
    ),
    (
        re.compile(r"(?<![0-9.:])(?P<day>[0-9]{1,2})\.(?P<month>[0-9]{1,2})(?![0-9]|[.:][0-9])"),
        _on_day_dot_month,
    ),
    (
        re.compile(
            r"(?<![0-9/])(?P<day>[0-9]{1,2})/(?P<month>[0-9]{1,2})"
            r"(?:/(?P<year>[0-9]{4}|[0-9]{2}))?(?![0-9/])"
        ),
        _on_slash_date,
    ),
    (
        re.compile(
            r"(?<![0-9.])(?P<day>[0-9]{1,2})(?:\.|st|nd|rd|th)?\s*(?:of\s+)?"
            rf"(?P<month>{_alternation(_MONTHS)})\b\.?"
            r"(?:\s*,?\s*(?P<year>[0-9]{4})(?![0-9]))?"
        ),
        _on_month_name,
    ),
    (
        re.compile(
            rf"\b(?P<month>{_alternation(_MONTHS)})\b\.?\s*(?:the\s+)?"
            r"(?P<day>[0-9]{1,2})(?:st|nd|rd|th)?"
            r"(?![0-9]|[.:][0-9]|\s*(?:uhr|h|am|pm|a\.m|p\.m|o'?\s?clock)\b)"
            r"(?:\s*,?\s*(?P<year>[0-9]{4})(?![0-9]))?"
        ),
        _on_month_name,
    ),
    (
        re.compile(
            r"\b(?:(?P<christmas_eve>heilig(?:en)?\s*abend|christmas\s+eve)"
            r"|(?P<christmas>weihnachten|christmas(?:\s+day)?)"
            r"|(?P<new_years_eve>silvester|new\s+year'?s\s+eve)"
            r"|(?P<new_year>neujahr|new\s+year'?s(?:\s+day)?))\b"
        ),
        _on_holiday,
    ),
    (
        re.compile(
            r"\b(?P<minutes>[0-9]{1,2}(?=\s+(?:minuten|minutes|min|nach|vor)\b)"
            r"|(?:a\s+)?quarter|viertel|half|fuenfundzwanzig|twenty[\s-]?five|zwanzig|twenty"
            r"|zehn|ten|fuenf|five)\s+(?:(?:minuten|minutes|min)\s+)?"
            rf"(?P<relation>nach|vor|past|after|to|before)\s+(?P<half>halb\s+)?{_HOUR}\b"
            rf"(?:\s*{_MERIDIEM})?"
        ),
        _on_clock_phrase,
    ),
    (re.compile(rf"\b(?P<half>halb)\s+{_HOUR}\b(?:\s*{_MERIDIEM})?"), _on_clock_phrase),
    (
        re.compile(
            rf"(?<![0-9.:])\b{_HOUR}\s*(?:(?:uhr|h)(?![a-z])(?:\s*(?P<minute>[0-9]{{2}})\b)?"
            rf"|{_MERIDIEM}|o'?\s?clock\b)"
        ),
        _on_clock,
    ),
    (
        re.compile(
            r"\b(?:um|gegen|ab|at|around)\s+(?:(?:ca\.?|circa|etwa|about)\s+)?"
            rf"{_HOUR}(?![0-9]|[.:][0-9])\b"
            r"(?:[\s-](?P<minword>fifteen|thirty|forty[\s-]?five|forty|fifty|twenty|ten)\b)?"
            rf"(?:\s*{_MERIDIEM})?"
        ),
        _on_clock,
    ),
    (re.compile(r"\b(?:mittag|noon|midday)\b"), _fixed_clock(12)),
    (re.compile(r"\b(?:mitternacht|midnight)\b"), _fixed_clock(0)),
    (
        re.compile(
            r"\b(?:(?P<am>heute\s+morgen|heute\s+frueh|this\s+morning)"
            r"|(?P<pm>this\s+(?:afternoon|evening)|tonight)|(?P<night>heute\s+nacht))\b"
        ),
        _on_day_and_part,
    ),
    (
        re.compile(
            r"\b(?:(?P<am>morgens|frueh|vormittags?|am\s+morgen|in\s+the\s+morning|morning)"
            r"|(?P<pm>nachmittags?|abends?|in\s+the\s+(?:afternoon|evening)|afternoon|evening)"
            r"|(?P<night>nachts|nacht|at\s+night|night)|(?P<midday>mittags))\b"
        ),
        _on_daypart,
    ),
    (
        re.compile(
            r"\b(?:(?P<after_tomorrow>uebermorgen|day\s+after\s+tomorrow)"
            r"|(?P<before_yesterday>vorgestern|day\s+before\s+yesterday)"
            r"|(?P<tomorrow>morgen|tomorrow|tmrw|tmr)|(?P<yesterday>gestern|yesterday)"
            r"|(?P<today>heute|today))\b"
        ),
        _on_relative_day,
    ),
    (
        re.compile(
            r"\b(?:(?:am|den|dem)\s+(?P<de>[0-9]{1,2})\.(?![0-9])"
            r"|(?P<en>[0-9]{1,2})(?:st|nd|rd|th)\b)"
        ),
        _on_day_of_month,
    ),
)

# Words that, left over after extraction, show the answer is unclear or was not fully read.
_UNSURE: Final = re.compile(
    r"\b(?:oder|or|bis|until|till|zwischen|between|nicht|not|kein|keine|keinen|never|nie"
    r"|vielleicht|maybe|perhaps|woche|wochen|week|weeks|wochenende|weekend|monat|monate"
    r"|month|months|spaeter|later|frueher|earlier|vor|before|nach|after|ago|fruehestens"
    r"|spaetestens|earliest|latest|halb|viertel|quarter|half|uhr|pm|minuten|minute|minutes"
    r"|min|mins|stunden|stunde|std|hours|hour|hrs|tage|tagen|days"
    rf"|{_alternation(_FULL_MONTHS)})\b|n't\b|[0-9]\s*-|-\s*[0-9]|[0-9]\s+to\b"
)
