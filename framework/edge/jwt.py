"""JSON Web Tokens signed with HS256 (RFC 7519, RFC 7515 §A.1): verification only.

Small enough to keep here rather than add a dependency: the header must name HS256 (never
`none`, never another algorithm: the classic confusion attacks), the signature is compared in
constant time, and `exp` / `nbf` are honoured when present.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from typing import Any

from framework.errors import Unauthorized

__all__ = ["verify_hs256"]


def _decoded(part: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
    except (binascii.Error, ValueError):
        raise Unauthorized("the token is not a JWT") from None


def _json(part: str) -> dict[str, Any]:
    try:
        value = json.loads(_decoded(part))
    except (ValueError, RecursionError):
        raise Unauthorized("the token is not a JWT") from None
    if not isinstance(value, dict):
        raise Unauthorized("the token is not a JWT")
    return value


def verify_hs256(token: str, secret: str, now: float) -> dict[str, Any]:
    """The token's claims, or Unauthorized (forged, of another algorithm, expired, early)."""
    parts = token.split(".")
    if len(parts) != 3 or not token.isascii():
        raise Unauthorized("the token is not a JWT")
    header, claims = _json(parts[0]), _json(parts[1])
    if header.get("alg") != "HS256":
        raise Unauthorized("the token must be signed with HS256")
    signed = f"{parts[0]}.{parts[1]}".encode()
    expected = hmac.new(secret.encode(), signed, hashlib.sha256).digest()
    if not hmac.compare_digest(expected, _decoded(parts[2])):
        raise Unauthorized("the token's signature is not valid")
    if _number(claims, "exp", now + 1) <= now or _number(claims, "nbf", now) > now:
        raise Unauthorized("the token has expired or is not valid yet")
    return claims


def _number(claims: dict[str, Any], name: str, default: float) -> float:
    value = claims.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise Unauthorized(f"the token's {name} is not a number")
    return float(value)
