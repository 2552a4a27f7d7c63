"""When a customer wants an appointment, read from a chat answer in German or English.

`read_wish("Freitag nachmittag bei Anna", now, staff={"anna": "anna"})` gives the days, the
times of day and the staff member wished; the availability engine intersects that with free
times. Deterministic and pure: no model, no clock but `now`, at most `MAX_CHARS` read.

How it reads (`wish_reading`, `wish_grammar`, words in `wish_words`): the message is folded
and mended (typos, chat, dialect), then phrases the shared date understanding does not know
are read ("so früh wie möglich", "nächste Woche", "am Wochenende", "mit Anna"), then the
shared date extractors (`framework.flows.understanding.date_extractors`: weekdays, dates,
"morgen", "halb drei", am/pm), then the words between ("oder", "nicht", "ab", "zwischen").
The findings are split at "oder", "und", commas and "aber"; how the parts combine is told in
`wish_grammar`.

Days (never before today nor after today + horizon_days; others go to `outside`):

==============================  =============================================================
"Freitag", "fri", "am Fr"       the next such day, today included ("nächsten Freitag": after)
"samstags", "jeden Samstag"     every Saturday in the horizon; "unter der Woche", "weekends"
"diese Woche", "this week"      today through Sunday; "nächste Woche": next Monday-Sunday
"Anfang/Mitte/Ende nä. Woche"   Mon-Wed / Tue-Thu / Thu-Sun of that week
"am Wochenende"                 the coming Saturday and Sunday (on a Sunday: today, and the
                                next weekend); "nächstes Wochenende" on a weekend: the next
"in zwei Wochen"                the 7 days from 14 days on ("in 3 Tagen": that one day)
"in den nächsten Tagen"         today and the next 2 days ("next 5 days": today and 4 more)
"ab dem 12.", "bis Freitag"     that day through the horizon; today through that day ("ab
                                12." and "bis 15." with their dot are days of the month)
"Mo-Fr", "vom 12. bis 15."      both days and those between
"nächsten Monat", "im Mai"      the month's days; "Anfang" 1-10, "Mitte" 11-20, "Ende" 21-end
"nicht Montag", "außer Mo"      every Monday in `not_days`; "nicht morgen": that one day
"Samstag, den 12.12."           one day: a date right after its weekday names it precisely
"so"                            Sunday only when marked ("am So", "So 14 Uhr", "Sa oder So")
==============================  =============================================================

Times of day (`windows` are [from, until), local wall-clock times):

==============================  =============================================================
morgens, vormittags, morning    08:00-12:00 (also "früh" and "Freitag früh")
mittags, noon, lunch            11:30-14:00
nachmittags, afternoon          12:00-17:00
abends, evening, tonight        17:00-22:00
nachts, night                   20:00-23:59:59
"nach 17 Uhr", "after 5"        17:00-23:59:59 (an hour 1-7 without am/pm is afternoon, as
                                in the date understanding: "um 2:30" is 14:30, "02:30" not)
"vor 11", "bis 11"              00:00-11:00; "nicht vor 11": 11:00-23:59:59
"zwischen 14 und 16 Uhr"        14:00-16:00, as "14-16 Uhr", "2-4pm", "between 2 and 4"
"um 15 Uhr", "gegen 3", "5-ish" exact 15:00 (a part of the day then only places the hour)
"nicht morgens"                 the rest of the day: 00:00-08:00 and 12:00-23:59:59
"in 2 Stunden"                  that day from then on (real elapsed time), and `soonest`
==============================  =============================================================

`soonest`: "so früh wie möglich", "asap", "nächster freier Termin", "bald"; with today for
"heute noch", "sofort". `any_time`: "egal wann", "anytime", "any day". `any_staff`: "egal bei
wem", "anyone", "bei jemand anderem".

Clock times keep the wall-clock time even when a DST change skips or repeats it ("Sonntag
02:30" on 2027-03-28 in Europe/Berlin does not exist): the availability engine must skip
non-existent local times and take the first of repeated ones.

Staff: after "mit", "bei", "zu", "with", "by" a name or nickname from the `staff` map, with
one typo allowed for names of five letters or more ("Marai" → maria) and the genitive
("Annas"); a bare name only exactly and only when the message also wishes a time.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import Final

from framework.bookings.wish_grammar import (
    Combined,
    Option,
    Span,
    Spans,
    combine,
    merged,
    segments,
)
from framework.bookings.wish_reading import Reading, Tok, read_tokens
from framework.bookings.wish_words import END, fold

__all__ = ["MAX_CHARS", "DayWish", "TimeWish", "read_wish"]

MAX_CHARS: Final = 2000
_MIDNIGHT: Final = time(0)
_QUESTION: Final = re.compile(r"\s*(?:was|wie|wo|warum|wieso|welche\w*|what|how|where|why|which)\b")

Window = tuple[time, time]


@dataclass(frozen=True, slots=True)
class DayWish:
    """The times wished for one day, when they differ from day to day."""

    day: date
    windows: tuple[Window, ...] = ()
    exact: time | None = None


@dataclass(frozen=True, slots=True)
class TimeWish:
    """What a customer wished; an empty field means no wish about it.

    `per_day` is set only when different days got different times ("morgen früh oder
    Donnerstag abends"): for a day listed there, its windows and exact time replace the ones
    here, which are then the union of all (a reader that ignores `per_day` offers too much,
    never too little). Several clock times ("um 10 oder um 14") are one-minute windows.
    """

    days: tuple[date, ...] = ()
    not_days: tuple[date, ...] = ()
    windows: tuple[Window, ...] = ()
    exact: time | None = None
    soonest: bool = False
    staff: str | None = None
    any_staff: bool = False
    any_time: bool = False
    """ "egal wann", "anytime", "any day": understood, and free of any wish about the time."""
    per_day: tuple[DayWish, ...] = ()
    other_staff: tuple[str, ...] = ()
    """Further staff members named as alternatives ("mit Anna oder Maria": maria)."""
    not_staff: tuple[str, ...] = ()
    """Staff members not wanted ("bloß nicht bei Tom")."""
    outside: tuple[date, ...] = ()
    """Days named that lie before today or beyond the horizon (of a range, its first day).
    When no day named is left to book, only this, `not_days` and the staff are set."""

    def is_empty(self) -> bool:
        """Nothing understood."""
        return self == _NOTHING


_NOTHING: Final = TimeWish()


def read_wish(
    text: str, now: datetime, *, staff: Mapping[str, str] = {}, horizon_days: int = 60
) -> TimeWish | None:
    """The wish in a message, or None when it wishes no time (see the module docstring)."""
    if not isinstance(text, str) or not text.strip():
        return None
    names = {fold(name).strip(): ident for name, ident in staff.items() if fold(name).strip()}
    last = now.date() + timedelta(days=max(horizon_days, 0))
    reading = Reading(now, last, names)
    rest = read_tokens(text[:MAX_CHARS], reading)
    tokens = sorted(reading.tokens, key=lambda tok: tok.pos)
    wish = _finish(combine(segments(tokens, reading), reading), reading)
    if wish.is_empty() or (_QUESTION.match(rest) and not _wishes_time(wish)):
        return None
    return wish


def _wishes_time(wish: TimeWish) -> bool:
    return any((wish.days, wish.not_days, wish.windows, wish.exact, wish.soonest, wish.any_time))


def _finish(combined: Combined, reading: Reading) -> TimeWish:
    kinds = {tok.kind for tok in reading.tokens}
    named = [option for option in combined.options if option.days is not None]
    days = {day for option in named for day in option.days or ()} - combined.not_days
    windows, exact = _clock(_union(option.spans for option in combined.options))
    per_day = _per_day(named, combined.not_days)
    wish = TimeWish(
        days=tuple(sorted(days)),
        not_days=tuple(sorted(combined.not_days)),
        windows=windows,
        exact=exact,
        soonest="soonest" in kinds,
        any_time=bool(kinds & {"anytime", "anyday"}),
        per_day=per_day,
        outside=tuple(sorted(reading.outside)),
    )
    if named and not days:
        wish = TimeWish(not_days=wish.not_days, outside=wish.outside)
    return _with_staff(wish, combined, "anystaff" in kinds)


def _with_staff(wish: TimeWish, combined: Combined, any_staff: bool) -> TimeWish:
    """The staff named after "mit", "bei", …; bare names only in a message wishing a time.
    Someone also named as not wanted is not wanted."""
    bare = _wishes_time(wish) or bool(wish.outside)
    unwanted = _staff_of(combined.not_staff, bare)
    # "das war bei Anna … aber bitte nicht bei Anna": the story names whom the wish excludes
    chosen = tuple(name for name in _staff_of(combined.staff, bare) if name not in unwanted)
    return replace(
        wish,
        staff=chosen[0] if chosen else None,
        other_staff=chosen[1:],
        not_staff=unwanted,
        any_staff=any_staff,
    )


def _staff_of(toks: Sequence[Tok], bare: bool) -> tuple[str, ...]:
    named = [tok.staff for tok in toks if tok.staff and (bare or tok.kind == "staff")]
    return tuple(dict.fromkeys(named))


def _union(found: Iterable[Spans | None]) -> Spans:
    return tuple(sorted({span for spans in found if spans for span in spans}))


def _clock(spans: Spans) -> tuple[tuple[Window, ...], time | None]:
    """Windows and the exact time: one clock time alone is exact, several are one-minute
    windows; overlapping windows are merged."""
    points = sorted({span.start for span in spans if span.point})
    if len(points) == 1 and all(span.point for span in spans):
        return (), points[0]
    minutes = (Span(*_minute(point)) for point in points)
    windows = merged([*(span for span in spans if not span.point), *minutes])
    if [(span.start, span.end) for span in windows] == [(_MIDNIGHT, END)]:
        return (), None  # the whole day: no wish about the time
    return tuple((span.start, span.end) for span in windows), None


def _minute(point: time) -> Window:
    after = (datetime.combine(date.min, point) + timedelta(minutes=1)).time()
    return point, after if after > point else END


def _per_day(named: Sequence[Option], not_days: frozenset[date]) -> tuple[DayWish, ...]:
    """Each day's own times, when days got different ones."""
    if len({option.spans for option in named if option.spans}) < 2:
        return ()
    found: dict[date, DayWish] = {}
    for option in named:
        windows, exact = _clock(option.spans or ())
        for day in option.days or ():
            if option.spans and day not in not_days:
                found.setdefault(day, DayWish(day, windows, exact))
    return tuple(found[day] for day in sorted(found))
