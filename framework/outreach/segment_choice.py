"""A broadcast's segment as the business chooses it, and a saved segment's audience.

A broadcast's `segment` is written out (JSON or YAML, checked with `Segment.parse`) or names
one of the bot's saved segments (framework/stores/saved_segments.py): then its definition is
copied into the broadcast when it is made, so a later change of the saved segment (or its
deletion) changes no broadcast already made. The admin API, `theke broadcast create
--segment` and the broadcasts page all choose through `segment_for`, and a saved segment's
preview (the admin API, `theke segments preview`, its page) is `audience`: the broadcasts'
own counting (`Broadcasts.audience`), so a saved segment counts as a broadcast would.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from framework.broadcasts.service import Broadcasts
from framework.errors import BadRequest
from framework.stores.consent_rules import PURPOSE, PURPOSE_RULE
from framework.stores.saved_segments import SavedSegment, SavedSegmentError, SavedSegments
from framework.stores.segments import Segment, SegmentError

__all__ = ["SAVED_SEGMENTS", "audience", "checked_purpose", "checked_segment", "segment_for"]

SAVED_SEGMENTS = web.AppKey("saved_segments", SavedSegments)


def checked_segment(segment: Any) -> Segment:
    """A broadcast's segment written out, or BadRequest saying what is wrong with it."""
    try:
        return Segment.parse(segment)
    except SegmentError as error:
        raise BadRequest(f"segment: {error}") from None


async def saved_one(store: SavedSegments, bot: str, name: str) -> SavedSegment:
    """The bot's saved segment of that name, or BadRequest saying there is none."""
    try:
        found = await store.get(bot, name)
    except SavedSegmentError as error:
        raise BadRequest(f"segment: {error}") from None
    if found is None:
        raise BadRequest(
            f"segment: the bot {bot} has no saved segment {name!r} (theke segments list, "
            "GET /admin/segments?bot=)"
        )
    return found


async def segment_for(store: SavedSegments, bot: str, chosen: Any) -> Segment:
    """The segment a broadcast is made with: a saved segment's definition when `chosen` is a
    name (a string), else `chosen` written out (None: every holder)."""
    if isinstance(chosen, str):
        return (await saved_one(store, bot, chosen)).segment
    return checked_segment(chosen)


def checked_purpose(purpose: object) -> str:
    if not isinstance(purpose, str) or not PURPOSE.fullmatch(purpose):
        raise BadRequest(f"purpose: {PURPOSE_RULE}")
    return purpose


async def audience(broadcasts: Broadcasts, saved: SavedSegment, purpose: str) -> dict[str, Any]:
    """How many holders of `purpose` the saved segment admits now, by channel, how many it
    leaves out, and what it asks for in words."""
    segment = saved.segment
    found = await broadcasts.audience(saved.bot, checked_purpose(purpose), segment)
    return {
        "bot": saved.bot,
        "name": saved.name,
        "purpose": purpose,
        **found.counts(),
        "segment": saved.definition,
        "explained": segment.explained(),
    }
