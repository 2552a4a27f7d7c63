"""A turn's events for the business (an `emit:` step, a handoff request), kept in the
outbox before the turn commits: a StoreError leaves the inbox item for a later try, and the
events' ids come from the turn, so a replayed turn adds none twice. The outbox and its signed
delivery are framework/events/; the runtime only needs somewhere to put them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from framework.flows.events import BusinessEvent, Record

__all__ = ["EVENT_OF_RECORD", "EventSink", "publish"]


class EventSink(Protocol):
    """Where the business's events go (events/emitting.py `Events`): kept before it returns."""

    async def emit(
        self, bot: str, session: str, type: str, data: Mapping[str, Any], *, id: str
    ) -> int: ...


EVENT_OF_RECORD = {"human_requested": "conversation.handoff_requested"}
"""Facts a flow records that the business also hears as an event."""


def _business_events(effects: Sequence[object]) -> list[tuple[str, Mapping[str, Any]]]:
    found: list[tuple[str, Mapping[str, Any]]] = []
    for effect in effects:
        if isinstance(effect, BusinessEvent):
            found.append((effect.type, effect.data))
        elif isinstance(effect, Record) and effect.name in EVENT_OF_RECORD:
            found.append((EVENT_OF_RECORD[effect.name], effect.data))
    return found


async def publish(
    events: EventSink | None, bot: str, session: str, item_id: str, effects: Sequence[object]
) -> None:
    if events is None:
        return
    for number, (kind, data) in enumerate(_business_events(effects), 1):
        cause = f"{session}\n{item_id}\n{number}".encode()
        event = f"evt_{hashlib.sha256(cause).hexdigest()[:24]}"
        await events.emit(bot, session, kind, data, id=event)
