"""Reading a message into findings (`Tok`) at their places, for `wish_grammar` to combine.

First the phrases of `wish_words` that the date understanding does not know ("so früh wie
möglich", "nächste Woche", "am Wochenende", "mittags"), then the staff named after "mit",
"bei", "with", then the shared date extractors, then the words between ("oder", "nicht",
"ab") and last bare staff names. Each reader blanks what it read with spaces, so every
finding keeps its place and no words are read twice.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import partial
from typing import Final, NamedTuple

from framework.bookings import wish_words as words
from framework.bookings.wish_words import PARTS
from framework.flows.understanding.date_extractors import EXTRACTORS
from framework.flows.understanding.date_findings import Clock, Found, Handler
from framework.flows.understanding.date_resolution import resolve
from framework.flows.understanding.date_words import MONTHS, UNITS

__all__ = ["Reading", "Tok", "read_tokens"]

_FILLER: Final = frozenset(
    {"dem", "den", "der", "die", "das", "the", "am", "um", "on", "at", "ca", "ca.", "circa"}
    | {"etwa", "about", "around", "erst", "ungefaehr", "gegen", "zu", "in", "im", "of", "a"}
    | {"an", "dann", "then", "lieber", "liebsten", "nur", "only", "just", "like", "halt"}
)


class Tok(NamedTuple):
    """One finding at its place in the message: a day or days, a clock time, a part of the
    day, a staff member, or a word between them (`kind` "neg", "or", "from", …)."""

    pos: int
    kind: str
    days: tuple[date, ...] = ()
    weekday: int | None = None
    generic: bool = False
    """A bare weekday ("Montag", "samstags"): not wanting it means every such day."""
    span: bool = False
    """A range of days ("nächste Woche", "ab dem 12."), which weekdays narrow."""
    clock: Clock | None = None
    part: str | None = None
    staff: str | None = None


@dataclass
class Reading:
    """One message being read: its now, horizon, staff names and findings so far."""

    now: datetime
    last: date
    staff: Mapping[str, str]
    tokens: list[Tok] = field(default_factory=list)
    outside: set[date] = field(default_factory=set)
    rest: str = ""
    """The message with everything read blanked: what lies between two findings."""

    def close(self, first: Tok, second: Tok) -> bool:
        """Whether only filler words ("dem", "the", "erst", …) stand between two findings."""
        return set(self.rest[first.pos : second.pos].split()) <= _FILLER

    @property
    def today(self) -> date:
        return self.now.date()

    def between(self, first: date, last: date) -> tuple[date, ...]:
        """The days from first to last, both included, within today and the horizon."""
        first, last = max(first, self.today), min(last, self.last)
        return tuple(first + timedelta(days=n) for n in range((last - first).days + 1))

    def every(self, weekdays: Iterable[int]) -> tuple[date, ...]:
        wanted = set(weekdays)
        return tuple(day for day in self.between(self.today, self.last) if day.weekday() in wanted)

    def day(self, pos: int, day: date, weekday: int | None = None, generic: bool = False) -> Tok:
        if not self.today <= day <= self.last:
            self.outside.add(day)
            return Tok(pos, "day", (), weekday, generic)
        return Tok(pos, "day", (day,), weekday, generic)

    def run(self, first: date, last: date) -> tuple[date, ...]:
        """The days from first to last within the horizon, else first alone (if first<=last)."""
        return () if last < first else self.between(first, last) or (first,)

    def span(self, pos: int, days: Sequence[date]) -> Tok:
        """Days named together ("nächste Woche", "ab dem 12."), as far as they are bookable."""
        inside = tuple(day for day in days if self.today <= day <= self.last)
        if days and not inside:
            self.outside.add(days[0])
        return Tok(pos, "day", inside, span=True)

    def place(self, clock: Clock, part: str | None) -> time:
        """The wall-clock time of a clock, its hour placed by the part of the day as the date
        understanding does ("um 3" 15:00, "um 8 abends" 20:00)."""
        key = {PARTS[part][2]} - {""} if part else set()
        answer = resolve(Found(today=self.today, clocks={clock}, dayparts=key), self.now)
        placed = None if answer is None else answer.clock
        return placed or time(clock.hour % 24, clock.minute)


_NAME: Final = re.compile(r"([a-z]+)('s)?(?:\s+([a-z]+))?")
_WORDS: Final = re.compile(r"(?<![a-z'])[a-z]+(?:'s)?(?![a-z])")


def read_tokens(text: str, reading: Reading) -> str:
    """Read the findings of a message into `reading.tokens`; what is left unread."""
    rest = words.prepare(text)
    for pattern, reader in _READERS:
        rest = _sweep(rest, pattern, partial(reader, reading))
    rest = _read_staff(rest, reading)
    for pattern, handler in EXTRACTORS:
        rest = pattern.sub(partial(_extracted, handler=handler, reading=reading), rest)
    rest = _sweep(rest, words.MARKERS, partial(_marker, reading))
    for match in _WORDS.finditer(rest):
        ident = _staff(match[0], reading, typo=False)
        if ident:
            reading.tokens.append(Tok(match.start(), "name", staff=ident))
    reading.rest = rest
    return rest


def _marker(reading: Reading, match: re.Match[str]) -> list[Tok]:
    found = [Tok(match.start(), str(match.lastgroup))]
    reading.tokens.extend(found)
    return found


Reader = Callable[[Reading, re.Match[str]], list[Tok] | None]


def _sweep(text: str, pattern: re.Pattern[str], read: Callable[[re.Match[str]], object]) -> str:
    """Read every match; blank what was read, keeping every other character's place."""

    def replace(match: re.Match[str]) -> str:
        return match[0] if read(match) is None else " " * len(match[0])

    return pattern.sub(replace, text)


