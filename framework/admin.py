"""The business's admin API: one key (THEKE_ADMIN_KEY, `admin.api_key`), checked in constant
time on every call; without a key configured the API refuses everything. And what every admin
route reads the same way: the bot it means, a record's number, a page's length, a status
filter."""

from __future__ import annotations

import hmac
import re

from aiohttp import web

from framework.errors import BadRequest, Forbidden, NotFound

__all__ = [
    "ADMIN_KEY",
    "BOTS",
    "admin_bot",
    "authorize",
    "numbered_record",
    "page_limit",
    "status_filter",
    "whole_number",
]

ADMIN_KEY = web.AppKey("admin_key", str)
BOTS = web.AppKey("bots", frozenset)
"""The names of the bots the app serves."""


def authorize(request: web.Request) -> None:
    expected = request.app[ADMIN_KEY]
    if not expected:
        raise Forbidden("the admin API is off: set THEKE_ADMIN_KEY (admin.api_key) to use it")
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    valid = hmac.compare_digest(given.strip().encode(), expected.encode())
    if scheme != "Bearer" or not valid:
        raise Forbidden("a valid admin key is needed: Authorization: Bearer <key>")


_DIGITS = re.compile("[0-9]+")
_LARGEST = 2**53
"""Above this no record has a number (and no SQLite column or JSON reader keeps it exact)."""


def whole_number(text: str, what: str) -> int | None:
    """A number written in ASCII digits (never full-width or other scripts' digits); None when it
    is larger than any record's number can be."""
    if not _DIGITS.fullmatch(text):
        raise BadRequest(f"{what} is written in the digits 0-9, e.g. 1001")
    if len(text) > len(str(_LARGEST)) or int(text) > _LARGEST:
        return None
    return int(text)


def admin_bot(request: web.Request, name: str | None) -> str:
    """The bot a call means: the one named, or the only one served."""
    bots: frozenset[str] = request.app[BOTS]
    if name is None and len(bots) == 1:
        return next(iter(bots))
    if name not in bots:
        raise BadRequest(f"name a bot: {', '.join(sorted(bots))}")
    return name


def page_limit(text: str) -> int:
    number = whole_number(text, "limit")
    if number is None or not 1 <= number <= 500:
        raise BadRequest("limit is a number from 1 to 500")
    return number


def numbered_record(request: web.Request, what: str) -> tuple[str, int]:
    """The bot and the number of `/admin/<records>/{bot}/{number}` ("#1001" too); NotFound
    for a number no record can have."""
    bot = admin_bot(request, request.match_info["bot"])
    number = whole_number(request.match_info["number"].lstrip("#"), f"a {what} number")
    if number is None:
        raise NotFound(f"no {what} {request.match_info['number']} of {bot}")
    return bot, number


def status_filter(text: str | None, statuses: tuple[str, ...]) -> frozenset[str] | None:
    """`?status=open,pending`: those statuses (None: every one)."""
    if not text:
        return None
    wanted = frozenset(text.split(","))
    if not wanted <= set(statuses):
        raise BadRequest(f"status is one or more of {', '.join(statuses)}")
    return wanted
