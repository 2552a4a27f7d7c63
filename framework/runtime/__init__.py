"""The async shell around the engine: turns, stores, timers."""

from framework.runtime.records import Claim, Commit, InboxItem, LogEntry, SessionKey, StoreLimits
from framework.runtime.store import Store, StoreError
from framework.runtime.stores import open_store
from framework.runtime.turns import Runtime, TurnTimeout

__all__ = [
    "Claim",
    "Commit",
    "InboxItem",
    "LogEntry",
    "Runtime",
    "SessionKey",
    "Store",
    "StoreError",
    "StoreLimits",
    "TurnTimeout",
    "open_store",
]
