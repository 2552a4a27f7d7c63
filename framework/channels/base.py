"""The channel interface.

Every channel turns requests into inbox items of conversations (`accept` in common.py) and gets
the bot's answers out. Pull channels read them from the conversation log themselves: the REST
channel answers its request with the turn's entries, the web chat page streams the log. Push
channels (WhatsApp, Telegram) are handed each bot message by the runtime's delivery: they
implement `PushChannel` of runtime/sending.py.
`CollectingChannel` is the push channel of tests: it keeps what it was asked to send.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from aiohttp import web

from framework.runtime.sending import SendFailure, Sent
from framework.stores.records import LogEntry

__all__ = ["Channel", "CollectingChannel"]


class Channel(Protocol):
    """What every channel has: a name (the middle part of its conversations' keys) and the
    HTTP routes through which customers reach it (verify, parse, hand in)."""

    name: str

    def routes(self) -> list[web.AbstractRouteDef]: ...


@dataclass
class CollectingChannel:
    """A push channel for tests: records every send; `fail` makes the next sends fail."""

    name: str = "collect"
    window: float | None = None
    reports: bool = False
    sent: list[tuple[str, dict[str, Any], LogEntry]] = field(default_factory=list)
    templates: list[tuple[str, dict[str, Any], LogEntry]] = field(default_factory=list)
    fail: list[SendFailure] = field(default_factory=list)

    async def send(
        self, bot: str, address: Mapping[str, Any], entry: LogEntry, *, callback: str
    ) -> Sent:
        if self.fail:
            raise self.fail.pop(0)
        self.sent.append((bot, dict(address), entry))
        return Sent(f"{self.name}-{len(self.sent)}")

    async def send_outside_window(
        self, bot: str, address: Mapping[str, Any], entry: LogEntry, *, callback: str
    ) -> Sent:
        if self.fail:
            raise self.fail.pop(0)
        self.templates.append((bot, dict(address), entry))
        return Sent(f"{self.name}-template-{len(self.templates)}")

    def address_of(self, customer: str) -> Mapping[str, Any] | None:
        return {"to": customer}

    def routes(self) -> list[web.AbstractRouteDef]:
        return []

    async def close(self) -> None:
        return None

    @property
    def texts(self) -> list[str]:
        return [str(entry.get("text", "")) for _bot, _address, entry in self.sent]
