"""One contract, every consent ledger (memory, sqlite, redis, redis-cluster): `held`, which of
some purposes each of a page of conversations holds now — what a broadcast's segment
(`consents:`) reads for a page of holders at once. A pending yes or a withdrawal holds
nothing; bad calls are refused with the reason."""

from __future__ import annotations

import pytest

from framework.stores.consent_rules import MAX_HELD_PURPOSES, MAX_HOLDERS
from framework.stores.consents import MARKETING, PENDING, WITHDRAWN, ConsentError, ConsentStore
from tests.stores.test_consent_store import ADA, BOB, BOT, FLIGHT, NOW, Opener, entry, stop
from tests.stores.test_consent_store import consents as consents  # every backend
from tests.stores.test_consent_store import opener as opener

CEM, DORA = f"{BOT}:telegram:cem", f"{BOT}:web:dora 🌸"
NEWS = "notify:news"


async def test_each_conversation_shows_the_purposes_it_holds_now(opener: Opener) -> None:
    store, other = await opener(), await opener()
    await store.record(entry())
    await store.record(entry(FLIGHT))
    await store.record(entry(conversation=BOB))
    await store.record(entry(NEWS, conversation=BOB))
    await store.record(entry(NEWS, WITHDRAWN, NOW + 1, conversation=BOB))
    until = NOW + 3600
    await store.record(entry(NEWS, PENDING, conversation=CEM, until=until, text="?"))
    await store.record(entry(NEWS, conversation=DORA))
    await store.record(entry(NEWS, bot="pizza", conversation=ADA))  # another bot's
    asked = [ADA, BOB, CEM, DORA, f"{BOT}:web:nobody"]
    assert await other.held(BOT, asked, [MARKETING, FLIGHT, NEWS]) == {
        ADA: frozenset({MARKETING, FLIGHT}),
        BOB: frozenset({MARKETING}),  # the news withdrawn
        DORA: frozenset({NEWS}),  # CEM's yes is pending: nothing held
    }
    assert await other.held(BOT, asked, [NEWS, NEWS]) == {DORA: frozenset({NEWS})}
    assert await other.held(BOT, [], [NEWS]) == {}
    assert await other.held(BOT, asked, []) == {}
    await stop(store, NOW + 2)
    assert await other.held(BOT, [ADA], [MARKETING, FLIGHT]) == {}


async def test_a_page_of_thousands_is_read_at_once(consents: ConsentStore) -> None:
    names = [f"{BOT}:whatsapp:{n:05}" for n in range(1200)]
    for name in names[::3]:
        await consents.record(entry(conversation=name))
    found = await consents.held(BOT, names, [MARKETING, NEWS])
    assert sorted(found) == names[::3] and set(found.values()) == {frozenset({MARKETING})}


@pytest.mark.parametrize(
    ("conversations", "purposes", "said"),
    [
        ([ADA], ["advertising"], "purpose"),
        ([ADA], [f"notify:{'x' * 201}"], "purpose"),
        ([""], [MARKETING], "conversation"),
        ([3], [MARKETING], "must be text"),
        ([ADA] * (MAX_HOLDERS + 1), [MARKETING], "at most"),
        ([ADA], [f"notify:t{n}" for n in range(MAX_HELD_PURPOSES + 1)], "at most"),
        (ADA, [MARKETING], "a list"),
    ],
)
async def test_bad_calls_are_refused(
    consents: ConsentStore, conversations: list[str], purposes: list[str], said: str
) -> None:
    with pytest.raises(ConsentError, match=said):
        await consents.held(BOT, conversations, purposes)
