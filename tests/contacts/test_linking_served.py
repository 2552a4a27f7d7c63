"""A customer links their web chat (REST) and Telegram conversations with the café, end to end:
the real app on SQLite, the fake Telegram Bot API. A code asked for in one channel and typed in
the other joins them into one contact; a wrong code, a code of the same channel and a guessing
conversation are refused and change nothing; unlink splits them again."""

from __future__ import annotations

import asyncio
import re

from aiohttp.test_utils import TestClient

from framework.outreach.contact_views import CONTACT_STORE
from framework.stores.consents import MARKETING, WITHDRAWN
from framework.stores.contacts import Contact
from tests.channels.shop import eventually
from tests.consents.cafe import NEWS, SUBSCRIBED, entries, holders
from tests.consents.test_telegram_consent_signals import telegram as telegram  # the café
from tests.fakes.telegram_api import FakeTelegramApi
from tests.fakes.webhooks import TELEGRAM_USER
from tests.served import say

TG = f"cafe:telegram:{TELEGRAM_USER.id}"
WEB = "cafe:rest:ada"
NOT_UNDERSTOOD = "Das habe ich leider nicht verstanden."
CODE = re.compile(r"Dein Code: ([2-9A-Z]{6})\.")


async def telegram_says(fake: FakeTelegramApi, text: str) -> str:
    """The Telegram user writes `text`; the bot's answer."""
    before = len(fake.sent)
    await fake.send_text(text)
    await eventually(lambda: len(fake.sent) > before, f"an answer to {text!r}")
    return str(fake.sent[-1].get("text", ""))


async def contacts(client: TestClient, *keys: str) -> dict[str, Contact]:
    return await client.app[CONTACT_STORE].many("cafe", list(keys))


async def a_code(client: TestClient, sender: str = "ada") -> str:
    replies = await say(client, sender, "Chats verbinden")
    found = CODE.search(replies[0])
    assert found is not None, replies
    return found.group(1)


async def test_a_code_from_the_web_chat_typed_in_telegram_joins_them(
    telegram: tuple[FakeTelegramApi, TestClient],
) -> None:
    fake, client = telegram
    await say(client, "ada", "hallo")
    await telegram_says(fake, "hallo")
    code = await a_code(client)
    answer = await telegram_says(fake, code.lower())  # alone, in lower case: joined
    assert answer.startswith("Verbunden")
    joined = await contacts(client, WEB, TG)
    assert joined[WEB] == joined[TG] and joined[WEB].conversations == (WEB, TG)
    assert set(joined[WEB].inbound) == {"rest", "telegram"}
    assert (await telegram_says(fake, f"code {code}")).startswith("Diesen Code kenne ich nicht")
    assert (await telegram_says(fake, f"Code: {await a_code(client)}")).startswith(
        "Diese Chats sind schon verbunden"
    )
    assert (await say(client, "ada", "Chats trennen"))[0].startswith("Erledigt")
    parted = await contacts(client, WEB, TG)
    assert parted[WEB].id != parted[TG].id
    alone = await say(client, "ada", "unlink")
    assert alone == ["Dieser Chat ist mit keinem anderen verbunden."]


async def test_the_same_channel_and_wrong_codes_are_refused(
    telegram: tuple[FakeTelegramApi, TestClient],
) -> None:
    fake, client = telegram
    code = await a_code(client)
    assert (await say(client, "bob", f"Code: {code}"))[0].startswith("Das geht nur zwischen Chats")
    assert (await say(client, "ada", f"link code {code}"))[0].startswith("Das geht nur")
    assert await say(client, "ada", code) == [NOT_UNDERSTOOD]  # alone: quietly nothing
    for wrong in ("ZZZZ22", "ZZZZ23", "ZZZZ24", "ZZZZ25"):
        assert (await telegram_says(fake, f"code {wrong}")).startswith("Diesen Code kenne ich")
    assert await telegram_says(fake, "ZZZZ26") == NOT_UNDERSTOOD  # a fifth, quietly
    assert (await telegram_says(fake, f"code {code}")).startswith("Zu viele falsche Codes")
    assert await telegram_says(fake, code) == NOT_UNDERSTOOD  # not even tried
    found = await contacts(client, WEB, TG, "cafe:rest:bob")
    assert all(len(contact.conversations) == 1 for contact in found.values())


async def test_stop_in_one_conversation_stops_marketing_in_all_and_start_resumes_it(
    telegram: tuple[FakeTelegramApi, TestClient],
) -> None:
    fake, client = telegram
    assert (await say(client, "ada", "angebote"))[0] == SUBSCRIBED
    await telegram_says(fake, "angebote")
    assert (await telegram_says(fake, "neuigkeiten")).startswith(NEWS)
    assert (await telegram_says(fake, f"Code {await a_code(client)}")).startswith("Verbunden")
    assert (await say(client, "ada", "stop"))[0].startswith("Erledigt: Wir schreiben dir")
    await eventually_holding(client, MARKETING, [])  # the Telegram conversation's too
    assert await holders(client, "notify:news") == [TG]  # asked for there: it stays
    stopped = [e for e in await entries(client, TG) if e.state == WITHDRAWN]
    assert [(e.purpose, e.source, e.channel, e.text) for e in stopped] == [
        (MARKETING, "stop", "rest", "stop")
    ]
    assert (await telegram_says(fake, "START")).startswith("Willkommen zurück")
    await eventually_holding(client, MARKETING, [WEB, TG])
    assert await holders(client, "notify:news") == [TG]


async def test_a_conversation_split_off_keeps_its_consents_to_itself(
    telegram: tuple[FakeTelegramApi, TestClient],
) -> None:
    fake, client = telegram
    await say(client, "ada", "angebote")
    await telegram_says(fake, "angebote")
    await telegram_says(fake, f"Code {await a_code(client)}")
    assert (await telegram_says(fake, "unlink")).startswith("Erledigt")
    await say(client, "ada", "stop")
    await asyncio.sleep(0.3)
    assert await holders(client, MARKETING) == [TG]


async def eventually_holding(client: TestClient, purpose: str, expected: list[str]) -> None:
    for _ in range(250):
        if sorted(await holders(client, purpose)) == sorted(expected):
            return
        await asyncio.sleep(0.02)
    assert sorted(await holders(client, purpose)) == sorted(expected)
