"""How the findings of one message combine into one wish.

The findings (`Tok`) come in the order written. `segments` joins bounds and ranges ("ab dem
12.", "nicht vor 11", "zwischen 14 und 16 Uhr", "Mo-Fr") when only filler words stand between
their parts, and splits the rest into segments at "oder", "und", commas and "aber". `combine`
turns the segments into options (days with their times) and what is not wanted:

* A segment's days: its dates, else its weekdays inside its span ("nächste Woche Dienstag"),
  else all it names. A segment of bare weekdays after a span narrows it ("nächste Woche, am
  liebsten Dienstag"), or picks from it when the span was already narrowed ("nächste Woche
  Dienstag oder Mittwoch"); "Freitag oder nächste Woche" stays both.
* A segment's times: a clock time wins ("Freitag nachmittag um 3" is 15:00 exactly; the part
  of the day only placed the hour); bounds narrow a part of the day ("nachmittags ab 15 Uhr"
  is 15-17), or stand alone when they do not overlap it.
* A segment of times alone narrows the segment before it (", aber nicht vor 11"), or is an
  alternative to it after "oder"/"und" ("morgens oder abends").
* Days with times of their own keep them (`per_day`); days without take all times named.
* A segment with "nicht", "außer" or "but" after "any day" is not wanted: its days go to
  `not_days` (a bare weekday as every such day), its staff to `not_staff`, its times narrow
  the rest as their complement ("nicht morgens" is 00:00-08:00 and 12:00-23:59:59).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from typing import Final, NamedTuple

from framework.bookings.wish_reading import Reading, Tok
from framework.bookings.wish_words import END, PARTS
from framework.flows.understanding.date_findings import Clock

__all__ = [
    "Combined",
    "Option",
    "Segment",
    "Span",
    "Spans",
    "combine",
    "merged",
    "segments",
]


_MIDNIGHT: Final = time(0)
_NOON: Final = time(12)
_AT_NOON: Final = frozenset({"from", "until", "before"})


class Span(NamedTuple):
    """A window [start, end) of the day, or a clock time (point: start is end)."""

    start: time
    end: time
    point: bool = False


Spans = tuple[Span, ...]
Limit = tuple[str, Tok, Tok | None]
"""A time finding of a segment: ("at" | "part" | "notpart" | a bound | "range", x, y)."""


@dataclass
class Segment:
    join: str = "sep"
    """What joined it to the segment before: "or", "and" or "sep"."""
    days: list[Tok] = field(default_factory=list)
    times: list[Limit] = field(default_factory=list)
    staff: list[Tok] = field(default_factory=list)
    not_days: list[Tok] = field(default_factory=list)
    not_staff: list[Tok] = field(default_factory=list)
    negations: int = 0
    excepted: bool = False
    any_day: bool = False

    @property
    def negated(self) -> bool:
        return self.excepted or self.negations % 2 == 1


_BOUNDS: Final = frozenset({"from", "after", "until", "before"})
_FLIP: Final = {"from": "before", "after": "until", "until": "after", "before": "from"}
_OBJECTS: Final = frozenset({"day", "clock", "part"})
_JOINS: Final = {"and": "and", "or": "or", "sep": "sep", "but": "sep", "except": "sep"}


def segments(tokens: Sequence[Tok], reading: Reading) -> list[Segment]:
    """The findings joined into bounds and ranges and split into segments."""
    found = [Segment()]
    index = 0
    while index < len(tokens):
        index += _pair(tokens, index, found[-1], reading) or _single(tokens[index], found)
    _spread_negation(found)
    return found


def _pair(tokens: Sequence[Tok], index: int, segment: Segment, reading: Reading) -> int:
    """Join a bound or a range starting at index; how many findings it took (0: none)."""
    near = [*tokens[index : index + 4], *[Tok(-1, "")] * 4]
    kinds = [
        tok.kind if n == 0 or (tok.kind and reading.close(near[n - 1], tok)) else ""
        for n, tok in enumerate(near)
    ]
    joined = kinds[2] in {"and", "dash", "until"} and kinds[3] == kinds[1]
    if kinds[0] in {"between", "from"} and kinds[1] in {"day", "clock"} and joined:
        _range(segment, near[1], near[3], reading)
        return 4
    if kinds[0] in {"day", "clock"} and kinds[1] in {"dash", "until"} and kinds[2] == kinds[0]:
        _range(segment, near[0], near[2], reading)
        return 3
    if kinds[0] == "neg" and kinds[1] in _BOUNDS and kinds[2] in _OBJECTS:
        _bound(segment, _FLIP[kinds[1]], near[2], reading)
        return 3
    if kinds[0] in _BOUNDS and kinds[1] in _OBJECTS:
        _bound(segment, kinds[0], near[1], reading)
        return 2
    if kinds[0] == "neg" and kinds[1] in {"day", "part", "staff"}:
        _add(segment, near[1], negated=True)
        return 2
    if kinds[0] == "every" and kinds[1] == "day" and near[1].weekday is not None:
        _add(segment, near[1]._replace(days=reading.every([near[1].weekday]), generic=True))
        return 2
    return 0


def _single(tok: Tok, found: list[Segment]) -> int:
    segment = found[-1]
    if tok.kind in _JOINS:
        join = _JOINS[tok.kind]
        excepted = tok.kind == "except" or (tok.kind == "but" and any(s.any_day for s in found))
        carried = segment.excepted and join != "sep"
        found.append(Segment(join=join, excepted=excepted or carried))
    elif tok.kind == "neg":
        segment.negations += 1
    elif tok.kind == "anyday":
        segment.any_day = True
    else:
        _add(segment, tok)
    return 1


def _add(segment: Segment, tok: Tok, negated: bool = False) -> None:
    if tok.kind == "day":
        (segment.not_days if negated else segment.days).append(tok)
    elif tok.kind in {"staff", "name"}:
        (segment.not_staff if negated else segment.staff).append(tok)
    elif tok.kind == "part":
        segment.times.append(("notpart" if negated else "part", tok, None))
    elif tok.kind == "clock" and not negated:
        segment.times.append(("at", tok, None))


def _bound(segment: Segment, kind: str, tok: Tok, reading: Reading) -> None:
    if tok.kind != "day":
        segment.times.append((kind, tok, None))
        return
    if not tok.days:
        return
    first, last = tok.days[0], tok.days[-1]
    step = timedelta(days=1)
    start, end = {
        "from": (first, reading.last),
        "after": (last + step, reading.last),
        "until": (reading.today, last),
        "before": (reading.today, first - step),
    }[kind]
    segment.days.append(reading.span(tok.pos, reading.run(start, end)))


def _range(segment: Segment, first: Tok, last: Tok, reading: Reading) -> None:
    if first.kind == "clock":
        segment.times.append(("range", first, last))
        return
    if not first.days or not last.days:
        return
    start, end = first.days[0], last.days[-1]
    if last.generic and last.weekday is not None:
        end = start + timedelta(days=(last.weekday - start.weekday()) % 7)
    segment.days.append(reading.span(first.pos, reading.run(min(start, end), max(start, end))))


def _spread_negation(found: list[Segment]) -> None:
    """ "Montag und Dienstag gehen nicht": the days before "und" are not wanted either."""
    for later, earlier in zip(found[:0:-1], found[-2::-1], strict=True):
        spread = later.negated and later.days and later.join == "and"
        if spread and earlier.days and not earlier.times and not earlier.negated:
            earlier.negations += 1


@dataclass
class Option:
    """Days with their times: None is no wish about them."""

    days: tuple[date, ...] | None
    spans: Spans | None
    refinable: bool = False
    """Its days are a span that a following weekday may narrow."""
    weekday: int | None = None
    """Its days are one bare weekday, which a following date may name ("Samstag, den 12.12.")."""


class Combined(NamedTuple):
    options: list[Option]
    not_days: frozenset[date]
    staff: tuple[Tok, ...]
    not_staff: tuple[Tok, ...]


@dataclass
class _Scope:
    days: tuple[date, ...] = ()
    narrowed: bool = False


def combine(found: Sequence[Segment], reading: Reading) -> Combined:
    """The segments as options, with the days and staff not wanted."""
    options: list[Option] = []
    not_days: set[date] = set()
    scope = _Scope()
    for segment in found:
        denied = segment.not_days + (segment.days if segment.negated else [])
        not_days.update(d for tok in denied for d in _denied(tok, reading))
        spans = _spans_of(segment.times, reading)
        if segment.negated:
            spans = spans and _complement(spans)
            if spans:
                _add_times(options, spans, alternative=False)
        else:
            _add_option(options, segment, spans, scope)
    staff = tuple(tok for s in found if not s.negated for tok in s.staff)
    not_staff = tuple(tok for s in found for tok in s.not_staff + (s.staff if s.negated else []))
    return Combined(options, frozenset(not_days), staff, not_staff)


def _denied(tok: Tok, reading: Reading) -> tuple[date, ...]:
    if tok.generic and tok.weekday is not None:
        return reading.every([tok.weekday])
    return tok.days


def _add_option(
    options: list[Option], segment: Segment, spans: Spans | None, scope: _Scope
) -> None:
    days = _days_of(segment.days)
    if days is None:
        if spans:
            _add_times(options, spans, alternative=segment.join != "sep")
        return
    previous = options[-1] if options else None
    if previous and segment.join == "sep" and _names_again(previous, segment.days, days):
        previous.days, previous.weekday = days, None
        previous.spans = _refine(previous.spans, spans)
        return
    weekdays = _bare_weekdays(segment.days)
    narrowed = tuple(day for day in scope.days if day.weekday() in weekdays)
    if narrowed:
        if previous and previous.refinable and segment.join == "sep":
            previous.days, previous.refinable, scope.narrowed = narrowed, False, True
            previous.spans = _refine(previous.spans, spans)
            return
        days = narrowed if scope.narrowed else days
    spanned = tuple(day for tok in segment.days if tok.span for day in tok.days)
    if spanned:
        scope.days = spanned
        scope.narrowed = any(tok.weekday is not None for tok in segment.days)
    lone = segment.days[0] if len(segment.days) == 1 and len(days) == 1 else None
    weekday = lone.weekday if lone and lone.generic else None
    options.append(Option(days, spans, bool(spanned) and not scope.narrowed, weekday))


def _names_again(previous: Option, toks: Sequence[Tok], days: tuple[date, ...]) -> bool:
    """A date after a bare weekday on the same weekday: the same day, named precisely."""
    dates = all(not tok.span and tok.weekday is None for tok in toks)
    return dates and bool(days) and all(day.weekday() == previous.weekday for day in days)


def _days_of(toks: Sequence[Tok]) -> tuple[date, ...] | None:
    """A segment's days: its dates (those on its weekdays, if any are), else its weekdays
    within its spans, else all it names."""
    if not toks:
        return None
    weekdays = {tok.weekday for tok in toks if tok.weekday is not None}
    dates = [day for tok in toks if not tok.span and tok.weekday is None for day in tok.days]
    spans = [day for tok in toks if tok.span for day in tok.days]
    if dates:
        matching = [day for day in dates if day.weekday() in weekdays]
        return tuple(sorted(set(matching or dates)))
    if spans and weekdays:
        return tuple(sorted({day for day in spans if day.weekday() in weekdays}))
    return tuple(sorted({day for tok in toks for day in tok.days}))


def _bare_weekdays(toks: Sequence[Tok]) -> set[int]:
    """The weekdays of a segment of bare weekdays only ("Dienstag oder Mittwoch")."""
    if not all(tok.generic and tok.weekday is not None for tok in toks):
        return set()
    return {tok.weekday for tok in toks if tok.weekday is not None}


def _add_times(options: list[Option], spans: Spans, alternative: bool) -> None:
    previous = options[-1] if options else None
    if previous is None or (alternative and previous.days is not None):
        options.append(Option(None, spans))
    elif alternative:
        previous.spans = (previous.spans or ()) + spans
    else:
        previous.spans = _refine(previous.spans, spans)


def _spans_of(times: Sequence[Limit], reading: Reading) -> Spans | None:
    """A segment's times: its clock times, else its parts of the day narrowed by its bounds."""
    if not times:
        return None
    part = next((tok.part for kind, tok, _ in times if kind == "part"), None)
    points = [
        reading.place(tok.clock, part) for kind, tok, _ in times if kind == "at" and tok.clock
    ]
    if points:
        return tuple(Span(point, point, True) for point in points)
    spans: Spans | None = None
    for kind, first, _ in times:
        if kind == "part" and first.part:
            spans = (spans or ()) + (Span(*PARTS[first.part][:2]),)
    for kind, first, last in times:
        if kind not in {"part", "at"}:
            spans = _refine(spans, _limit(kind, first, last, part, reading))
    return spans


