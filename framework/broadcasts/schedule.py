"""When a scheduled broadcast starts: the time an admin gives (the API's `at`, `theke broadcast
send --at`, the page's Schedule field) read as ISO 8601 — in the bot's time zone when it names
no offset, as a person means "9:00" — and checked to lie ahead, at most MOST_AHEAD_DAYS.

A time in the past is refused rather than sent at once: whoever meant a time did not mean now.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from framework.errors import BadRequest
from framework.flows import Bot

__all__ = ["MOST_AHEAD_DAYS", "start_time", "zone_of"]

MOST_AHEAD_DAYS = 90
"""How far ahead a broadcast can be scheduled (consent and texts change; a broadcast months
ahead is more likely forgotten than meant)."""
_LONGEST = 40
"""Characters of a time at most (`2026-12-10T09:00:00.000000+01:00` has 32)."""
_DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
EXAMPLE = "2026-12-10T09:00:00+01:00, or 2026-12-10 09:00 in the bot's time zone"


def start_time(written: object, zone: ZoneInfo, now: float) -> float:
    """The moment `written` names (seconds), or BadRequest saying what is wrong with it."""
    if not isinstance(written, str) or len(written) > _LONGEST:
        raise BadRequest(f"at: a date and time of at most {_LONGEST} characters, e.g. {EXAMPLE}")
    text = written.strip()
    if not _DATE_TIME.match(text):
        raise BadRequest(f"at: a date with a time, e.g. {EXAMPLE}")
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise BadRequest(f"at: {text!r} is no date and time, e.g. {EXAMPLE}") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    if moment.timestamp() <= now:
        raise BadRequest(
            f"at: {_shown(moment, zone)} is past: send it now instead, or a later time"
        )
    latest = datetime.fromtimestamp(now, zone) + timedelta(days=MOST_AHEAD_DAYS)
    if moment > latest:
        raise BadRequest(
            f"at: {_shown(moment, zone)} is more than {MOST_AHEAD_DAYS} days ahead "
            f"(at most {_shown(latest, zone)})"
        )
    return moment.timestamp()


def zone_of(bot: Bot | None) -> ZoneInfo:
    """The zone a bot's scheduled times are read and shown in: its business's (UTC for a bot
    not served here)."""
    return bot.business.timezone if bot is not None else ZoneInfo("UTC")


def _shown(moment: datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime(f"%Y-%m-%d %H:%M {zone.key}")
