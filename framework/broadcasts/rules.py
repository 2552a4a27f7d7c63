"""The rules a broadcast respects while sending (the bot's `broadcasts:` settings), decided
per step and per holder; sending.py applies them.

- **Segment**: a holder the broadcast's segment leaves out (framework/stores/segments.py:
  tags, language, channel, orders, last seen, answers, other consents) is passed over for it
  (`outside`).
- **Quiet hours** are each holder's own: in the time zone of their contact when it is known,
  else the business's. A marketing broadcast hands out nothing to a holder within them: its
  cursor stops before them (nobody is passed over, nobody waits in a list of their own) and
  the broadcast goes on from there when their quiet hours end, reading the holders of then
  (a STOP in the night counts). Holders after one in the night wait with them.
- **Frequency cap**: a marketing holder who got `count` other marketing broadcasts in the
  last `days` days is passed over for this one (`capped`), never sent it later.
- **Held back**: WhatsApp refused marketing to the holder with 131049 (Meta's per-user
  marketing limit) and its hold has not ended — a day, longer each time it came again, a
  year once marketing gave them up (runtime/marketing_holds.py): passed over for this
  broadcast (`held_back`), so Theke backs off instead of looping.
- **Once per contact**: a holder whose contact has another conversation chosen for the
  broadcast (framework/broadcasts/once.py) is passed over for it (`elsewhere`); the frequency
  cap counts the marketing sent to all of a contact's conversations.
- **Daily limit**: sending.py stops at the first WhatsApp holder over the limit of unique
  customers in a moving day, and the broadcast waits for room.
- **Rate limited**: while the messenger holds the channel's sender (Telegram's 429, WhatsApp's
  130429: framework/broadcasts/pacing.py), sending.py stops at the first holder on that channel
  and the broadcast waits (`rate_limited`) until the hold ends.
- **Its WhatsApp template** (a broadcast that names one): while Meta has it paused (or
  disabled, rejected, deleted) in any of the broadcast's languages, or rates its quality at or
  below the bot's `stop_at_quality` (marketing only), sending.py stops at the first WhatsApp
  holder and the broadcast waits (`template_waiting`) until Meta says otherwise.
- **Its WhatsApp number**: while Meta rates the bot's number (`phone_number_quality_update`)
  at or below `stop_at_quality`, a marketing broadcast stops at the first WhatsApp holder
  (`number_quality`); the daily limit is never above the number's messaging limit as Meta
  last said it (`daily_limit`).

Notifications (`notify:<topic>`: a flight delayed) are wanted news: neither quiet hours nor
the cap nor a hold keeps them, nor their template's quality; the daily limit and a paused or
disabled template do, since Meta refuses anything beyond them.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Protocol, runtime_checkable
from zoneinfo import ZoneInfo

from framework.flows.model import BroadcastRules
from framework.stores.broadcasts import Broadcast
from framework.stores.consents import MARKETING, Holder
from framework.stores.contacts import Contact
from framework.stores.number_states import NumberState
from framework.stores.reach import Marks
from framework.stores.segments import Segment
from framework.stores.template_states import PAUSED, UNUSABLE, TemplateState

__all__ = [
    "CAPPED",
    "DAILY_LIMIT",
    "DAY",
    "ELSEWHERE",
    "HELD_BACK",
    "NUMBER_QUALITY",
    "OUTSIDE",
    "QUEUED",
    "QUIET_HOURS",
    "RATE_LIMITED",
    "SKIPPED",
    "TEMPLATE_DISABLED",
    "TEMPLATE_PAUSED",
    "TEMPLATE_QUALITY",
    "Rated",
    "daily_limit",
    "in_quiet_hours",
    "marks_since",
    "number_waiting",
    "passed_over",
    "quiet_for",
    "template_waiting",
]

QUIET_HOURS, DAILY_LIMIT = "quiet_hours", "daily_limit"
TEMPLATE_PAUSED, TEMPLATE_DISABLED = "template_paused", "template_disabled"
TEMPLATE_QUALITY, RATE_LIMITED = "template_quality", "rate_limited"
NUMBER_QUALITY = "number_quality"
"""Why a sending broadcast waits (Broadcast.waiting)."""
LOW_QUALITY = {"red": frozenset({"RED"}), "yellow": frozenset({"YELLOW", "RED"})}
"""The qualities each `stop_at_quality` setting waits at (`never`: none)."""
QUEUED, SKIPPED, CAPPED, HELD_BACK = "queued", "skipped", "capped", "held_back"
OUTSIDE, ELSEWHERE = "outside", "elsewhere"
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


def quiet_for(
    broadcast: Broadcast, contact: Contact | None, rules: BroadcastRules, zone: ZoneInfo, now: float
) -> bool:
    """Whether a marketing broadcast waits for the holder's quiet hours to end: in their own
    time zone when their contact knows it, else in the business's `zone`."""
    if broadcast.purpose != MARKETING or rules.quiet_hours is None:
        return False
    own = ZoneInfo(contact.timezone) if contact and contact.timezone else zone
    return in_quiet_hours(rules, own, now)


