"""What messenger channels exchange with the runtime, whatever the messenger.

A webhook is parsed into `Incoming` messages (each becomes an inbox item of its conversation),
`DeliveryStatus` reports about messages Theke sent, and `WebhookProblem`s (a value-level error,
an unsupported message) that are recorded for the business. Sending a log entry ends in a
`Sent` or a `SendFailure`, which says whether trying again can help.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from framework.errors import ChannelError

__all__ = [
    "STATUS_ORDER",
    "DeliveryStatus",
    "Incoming",
    "SendFailure",
    "Sent",
    "WebhookProblem",
]


@dataclass(frozen=True, slots=True)
class Incoming:
    """A customer's message for one conversation of one bot.

    `customer` is the stable per-business id (WhatsApp: the BSUID `user_id` when present, else
    `wa_id`; Telegram: the chat id). `message_id` deduplicates (wamid, `tg:<update_id>`).
    `text` is what the engine reads; `payload` a pressed button's id. `address` is how to reply
    (`{"to": wa_id}` or `{"recipient": bsuid}`; `{"chat_id": n}`). `attachment` keeps what is
    not text: `{"type": "image", "id", "mime_type", "sha256", "caption"}`,
    `{"type": "location", "latitude", "longitude", "name"?, "address"?}`,
    `{"type": "order", ...}`. `sent_at` is the messenger's Unix time of the message.
    """

    bot: str
    channel: str
    customer: str
    message_id: str
    text: str
    payload: str | None = None
    address: dict[str, Any] = field(default_factory=dict)
    attachment: dict[str, Any] | None = None
    phone: str | None = None
    name: str | None = None
    sent_at: float | None = None


STATUS_ORDER = {"sent": 1, "delivered": 2, "read": 3, "played": 3, "failed": 4}
"""Delivery statuses only move up this order (failed is final); a late "delivered" after
"read" changes nothing."""


@dataclass(frozen=True, slots=True)
class DeliveryStatus:
    """What the messenger reports about a message Theke sent (WhatsApp statuses)."""

    message_id: str
    status: str
    timestamp: float
    recipient: str | None = None
    pricing: dict[str, Any] | None = None
    errors: tuple[dict[str, Any], ...] = ()
    callback: str | None = None
    """`biz_opaque_callback_data` echoed from the send."""


@dataclass(frozen=True, slots=True)
class WebhookProblem:
    """Something in a webhook the business should see: a value-level error, an unsupported
    message type, a message for a phone number no bot serves."""

    kind: str
    detail: str
    data: dict[str, Any] = field(default_factory=dict)


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


class SendFailure(ChannelError):
    """A send the messenger refused or that did not get through.

    `retry_after` (seconds) when trying again later can help (rate limits, 5xx, timeouts);
    None when it never will (window closed, blocked, not on WhatsApp, bad request), in which
    case `unreachable` says whether the customer cannot be reached at all any more.
    """

    def __init__(
        self,
        message: str,
        *,
        code: int | None = None,
        retry_after: float | None = None,
        unreachable: bool = False,
        window_closed: bool = False,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.retry_after = retry_after
        self.unreachable = unreachable
        self.window_closed = window_closed

    @property
    def permanent(self) -> bool:
        return self.retry_after is None
