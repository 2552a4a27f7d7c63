"""One contract, every consent ledger: memory (the reference), sqlite (a real file), redis (a real
server, `REDIS_URL` or the Makefile's redis://127.0.0.1:6379/15) and redis-cluster (the run's
three-node cluster), each opened from its URL (`open_consents`), each test under a Redis key
prefix of its own, deleted afterwards. Time is an argument: no test waits.
"""

from __future__ import annotations

import asyncio
import random
import re
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from pathlib import Path
from typing import Any

import pytest

from framework.stores.consent_rules import MAX_HISTORY, MAX_HOLDERS
from framework.stores.consents import (
    GRANTED,
    MARKETING,
    WITHDRAWN,
    Consent,
    ConsentError,
    ConsentStore,
    Holder,
)
from framework.stores.memory.consents import MemoryConsents
from framework.stores.opening import open_consents
from tests.stores.contract import store_url, stores_of
from tests.stores.test_ticket_store import HOSTILE, HUGE

NOW = 1_800_000_000.0
BOT = "salon"
ADA, BOB = f"{BOT}:whatsapp:4917012345", f"{BOT}:whatsapp:bob"
FLIGHT = "notify:flight:LH1234:2026-12-10"
SHOWN = "Angebote vom Salon Ada per WhatsApp? Abmelden jederzeit mit STOP."
Opener = Callable[[], Awaitable[ConsentStore]]


def entry(
    purpose: str = MARKETING,
    state: str = GRANTED,
    at: float = NOW,
    conversation: str = ADA,
    **changes: Any,
) -> Consent:
    fields: dict[str, Any] = {
        "bot": BOT,
        "conversation": conversation,
        "purpose": purpose,
        "state": state,
        "text": SHOWN if state == GRANTED else "STOP",
        "channel": "whatsapp",
        "source": "flow:newsletter" if state == GRANTED else "stop",
        "at": at,
        "lang": "de",
    }
    return Consent(**{**fields, **changes})


async def stop(
    store: ConsentStore, at: float, prefix: str = "", conversation: str = ADA
) -> list[Consent]:
    return await store.withdraw_all(BOT, conversation, "STOP", "whatsapp", "stop", at, prefix)


async def everyone(store: ConsentStore, purpose: str = MARKETING, page: int = 1000) -> list[str]:
    """The conversations holding `purpose`, walked page by page as a broadcast does."""
    found: list[str] = []
    while batch := await store.holders(BOT, purpose, found[-1] if found else "", page):
        found += [holder.conversation for holder in batch]
    return found


async def in_batches(calls: list[Coroutine[Any, Any, Any]], size: int = 250) -> None:
    for start in range(0, len(calls), size):
        await asyncio.gather(*calls[start : start + size])


@pytest.fixture(params=["memory", "sqlite", "redis", "redis-cluster"])
async def opener(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Opener]:
    """Opens stores on one ledger, as the workers of a deployment do (memory lives in one
    process: there it is the same store); all are closed after the test."""
    kind, prefix = str(request.param), f"test-consents-{uuid.uuid4().hex[:24]}"
    url = store_url(kind, tmp_path, request.config, prefix)
    async with stores_of(kind, url, prefix, MemoryConsents(), open_consents) as open_one:
        yield open_one


@pytest.fixture
async def consents(opener: Opener) -> ConsentStore:
    return await opener()


async def test_entries_are_kept_as_they_happened(opener: Opener) -> None:
    store, other = await opener(), await opener()
    granted = await store.record(entry())
    assert granted == entry()
    flight = await store.record(entry(FLIGHT, at=NOW + 1, lang="en", source="flow:flight"))
    await store.record(entry(conversation=BOB, at=NOW + 2))
    await store.record(entry(bot="pizza", at=NOW + 3))
    assert await other.current(BOT, ADA) == {MARKETING: granted, FLIGHT: flight}
    assert await other.history(BOT, ADA) == [granted, flight]
    assert await other.history(BOT, ADA, limit=1) == [granted]
    assert await other.history("pizza", ADA) == [entry(bot="pizza", at=NOW + 3)]
    assert await other.current(BOT, f"{BOT}:web:nobody") == {}
    assert await other.history("nobody", ADA) == []
    assert await other.holders(BOT, MARKETING) == [
        Holder(ADA, NOW, "de"),
        Holder(BOB, NOW + 2, "de"),
    ]
    assert await other.holders(BOT, FLIGHT) == [Holder(ADA, NOW + 1, "en")]
    assert await other.holders(BOT, MARKETING, after=ADA) == [Holder(BOB, NOW + 2, "de")]
    assert await other.holders(BOT, MARKETING, limit=1) == [Holder(ADA, NOW, "de")]
    assert await other.holders(BOT, "notify:other") == []
    assert await other.holders("nobody", MARKETING) == []