def _limit(kind: str, first: Tok, last: Tok | None, part: str | None, reading: Reading) -> Spans:
    """The window a bound, a range or a part not wanted leaves; none if it leaves nothing."""
    found = _window(kind, first, last, part, reading)
    return tuple(span for span in found if span.point or span.start < span.end)


def _window(kind: str, first: Tok, last: Tok | None, part: str | None, reading: Reading) -> Spans:
    if kind == "notpart" and first.part:
        return _complement((Span(*PARTS[first.part][:2]),))
    if first.part == "noon" and kind in _AT_NOON:
        start = end = _NOON  # "ab Mittag", "before noon": twelve o'clock, not lunchtime's edge
    elif first.part:
        start, end, _ = PARTS[first.part]
    elif first.clock:
        start = end = reading.place(first.clock, part)
    else:
        return ()
    if kind == "range" and last is not None and last.clock:
        return (_ordered(start, last.clock, reading.place(last.clock, part)),)
    if kind in {"from", "after"}:
        return (Span(start if kind == "from" else end, END),)
    return (Span(_MIDNIGHT, end if kind == "until" else start),)


def _ordered(start: time, clock: Clock, end: time) -> Span:
    """ "von 6 bis 9" is 18-21: an end before the start is tried in the afternoon."""
    if end <= start and clock.flexible and end.hour < 12:
        end = end.replace(hour=end.hour + 12)
    if start == end:
        return Span(start, end, True)
    return Span(start, end) if start < end else Span(end, start)


