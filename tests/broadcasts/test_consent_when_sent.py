"""Consent counts when a notice is said and when its message leaves, not only when the holders
were read: a STOP waiting in the inbox ahead of a broadcast's or a notification's notice, or
said while the notice's message waits for its channel's pace, keeps it back — counted in the
broadcast's results as `failed: consent_withdrawn`, noted in the conversation's log. A notice
that names no purpose, or one the conversation never held, is never said; one about the
customer's own booking is said after a STOP too. On memory, SQLite and Redis, through the
runtime and its delivery to a collecting WhatsApp channel."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from framework.broadcasts.notifying import Notifier
from framework.runtime.sending import SendFailure
from framework.stores.broadcasts import Results
from framework.stores.consents import BOOKING, MARKETING, WITHDRAWN
from framework.stores.records import NOTICE, InboxItem, LogEntry, SessionKey, iso_time
from tests.broadcasts.rig import Rig, rig_on

OFFER, DELAYED = "Angebot: 20 % auf alles!", "Ihr Flug hat Verspätung."
FLIGHT = "flight:LH1234:2026-12-02"
STOPPED = "Erledigt: Wir schreiben dir von uns aus nicht mehr"


@pytest.fixture(params=["memory", "sqlite", "redis"])
async def rig(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Rig]:
    async with rig_on(str(request.param), tmp_path, request.config, "") as opened:
        yield opened


def said(key: str, text: str, at: float) -> InboxItem:
    """The customer of `key` writes `text` on WhatsApp."""
    number = SessionKey.parse(key).customer
    meta = {"address": {"to": number}}
    return InboxItem.message(f"m-{text}-{at}", iso_time(at), text, None, meta)


async def wrote(rig: Rig, *keys: str) -> None:
    """Each customer wrote once (their 24-hour window is open) and was greeted."""
    for key in keys:
        await rig.runtime.submit(SessionKey.parse(key), said(key, "hallo", rig.now))


async def drain(rig: Rig, *keys: str) -> None:
    """Every conversation's turns and deliveries, until nothing is due."""
    for _ in range(3):
        for key in keys:
            await rig.runtime.drain(key)
        await rig.runtime.tick(rig.now)


def heard(rig: Rig, key: str) -> list[str]:
    number = SessionKey.parse(key).customer
    return [str(entry.get("text")) for _bot, to, entry in rig.channel.sent if to == {"to": number}]


async def notes(rig: Rig, key: str) -> list[LogEntry]:
    return [entry for entry in await rig.sessions.log(key, 0) if entry["from"] == "system"]


async def test_a_stop_waiting_ahead_of_a_broadcast_keeps_its_offer_back(rig: Rig) -> None:
    ada, ben = await rig.grant(MARKETING, "whatsapp:491701", "whatsapp:491702")
    await wrote(rig, ada, ben)
    assert await rig.sessions.enqueue(ada, said(ada, "STOP", rig.now + 1))  # not run yet
    offer = await rig.started()
    await rig.steps(offer)  # ada still held marketing when her page was read
    assert rig.reached(offer) == [ada, ben]
    await drain(rig, ada, ben)
    assert [text[:50] for text in heard(rig, ada)] == ["Hallo!", STOPPED]
    assert heard(rig, ben) == ["Hallo!", OFFER]
    assert await rig.store.results(offer) == Results(sent=1, failed={"consent_withdrawn": 1})
    [note] = await notes(rig, ada)
    assert note["kind"] == "consent_withdrawn" and "marketing" in note["text"]
    current = await rig.consents.current("shop", ada)
    assert current[MARKETING].state == WITHDRAWN


async def test_a_stop_said_while_the_offer_waits_for_its_pace_keeps_it_back(rig: Rig) -> None:
    [ada] = await rig.grant(MARKETING, "whatsapp:491701")
    await wrote(rig, ada)
    rig.channel.fail = [SendFailure("too many messages", retry_after=30.0)]
    offer = await rig.started()
    await rig.steps(offer)
    await drain(rig, ada)  # said in the notice's turn; its delivery waits 30 s
    assert heard(rig, ada) == ["Hallo!"]
    rig.now += 5
    await rig.runtime.submit(SessionKey.parse(ada), said(ada, "stop", rig.now))
    rig.now += 60  # the offer's retry is long due
    await drain(rig, ada)
    assert [text[:50] for text in heard(rig, ada)] == ["Hallo!", STOPPED]
    assert await rig.store.results(offer) == Results(failed={"consent_withdrawn": 1})
    [note] = await notes(rig, ada)
    assert note["kind"] == "consent_withdrawn" and note.get("failed_seq") is not None


async def test_a_stop_waiting_ahead_of_a_notification_keeps_the_news_back(rig: Rig) -> None:
    ada, ben = await rig.grant(f"notify:{FLIGHT}", "whatsapp:491701", "whatsapp:491702")
    await wrote(rig, ada, ben)
    assert await rig.sessions.enqueue(ada, said(ada, "STOP", rig.now + 1))
    notify = Notifier(rig.consents, rig.sessions.enqueue, rig.reach, rig.contacts, {}, rig.clock)
    assert (await notify.notify("shop", FLIGHT, "delayed", {}, "evt-1")).notified == 2
    await drain(rig, ada, ben)
    assert [text[:50] for text in heard(rig, ada)] == ["Hallo!", STOPPED]
    assert heard(rig, ben) == ["Hallo!", DELAYED]
    [note] = await notes(rig, ada)
    assert note["kind"] == "consent_withdrawn" and f"notify:{FLIGHT}" in note["text"]


async def test_a_notice_without_a_purpose_or_without_its_consent_is_never_said(rig: Rig) -> None:
    [ada] = await rig.grant(f"notify:{FLIGHT}", "whatsapp:491701")
    await wrote(rig, ada)
    bare = InboxItem("notice-1", iso_time(rig.now), NOTICE, {"text": "offer", "values": {}})
    other = InboxItem.notice("notice-2", iso_time(rig.now), "offer", {}, MARKETING)
    odd = InboxItem.notice("notice-3", iso_time(rig.now), "offer", {}, "transaction:anything")
    for item in (bare, other, odd):
        assert await rig.sessions.enqueue(ada, item)
    await drain(rig, ada)
    assert heard(rig, ada) == ["Hallo!"]
    assert [note["kind"] for note in await notes(rig, ada)] == [
        "no_purpose",
        "consent_withdrawn",
        "no_purpose",
    ]


async def test_a_notice_about_the_customers_own_booking_is_said_after_a_stop(rig: Rig) -> None:
    [ada] = await rig.grant(MARKETING, "whatsapp:491701")
    await wrote(rig, ada)
    await rig.runtime.submit(SessionKey.parse(ada), said(ada, "STOP", rig.now))
    reminder = InboxItem.notice("booking:1", iso_time(rig.now), "delayed", {}, BOOKING)
    assert await rig.sessions.enqueue(ada, reminder)
    await drain(rig, ada)
    assert [text[:50] for text in heard(rig, ada)] == ["Hallo!", STOPPED, DELAYED]
    assert await notes(rig, ada) == []
