"""The signature of a business event, in Stripe's scheme (the sandbox's webhooks use the same,
framework/payments/signing.py, which computes it here too):

    Theke-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>

The receiver recomputes it over the raw bytes it received and refuses a request whose time is
more than TOLERANCE seconds away from its clock (a replay). docs/events.md has a verifier
that needs nothing but Python; `verify` here is the same check, for Theke's own tests.
"""

from __future__ import annotations

from framework.payments.signing import TOLERANCE, SignatureError, sign
from framework.payments.signing import verify as check

__all__ = ["HEADER", "TOLERANCE", "signature_header", "verify"]

HEADER = "Theke-Signature"


def signature_header(secret: str, body: bytes, timestamp: int) -> str:
    return sign(body, secret, timestamp)


def verify(secret: str, body: bytes, header: str, now: float, tolerance: float = TOLERANCE) -> bool:
    """Whether `header` signs `body` with `secret` at a time within `tolerance` of `now`."""
    try:
        check(body, header, secret, now, tolerance)
    except SignatureError:
        return False
    return True