def _complement(spans: Spans) -> Spans:
    edges = [_MIDNIGHT, *(t for span in merged(spans) for t in (span.start, span.end)), END]
    return tuple(Span(a, b) for a, b in zip(edges[::2], edges[1::2], strict=True) if a < b)


def merged(spans: Iterable[Span]) -> Spans:
    """The windows, sorted, with overlapping and touching ones joined (clock times apart)."""
    joined: list[Span] = []
    for span in sorted(set(spans)):
        if joined and not span.point and not joined[-1].point and span.start <= joined[-1].end:
            joined[-1] = Span(joined[-1].start, max(span.end, joined[-1].end))
        else:
            joined.append(span)
    return tuple(joined)


def _refine(base: Spans | None, narrower: Spans | None) -> Spans | None:
    """Narrow the times with more: their overlap, else the more precise (the later) ones."""
    if base is None or not narrower:
        return narrower or base
    overlap = tuple(
        Span(max(a.start, b.start), min(a.end, b.end), a.point or b.point)
        for a in base
        for b in narrower
        if _overlaps(a, b)
    )
    return overlap or narrower


def _overlaps(a: Span, b: Span) -> bool:
    if a.point and b.point:
        return a.start == b.start
    if a.point or b.point:
        point, window = (a, b) if a.point else (b, a)
        return window.start <= point.start < window.end
    return max(a.start, b.start) < min(a.end, b.end)
