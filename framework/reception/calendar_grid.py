"""A staff member's day as the bookings calendar shows it, and the same days laid out as a grid
of quarter hours for the eye (calendar_views.py reads them from the store and the plan).

Times are the business's wall clock, in minutes after the day's midnight. The grid is a table
whose bookings span rows (`rowspan`): no inline style, so the page keeps its strict CSP.
Bookings or breaks that overlap (a no-show and the booking made in its place) share one cell.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from math import ceil

__all__ = ["STEP", "Cell", "Entry", "Grid", "StaffDay", "clock", "grid", "minute_of"]

STEP = 15
"""Minutes one row of the grid stands for."""


def clock(moment: time | datetime) -> str:
    return "24:00" if moment == time.max else f"{moment:%H:%M}"


def minute_of(moment: time) -> int:
    return 24 * 60 if moment == time.max else moment.hour * 60 + moment.minute


@dataclass(frozen=True, slots=True)
class Entry:
    """A booking as the calendar shows it (or, with number 0, a break in the grid)."""

    number: int
    times: str
    service: str
    customer: str
    status: str
    label: str
    href: str
    first: int
    """Minutes after the day's midnight (wall clock)."""
    last: int


@dataclass(frozen=True, slots=True)
class StaffDay:
    staff: str
    name: str
    day: date
    hours: tuple[tuple[time, time], ...]
    breaks: tuple[tuple[time, time], ...]
    closed: str
    """Why the person does not work that day ("" when they do)."""
    entries: tuple[Entry, ...]

    @property
    def hours_text(self) -> str:
        if self.closed:
            return self.closed
        ranges = ", ".join(f"{clock(a)}–{clock(b)}" for a, b in self.hours)
        pauses = ", ".join(f"{clock(a)}–{clock(b)}" for a, b in self.breaks)
        return f"Works {ranges}" + (f"; break {pauses}" if pauses else "")

    def working(self, minute: int) -> bool:
        return any(minute_of(a) <= minute < minute_of(b) for a, b in self.hours)


@dataclass(frozen=True, slots=True)
class Cell:
    kind: str
    """work (shaded), closed, or busy (bookings and breaks)."""
    rows: int
    entries: tuple[Entry, ...] = ()


@dataclass(frozen=True, slots=True)
class Grid:
    title: str
    columns: list[StaffDay]
    times: list[str]
    """Each row's label (the full hours only)."""
    cells: list[list[Cell | None]]
    """Per row, per column: a cell, or None where one above spans the row."""


def _bounds(columns: Sequence[StaffDay]) -> tuple[int, int]:
    """The first and last minute the grid shows: whole hours around everything in it."""
    marks = [minute_of(t) for column in columns for pair in column.hours for t in pair]
    marks += [m for column in columns for e in column.entries for m in (e.first, e.last)]
    if not marks:
        return 9 * 60, 18 * 60
    return min(marks) // 60 * 60, min(24 * 60, ceil(max(marks) / 60) * 60)


def grid(title: str, columns: list[StaffDay]) -> Grid:
    first, last = _bounds(columns)
    rows = max(1, (last - first) // STEP)
    times = [clock(time((first + n * STEP) // 60 % 24)) if n % 4 == 0 else "" for n in range(rows)]
    per_column = [_cells(column, first, rows) for column in columns]
    cells = [[column[n] for column in per_column] for n in range(rows)]
    return Grid(title, columns, times, cells)


def _blocks(column: StaffDay) -> list[Entry]:
    pauses = [
        Entry(
            0,
            f"{clock(a)}–{clock(b)}",
            "Break",
            "",
            "break",
            "Break",
            "",
            minute_of(a),
            minute_of(b),
        )
        for a, b in column.breaks
    ]
    return sorted([*column.entries, *pauses], key=lambda entry: (entry.first, entry.last))


def _cells(column: StaffDay, first: int, rows: int) -> list[Cell | None]:
    """The column's cells: its bookings and breaks (those that overlap in one cell), the rest
    one cell a row, shaded where the person works."""
    cells: list[Cell | None] = []
    clusters: list[tuple[int, int, list[Entry]]] = []
    for entry in _blocks(column):
        top = min(rows - 1, max(0, (entry.first - first) // STEP))
        bottom = max(top + 1, min(rows, ceil((entry.last - first) / STEP)))
        if clusters and top < clusters[-1][1]:
            start, end, entries = clusters[-1]
            clusters[-1] = (start, max(end, bottom), [*entries, entry])
        else:
            clusters.append((top, bottom, [entry]))
    for top, bottom, entries in clusters:
        cells += [_plain(column, first + n * STEP) for n in range(len(cells), top)]
        cells += [Cell("busy", bottom - top, tuple(entries))] + [None] * (bottom - top - 1)
    cells += [_plain(column, first + n * STEP) for n in range(len(cells), rows)]
    return cells


def _plain(column: StaffDay, minute: int) -> Cell:
    return Cell("work" if column.working(minute) else "closed", 1)
