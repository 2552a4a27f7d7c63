"""Reading a file of consents given elsewhere and taking each row (consents/intake.py), with a
report of what became of every row.

Files are CSV with a header (`channel,address,purpose,text,at,evidence[,lang]`) or JSON lines
(an object a line), UTF-8 (a byte order mark is fine). They are read a line at a time, so a
large file costs its rows, not its size, in memory; limits keep a broken or hostile one from
costing more: a line over MAX_LINE characters, a row that is no object or has no header's
fields is refused with its reason, and a file of more than MAX_ROWS rows is read up to there
(the report says where to go on: split the file).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, TextIO

from framework.consents.intake import FIELDS, RowRefused, evidence_source, given, take
from framework.stores.consents import ConsentError, ConsentStore

__all__ = ["FORMATS", "MAX_LINE", "MAX_ROWS", "Report", "import_rows", "read_rows"]

FORMATS = ("csv", "jsonl")
MAX_ROWS = 100_000
"""Rows one import takes at most."""
MAX_LINE = 20_000
"""Characters of one line (a row's words are at most 4,096 of them)."""

Row = tuple[int, Mapping[str, object] | RowRefused]
"""A row's number (the first row is 1) and its fields, or why it cannot be read."""


@dataclass
class Report:
    """What became of each row: counts by outcome, and the rows not imported with why."""

    counts: dict[str, int] = field(
        default_factory=lambda: {"imported": 0, "already": 0, "held": 0, "refused": 0}
    )
    rows: list[dict[str, Any]] = field(default_factory=list)
    """Every row that was not imported: `row`, `outcome` and (refused) `reason`."""
    cut: int | None = None
    """The row the import stopped before (the file had more than MAX_ROWS)."""

    def note(self, number: int, outcome: str, reason: str = "") -> None:
        self.counts[outcome] += 1
        if outcome != "imported":
            self.rows.append(
                {"row": number, "outcome": outcome, **({"reason": reason} if reason else {})}
            )

    def to_json(self) -> dict[str, Any]:
        return {
            **self.counts,
            "rows": self.rows,
            **({"stopped_before": self.cut} if self.cut else {}),
        }


def read_rows(lines: TextIO, kind: str) -> Iterator[Row]:
    """The rows of a CSV or JSON lines file, numbered from 1."""
    bounded = _bounded(lines)
    yield from (_csv(bounded) if kind == "csv" else _json_lines(bounded))


def _bounded(lines: TextIO) -> Iterator[str]:
    """The lines, each cut at MAX_LINE + 1 characters (a longer one is refused as its row)."""
    while line := lines.readline(MAX_LINE + 1):
        if len(line) > MAX_LINE and not line.endswith("\n"):
            lines.readline()  # the rest of it: skipped
        yield line


def _json_lines(lines: Iterable[str]) -> Iterator[Row]:
    number = 0
    for line in lines:
        if not line.strip():
            continue
        number += 1
        if len(line) > MAX_LINE:
            yield number, RowRefused(f"a line of more than {MAX_LINE} characters")
            continue
        try:
            row = json.loads(line)
        except ValueError:
            yield number, RowRefused("not JSON: a line holds one object")
            continue
        yield number, row if isinstance(row, dict) else RowRefused("not a JSON object")


def _csv(lines: Iterable[str]) -> Iterator[Row]:
    reader = csv.reader(line for line in lines)
    header = [name.strip().lower().lstrip("\ufeff") for name in next(reader, [])]
    missing = [
        name for name in ("channel", "address", "purpose", "text", "at") if name not in header
    ]
    if missing:
        yield (
            1,
            RowRefused(f"the header names no {', '.join(missing)}: {','.join(FIELDS)}"),
        )
        return
    number = 0
    try:
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue
            number += 1
            if len(cells) != len(header):
                yield number, RowRefused(f"{len(cells)} fields, the header has {len(header)}")
            else:
                yield number, dict(zip(header, cells, strict=True))
    except csv.Error as error:
        yield number + 1, RowRefused(f"not CSV from here on: {error}")


async def import_rows(
    ledger: ConsentStore,
    bot: str,
    rows: Iterable[Row],
    now: float,
    kind: str = "import",
) -> Report:
    """Each row taken into `bot`'s ledger (`kind`: import, or web_form)."""
    report = Report()
    for number, row in rows:
        if number > MAX_ROWS:
            report.cut = number
            break
        try:
            if isinstance(row, RowRefused):
                raise row
            outcome = await take(ledger, given(bot, row, evidence_source(kind, row), now))
        except (RowRefused, ConsentError) as refused:
            report.note(number, "refused", str(refused))
        else:
            report.note(number, outcome)
    return report
