"""Dates and times in short German and English answers, relative to a given "now".

The text is scanned by a fixed sequence of extractors. Each one records what it found
(a calendar day, a weekday, a clock time, a part of the day, a duration from now) and
blanks its match out, so later extractors do not read the same words twice. The answer
is None when anything is invalid ("31.02.", "25:00"), when two findings disagree ("montag
freitag"), or when the words left over signal an unclear answer ("oder", "nicht", "bis",
an unparsed "uhr" or month name).

The parts: the words (`date_words`), the extractors in their order (`date_extractors`), their
handlers for days and times (`date_handlers`, `time_handlers`), what they record
(`date_findings`) and how that resolves against now (`date_resolution`).

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
from datetime import date, datetime, time, timedelta
from typing import Final

from framework.flows.understanding.date_extractors import EXTRACTORS, UNSURE
from framework.flows.understanding.date_findings import Found, Handler
from framework.flows.understanding.date_resolution import Answer, localise, resolve

__all__ = ["MAX_CHARS", "parse_date", "parse_datetime", "parse_time"]

MAX_CHARS: Final = 200

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
        return localise(answer.day, answer.clock, now.tzinfo)
    today = localise(now.date(), answer.clock, now.tzinfo)
    if today.timestamp() >= now.timestamp():
        return today
    return localise(now.date() + timedelta(days=1), answer.clock, now.tzinfo)


def _analyse(text: str, now: datetime) -> Answer | None:
    if not text or len(text) > MAX_CHARS:
        return None
    found = Found(today=now.date())
    rest = _normalise(text)
    for pattern, handler in EXTRACTORS:
        rest = _consume(rest, pattern, handler, found)
    if found.invalid or UNSURE.search(rest):
        return None
    return resolve(found, now)


def _normalise(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text).lower().translate(_FOLD)
    return f" {_NOISE.sub(' ', folded)} "


def _consume(text: str, pattern: re.Pattern[str], handler: Handler, found: Found) -> str:
    def replace(match: re.Match[str]) -> str:
        outcome = handler(match, found)
        if outcome is None:
            return match[0]
        found.invalid = found.invalid or not outcome
        return " "

    return pattern.sub(replace, text)
