"""What the commands print and read the same way.

Stored text made safe to print on a terminal: what a customer wrote (a name, an address, an
order line) reaches the business's screen through `theke orders`, and must not move its cursor,
retitle its window, hide or reorder text, or end the command.

Control characters (C0, DEL, C1 — among them ESC and the one-byte CSI that start terminal
escape sequences), line and paragraph separators, bidirectional overrides and lone surrogates
are shown escaped (`\\x1b`, `\\u202e`, `\\ud800`); a text longer than the limit is cut and says
how much was left out.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

from framework.errors import ThekeError

__all__ = ["LIMIT", "ascii_json", "count_option", "local_time", "printable", "status_option"]

LIMIT = 200
"""Characters of one stored text shown by default."""

_UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)


def printable(value: object, limit: int = LIMIT) -> str:
    """`value` as one line of at most `limit` characters (before escaping) safe to print."""
    text = value if isinstance(value, str) else str(value)
    if len(text) > limit:
        text = f"{text[:limit]}… (+{len(text) - limit} characters)"
    return _UNSAFE.sub(_escaped, text)


def _escaped(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def ascii_json(value: Any) -> str:
    """JSON with everything outside ASCII escaped: control characters, bidirectional
    overrides and lone surrogates reach the terminal as \\u escapes, which JSON reads back."""
    return json.dumps(value, indent=2, ensure_ascii=True)


def local_time(moment: float) -> str:
    """A stored time (seconds) in the terminal's time zone, to the minute."""
    return datetime.fromtimestamp(moment).astimezone().strftime("%Y-%m-%d %H:%M")


def status_option(text: str | None, statuses: tuple[str, ...]) -> frozenset[str] | None:
    """`--status open,pending`: those statuses (None: every one)."""
    if not text:
        return None
    wanted = frozenset(part.strip() for part in text.split(","))
    unknown = sorted(wanted - set(statuses))
    if unknown:
        raise ThekeError(f"--status: {', '.join(unknown)}? (one of {', '.join(statuses)})")
    return wanted


def count_option(value: int, option: str, most: int) -> int:
    """A count given on the command line (`--limit`, `--days`), from 1 to `most`."""
    if not 1 <= value <= most:
        raise ThekeError(f"{option} is a number from 1 to {most}")
    return value