def _flag(kind: str) -> Reader:
    def read(reading: Reading, match: re.Match[str]) -> list[Tok]:
        found = [Tok(match.start(), kind)] if kind else []
        reading.tokens.extend(found)
        return found

    return read


def _soonest_today(reading: Reading, match: re.Match[str]) -> list[Tok]:
    found = [Tok(match.start(), "soonest"), reading.day(match.start(), reading.today)]
    reading.tokens.extend(found)
    return found


def _part(part: str) -> Reader:
    def read(reading: Reading, match: re.Match[str]) -> list[Tok]:
        found = [Tok(match.start(), "part", part=part)]
        reading.tokens.extend(found)
        return found

    return read


def _spanned(days_of: Callable[[Reading, re.Match[str]], Iterable[date] | None]) -> Reader:
    def read(reading: Reading, match: re.Match[str]) -> list[Tok] | None:
        days = days_of(reading, match)
        if days is None:
            return None
        found = [reading.span(match.start(), tuple(days))]
        reading.tokens.extend(found)
        return found

    return read


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _split(name: str | None, days: int, default: tuple[int, int]) -> tuple[int, int]:
    """Which of a week's or month's days "Anfang", "Mitte" and "Ende" mean."""
    if name is None:
        return default
    first = name.split()[0].removesuffix("s")
    thirds = {"anfang": 0, "beginn": 0, "early": 0, "start": 0, "beginning": 0}
    if first in thirds:
        return (0, 3) if days == 7 else (0, 10)
    if first in {"mitte", "mid", "middle"}:
        return (1, 4) if days == 7 else (10, 20)
    return (3, 7) if days == 7 else (20, days)


def _week(reading: Reading, match: re.Match[str]) -> Iterable[date] | None:
    ahead = 2 if match["twoahead"] or match["after"] else 1 if match["next"] else 0
    named = match["twoahead"] or match["after"] or match["next"] or match["this"]
    if not (named or match["part"] or match["mid"]):
        return None
    monday = _monday(reading.today) + timedelta(weeks=ahead)
    first, end = _split(match["part"] or match["mid"], 7, (0, 7))
    return [monday + timedelta(days=n) for n in range(first, end)]


def _weekend(reading: Reading, match: re.Match[str]) -> Iterable[date]:
    today = reading.today
    if match["all"]:
        return reading.every((5, 6))
    saturday = today + timedelta(days=(5 - today.weekday()) % 7)
    weekend = [saturday, saturday + timedelta(days=1)]
    if match["after"] or (match["next"] and today.weekday() == 5):
        return [day + timedelta(weeks=1) for day in weekend]
    return weekend if today.weekday() < 6 or match["next"] else [today, *weekend]


def _month(reading: Reading, match: re.Match[str]) -> Iterable[date] | None:
    today = reading.today
    if match["name"]:
        month = MONTHS[match["name"]]
        year = today.year + (month < today.month)
        split = None if match["named"] in {"im", "in", "during"} else match["named"]
    else:
        year, month = divmod(today.year * 12 + today.month - 1 + bool(match["next"]), 12)
        month += 1
        split = match["part"]
    start = date(year, month, 1)
    length = ((start + timedelta(days=31)).replace(day=1) - start).days
    first, end = _split(split, length, (0, length))
    return [start + timedelta(days=n) for n in range(first, end)]


_COUNTS: Final = {"zwei": 2, "two": 2, "drei": 3, "three": 3, "vier": 4, "four": 4}
_COUNTS.update({"fuenf": 5, "five": 5, "paar": 3, "few": 3, "couple": 3, "couple of": 3})


def _next_span(reading: Reading, match: re.Match[str]) -> Iterable[date]:
    today = reading.today
    if match["few"]:
        return reading.between(today + timedelta(days=2), today + timedelta(days=4))
    unit = 7 if match["unit"].startswith("w") else 1
    count = _COUNTS.get(match["n"] or "", 0) or int(match["n"] or 0) or (2 if unit == 7 else 3)
    return reading.between(today, today + timedelta(days=count * unit - 1))