async def test_grant_withdraw_and_grant_again(consents: ConsentStore) -> None:
    await consents.record(entry())
    withdrawn = await consents.record(entry(state=WITHDRAWN, at=NOW + 10))
    assert (await consents.current(BOT, ADA))[MARKETING] == withdrawn
    assert await consents.holders(BOT, MARKETING) == []
    again = await consents.record(entry(at=NOW + 20, lang="en"))
    assert await consents.current(BOT, ADA) == {MARKETING: again}
    assert await consents.holders(BOT, MARKETING) == [Holder(ADA, NOW + 20, "en")]
    states = [(e.state, e.at) for e in await consents.history(BOT, ADA)]
    assert states == [(GRANTED, NOW), (WITHDRAWN, NOW + 10), (GRANTED, NOW + 20)]


async def test_a_repeated_grant_or_withdrawal_is_appended_and_changes_no_holding(
    consents: ConsentStore,
) -> None:
    await consents.record(entry())
    twice = await consents.record(entry(at=NOW + 5, lang="en", text="Again: offers?"))
    assert await consents.current(BOT, ADA) == {MARKETING: twice}
    assert await consents.holders(BOT, MARKETING) == [Holder(ADA, NOW, "de")]  # held since NOW
    never = await consents.record(entry(FLIGHT, WITHDRAWN, NOW + 6))  # never granted
    assert (await consents.current(BOT, ADA))[FLIGHT] == never
    assert await consents.holders(BOT, FLIGHT) == []
    await consents.record(entry(state=WITHDRAWN, at=NOW + 7))
    second = await consents.record(entry(state=WITHDRAWN, at=NOW + 8, source="channel"))
    assert (await consents.current(BOT, ADA))[MARKETING] == second
    assert await consents.holders(BOT, MARKETING) == []
    assert len(await consents.history(BOT, ADA)) == 5


async def test_holders_page_through_thousands_in_order(consents: ConsentStore) -> None:
    names = [f"{BOT}:whatsapp:49170{n:07d}" for n in range(2400)]
    names += [f"{BOT}:web:{word}" for word in ("ä", "z", "Z", "😀", "\uffff", "a\x00b", "a")]
    names += [f"{BOT}:web:{n}-{HOSTILE[:40]}" for n in range(93)]
    shuffled = random.Random(7).sample(names, len(names))
    assert len(set(shuffled)) == 2500
    await in_batches([consents.record(entry(conversation=name)) for name in shuffled])
    gone = set(shuffled[::10])
    await in_batches(
        [consents.record(entry(state=WITHDRAWN, at=NOW + 1, conversation=c)) for c in gone]
    )
    await in_batches([consents.record(entry(FLIGHT, conversation=c)) for c in shuffled[:30]])
    held = sorted(set(names) - gone)
    for page in (1000, 333, 2500):
        assert await everyone(consents, page=page) == held
    assert await everyone(consents, FLIGHT) == sorted(shuffled[:30])
    middle = held[1234]
    after = await consents.holders(BOT, MARKETING, middle, 3)
    assert after == [Holder(name, NOW, "de") for name in held[1235:1238]]
    between = middle + "\x00"  # no conversation: the page starts after where it would be
    assert [h.conversation for h in await consents.holders(BOT, MARKETING, between, 2)] == held[
        1235:1237
    ]
    assert await consents.holders(BOT, MARKETING, held[-1]) == []


async def test_a_stop_withdraws_everything_granted_at_once(consents: ConsentStore) -> None:
    await consents.record(entry())
    await consents.record(entry(FLIGHT, lang="en"))
    await consents.record(entry("notify:order:1", at=NOW + 1))
    await consents.record(entry("notify:order:2", WITHDRAWN, NOW + 2))
    await consents.record(entry(conversation=BOB))
    withdrawn = await stop(consents, NOW + 10)
    kept = {"text": "STOP", "channel": "whatsapp", "source": "stop"}
    assert withdrawn == [
        entry(MARKETING, WITHDRAWN, NOW + 10, **kept),
        entry(FLIGHT, WITHDRAWN, NOW + 10, **kept, lang="en"),
        entry("notify:order:1", WITHDRAWN, NOW + 10, **kept),
    ]
    current = await consents.current(BOT, ADA)
    assert {purpose: e.state for purpose, e in current.items()} == {
        MARKETING: WITHDRAWN,
        FLIGHT: WITHDRAWN,
        "notify:order:1": WITHDRAWN,
        "notify:order:2": WITHDRAWN,
    }
    assert (await consents.history(BOT, ADA))[-3:] == withdrawn
    assert await consents.holders(BOT, MARKETING) == [Holder(BOB, NOW, "de")]
    assert await consents.holders(BOT, FLIGHT) == []
    assert await stop(consents, NOW + 11) == []  # nothing granted: nothing written
    assert len(await consents.history(BOT, ADA)) == 7
    assert await stop(consents, NOW + 12, conversation=f"{BOT}:web:nobody") == []


