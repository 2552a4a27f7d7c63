"""Security headers on every answer: what a browser may load, frame and send along.

Pages load their scripts and styles from this server only; an inline `<style>` carries the
answer's nonce (`nonce(request)`, given to the templates). A nonce is made only for an answer
that asks for one, a page: a REST turn's JSON has no styles, and its policy allows none. No
page may be framed unless the workspace names who may frame it (`server.frame_ancestors`: a
shop embedding its chat), no URL leaves in a Referer, and no answer is sniffed into another
type.
"""

from __future__ import annotations

import functools
import secrets
from collections.abc import Awaitable, Callable

from aiohttp import web

__all__ = ["FRAME_ANCESTORS", "NONCE", "content_security_policy", "nonce", "security_headers"]

NONCE = web.RequestKey("csp_nonce", str)
"""The nonce of this answer's inline styles (a template writes `<style nonce="…">`)."""
FRAME_ANCESTORS = web.AppKey("frame_ancestors", tuple)
"""Origins that may frame the pages; none by default."""

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def nonce(request: web.Request) -> str:
    """The nonce of this answer's inline styles, made at the first ask."""
    made = request.get(NONCE)
    if made is None:
        made = request[NONCE] = secrets.token_urlsafe(16)
    return made


def content_security_policy(nonce: str | None, frame_ancestors: tuple[str, ...]) -> str:
    ancestors = " ".join(frame_ancestors) or "'none'"
    styles = "style-src 'self'" if nonce is None else f"style-src 'self' 'nonce-{nonce}'"
    return "; ".join(
        (
            "default-src 'none'",
            "script-src 'self'",
            styles,
            "img-src 'self' data: https:",  # a bot's pictures live on the business's site
            "connect-src 'self'",  # the chat's socket: same origin (ws: and wss: included)
            "form-action 'self'",
            "base-uri 'none'",
            f"frame-ancestors {ancestors}",
        )
    )


@functools.cache
def _policy_without_nonce(frame_ancestors: tuple[str, ...]) -> str:
    """The policy of an answer without inline styles: made once per workspace."""
    return content_security_policy(None, frame_ancestors)


@web.middleware
async def security_headers(request: web.Request, handler: Handler) -> web.StreamResponse:
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
    made = request.get(NONCE)
    headers["Content-Security-Policy"] = (
        _policy_without_nonce(ancestors)
        if made is None
        else content_security_policy(made, ancestors)
    )
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Referrer-Policy"] = "no-referrer"
    if not ancestors:
        headers["X-Frame-Options"] = "DENY"  # for browsers without CSP frame-ancestors
