"""A draft's page shows its WhatsApp template's header and buttons, as the preview sends them,
with what the admin wrote shown as text (never as markup); a header the API refuses the page
refuses, with the same reason, keeping the form."""

from __future__ import annotations

import json

from aiohttp.test_utils import TestClient

from tests.inbox.conftest import Browser
from tests.outreach.conftest import HOSTILE, page
from tests.outreach.test_broadcast_pages import DRAFT_FORM, PAGE, drafted

TEMPLATE = {
    "name": "spring_offer",
    "category": "marketing",
    "languages": {"de": "de", "en": "en_US"},
    "parameters": ["discount"],
    "header": {"type": "document", "link": "https://shop.example/t.pdf", "filename": "t.pdf"},
    "buttons": [
        {"type": "quick_reply", "payload": HOSTILE[:100]},
        {"type": "url", "parameter": "code"},
    ],
}


async def test_the_header_and_buttons_show_on_the_draft_s_page(
    shop: TestClient, lina: Browser
) -> None:
    broadcast_id = await drafted(
        lina, values="discount=20 %\ncode=A1", whatsapp_template=json.dumps(TEMPLATE)
    )
    shown = await page(lina, f"{PAGE}/{broadcast_id}")
    assert "header document https://shop.example/t.pdf (t.pdf)" in shown
    assert ", {{1}} 20 %, button 0 quick_reply &lt;img" in shown
    assert "button 1 url A1</dd>" in shown
    assert HOSTILE[:20] not in shown


async def test_an_http_header_is_refused_with_the_api_s_reason(
    shop: TestClient, lina: Browser
) -> None:
    http = {**TEMPLATE, "header": {"type": "image", "link": "http://shop.example/a.jpg"}}
    form = DRAFT_FORM | {"values": "discount=20 %\ncode=A1", "whatsapp_template": json.dumps(http)}
    answer = await lina.post(PAGE, form, json=False)
    assert answer.status == 400
    text = await answer.text()
    assert "http is refused" in text and "http://shop.example/a.jpg" in text