def _workdays(reading: Reading, match: re.Match[str]) -> Iterable[date]:
    return reading.every(range(5))


_READERS: Final[tuple[tuple[re.Pattern[str], Reader], ...]] = (
    (words.SOONEST_TODAY, _soonest_today),
    (words.IGNORED, _flag("")),
    (words.SOONEST, _flag("soonest")),
    (words.ANY_STAFF, _flag("anystaff")),
    (words.ANY_DAY, _flag("anyday")),
    (words.ANY_TIME, _flag("anytime")),
    (words.NEXT_SPAN, _spanned(_next_span)),
    (words.WORKDAYS, _spanned(_workdays)),
    (words.WEEKEND, _spanned(_weekend)),
    (words.WEEK, _spanned(_week)),
    (words.MONTH, _spanned(_month)),
    (words.NOON, _part("noon")),
    (words.WHOLE_DAY, _part("day")),
)


def _read_staff(text: str, reading: Reading) -> str:
    """Staff named after "mit", "bei", "with", … (one typo allowed in longer names)."""
    for lead in words.STAFF_LEAD.finditer(text):
        name = _NAME.match(text, lead.end())
        if name is None:
            continue
        pair = f"{name[1]} {name[3]}"
        ident = reading.staff.get(pair) if name[3] else None
        end = name.end() if ident else name.end(2) if name[2] else name.end(1)
        ident = ident or _staff(name[1], reading, typo=True)
        if ident:
            reading.tokens.append(Tok(lead.start(), "staff", staff=ident))
            text = f"{text[: lead.start()]}{' ' * (end - lead.start())}{text[end:]}"
    return text


def _staff(word: str, reading: Reading, typo: bool) -> str | None:
    """The staff member a word names: exactly, in the genitive ("Annas") or, if typo, with
    one typo in a name of five letters or more."""
    word = word.removesuffix("'s")
    names = reading.staff
    found = names.get(word) or (names.get(word[:-1]) if word.endswith("s") else None)
    if found or not typo or len(word) < 5:
        return found
    near = words.one_typo(word, tuple(sorted(n for n in names if len(n) >= 5 and " " not in n)))
    return names[near] if near else None


def _extracted(match: re.Match[str], handler: Handler, reading: Reading) -> str:
    """One match of a shared date extractor: its findings, and the text blanked."""
    found = Found(today=reading.today)
    if not handler(match, found):
        return match[0]
    reading.tokens.extend(_findings(match, found, reading))
    return " " * len(match[0])


_DAYPARTS: Final = {"am": "morning", "pm": "afternoon", "midday": "noon", "night": "night"}


def _findings(match: re.Match[str], found: Found, reading: Reading) -> list[Tok]:
    pos = match.start()
    if found.durations:
        return _moment(pos, found, reading)
    toks = [reading.day(pos, day) for day in sorted(found.dates)]
    toks += [_offset(pos, offset, match, reading) for offset in sorted(found.day_offsets)]
    toks += [_weekday(pos, *weekday, match, reading) for weekday in sorted(found.weekdays)]
    for daypart in sorted(found.dayparts):
        toks.append(Tok(pos, "part", part=words.part_of(match[0]) or _DAYPARTS[daypart]))
    if found.clocks and match[0].startswith("ab"):
        toks.append(Tok(pos, "from"))
    toks += [Tok(pos, "clock", clock=clock) for clock in sorted(found.clocks)]
    return toks


def _weekday(pos: int, weekday: int, ahead: int, match: re.Match[str], reading: Reading) -> Tok:
    """A weekday: the next such day ("nächsten": after today), or every one ("samstags")."""
    if match.end() > max(match.end("day"), match.end("part")):
        return Tok(pos, "day", reading.every([weekday]), weekday, generic=True)
    answer = resolve(Found(today=reading.today, weekdays={(weekday, ahead)}), reading.now)
    day = reading.today if answer is None or answer.day is None else answer.day
    return reading.day(pos, day, weekday, generic=match["mod"] is None)


def _offset(pos: int, offset: int, match: re.Match[str], reading: Reading) -> Tok:
    """ "morgen", "in 3 Tagen": that day; "in zwei Wochen": the 7 days from 14 days on."""
    day = reading.today + timedelta(days=offset)
    unit = match.groupdict().get("unit")
    if unit and UNITS[unit][1] == 7:
        return reading.span(pos, reading.run(day, day + timedelta(days=6)))
    return reading.day(pos, day)


def _moment(pos: int, found: Found, reading: Reading) -> list[Tok]:
    """ "in 2 Stunden": that day from then on (real elapsed time), as soon as possible."""
    answer = resolve(found, reading.now)
    if answer is None or answer.moment is None:
        return []
    moment = answer.moment
    return [
        Tok(pos, "soonest"),
        reading.day(pos, moment.date()),
        Tok(pos, "from"),
        Tok(pos, "clock", clock=Clock(moment.hour, moment.minute, False)),
    ]
