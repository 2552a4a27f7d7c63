"""Ids of business events, derived from what caused them: the same cause, the same id, so an
event emitted again after a crash is recognised and sent once (the outbox adds each id once).
Apart from the events room so that whatever emits (payments, tickets) needs nothing more."""

from __future__ import annotations

import hashlib

__all__ = ["event_id"]


def event_id(*parts: str) -> str:
    return (
        "evt_" + hashlib.sha256("\n".join(parts).encode("utf-8", "surrogatepass")).hexdigest()[:24]
    )
