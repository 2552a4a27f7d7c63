"""Which pages may open the web chat's socket: the chat's own page, and the origins the
workspace names (`server.allowed_origins`, e.g. a shop's site embedding the chat).

A browser always sends `Origin` with a WebSocket handshake, and a page of another site cannot
change it: without this check any site a customer visits could open their conversation in the
background (cross-site WebSocket hijacking) and read what the shop remembers of them. A
request without `Origin` is not from a browser page, and gains nothing a direct client could
not do anyway.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from aiohttp import web

from framework.errors import Forbidden

__all__ = ["ALLOWED_ORIGINS", "check_origin", "origin_of"]

ALLOWED_ORIGINS = web.AppKey("allowed_origins", frozenset)
"""Origins (`https://shop.example`) besides the page's own that may open the socket."""


def origin_of(url: str) -> str:
    """`scheme://host[:port]` of a URL, lower-cased, as browsers send it in `Origin`."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def check_origin(request: web.Request) -> None:
    origin = request.headers.get("Origin")
    if origin is None:
        return
    allowed: frozenset[str] = request.app.get(ALLOWED_ORIGINS, frozenset())
    own_host = request.headers.get("Host", "").lower()  # behind a TLS proxy the scheme differs
    if urlsplit(origin).netloc.lower() == own_host or origin.lower() in allowed:
        return
    raise Forbidden(
        f"the chat cannot be opened from {origin}: add it to server.allowed_origins in flows.yaml"
    )
