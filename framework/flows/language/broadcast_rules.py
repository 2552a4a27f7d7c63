"""Building the bot's broadcast rules (`broadcasts:` in bot.yaml) from their schema-valid YAML:

broadcasts:
  quiet_hours: "21:00-08:00"          # no marketing then (the business's time zone)
  frequency_cap: {count: 2, days: 7}  # at most 2 marketing broadcasts a contact a week
  daily_limit: 2000                   # unique WhatsApp customers a moving 24 h, or unlimited
  stop_at_quality: red                # marketing waits while its template is rated red (yellow,
                                      # never)
"""

from __future__ import annotations

from datetime import time
from typing import Final, Protocol

from framework.flows.language.yaml_loader import PosDict
from framework.flows.model import BroadcastRules, Position

__all__ = ["DAILY_LIMIT", "build_broadcast_rules"]

DAILY_LIMIT: Final = 250
"""Unique WhatsApp customers a day unless the bot says: Meta's limit for a new business
portfolio (since October 2025 shared by all of the portfolio's numbers)."""


class Context(Protocol):
    def problem(self, pos: Position, message: str, hint: str = "") -> None: ...


def build_broadcast_rules(ctx: Context, spec: PosDict | None) -> BroadcastRules:
    spec = spec or PosDict()
    limit = spec.get("daily_limit", DAILY_LIMIT)
    cap = spec.get("frequency_cap")
    return BroadcastRules(
        quiet_hours=_quiet_hours(ctx, spec),
        frequency_cap=(int(cap["count"]), int(cap["days"])) if cap else None,
        daily_limit=None if limit == "unlimited" else int(limit),
        stop_at_quality=str(spec.get("stop_at_quality", "red")),
    )


def _quiet_hours(ctx: Context, spec: PosDict) -> tuple[time, time] | None:
    text = spec.get("quiet_hours")
    if text is None:
        return None
    start, end = (time.fromisoformat(part) for part in str(text).split("-"))
    if start == end:
        ctx.problem(
            spec.where("quiet_hours"),
            f"the quiet hours {text!r} start when they end",
            "write from-until, e.g. 21:00-08:00, or leave quiet_hours out",
        )
        return None
    return start, end
