"""Security headers on every answer: what a browser may load, frame and send along.

Pages load their scripts and styles from this server only; an inline `<style>` carries the
answer's nonce (`request[NONCE]`, given to the templates). No page may be framed unless the
workspace names who may frame it (`server.frame_ancestors`: a shop embedding its chat), no
URL leaves in a Referer, and no answer is sniffed into another type.
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable

from aiohttp import web

__all__ = ["FRAME_ANCESTORS", "NONCE", "content_security_policy", "security_headers"]

NONCE = web.RequestKey("csp_nonce", str)
"""The nonce of this answer's inline styles (a template writes `<style nonce="…">`)."""
FRAME_ANCESTORS = web.AppKey("frame_ancestors", tuple)
"""Origins that may frame the pages; none by default."""

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def content_security_policy(nonce: str, frame_ancestors: tuple[str, ...]) -> str:
    ancestors = " ".join(frame_ancestors) or "'none'"
    return "; ".join(
        (
            "default-src 'none'",
            "script-src 'self'",
            f"style-src 'self' 'nonce-{nonce}'",
            "img-src 'self' data: https:",  # a bot's pictures live on the business's site
            "connect-src 'self'",  # the chat's socket: same origin (ws: and wss: included)
            "form-action 'self'",
            "base-uri 'none'",
            f"frame-ancestors {ancestors}",
        )
    )


@web.middleware
async def security_headers(request: web.Request, handler: Handler) -> web.StreamResponse:
    request[NONCE] = secrets.token_urlsafe(16)
    try:
        response = await handler(request)
    except web.HTTPException as answer:  # redirects (and aiohttp's own refusals) are answers
        _protect(request, answer)
        raise
    _protect(request, response)
    return response


def _protect(request: web.Request, response: web.StreamResponse) -> None:
    if response.prepared:  # a web socket: its headers went out with the handshake
        return
    ancestors: tuple[str, ...] = request.app.get(FRAME_ANCESTORS, ())
    headers = response.headers
    headers["Content-Security-Policy"] = content_security_policy(request[NONCE], ancestors)
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Referrer-Policy"] = "no-referrer"
    if not ancestors:
        headers["X-Frame-Options"] = "DENY"  # for browsers without CSP frame-ancestors
