"""`theke consents import FILE`: consents given elsewhere, with their evidence, into the ledger.

    theke consents import consents.csv [--format csv|jsonl] [--bot airline] [--json]
    #   consents.csv: 3 imported, 1 already, 0 held, 2 refused
    #     row 4 refused: at: 2027-01-01 09:00 is in the future: …
    #     row 6 refused: the customer withdrew marketing on …, after this consent: …

It opens the workspace's consent ledger (the SQLite file or Redis the server uses) and takes
each row as the admin API does (consents/importing.py): a run again imports nothing twice. The
format is the file's ending (.csv; .jsonl or .ndjson) unless --format says it. The text lists
the first 50 rows not imported; `--json` lists them all.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from pathlib import Path
from typing import TextIO

from framework.consents.importing import FORMATS, Report, import_rows, read_rows
from framework.errors import ThekeError
from framework.stores.opening import open_consents
from framework.terminal import ascii_json, printable
from framework.workspace import served_bot_name, workspace_for_command

__all__ = ["run_consents"]

SHOWN = 50
"""Rows not imported the text lists."""


def run_consents(args: argparse.Namespace) -> int:
    workspace = workspace_for_command(args.workspace)
    bot = served_bot_name(workspace, args.bot)
    path = Path(args.file)
    kind = args.format or _format_of(path)
    try:
        lines = path.open(encoding="utf-8-sig", newline="")
    except OSError as error:
        raise ThekeError(f"cannot read {printable(str(path), 200)}: {error.strerror}") from None
    with lines:
        try:
            report = asyncio.run(_import(workspace.store, workspace.root, bot, lines, kind))
        except UnicodeDecodeError as error:
            raise ThekeError(
                f"{printable(path.name, 100)} is no UTF-8 text ({error.reason})"
            ) from None
    print(ascii_json(report.to_json()) if args.json else _said(path.name, report))
    return 1 if report.counts["refused"] or report.cut else 0


def _format_of(path: Path) -> str:
    ending = path.suffix.lower()
    if ending == ".csv":
        return "csv"
    if ending in (".jsonl", ".ndjson"):
        return "jsonl"
    raise ThekeError(f"--format {'|'.join(FORMATS)}: the file's ending does not say which")


async def _import(store: str, root: Path, bot: str, lines: TextIO, kind: str) -> Report:
    ledger = await open_consents(store, root)
    try:
        return await import_rows(ledger, bot, read_rows(lines, kind), time.time())
    finally:
        await ledger.close()


def _said(name: str, report: Report) -> str:
    counts = ", ".join(f"{n} {outcome}" for outcome, n in report.counts.items())
    rows = [f"{printable(name, 100)}: {counts}"]
    for row in report.rows[:SHOWN]:
        reason = f": {printable(row['reason'], 300)}" if "reason" in row else ""
        rows.append(f"  row {row['row']} {row['outcome']}{reason}")
    if len(report.rows) > SHOWN:
        rows.append(f"  … and {len(report.rows) - SHOWN} more (--json lists every row)")
    if report.cut:
        rows.append(f"  stopped before row {report.cut}: import the rest as a file of its own")
    return "\n".join(rows)
