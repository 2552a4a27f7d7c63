"""Who may speak for a REST `sender`: the REST channel's identity, as Rasa's server checks it.

Without settings the REST channel trusts the `sender` it is given: anyone who knows (or
guesses) a customer's sender id can continue their conversation and be offered what the shop
remembers of them. A deployment that serves REST beyond its own machine sets one or both:

- `channels.rest.auth_token: env:NAME` — a shared secret of a trusted backend (Rasa's
  `--auth-token`): `?token=<secret>` or `Authorization: Bearer <secret>`; it may speak for any
  sender.
- `channels.rest.jwt_secret: env:NAME` — JWTs signed with HS256 (Rasa's `--jwt-secret`,
  `--jwt-method HS256`), in `Authorization: Bearer <jwt>`: a token whose `user.username`
  (Rasa's claim; or the standard `sub`) is the sender speaks for that sender only, one whose
  `user.role` is `admin` for any.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from framework.edge.jwt import verify_hs256
from framework.errors import Unauthorized
from framework.secrets import Secret

__all__ = ["RestAuth", "check_sender"]


@dataclass(frozen=True)
class RestAuth:
    token: Secret | None = None
    jwt_secret: Secret | None = None

    @property
    def enabled(self) -> bool:
        return self.token is not None or self.jwt_secret is not None


def _presented(request: web.Request) -> str:
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return request.query.get("token", "")


def check_sender(request: web.Request, auth: RestAuth, sender: str, now: float) -> None:
    """Unauthorized unless the request may speak for `sender` (nothing to check when off)."""
    if not auth.enabled:
        return
    given = _presented(request)
    if not given:
        raise Unauthorized("this REST channel needs Authorization: Bearer <token or JWT>")
    if auth.token is not None and hmac.compare_digest(given.encode(), auth.token.reveal().encode()):
        return
    if auth.jwt_secret is None or given.count(".") != 2:
        raise Unauthorized("the token is not valid for this REST channel")
    claims = verify_hs256(given, auth.jwt_secret.reveal(), now)
    user: Any = claims.get("user")
    user = user if isinstance(user, dict) else {}
    if user.get("role") == "admin":
        return
    subject = user.get("username", claims.get("sub"))
    if subject != sender:  # a signed claim: comparing it reveals nothing secret
        raise Unauthorized("the token does not speak for this sender")
