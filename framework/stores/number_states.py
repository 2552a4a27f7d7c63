"""What Meta last said of each WhatsApp business phone number (by its phone number id): its
quality (GREEN, YELLOW, RED, UNKNOWN) and its messaging limit (TIER_250, TIER_2K, …), each
with since when, and the event that said it (FLAGGED, DOWNGRADE, …).

News comes from Meta's `phone_number_quality_update` webhook
(framework/channels/whatsapp_numbers.py) and is kept by the template state store's backends
beside the templates (`note_number`, `of_number`: stores/template_states.py). The broadcasts
read it before each step (framework/broadcasts/rules.py): a marketing broadcast waits while
the number's quality is at or below the bot's `stop_at_quality`, and the daily limit is
never above the number's messaging limit.

As for templates, news older than what a number holds changes nothing (the quality and the
limit each keep their newest): `noted_number` is the same fold in every backend.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, replace
from typing import Any

from framework.stores.template_states import QUALITIES, TemplateStateError

__all__ = ["TIERS", "NumberNews", "NumberState", "check_number", "noted_number"]

TIERS: dict[str, int | None] = {
    "TIER_50": 50,
    "TIER_250": 250,
    "TIER_1K": 1000,
    "TIER_2K": 2000,
    "TIER_10K": 10000,
    "TIER_100K": 100000,
    "TIER_UNLIMITED": None,
}
"""Meta's messaging limits: unique customers a moving 24 hours (None: no limit). TIER_1K is
the older name of the step that is TIER_2K since the limits moved to the portfolio."""
_NUMBER = re.compile(r"[0-9]{1,30}")
_EVENT = re.compile(r"[A-Z_]{1,40}")


@dataclass(frozen=True, slots=True)
class NumberState:
    number: str
    """The phone number id (`metadata.phone_number_id`, the channel's `numbers` key)."""
    quality: str = ""
    """GREEN, YELLOW, RED, UNKNOWN ("": none heard)."""
    quality_at: float = 0.0
    tier: str = ""
    """One of TIERS ("": none heard)."""
    tier_at: float = 0.0
    event: str = ""
    """Meta's last event of it: FLAGGED, UNFLAGGED, DOWNGRADE, UPGRADE, …"""

    @property
    def limit(self) -> int | None:
        """Unique customers a day Meta allows (None: no limit heard, or unlimited)."""
        return TIERS.get(self.tier)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> NumberState:
        return cls(**data)


@dataclass(frozen=True, slots=True)
class NumberNews:
    """One thing Meta said of a number at `at`: an event, a quality, a limit (any of them)."""

    number: str
    at: float
    event: str = ""
    quality: str = ""
    tier: str = ""

    def checked(self) -> NumberNews:
        """Itself, or TemplateStateError naming what Meta would never send."""
        check_number(self.number)
        if not (self.event or self.quality or self.tier):
            raise TemplateStateError("news of a number: an event, a quality or a limit")
        if not isinstance(self.event, str) or (self.event and not _EVENT.fullmatch(self.event)):
            raise TemplateStateError("a number's event: a word such as FLAGGED or DOWNGRADE")
        if self.quality and self.quality not in QUALITIES:
            raise TemplateStateError(f"a number's quality: one of {', '.join(QUALITIES)}")
        if self.tier and self.tier not in TIERS:
            raise TemplateStateError(f"a number's limit: one of {', '.join(TIERS)}")
        if not isinstance(self.at, int | float) or not 0 <= self.at < 1e11:
            raise TemplateStateError("news of a number: a time in Unix seconds")
        return self


def check_number(number: str) -> str:
    if not isinstance(number, str) or not _NUMBER.fullmatch(number):
        raise TemplateStateError("a phone number id: 1 to 30 digits")
    return number


def noted_number(state: NumberState | None, news: NumberNews) -> NumberState:
    """The state after the news: its quality and limit, each unless the state holds a newer
    one; its event when it is the newest news."""
    state = state or NumberState(news.number)
    if news.quality and news.at >= state.quality_at:
        state = replace(state, quality=news.quality, quality_at=news.at)
    if news.tier and news.at >= state.tier_at:
        state = replace(state, tier=news.tier, tier_at=news.at)
    if news.event and news.at >= max(state.quality_at, state.tier_at):
        state = replace(state, event=news.event)
    return state
