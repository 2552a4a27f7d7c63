"""What the runtime's delivery asks of a push channel, and what a send can end in.

Push channels (WhatsApp, Telegram) are handed each bot message by the runtime's delivery
(runtime/delivery.py) and send it through the messenger's API: that is `PushChannel`. A send
ends in `Sent` or raises `SendFailure`, which says whether trying again can help. The runtime
owns this interface; the channels implement it, so the runtime imports no channel.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from framework.errors import ChannelError
from framework.stores.records import LogEntry

__all__ = ["STATUS_ORDER", "PushChannel", "SendFailure", "Sent"]

STATUS_ORDER = {"sent": 1, "delivered": 2, "read": 3, "played": 3, "failed": 4}
"""Delivery statuses only move up this order (failed is final); a late "delivered" after
"read" changes nothing."""


@dataclass(frozen=True, slots=True)
class Sent:
    message_id: str
    """The messenger's id of the sent message (wamid, Telegram message_id as text)."""
    keys: dict[str, str] = field(default_factory=dict)
    """Short button keys the message used for long payloads (Telegram's 64-byte callback
    data), kept by the conversation to map a pressed key back to its payload."""
    numbered: dict[str, str] = field(default_factory=dict)
    """When the message showed its choices as numbered text (too many for buttons or a list):
    "3" → the third choice's payload, so a customer who types the number chooses it."""
    held: str = ""
    """The messenger took the message but holds it, as it said (WhatsApp's template
    `message_status`: `held_for_quality_assessment`, `paused`; "": it sends it)."""


class SendFailure(ChannelError):
    """A send the messenger refused or that did not get through.

    `retry_after` (seconds) when trying again later can help (rate limits, 5xx, timeouts);
    None when it never will (window closed, blocked, not on WhatsApp, bad request), in which
    case `unreachable` says whether the customer cannot be reached at all any more, and
    `withdrawn` whether the refusal says the customer took consent back there: the purposes'
    prefix withdrawn (`marketing`: WhatsApp's 131050; "": all, a Telegram block), else None.
    """

    def __init__(
        self,
        message: str,
        *,
        code: int | None = None,
        retry_after: float | None = None,
        unreachable: bool = False,
        window_closed: bool = False,
        withdrawn: str | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.retry_after = retry_after
        self.unreachable = unreachable
        self.window_closed = window_closed
        self.withdrawn = withdrawn

    @property
    def permanent(self) -> bool:
        return self.retry_after is None


@runtime_checkable
class PushChannel(Protocol):
    """A channel the runtime hands each bot message to (WhatsApp, Telegram): it sends it
    through the messenger's API."""

    name: str

    async def send(
        self, bot: str, address: Mapping[str, Any], entry: LogEntry, *, callback: str
    ) -> Sent:
        """Send one bot message; raises SendFailure. `callback` comes back with the
        messenger's delivery reports (WhatsApp's biz_opaque_callback_data)."""
        ...

    async def send_outside_window(
        self, bot: str, address: Mapping[str, Any], entry: LogEntry, *, callback: str
    ) -> Sent:
        """Send a message the messenger only allows as an approved template (WhatsApp's
        24-hour window has closed); raises SendFailure(window_closed=True) without one."""
        ...

    window: float | None
    """Seconds after the customer's last message in which free-form messages may be sent
    (WhatsApp: 24 h); None: no window (Telegram)."""
    reports: bool
    """Whether the messenger reports each message it took, echoing the send's `callback`
    (WhatsApp's statuses): a message in flight when a worker died is then settled by its
    report instead of sent again (runtime/in_flight.py)."""

    def address_of(self, customer: str) -> Mapping[str, Any] | None:
        """Where to write to a customer known only by their id in the session key (a
        conversation the session store does not know: a consent imported for someone who
        never wrote, a session gone); None: only a message of theirs tells."""
        ...

    async def close(self) -> None: ...