async def test_a_stop_of_a_prefix_withdraws_only_those(consents: ConsentStore) -> None:
    await consents.record(entry())
    await consents.record(entry(FLIGHT))
    await consents.record(entry("notify:order:1"))
    assert [e.purpose for e in await stop(consents, NOW + 1, "notify:flight:")] == [FLIGHT]
    assert [e.purpose for e in await stop(consents, NOW + 2, "notify:")] == ["notify:order:1"]
    assert await stop(consents, NOW + 3, "notify:") == []
    assert await consents.holders(BOT, MARKETING) == [Holder(ADA, NOW, "de")]
    assert [e.purpose for e in await stop(consents, NOW + 4, MARKETING)] == [MARKETING]
    assert len(await consents.history(BOT, ADA)) == 6


async def test_stops_at_once_from_two_stores_write_each_withdrawal_once(opener: Opener) -> None:
    stores = [await opener(), await opener()]
    purposes = [MARKETING, FLIGHT, "notify:order:1", "notify:order:2"]
    people = [f"{BOT}:whatsapp:{n}" for n in range(12)]
    await in_batches(
        [stores[0].record(entry(p, conversation=who)) for p in purposes for who in people]
    )
    written = await asyncio.gather(
        *(stop(stores[n % 2], NOW + n, "", who) for who in people for n in range(4))
    )
    withdrawn = [(e.conversation, e.purpose) for batch in written for e in batch]
    assert sorted(withdrawn) == sorted((who, p) for who in people for p in purposes)
    for who in people:
        history = await stores[1].history(BOT, who)
        assert sorted(e.purpose for e in history if e.state == WITHDRAWN) == sorted(purposes)
    for purpose in purposes:
        assert await stores[0].holders(BOT, purpose) == []


async def test_erase_leaves_nothing_of_the_conversation(opener: Opener) -> None:
    store, other = await opener(), await opener()
    for at, purpose in enumerate((MARKETING, FLIGHT, MARKETING)):
        await store.record(entry(purpose, GRANTED if at != 1 else WITHDRAWN, NOW + at))
    await store.record(entry("notify:order:1", at=NOW + 3))
    await store.record(entry(conversation=BOB))
    await store.record(entry(FLIGHT, conversation=BOB))
    await store.record(entry(bot="pizza"))
    assert await other.erase(BOT, ADA) == 4
    assert await store.current(BOT, ADA) == {}
    assert await store.history(BOT, ADA) == []
    assert await store.holders(BOT, MARKETING) == [Holder(BOB, NOW, "de")]
    assert await store.holders(BOT, FLIGHT) == [Holder(BOB, NOW, "de")]
    assert await store.holders(BOT, "notify:order:1") == []
    assert len(await store.history(BOT, BOB)) == 2
    assert await store.holders("pizza", MARKETING) == [Holder(ADA, NOW, "de")]
    assert await other.erase(BOT, ADA) == 0
    assert await stop(store, NOW + 9) == []
    fresh = await store.record(entry(at=NOW + 10))
    assert await store.history(BOT, ADA) == [fresh]
    assert await store.holders(BOT, MARKETING) == [
        Holder(ADA, NOW + 10, "de"),
        Holder(BOB, NOW, "de"),
    ]


async def test_hostile_and_unicode_input_is_kept_exactly(consents: ConsentStore) -> None:
    conversation = f"{BOT}:web:{HOSTILE}"
    hostile = entry(
        FLIGHT,
        conversation=conversation,
        text=HOSTILE * 10,
        channel="\u202ewhats\x00app🍕"[:32],
        source=HOSTILE[:200],
        lang="de-CH-🍕\x00",
    )
    assert await consents.record(hostile) == hostile
    assert await consents.current(BOT, conversation) == {FLIGHT: hostile}
    assert await consents.history(BOT, conversation) == [hostile]
    assert await consents.holders(BOT, FLIGHT) == [Holder(conversation, NOW, "de-CH-🍕\x00")]
    assert await consents.current(BOT, conversation[:-1]) == {}
    broken = entry(conversation=f"{BOT}:web:\ud83d", text="Angebote? \udc00", lang="\ud800")
    kept = await consents.record(broken)
    fixed = entry(conversation=f"{BOT}:web:\ufffd", text="Angebote? \ufffd", lang="\ufffd")
    assert kept == fixed
    assert await consents.current(BOT, f"{BOT}:web:\ud83d") == {MARKETING: fixed}
    assert await consents.history(BOT, f"{BOT}:web:\ufffd") == [fixed]
    assert await consents.holders(BOT, MARKETING) == [Holder(f"{BOT}:web:\ufffd", NOW, "\ufffd")]
    withdrawn = await consents.withdraw_all(BOT, conversation, HOSTILE, "web", "stop", NOW + 1)
    assert [e.text for e in withdrawn] == [HOSTILE]
    assert await consents.erase(BOT, conversation) == 2
    assert await consents.erase(BOT, f"{BOT}:web:\ud83d") == 1


