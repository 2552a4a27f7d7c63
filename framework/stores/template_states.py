"""The template state store protocol: what Meta last said of each approved WhatsApp template
(a name in one language): its status (APPROVED, PAUSED, DISABLED, REINSTATED, FLAGGED, …) and
its quality (GREEN, YELLOW, RED, UNKNOWN), each with since when.

News comes from Meta's webhooks (`message_template_status_update`,
`message_template_quality_update`: framework/channels/whatsapp_templates.py) and from a send
Meta refused with 132015 (paused) or 132016 (disabled). The broadcasts read it before each
step (framework/broadcasts/rules.py): a paused or disabled template, or a quality at or below
the bot's `stop_at_quality`, makes a broadcast sent as it wait.

News older than what a template holds changes nothing (webhooks arrive late and twice): the
status and the quality each keep their newest, so `noted` is the same fold in every backend.
Time is an argument (no store reads a clock). The same backends keep what Meta said of each
business phone number (stores/number_states.py): the broadcasts read both.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, replace
from typing import TYPE_CHECKING, Any, Protocol

from framework.errors import ThekeError

if TYPE_CHECKING:
    from framework.stores.number_states import NumberNews, NumberState

__all__ = [
    "DISABLED",
    "PAUSED",
    "QUALITIES",
    "REFUSALS",
    "UNUSABLE",
    "TemplateNews",
    "TemplateState",
    "TemplateStateError",
    "TemplateStates",
    "check_name",
    "noted",
]

PAUSED, DISABLED = "PAUSED", "DISABLED"
UNUSABLE = frozenset({DISABLED, "REJECTED", "DELETED", "PENDING_DELETION", "ARCHIVED"})
"""Statuses in which Meta sends none of the template: like disabled, until Meta says again."""
QUALITIES = ("GREEN", "YELLOW", "RED", "UNKNOWN")
REFUSALS = {132015: PAUSED, 132016: DISABLED}
"""Meta's refusal of a message, at once or as a failed status, that tells what became of its
template."""
_NAME = re.compile(r"[a-z0-9_]{1,512}")
_LANGUAGE = re.compile(r"[A-Za-z]{2,3}(_[A-Za-z]{2,4})?")
_STATUS = re.compile(r"[A-Z_]{1,40}")
MAX_REASON = 300
"""Characters of Meta's reason kept at most."""


class TemplateStateError(ThekeError, ValueError):
    """News of another shape (a name, language, status or quality Meta never sends)."""


@dataclass(frozen=True, slots=True)
class TemplateState:
    name: str
    language: str
    """Meta's code of the translation: `de`, `en_US`."""
    status: str = ""
    """Meta's last event of it ("": none heard; it is sent)."""
    status_at: float = 0.0
    quality: str = ""
    """GREEN, YELLOW, RED, UNKNOWN ("": none heard)."""
    quality_at: float = 0.0
    reason: str = ""
    """Why, as Meta said with its status (a pause's title, a rejection's reason)."""

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TemplateState:
        return cls(**data)


@dataclass(frozen=True, slots=True)
class TemplateNews:
    """One thing Meta said of a template: a status or a quality, at `at`."""

    name: str
    language: str
    at: float
    status: str = ""
    quality: str = ""
    reason: str = ""

    def checked(self) -> TemplateNews:
        """Itself, or TemplateStateError naming what Meta would never send."""
        check_name(self.name)
        if not isinstance(self.language, str) or not _LANGUAGE.fullmatch(self.language):
            raise TemplateStateError("a template's language: a code such as de or en_US")
        if bool(self.status) == bool(self.quality):
            raise TemplateStateError("news of a template: a status or a quality")
        if self.status and not _STATUS.fullmatch(self.status):
            raise TemplateStateError("a template's status: a word such as APPROVED or PAUSED")
        if self.quality and self.quality not in QUALITIES:
            raise TemplateStateError(f"a template's quality: one of {', '.join(QUALITIES)}")
        at_ok = isinstance(self.at, int | float) and 0 <= self.at < 1e11
        if not at_ok or not isinstance(self.reason, str):
            raise TemplateStateError("news of a template: a time in Unix seconds and a reason")
        return replace(self, reason=self.reason[:MAX_REASON])


def check_name(name: str) -> str:
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise TemplateStateError("a template's name: lowercase letters, digits and underscores")
    return name


def noted(state: TemplateState | None, news: TemplateNews) -> TemplateState:
    """The state after the news: its status or quality, unless the state holds a newer one."""
    state = state or TemplateState(news.name, news.language)
    if news.status and news.at >= state.status_at:
        return replace(state, status=news.status, status_at=news.at, reason=news.reason)
    if news.quality and news.at >= state.quality_at:
        return replace(state, quality=news.quality, quality_at=news.at)
    return state


class TemplateStates(Protocol):
    async def note(self, news: TemplateNews) -> TemplateState:
        """The news kept (atomically, `noted`): the template's state after it.
        TemplateStateError for news of another shape (nothing is kept)."""
        ...

    async def of_template(self, name: str) -> dict[str, TemplateState]:
        """What is known of the template in each of its languages (code -> state; {}: nothing
        heard). TemplateStateError for a name of another shape."""
        ...

    async def note_number(self, news: NumberNews) -> NumberState:
        """The number's news kept (atomically, `noted_number`): its state after it.
        TemplateStateError for news of another shape (nothing is kept)."""
        ...

    async def of_number(self, number: str) -> NumberState | None:
        """What is known of a phone number id (None: nothing heard). TemplateStateError for
        an id of another shape."""
        ...

    async def close(self) -> None: ...
