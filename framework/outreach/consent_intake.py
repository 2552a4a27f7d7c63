"""Consents given elsewhere, over HTTP (the admin key, as every admin call):

    POST /admin/consents/import   {"bot": "airline", "rows": [{"channel": "whatsapp",
                                   "address": "+49 170 1234567", "purpose": "marketing",
                                   "text": "…", "at": "2026-03-02T10:15:00+01:00",
                                   "evidence": "shop checkout box, export 2026-03"}, …]}
    → 200 {"imported": 1, "already": 0, "held": 0, "refused": 0, "rows": []}

    POST /api/consents/form       {"bot": "airline", "form": "newsletter", "channel": …,
                                   "address": …, "purpose": …, "text": …, "at": …}
    → 201 {"outcome": "imported"} (200 "already" or "held"), 400 with the reason

The import takes at most MAX_ROWS_AT_ONCE rows a call, each as `theke consents import` takes a
file's (consents/importing.py), and reports every row not imported; the form's one row is the
business's website posting what its visitor ticked (server to server: the key never goes to
a browser), `at` the time of the tick (none: now), its source `web_form:<form>`.
"""

from __future__ import annotations

from aiohttp import web

from framework.admin import admin_bot, authorize
from framework.channels.common import json_object
from framework.consents.importing import import_rows
from framework.consents.intake import IMPORTED
from framework.errors import BadRequest
from framework.privacy.web import PRIVACY
from framework.stores.consents import ConsentStore

__all__ = ["MAX_ROWS_AT_ONCE", "add_intake_routes"]

MAX_ROWS_AT_ONCE = 10_000


async def import_consents(request: web.Request) -> web.Response:
    authorize(request)
    body = await json_object(request)
    bot, rows = admin_bot(request, body.get("bot")), body.get("rows")
    if not isinstance(rows, list) or not 0 < len(rows) <= MAX_ROWS_AT_ONCE:
        raise BadRequest(f"rows: a list of 1 to {MAX_ROWS_AT_ONCE} rows (more: several calls)")
    numbered = enumerate((row if isinstance(row, dict) else {} for row in rows), 1)
    ledger = _ledger(request)
    report = await import_rows(ledger, bot, numbered, _now(request))
    return web.json_response(report.to_json())


async def form_consent(request: web.Request) -> web.Response:
    authorize(request)
    body = await json_object(request)
    bot = admin_bot(request, body.get("bot"))
    row = {**body, "at": body.get("at") or _now(request)}
    report = await import_rows(_ledger(request), bot, [(1, row)], _now(request), "web_form")
    if report.counts["refused"]:
        raise BadRequest(report.rows[0]["reason"])
    outcome = IMPORTED if report.counts[IMPORTED] else report.rows[0]["outcome"]
    return web.json_response({"outcome": outcome}, status=201 if outcome == IMPORTED else 200)


def _ledger(request: web.Request) -> ConsentStore:
    return request.app[PRIVACY].stores.consents  # the server's ledger, as the erasure's


def _now(request: web.Request) -> float:
    return request.app[PRIVACY].clock()  # the app's clock


def add_intake_routes(app: web.Application) -> None:
    app.router.add_post("/admin/consents/import", import_consents)
    app.router.add_post("/api/consents/form", form_consent)
