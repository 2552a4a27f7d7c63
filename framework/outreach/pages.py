"""The business's broadcasts, segments and contacts pages in the app: their routes and their
static files.

    GET  /inbox/broadcasts                  broadcast_pages.py (the inbox's admins only:
    POST /inbox/broadcasts                  page_frame.py says why)
    GET  /inbox/broadcasts/{id}
    POST /inbox/broadcasts/{id}/{action}
    GET  /inbox/segments                    segment_pages.py
    POST /inbox/segments
    GET  /inbox/segments/{bot}/{name}
    POST /inbox/segments/{bot}/{name}/delete
    GET  /inbox/contacts                    contact_pages.py
    GET  /inbox/contacts/{key}
    GET  /inbox/contacts/{key}/export
    GET  /inbox/contacts/{key}/delete       POST: the deletion
    GET  /static/outreach/…                 the pages' styles and script

framework/app.py adds them after the broadcasts and privacy APIs, whose services they use.
"""

from __future__ import annotations

from importlib import resources

from aiohttp import web

from framework.outreach import broadcast_pages, contact_pages, segment_pages
from framework.outreach.page_frame import OWN_STATIC

__all__ = ["add_outreach_pages"]


def add_outreach_pages(app: web.Application) -> None:
    static = resources.files("framework.outreach").joinpath("static")
    one = "/inbox/broadcasts/{id}"
    contact = "/inbox/contacts/{key}"
    segment = segment_pages.PAGE + "/{bot}/{name}"
    app.router.add_routes(
        [
            web.get(broadcast_pages.PAGE, broadcast_pages.broadcasts_page),
            web.post(broadcast_pages.PAGE, broadcast_pages.create),
            web.get(one, broadcast_pages.broadcast_page),
            web.post(one + "/{action}", broadcast_pages.act),
            web.get(segment_pages.PAGE, segment_pages.segments_page),
            web.post(segment_pages.PAGE, segment_pages.save),
            web.get(segment, segment_pages.segment_page),
            web.post(segment + "/delete", segment_pages.delete),
            web.get("/inbox/contacts", contact_pages.contacts_page),
            web.get(contact, contact_pages.contact_page),
            web.get(contact + "/export", contact_pages.download),
            web.get(contact + "/delete", contact_pages.confirm_page),
            web.post(contact + "/delete", contact_pages.delete),
            web.static(OWN_STATIC, str(static)),
        ]
    )
