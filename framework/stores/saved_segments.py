"""The saved segment store protocol: a bot's segments kept by name, to use again.

A saved segment is a name (the rules of a tag: framework/tags.py), its definition (a broadcast
segment's JSON, checked whole with `Segment.parse` and kept as `to_json` writes it), a
description of at most MAX_DESCRIPTION characters, and when it was made and last changed.
`save` makes one or replaces the one of that name (keeping when it was made), `delete` forgets
it, `of_bot` lists a bot's by name (at most MAX_LISTED). A bot keeps at most MAX_PER_BOT: a new
name past that is refused (a replacement never is). A broadcast copies the definition when it
is made (framework/outreach/segment_choice.py), so changing or deleting a saved segment later
changes no broadcast.

`saved` checks everything that enters and `replacing` folds a save into what is kept, the same
in every backend. Time is an argument (no store reads a clock).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from framework.errors import ThekeError
from framework.stores.checks import bot_name, bounded_text, matching, moment, page_size
from framework.stores.segments import Segment, SegmentError
from framework.tags import TAG, TAG_RULE

__all__ = [
    "MAX_DESCRIPTION",
    "MAX_LISTED",
    "MAX_PER_BOT",
    "SavedSegment",
    "SavedSegmentError",
    "SavedSegments",
    "TooManySegments",
    "check_bot",
    "check_listing",
    "check_name",
    "replacing",
    "saved",
]

MAX_DESCRIPTION = 200
MAX_LISTED = 200
"""Saved segments one `of_bot` call returns at most."""
MAX_PER_BOT = 200
"""Saved segments a bot keeps at most (as many as one list shows)."""
NAME_RULE = TAG_RULE.replace("a tag:", "a segment's name:")


class SavedSegmentError(ThekeError, ValueError):
    """A saved segment of another shape (its name, definition, description); the message says
    what and what is allowed. Nothing is changed."""


class TooManySegments(SavedSegmentError):
    """A new name for a bot that keeps MAX_PER_BOT already."""

    @classmethod
    def of(cls, bot: str) -> TooManySegments:
        return cls(f"the bot {bot} keeps {MAX_PER_BOT} saved segments already: delete one first")


def check_bot(bot: object) -> str:
    return bot_name(bot, SavedSegmentError)


def check_name(name: object) -> str:
    return matching(name, TAG, SavedSegmentError, NAME_RULE)


def check_listing(bot: object, limit: object) -> tuple[str, int]:
    return check_bot(bot), page_size(limit, MAX_LISTED, "saved segments", SavedSegmentError)


@dataclass(frozen=True, slots=True)
class SavedSegment:
    bot: str
    name: str
    definition: dict[str, Any] = field(default_factory=dict)
    """The segment as `Segment.to_json` writes it ({}: every holder)."""
    description: str = ""
    created_at: float = 0.0
    updated_at: float = 0.0

    @property
    def segment(self) -> Segment:
        return Segment.parse(self.definition)

    def to_json(self) -> dict[str, Any]:
        return {
            "bot": self.bot,
            "name": self.name,
            "definition": self.definition,
            "description": self.description,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SavedSegment:
        return cls(**data)


def saved(
    bot: object, name: object, definition: object, description: object, now: object
) -> SavedSegment:
    """A segment to save, checked whole (SavedSegmentError saying what is wrong): made and
    changed `now`."""
    try:
        segment = Segment.parse(definition)
    except SegmentError as error:
        raise SavedSegmentError(f"definition: {error}") from None
    at = moment(now, "a saved segment's time", SavedSegmentError)
    advice = "a description may have"
    text = bounded_text("the description", description, MAX_DESCRIPTION, SavedSegmentError, advice)
    return SavedSegment(check_bot(bot), check_name(name), segment.to_json(), text.strip(), at, at)


def replacing(kept: SavedSegment | None, new: SavedSegment) -> SavedSegment:
    """What is kept after saving `new` over `kept` (the one of that name, if any): the new
    definition and description, made when the kept one was."""
    return new if kept is None else replace(new, created_at=kept.created_at)


class SavedSegments(Protocol):
    async def save(self, segment: SavedSegment) -> SavedSegment:
        """Makes it or replaces the bot's segment of its name (atomically, `replacing`); what is
        kept. TooManySegments for a new name past MAX_PER_BOT (nothing is kept)."""
        ...

    async def get(self, bot: str, name: str) -> SavedSegment | None: ...

    async def of_bot(self, bot: str, limit: int = MAX_LISTED) -> list[SavedSegment]:
        """The bot's saved segments by name, at most `limit` (1 to MAX_LISTED)."""
        ...

    async def delete(self, bot: str, name: str) -> bool:
        """Forgets it; whether there was one."""
        ...

    async def close(self) -> None: ...
