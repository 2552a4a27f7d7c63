"""Finding 15: a photo, a sticker, a voice message or any media without text gets the bot's
"I can only read text" reply (`media_without_text`), never "I received no message", on WhatsApp
and on Telegram (REST and the web chat carry text only), and is counted once however often the
messenger delivers it. Before: a WhatsApp sticker, voice message or video and a Telegram
sticker or voice message got no answer at all; a photo without caption got "Ich habe keine
Nachricht erhalten". An edit of an earlier WhatsApp message is not answered, and counted.

Each message is delivered twice (webhooks retry); a text sent last, answered in its turn, shows
that every earlier one was processed (one turn at a time per conversation, in arrival order).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.channels.shop import counted
from tests.channels.test_telegram_channel import said as telegram_said
from tests.channels.test_telegram_channel import telegram_shop
from tests.channels.test_whatsapp_channel import said, shown, webhook, whatsapp_shop
from tests.fakes import webhooks as wa
from tests.fakes.webhooks import TELEGRAM_USER, telegram_message

ONLY_TEXT = "Ich kann leider nur Text lesen"
NOTHING = "Ich habe keine Nachricht erhalten"
LAST = "2 große Salami und eine Cola"


def records(client: Any) -> float:
    return counted(client, "theke_records_total", bot="pizza", record="media_without_text")


def whatsapp_media() -> list[dict[str, Any]]:
    """What customers send that is no text, as the Cloud API delivers it (§1.5)."""
    media = {"mime_type": "image/webp", "sha256": "0" * 64, "id": "1003383421387256"}
    return [
        wa.message("sticker", {"sticker": {**media, "animated": False}}),
        wa.message("audio", {"audio": {**media, "mime_type": "audio/ogg", "voice": True}}),
        wa.message("video", {"video": {**media, "mime_type": "video/mp4"}}),
        wa.image("2754859441498128", sha256="1" * 64),  # a photo without caption
        wa.unsupported(),  # a poll, or what the Cloud API cannot pass on
    ]


async def test_whatsapp_media_gets_the_only_text_reply_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with whatsapp_shop(tmp_path, monkeypatch) as (graph, client):
        url = webhook(client)
        for message in whatsapp_media():
            first = await graph.post_messages(url, message)
            again = await graph.redeliver(first)
            assert first.ok and again.ok
        await graph.post_messages(url, wa.text(LAST))
        await said(graph, "Extras dazu?")
        texts = [shown(sent) for sent in graph.sent]
        assert sum(ONLY_TEXT in text for text in texts) == len(whatsapp_media())
        assert not any(NOTHING in text for text in texts)
        assert records(client) == len(whatsapp_media())


async def test_an_edit_on_whatsapp_is_counted_not_answered(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    edit = wa.message(
        "unsupported",
        {"unsupported": {"type": "edit"}, "errors": [wa.error_object(131051, href=False)]},
    )
    async with whatsapp_shop(tmp_path, monkeypatch) as (graph, client):
        url = webhook(client)
        assert (await graph.post_messages(url, edit)).ok
        assert counted(client, "theke_channel_problems_total", channel="whatsapp", kind="edit") == 1
        await graph.post_messages(url, wa.text(LAST))
        await said(graph, "Extras dazu?")
        assert not any(ONLY_TEXT in shown(sent) for sent in graph.sent)


def telegram_media() -> list[dict[str, Any]]:
    """What a Telegram user sends that is no text (Bot API Message fields)."""
    file = {"file_id": "CAACAgIAAxkBAAIB", "file_unique_id": "AgADx"}
    return [
        {
            "sticker": {
                **file,
                "type": "regular",
                "width": 512,
                "height": 512,
                "is_animated": False,
                "is_video": False,
            }
        },
        {"voice": {**file, "duration": 3, "mime_type": "audio/ogg"}},
        {"photo": [{**file, "width": 90, "height": 90}, {**file, "width": 800, "height": 800}]},
        {"video_note": {**file, "length": 240, "duration": 5}},
    ]


async def test_telegram_media_gets_the_only_text_reply_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with telegram_shop(tmp_path, monkeypatch) as (fake, client):
        fake.user()
        for number, fields in enumerate(telegram_media(), 900):
            first = await fake.emit("message", telegram_message(TELEGRAM_USER, number, fields))
            again = await fake.deliver(fake.updates[-1])
            assert first is not None and first.ok and again is not None and again.ok
        await fake.send_text(LAST)
        await telegram_said(fake, "Extras dazu?")
        texts = [message.get("text", "") for message in fake.sent]
        assert sum(ONLY_TEXT in text for text in texts) == len(telegram_media())
        assert not any(NOTHING in text for text in texts)
        assert records(client) == len(telegram_media())
