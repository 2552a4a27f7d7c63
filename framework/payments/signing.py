"""Webhook signatures in Stripe's scheme, for the sandbox provider's own events.

`t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`: the timestamp is signed with the
body, so a captured event cannot be replayed after `tolerance` seconds, and any `v1` may match
(a secret being rotated). Stripe's own events are verified by the `stripe` library instead.
"""

from __future__ import annotations

import hashlib
import hmac

from framework.errors import PaymentError

__all__ = ["TOLERANCE", "SignatureError", "sign", "verify"]

TOLERANCE = 300.0


class SignatureError(PaymentError, ValueError):
    """A webhook signature that is malformed, stale or does not match."""


def _digest(body: bytes, secret: str, timestamp: int) -> str:
    signed = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def sign(body: bytes, secret: str, timestamp: int) -> str:
    return f"t={timestamp},v1={_digest(body, secret, timestamp)}"


def verify(body: bytes, header: str, secret: str, now: float, tolerance: float = TOLERANCE) -> None:
    """Raise SignatureError unless `header` signs `body` with `secret`, recently."""
    parts = [part.split("=", 1) for part in header.split(",") if "=" in part]
    timestamps = [value for key, value in parts if key.strip() == "t"]
    signatures = [value.strip() for key, value in parts if key.strip() == "v1"]
    if len(timestamps) != 1 or not timestamps[0].strip().isdigit() or not signatures:
        raise SignatureError("the signature header is malformed")
    timestamp = int(timestamps[0])
    if abs(now - timestamp) > tolerance:
        raise SignatureError("the signature is too old (or from the future)")
    expected = _digest(body, secret, timestamp)
    if not any(hmac.compare_digest(expected, candidate) for candidate in signatures):
        raise SignatureError("the signature does not match")
