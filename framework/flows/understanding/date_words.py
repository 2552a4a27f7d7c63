"""The German and English words of dates and times, each mapped to what it means.

Weekday and month names (with their abbreviations), holidays with a fixed date, the units of
"in N units", relative days ("morgen", "yesterday"), the words of clock phrases ("viertel",
"quarter to") and the hour words that may stand for a clock hour.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

__all__ = [
    "BACKWARDS",
    "DAY_OFFSETS",
    "FULL_MONTHS",
    "HOLIDAYS",
    "HOUR_WORDS",
    "MINUTE_WORDS",
    "MONTHS",
    "RELATION_MINUTES",
    "SHORT_WEEKDAYS",
    "UNITS",
    "WEEKDAYS",
    "WEEKDAY_PARTS",
    "alternation",
]


def _numbered(groups: tuple[tuple[str, ...], ...], first: int) -> Mapping[str, int]:
    """Map every name in the n-th group to first + n."""
    return MappingProxyType({name: first + n for n, names in enumerate(groups) for name in names})


def alternation(words: Mapping[str, object] | frozenset[str]) -> str:
    """Regex alternation trying longer words first, so "tues" wins over "tue"."""
    return "|".join(sorted(words, key=len, reverse=True))


WEEKDAYS: Final = _numbered(
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
SHORT_WEEKDAYS: Final = frozenset(name for name in WEEKDAYS if len(name) <= 5)
# German compounds such as "samstagabend".
WEEKDAY_PARTS: Final[Mapping[str, str]] = MappingProxyType(
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
HOLIDAYS: Final[Mapping[str, tuple[int, int]]] = MappingProxyType(
    {
        "christmas_eve": (12, 24),
        "christmas": (12, 25),
        "new_years_eve": (12, 31),
        "new_year": (1, 1),
    }
)

MONTHS: Final = _numbered(
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
FULL_MONTHS: Final = frozenset(
    name for name in MONTHS if len(name) > 4 or name in {"mai", "juni", "juli", "june", "july"}
)

# Seconds for durations, days for calendar steps.
UNITS: Final[Mapping[str, tuple[int, int]]] = MappingProxyType(
    {
        **dict.fromkeys(("minuten", "minute", "minutes", "mins", "min"), (60, 0)),
        **dict.fromkeys(("stunden", "stunde", "std", "hours", "hour", "hrs", "h"), (3600, 0)),
        **dict.fromkeys(("tagen", "tage", "tag", "days", "day"), (0, 1)),
        **dict.fromkeys(("wochen", "woche", "weeks", "week"), (0, 7)),
    }
)
RELATION_MINUTES: Final[Mapping[str, int]] = MappingProxyType(
    {"viertel": 15, "quarter": 15, "aquarter": 15, "half": 30}
)
MINUTE_WORDS: Final[Mapping[str, int]] = MappingProxyType(
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
BACKWARDS: Final = frozenset({"vor", "to", "before"})
DAY_OFFSETS: Final[Mapping[str, int]] = MappingProxyType(
    {"after_tomorrow": 2, "before_yesterday": -2, "tomorrow": 1, "yesterday": -1, "today": 0}
)

HOUR_WORDS: Final = frozenset(
    {
        *("eins", "ein", "zwei", "zwo", "drei", "vier", "fuenf", "sechs", "sieben", "acht"),
        *("neun", "zehn", "elf", "zwoelf", "one", "two", "three", "four", "five", "six"),
        *("seven", "eight", "nine", "ten", "eleven", "twelve"),
    }
)
