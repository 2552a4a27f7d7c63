"""The ticket store as the web app holds it."""

from __future__ import annotations

from aiohttp import web

from framework.tickets.service import Tickets

__all__ = ["TICKETS"]

TICKETS = web.AppKey("tickets", Tickets)
