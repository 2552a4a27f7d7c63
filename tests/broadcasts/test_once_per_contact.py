"""Once per contact on real stores (SQLite, Redis) with a clock the test moves: the frequency
cap counts the offers of all of a contact's conversations, a notification counts its WhatsApp
customers against the daily limit and reaches those over it when the same key is posted again
(nobody twice), and a page handed out again after a crash keeps the contact's choice."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from framework.broadcasts.notifying import Notified, Notifier
from framework.outreach.broadcasts_cli import reach_words
from framework.stores.consents import MARKETING
from framework.stores.contacts import ContactChange
from framework.stores.segments import Segment
from tests.broadcasts.rig import DAY, HOUR, KINDS, Rig, rig_on
from tests.stores.contract import KINDS as EVERY

FLIGHT = "flight:LH1234:2026-12-02"


@pytest.fixture(params=KINDS)
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(params=EVERY)
def every(request: pytest.FixtureRequest) -> str:
    """Every backend, the in-memory reference and a Redis Cluster too."""
    return str(request.param)


async def wrote(rig: Rig, conversation: str) -> None:
    channel = conversation.split(":")[1]
    await rig.contacts.update("shop", conversation, ContactChange(seen_on=channel), rig.now)


async def linked(rig: Rig, first: str, second: str) -> None:
    """The customer wrote on `first`, then linked it with `second` there (written on last)."""
    code = hashlib.sha256(b"K7M4QX").hexdigest()
    await wrote(rig, first)
    await rig.contacts.offer("shop", first, code, rig.now + 600, rig.now)
    rig.now += 300  # contacts keep when they wrote to the minute
    await wrote(rig, second)
    joined = await rig.contacts.link("shop", second, code, rig.now)
    assert joined.contact is not None and len(joined.contact.conversations) == 2, joined


def notifier(rig: Rig) -> Notifier:
    return Notifier(rig.consents, rig._inbox, rig.reach, rig.contacts, {"shop": rig.bot}, rig.clock)


async def test_the_cap_counts_the_offers_of_every_conversation_of_a_contact(
    kind: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    settings = "broadcasts: {frequency_cap: {count: 1, days: 7}}\n"
    async with rig_on(kind, tmp_path, request.config, settings) as rig:
        tg, wa, ben = await rig.grant(MARKETING, "telegram:81", "whatsapp:4917", "web:ben")
        await linked(rig, wa, tg)
        first = await rig.steps(await rig.started())
        assert (first.queued, first.elsewhere, rig.reached(first.id)) == (2, 1, [tg, ben])
        rig.now += DAY
        await wrote(rig, wa)  # now WhatsApp is the channel written on last
        second = await rig.steps(await rig.started())
        # ada's WhatsApp conversation got nothing yet, but her contact did (on Telegram)
        assert (second.queued, second.capped, second.elsewhere) == (0, 2, 1)  # ada and ben
        assert rig.reached(second.id) == []


async def test_the_preview_counts_people_on_the_channel_the_send_chooses(
    every: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    async with rig_on(every, tmp_path, request.config, "") as rig:
        tg, wa, ben = await rig.grant(MARKETING, "telegram:81", "whatsapp:4917", "web:ben")
        await linked(rig, wa, tg)  # ada wrote on Telegram last
        made = await rig.broadcasts.create("shop", "offer", {})
        preview = await rig.broadcasts.preview(made.id)
        assert {k: preview[k] for k in ("people", "channels", "conversations", "elsewhere")} == {
            "people": 2,
            "channels": {"telegram": 1, "web": 1},
            "conversations": 3,
            "elsewhere": 1,
        }
        assert reach_words(preview) == (
            "2 people now: telegram 1, web 1 (3 conversations; 1 of them another conversation "
            "of a contact it reaches on the one chosen)"
        )
        only_whatsapp = Segment.parse({"channels": ["whatsapp", "web"]})
        narrowed = await rig.broadcasts.audience("shop", MARKETING, only_whatsapp)
        assert narrowed.counts()["channels"] == {"web": 1, "whatsapp": 1}
        await rig.broadcasts.act(made.id, "send")
        sent = await rig.steps(made.id)
        assert (sent.queued, sent.elsewhere, rig.reached(made.id)) == (2, 1, [tg, ben])


async def test_a_notification_waits_for_the_daily_limit_and_the_same_key_reaches_the_rest(
    kind: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    async with rig_on(kind, tmp_path, request.config, "broadcasts: {daily_limit: 2}\n") as rig:
        people = await rig.grant(f"notify:{FLIGHT}", *(f"whatsapp:49170{n}" for n in range(3)))
        [tom] = await rig.grant(f"notify:{FLIGHT}", "telegram:55")
        news = notifier(rig)
        assert await news.notify("shop", FLIGHT, "delayed", {}, "evt-1") == Notified(3, 0, 1)
        rig.now += HOUR  # posted again: the limit is full, the two reached are free
        assert await news.notify("shop", FLIGHT, "delayed", {}, "evt-1") == Notified(3, 0, 1)
        rig.now += DAY  # the window moved on; the first three were done more than a day ago
        assert await news.notify("shop", FLIGHT, "delayed", {}, "evt-1") == Notified(1, 3, 0)
        assert sorted(c for c, notice in rig.got if notice == "notify:evt-1") == sorted(
            [*people, tom]
        )
        assert set(rig.got.values()) == {1}
        rig.now += 30 * DAY  # the key is forgotten after 30 days: news again
        assert (await news.notify("shop", FLIGHT, "delayed", {}, "evt-1")).already == 0
