"""The business's broadcasts and contacts pages in the app: their routes and their static files.

    GET  /inbox/broadcasts                  broadcast_pages.py (the inbox's admins only:
    POST /inbox/broadcasts                  page_frame.py says why)
    GET  /inbox/broadcasts/{id}
    POST /inbox/broadcasts/{id}/{action}
    GET  /static/outreach/…                 the pages' styles and script

framework/app.py adds them after the broadcasts API, whose service they use.
"""

from __future__ import annotations

from importlib import resources

from aiohttp import web

from framework.outreach import broadcast_pages
from framework.outreach.page_frame import OWN_STATIC

__all__ = ["add_outreach_pages"]


def add_outreach_pages(app: web.Application) -> None:
    static = resources.files("framework.outreach").joinpath("static")
    one = "/inbox/broadcasts/{id}"
    app.router.add_routes(
        [
            web.get(broadcast_pages.PAGE, broadcast_pages.broadcasts_page),
            web.post(broadcast_pages.PAGE, broadcast_pages.create),
            web.get(one, broadcast_pages.broadcast_page),
            web.post(one + "/{action}", broadcast_pages.act),
            web.static(OWN_STATIC, str(static)),
        ]
    )
