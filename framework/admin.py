"""The business's admin API: one key (THEKE_ADMIN_KEY, `admin.api_key`), checked in constant
time on every call; without a key configured the API refuses everything."""

from __future__ import annotations

import hmac

from aiohttp import web

from framework.errors import Forbidden

__all__ = ["ADMIN_KEY", "authorize"]

ADMIN_KEY = web.AppKey("admin_key", str)


def authorize(request: web.Request) -> None:
    expected = request.app[ADMIN_KEY]
    if not expected:
        raise Forbidden("the admin API is off: set THEKE_ADMIN_KEY (admin.api_key) to use it")
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    valid = hmac.compare_digest(given.strip().encode(), expected.encode())
    if scheme != "Bearer" or not valid:
        raise Forbidden("a valid admin key is needed: Authorization: Bearer <key>")
