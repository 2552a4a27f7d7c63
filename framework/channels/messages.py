"""What messenger channels exchange with the runtime, whatever the messenger.

A webhook is parsed into `Incoming` messages (each becomes an inbox item of its conversation),
`DeliveryStatus` reports about messages Theke sent, and `WebhookProblem`s (a value-level error,
an unsupported message) that are recorded for the business, and `ConsentSignal`s (a customer
stopped or resumed marketing messages in the messenger's own menu). Sending is the other way round:
runtime/sending.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["ConsentSignal", "DeliveryStatus", "Incoming", "WebhookProblem"]


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
class ConsentSignal:
    """A customer stopped or resumed messages in the messenger's own menu (WhatsApp's
    `user_preferences`): for the consent ledger of their conversation
    (runtime/consent_signals.py), never a turn of the bot."""

    bot: str
    channel: str
    customer: str
    """As for `Incoming`: the conversation it belongs to."""
    signal_id: str
    """Deduplicates: the same signal delivered twice counts once."""
    signal: str
    """stop or resume."""
    purposes: str
    """The purposes' prefix it is about: `marketing`."""
    said: str
    """The messenger's words (WhatsApp's `detail`), kept as the ledger entry's text."""
