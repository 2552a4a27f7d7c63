"""The rules a broadcast respects while sending (the bot's `broadcasts:` settings), decided
per step and per holder; sending.py applies them.

- **Quiet hours** hold a marketing broadcast as a whole, not holder by holder: no conversation
  or session knows a customer's own time zone, so every holder of a bot is in the business's
  zone, and its quiet hours are everybody's. While they last a step hands out nothing and its
  cursor stays: nobody is passed over, nobody waits in a list of their own, and when they end
  the broadcast goes on from where it stopped, reading the holders of then (a STOP in the
  night counts). Were a holder's zone known, this would become a per-holder decision.
- **Frequency cap**: a marketing holder who got `count` other marketing broadcasts in the
  last `days` days is passed over for this one (`capped`), never sent it later.
- **Held back**: WhatsApp refused marketing to the holder with 131049 (Meta's per-user
  marketing limit) within the last day (runtime/delivery.py keeps the hold): passed over for
  this broadcast (`held_back`), so Theke backs off instead of looping.
- **Daily limit**: sending.py stops at the first WhatsApp holder over the limit of unique
  customers in a moving day, and the broadcast waits for room.

Notifications (`notify:<topic>`: a flight delayed) are wanted news: neither quiet hours nor
the cap nor a hold keeps them; the daily limit does, since Meta refuses anything beyond it.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from framework.flows.model import BroadcastRules
from framework.stores.broadcasts import Broadcast
from framework.stores.consents import MARKETING, Holder
from framework.stores.reach import Marks

__all__ = [
    "CAPPED",
    "DAILY_LIMIT",
    "DAY",
    "HELD_BACK",
    "QUEUED",
    "QUIET_HOURS",
    "SKIPPED",
    "in_quiet_hours",
    "marks_since",
    "passed_over",
]

QUIET_HOURS, DAILY_LIMIT = "quiet_hours", "daily_limit"
"""Why a sending broadcast waits (Broadcast.waiting)."""
QUEUED, SKIPPED, CAPPED, HELD_BACK = "queued", "skipped", "capped", "held_back"
"""What became of a holder in a step, named as the broadcast's counts."""
DAY = 86400.0


def in_quiet_hours(rules: BroadcastRules, zone: ZoneInfo, now: float) -> bool:
    if rules.quiet_hours is None:
        return False
    start, end = rules.quiet_hours
    local = datetime.fromtimestamp(now, zone).time()
    if start < end:
        return start <= local < end
    return local >= start or local < end  # past midnight


def marks_since(rules: BroadcastRules, now: float) -> float:
    """From when the marketing sent to a holder counts for the cap."""
    return now - rules.frequency_cap[1] * DAY if rules.frequency_cap else now


def passed_over(
    broadcast: Broadcast, holder: Holder, marks: Marks | None, rules: BroadcastRules, now: float
) -> str | None:
    """Why `holder` does not get `broadcast` at all (SKIPPED, CAPPED, HELD_BACK), or None."""
    if broadcast.lang and holder.lang != broadcast.lang:
        return SKIPPED
    if broadcast.purpose != MARKETING or marks is None:
        return None
    if marks.held_until > now:
        return HELD_BACK
    others = sum(sent != broadcast.id for sent in marks.sent)
    if rules.frequency_cap and others >= rules.frequency_cap[0]:
        return CAPPED
    return None
