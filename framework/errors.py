"""The one error tree of Theke: a base per subsystem, with a stdlib parent where it fits."""

from __future__ import annotations

__all__ = [
    "BadRequest",
    "ChannelError",
    "ClientGone",
    "FlowError",
    "Forbidden",
    "MoneyError",
    "NotFound",
    "PaymentError",
    "RateLimited",
    "ThekeError",
    "TooLarge",
    "TooSlow",
    "TurnTimeout",
    "Unauthorized",
    "UnknownBot",
]


class ThekeError(Exception):
    """Base of every error Theke raises on purpose; the message says what to do about it."""


class TurnTimeout(ThekeError, TimeoutError):
    """A message was accepted but not processed in time; retrying with its id is safe."""


class FlowError(ThekeError, ValueError):
    """A bot definition cannot be read or run."""


class MoneyError(ThekeError, ValueError):
    """An amount or currency that cannot be represented exactly."""


class NotFound(ThekeError, LookupError):
    """A page, payment request, order or bot that is not here (or not for this caller)."""


class Forbidden(ThekeError, PermissionError):
    """A call without the key it needs (the admin API)."""


class PaymentError(ThekeError):
    """Base of the payment subsystem's errors: providers, refunds, orders, webhooks."""


class ChannelError(ThekeError, ValueError):
    """A request a channel cannot accept: malformed, unknown bot, too many messages."""


class BadRequest(ChannelError):
    """Malformed JSON, a missing field, a value of the wrong kind."""


class ClientGone(ChannelError, ConnectionError):
    """The client closed the connection before its request had arrived: nobody to answer."""


class TooLarge(ChannelError):
    """A request body larger than `limits.max_body`: refused before (or while) it is read."""


class TooSlow(ChannelError, TimeoutError):
    """A request body that did not arrive within `limits.body_timeout`."""


class Unauthorized(ChannelError, PermissionError):
    """A webhook without the messenger's secret or signature: not from the messenger."""


class UnknownBot(ChannelError, LookupError):
    """A path names a bot this deployment does not serve."""


class RateLimited(ChannelError):
    """One conversation sends more messages than the per-session limit allows."""

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after