def marks_since(rules: BroadcastRules, now: float) -> float:
    """From when the marketing sent to a holder counts for the cap."""
    return now - rules.frequency_cap[1] * DAY if rules.frequency_cap else now


def passed_over(
    broadcast: Broadcast,
    holder: Holder,
    marks: Marks | None,
    rules: BroadcastRules,
    now: float,
    segment: tuple[Segment, Contact | None, frozenset[str]] | None = None,
) -> str | None:
    """Why `holder` does not get `broadcast` at all (SKIPPED, OUTSIDE, CAPPED, HELD_BACK), or
    None; `segment`: the broadcast's segment, the holder's contact and which of the segment's
    purposes it holds."""
    if broadcast.lang and holder.lang != broadcast.lang:
        return SKIPPED
    if segment and not segment[0].admits(
        holder.conversation, segment[1], holder.lang, now, segment[2]
    ):
        return OUTSIDE
    if broadcast.purpose != MARKETING or marks is None:
        return None
    if marks.held_until > now:
        return HELD_BACK
    others = sum(sent != broadcast.id for sent in marks.sent)
    if rules.frequency_cap and others >= rules.frequency_cap[0]:
        return CAPPED
    return None


def template_waiting(
    broadcast: Broadcast, states: Iterable[TemplateState], rules: BroadcastRules
) -> str:
    """Why the broadcast's WhatsApp template keeps it waiting ("": it does not), from what
    Meta last said of the template in its languages (`states`)."""
    states = list(states)
    if any(state.status == PAUSED for state in states):
        return TEMPLATE_PAUSED
    if any(state.status in UNUSABLE for state in states):
        return TEMPLATE_DISABLED
    low = LOW_QUALITY.get(rules.stop_at_quality, frozenset())
    if broadcast.purpose == MARKETING and any(state.quality in low for state in states):
        return TEMPLATE_QUALITY
    return ""


@runtime_checkable
class Rated(Protocol):
    """A channel whose number per bot Meta rates (WhatsApp)."""

    async def rating(self, bot: str) -> NumberState | None:
        """What Meta last said of the bot's number (None: nothing heard)."""
        ...


def number_waiting(broadcast: Broadcast, state: NumberState | None, rules: BroadcastRules) -> str:
    """Why the bot's WhatsApp number keeps a marketing broadcast waiting ("": it does not)."""
    low = LOW_QUALITY.get(rules.stop_at_quality, frozenset())
    if broadcast.purpose == MARKETING and state is not None and state.quality in low:
        return NUMBER_QUALITY
    return ""


def daily_limit(rules: BroadcastRules, state: NumberState | None) -> int | None:
    """The bot's daily limit, never above the number's messaging limit as Meta last said it
    (None: no limit)."""
    limits = [n for n in (rules.daily_limit, state.limit if state else None) if n is not None]
    return min(limits) if limits else None