async def test_huge_and_bad_input_is_refused_and_writes_nothing(consents: ConsentStore) -> None:
    refused: list[tuple[Any, str]] = [
        (entry(text=HUGE), "the text has 10000000 characters, more than the 4096"),
        (entry(text="x" * 4097), "more than the 4096"),
        (entry(conversation=HUGE), "the conversation has 10000000 characters"),
        (entry(conversation=""), "needs its conversation"),
        (entry(channel="x" * 33), "the channel has 33 characters, more than the 32"),
        (entry(source="x" * 201), "more than the 200"),
        (entry(lang="x" * 17), "more than the 16"),
        (entry(text=None), "the text must be text"),
        (entry(purpose="Marketing"), "is not a purpose"),
        (entry(purpose="notify:"), "is not a purpose"),
        (entry(purpose="notify:" + "x" * 201), "is not a purpose"),
        (entry(purpose="notify:a b"), "is not a purpose"),
        (entry(purpose="notify:ä"), "is not a purpose"),
        (entry(purpose=HUGE), "is not a purpose"),
        (entry(state="maybe"), "granted, withdrawn or pending"),
        (entry(state=HUGE), "granted, withdrawn or pending"),
        (entry(at=float("nan")), "seconds since the epoch"),
        (entry(at=float("inf")), "seconds since the epoch"),
        (entry(at=-1), "seconds since the epoch"),
        (entry(at=True), "seconds since the epoch"),
        (entry(bot=HUGE), "is not a bot name"),
        ({"bot": BOT}, "records a Consent, not dict"),
    ]
    for bad, message in refused:
        with pytest.raises(ConsentError, match=re.escape(message)) as raised:
            await consents.record(bad)
        assert len(str(raised.value)) < 400
    await consents.record(entry(purpose="notify:" + "x" * 200, text="x" * 4096))
    calls = [
        (stop(consents, NOW, conversation=HUGE), "more than the 1024"),
        (consents.withdraw_all(BOT, ADA, HUGE, "web", "stop", NOW), "10000000 characters"),
        (consents.withdraw_all(BOT, ADA, "STOP", "web", "stop", NOW, "notify "), "prefix"),
        (stop(consents, float("nan")), "seconds since the epoch"),
        (consents.history(BOT, ADA, limit=0), "holds 1 to 1000"),
        (consents.history(BOT, ADA, limit=MAX_HISTORY + 1), "holds 1 to 1000"),
        (consents.holders(BOT, MARKETING, limit=MAX_HOLDERS + 1), "holds 1 to 5000"),
        (consents.holders(BOT, MARKETING, after=HUGE), "more than the 1024"),
        (consents.holders(BOT, "everything"), "is not a purpose"),
        (consents.current(BOT, HUGE), "more than the 1024"),
        (consents.erase(BOT, HUGE), "more than the 1024"),
    ]
    for call, message in calls:
        with pytest.raises(ConsentError, match=re.escape(message)):
            await call
    assert [e.purpose for e in await consents.history(BOT, ADA)] == ["notify:" + "x" * 200]
    assert (await consents.current(BOT, ADA))["notify:" + "x" * 200].state == GRANTED
    assert await consents.holders(BOT, MARKETING) == []


@pytest.mark.parametrize("bot", ["", "Salon", "salon}", "{salon}", "salon:web", "1salon", "a" * 65])
async def test_a_bad_bot_name_is_refused(consents: ConsentStore, bot: str) -> None:
    for call in (
        consents.record(entry(bot=bot)),
        consents.current(bot, ADA),
        consents.history(bot, ADA),
        consents.holders(bot, MARKETING),
        consents.withdraw_all(bot, ADA, "STOP", "web", "stop", NOW),
        consents.erase(bot, ADA),
    ):
        with pytest.raises(ConsentError, match="is not a bot name"):
            await call
