"""The human handoff as the web app holds it."""

from __future__ import annotations

from aiohttp import web

from framework.handoffs.service import Handoffs

__all__ = ["HANDOFFS"]

HANDOFFS = web.AppKey("handoffs", Handoffs)
