"""One contract, every contact store: memory (the reference), sqlite (a real file), redis and
redis-cluster (real servers), each opened from its URL (`open_contacts`), each test under a
Redis key prefix of its own, deleted afterwards. Time is an argument: no test waits."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest

from framework.stores.contacts import MAX_TAGS, Contact, ContactChange, ContactError, ContactStore
from framework.stores.memory.contacts import MemoryContacts
from framework.stores.opening import open_contacts
from tests.stores.contract import KINDS, store_url, stores_of

NOW = 1_800_000_000.25
DAY = 86400.0
Opener = Callable[[], Awaitable[ContactStore]]
ADA, BEN, CEM = "pizza:whatsapp:4917000", "pizza:telegram:88", "pizza:web:zoë 🌸"


@pytest.fixture(params=KINDS)
async def opener(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Opener]:
    kind, prefix = str(request.param), f"test-contacts-{uuid.uuid4().hex[:24]}"
    url = store_url(kind, tmp_path, request.config, prefix)
    async with stores_of(kind, url, prefix, MemoryContacts(), open_contacts) as open_one:
        yield open_one


async def test_a_message_makes_a_contact_that_another_worker_reads(opener: Opener) -> None:
    store, other = await opener(), await opener()
    made = await store.update("pizza", ADA, ContactChange(seen_on="whatsapp", lang="de"), NOW)
    assert made.id.startswith("c") and made.id != ADA  # an id of its own, not the key
    assert made == Contact(made.id, "pizza", (ADA,), "de", "", (), NOW, NOW, {"whatsapp": NOW}, 0.0)
    assert await other.many("pizza", [ADA, BEN]) == {ADA: made}
    assert await other.many("salon", [ADA]) == {}  # per bot


async def test_times_move_forward_and_a_replayed_turn_changes_nothing(opener: Opener) -> None:
    store, other = await opener(), await opener()
    seen = ContactChange(seen_on="whatsapp", lang="de")
    await store.update("pizza", ADA, seen, NOW)
    later = await other.update("pizza", ADA, replace_lang(seen, "en"), NOW + DAY)
    again = await store.update("pizza", ADA, seen, NOW)  # the first turn, replayed late
    assert again.last_seen == again.inbound["whatsapp"] == NOW + DAY
    assert again.first_seen == NOW and again.id == later.id
    paid = await store.update("pizza", ADA, ContactChange(ordered=True), NOW + 2 * DAY)
    assert paid.last_order == NOW + 2 * DAY and paid.last_seen == NOW + DAY  # no message
    assert paid.timezone == "" and paid.zone_or("Europe/Berlin") == "Europe/Berlin"
    zoned = await other.update("pizza", ADA, ContactChange(timezone="America/New_York"), NOW)
    assert zoned.zone_or("Europe/Berlin") == "America/New_York"


def replace_lang(change: ContactChange, lang: str) -> ContactChange:
    return ContactChange(seen_on=change.seen_on, lang=lang)


async def test_windows_are_kept_per_channel(opener: Opener) -> None:
    store = await opener()
    await store.update("pizza", ADA, ContactChange(seen_on="whatsapp"), NOW)
    both = await store.update("pizza", ADA, ContactChange(seen_on="telegram"), NOW + 60)
    assert both.inbound == {"whatsapp": NOW, "telegram": NOW + 60}


async def test_tags_are_a_set_given_and_taken(opener: Opener) -> None:
    store, other = await opener(), await opener()
    await store.update("pizza", ADA, ContactChange(add=("vegetarian", "ordered_pizza")), NOW)
    again = await other.update("pizza", ADA, ContactChange(add=("vegetarian",)), NOW)
    assert again.tags == ("ordered_pizza", "vegetarian")
    taken = await store.update(
        "pizza", ADA, ContactChange(add=("large",), remove=("vegetarian", "never")), NOW
    )
    assert taken.tags == ("large", "ordered_pizza")
    assert (await other.many("pizza", [ADA]))[ADA].tags == ("large", "ordered_pizza")


async def test_two_workers_tagging_at_once_keep_both(opener: Opener) -> None:
    stores = [await opener() for _ in range(2)]
    await asyncio.gather(
        *(
            stores[n % 2].update("pizza", ADA, ContactChange(add=(f"t{n}",)), NOW + n)
            for n in range(12)
        )
    )
    kept = (await stores[0].many("pizza", [ADA]))[ADA]
    assert kept.tags == tuple(sorted(f"t{n}" for n in range(12)))
    assert kept.first_seen == NOW


@pytest.mark.parametrize(
    "change",
    [
        ContactChange(add=("Vegetarian",)),
        ContactChange(add=("",)),
        ContactChange(add=("x" * 41,)),
        ContactChange(add=("a b",)),
        ContactChange(remove=("<script>",)),
        ContactChange(add=tuple(f"t{n}" for n in range(MAX_TAGS + 1))),
        ContactChange(timezone="Mars/Olympus"),
        ContactChange(timezone="../../etc/passwd"),
        ContactChange(lang="deutsch"),
        ContactChange(seen_on="WhatsApp!"),
    ],
)
async def test_bad_names_are_refused_and_nothing_is_written(
    opener: Opener, change: ContactChange
) -> None:
    store = await opener()
    with pytest.raises(ContactError):
        await store.update("pizza", ADA, change, NOW)
    assert await store.many("pizza", [ADA]) == {}


async def test_more_than_the_most_tags_is_refused_and_keeps_the_contact(opener: Opener) -> None:
    store = await opener()
    full = tuple(f"t{n}" for n in range(MAX_TAGS))
    kept = await store.update("pizza", ADA, ContactChange(add=full), NOW)
    with pytest.raises(ContactError, match="untag"):
        await store.update("pizza", ADA, ContactChange(add=("one_more",)), NOW)
    assert (await store.many("pizza", [ADA]))[ADA] == kept
    swapped = await store.update("pizza", ADA, ContactChange(add=("new",), remove=("t0",)), NOW)
    assert len(swapped.tags) == MAX_TAGS and "new" in swapped.tags


@pytest.mark.parametrize(
    ("bot", "conversation", "at"),
    [
        ("Pizza", ADA, NOW),
        ("pizza", "no-key", NOW),
        ("pizza", "x:" * 600, NOW),
        ("pizza", ADA, float("nan")),
        ("pizza", ADA, -1),
    ],
)
async def test_bad_calls_are_refused(
    opener: Opener, bot: str, conversation: str, at: float
) -> None:
    store = await opener()
    with pytest.raises(ContactError):
        await store.update(bot, conversation, ContactChange(seen_on="web"), at)
    assert await store.page("pizza") == []


async def test_pages_go_by_conversation(opener: Opener) -> None:
    store, other = await opener(), await opener()
    names = [f"pizza:web:{n:03}" for n in range(7)] + [CEM]
    for name in reversed(names):
        await store.update("pizza", name, ContactChange(seen_on="web"), NOW)
    await store.update("salon", "salon:web:1", ContactChange(seen_on="web"), NOW)
    first = await other.page("pizza", "", 3)
    assert [c.conversations[0] for c in first] == names[:3]
    rest = await other.page("pizza", first[-1].conversations[0], 100)
    assert [c.conversations[0] for c in rest] == names[3:]
    assert await other.page("pizza", CEM, 10) == []
    with pytest.raises(ContactError):
        await other.page("pizza", "", 0)
    with pytest.raises(ContactError):
        await other.many("pizza", ["pizza:web:1"] * 1001)


async def test_forget_deletes_the_contact_and_only_it(opener: Opener) -> None:
    store, other = await opener(), await opener()
    await store.update("pizza", ADA, ContactChange(seen_on="whatsapp", add=("vip",)), NOW)
    bens = await store.update("pizza", BEN, ContactChange(seen_on="telegram"), NOW)
    assert await other.forget("pizza", ADA) == 1
    assert await other.forget("pizza", ADA) == 0  # twice: nothing more
    assert await store.many("pizza", [ADA, BEN]) == {BEN: bens}
    assert [c.conversations for c in await store.page("pizza")] == [(BEN,)]
    fresh = await store.update("pizza", ADA, ContactChange(seen_on="whatsapp"), NOW + DAY)
    assert fresh.tags == () and fresh.first_seen == NOW + DAY  # a new customer
