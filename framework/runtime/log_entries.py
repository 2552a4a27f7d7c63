"""What a turn writes into the conversation log: the engine's replies as log entries, numbered
as the store numbers them."""

from __future__ import annotations

from framework.flows import Reply
from framework.stores.records import LogEntry

__all__ = ["numbered", "reply_entry"]


def reply_entry(reply: Reply) -> LogEntry:
    entry: LogEntry = {"from": "bot", "text": reply.text}
    if reply.buttons:
        entry["buttons"] = [{"title": b.title, "payload": b.payload} for b in reply.buttons]
    if reply.list_button:
        entry["list_button"] = reply.list_button
    if reply.image:
        entry["image"] = reply.image
    if reply.link:
        entry["link"] = {"title": reply.link.title, "url": reply.link.url}
    if reply.custom:
        entry["custom"] = dict(reply.custom)
    return entry


def numbered(entries: list[LogEntry], last_seq: int) -> list[LogEntry]:
    """The entries as the store numbered them: consecutively after the claim's last seq."""
    return [{**entry, "seq": last_seq + n} for n, entry in enumerate(entries, 1)]
