"""One contract, every contact store (memory, sqlite, redis, redis-cluster): a customer's
conversations joined into one contact with a link code, and split off again — atomically, so
two workers linking, tagging and seeing the customer at once lose nothing."""

from __future__ import annotations

import asyncio
import hashlib

import pytest

from framework.stores.contacts import (
    ALREADY,
    LINKED,
    SAME_CHANNEL,
    UNKNOWN,
    ContactChange,
    ContactError,
    ContactStore,
)
from tests.stores.test_contact_store import DAY, NOW, Opener
from tests.stores.test_contact_store import opener as opener  # every backend

WA, TG, WEB = "pizza:whatsapp:4917000", "pizza:telegram:88", "pizza:web:zoë 🌸"
TEN_MINUTES = 600.0


def code(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


async def offered(store: ContactStore, conversation: str, text: str, at: float = NOW) -> str:
    await store.offer("pizza", conversation, code(text), at + TEN_MINUTES, at)
    return code(text)


async def test_a_code_from_one_channel_joins_the_conversation_of_another(opener: Opener) -> None:
    store, other = await opener(), await opener()
    change = ContactChange(seen_on="whatsapp", lang="de", add=("vip", "pizza"))
    wa = await store.update("pizza", WA, change, NOW)
    await store.update("pizza", WA, ContactChange(ordered=True), NOW + 10)
    tg = await other.update(
        "pizza", TG, ContactChange(seen_on="telegram", lang="en", add=("pizza", "late")), NOW + DAY
    )
    await store.update("pizza", TG, ContactChange(timezone="America/New_York"), NOW + DAY)
    link = await other.link("pizza", TG, await offered(store, WA, "K7M4QX", NOW + DAY), NOW + DAY)
    assert link.outcome == LINKED and link.contact is not None
    one = link.contact
    assert one.id == wa.id != tg.id  # the contact seen first keeps its id
    assert one.conversations == (TG, WA)
    assert one.tags == ("late", "pizza", "vip")
    assert (one.first_seen, one.last_seen, one.last_order) == (NOW, NOW + DAY, NOW + 10)
    assert one.inbound == {"whatsapp": NOW, "telegram": NOW + DAY}
    assert (one.lang, one.timezone) == ("en", "America/New_York")  # of the one seen last
    assert await store.many("pizza", [WA, TG]) == {WA: one, TG: one}
    assert [c.id for c in await store.page("pizza")] == [one.id, one.id]  # once a conversation
    later = await store.update("pizza", WA, ContactChange(seen_on="whatsapp"), NOW + 2 * DAY)
    assert later.id == one.id and later.inbound["whatsapp"] == NOW + 2 * DAY
    assert (await other.many("pizza", [TG]))[TG] == later  # one contact, written through either


async def test_a_conversation_without_a_contact_yet_links_too(opener: Opener) -> None:
    store = await opener()
    link = await store.link("pizza", WEB, await offered(store, TG, "AB2CD3"), NOW + 5)
    assert link.outcome == LINKED and link.contact is not None
    assert link.contact.conversations == (TG, WEB) and link.contact.first_seen == NOW + 5
    assert (await store.many("pizza", [TG]))[TG] == link.contact


async def test_a_code_is_used_once_expires_and_is_the_bots_only(opener: Opener) -> None:
    store, other = await opener(), await opener()
    used = await offered(store, WA, "K7M4QX")
    assert (await other.link("salon", "salon:telegram:88", used, NOW)).outcome == UNKNOWN
    assert (await other.link("pizza", TG, code("K7M4QY"), NOW)).outcome == UNKNOWN
    assert (await other.link("pizza", TG, used, NOW + 1)).outcome == LINKED
    assert (await store.link("pizza", WEB, used, NOW + 2)).outcome == UNKNOWN  # used up
    late = await offered(store, WEB, "PQ7RS8")
    assert (await other.link("pizza", "pizza:sms:1", late, NOW + TEN_MINUTES)).outcome == UNKNOWN
    assert await other.many("pizza", ["pizza:sms:1"]) == {}  # a refusal writes nothing


async def test_a_new_code_replaces_the_conversations_last(opener: Opener) -> None:
    store = await opener()
    first = await offered(store, WA, "AAAA22")
    second = await offered(store, WA, "BBBB33", NOW + 60)
    assert (await store.link("pizza", TG, first, NOW + 61)).outcome == UNKNOWN
    assert (await store.link("pizza", TG, second, NOW + 61)).outcome == LINKED


async def test_one_conversation_per_channel_and_never_twice(opener: Opener) -> None:
    store = await opener()
    await store.update("pizza", WA, ContactChange(seen_on="whatsapp"), NOW)
    own = await offered(store, WA, "K7M4QX")
    assert (await store.link("pizza", WA, own, NOW)).outcome == SAME_CHANNEL
    other_phone = "pizza:whatsapp:4917999"
    assert (await store.link("pizza", other_phone, own, NOW)).outcome == SAME_CHANNEL
    assert (await store.link("pizza", TG, own, NOW)).outcome == LINKED
    again = await offered(store, WA, "Z9Y8X7", NOW + 1)
    already = await store.link("pizza", TG, again, NOW + 1)
    assert already.outcome == ALREADY and already.contact is not None
    assert already.contact.conversations == (TG, WA)
    web = await offered(store, "pizza:web:x", "W2W3W4", NOW + 2)
    telegram_two = await store.link("pizza", "pizza:telegram:other", web, NOW + 2)
    assert telegram_two.outcome == LINKED  # two fresh conversations
    both = await offered(store, "pizza:web:x", "M5N6P7", NOW + 3)
    # the web's contact has a Telegram conversation already: it cannot take WA's contact's
    assert (await store.link("pizza", WA, both, NOW + 3)).outcome == SAME_CHANNEL


async def test_a_conversation_splits_off_with_its_window(opener: Opener) -> None:
    store, other = await opener(), await opener()
    assert await store.unlink("pizza", WA, NOW) is None  # no contact: nothing to split
    await store.update("pizza", WA, ContactChange(seen_on="whatsapp", add=("vip",)), NOW)
    assert await store.unlink("pizza", WA, NOW) is None  # alone already
    await store.update("pizza", TG, ContactChange(seen_on="telegram", lang="en"), NOW + 60)
    joined = await store.link("pizza", TG, await offered(store, WA, "K7M4QX"), NOW + 60)
    assert joined.contact is not None
    alone = await other.unlink("pizza", TG, NOW + DAY)
    assert alone is not None and alone.id != joined.contact.id
    assert alone.conversations == (TG,) and alone.inbound == {"telegram": NOW + 60}
    assert (alone.tags, alone.lang, alone.first_seen) == ((), "en", NOW + 60)
    rest = (await store.many("pizza", [WA]))[WA]
    assert rest.id == joined.contact.id and rest.conversations == (WA,)
    assert rest.inbound == {"whatsapp": NOW} and rest.last_seen == NOW and rest.tags == ("vip",)
    assert (await store.many("pizza", [TG]))[TG] == alone


async def test_two_workers_linking_and_tagging_at_once_lose_nothing(opener: Opener) -> None:
    stores = [await opener() for _ in range(2)]
    await stores[0].update("pizza", WA, ContactChange(seen_on="whatsapp"), NOW)
    await stores[1].update("pizza", TG, ContactChange(seen_on="telegram"), NOW)
    used = await offered(stores[0], WA, "K7M4QX")
    tags = [
        stores[n % 2].update("pizza", (WA, TG)[n % 2], ContactChange(add=(f"t{n}",)), NOW + n)
        for n in range(12)
    ]
    links = [stores[n].link("pizza", TG, used, NOW + 1) for n in range(2)]
    done = await asyncio.gather(*tags[:6], *links, *tags[6:])
    outcomes = sorted(link.outcome for link in done[6:8])
    assert outcomes in ([ALREADY, LINKED], [LINKED, UNKNOWN])  # joined once, the code used
    kept = await stores[1].many("pizza", [WA, TG])
    assert kept[WA] == kept[TG] and kept[WA].conversations == (TG, WA)
    assert kept[WA].tags == tuple(sorted(f"t{n}" for n in range(12)))
    assert kept[WA].inbound == {"whatsapp": NOW, "telegram": NOW}


async def test_forgetting_one_conversation_of_a_contact_keeps_the_other(opener: Opener) -> None:
    store = await opener()
    await store.update("pizza", WA, ContactChange(seen_on="whatsapp"), NOW)
    await store.link("pizza", TG, await offered(store, WA, "K7M4QX"), NOW)
    await offered(store, TG, "AB2CD3")
    assert await store.forget("pizza", TG) == 0
    assert (await store.many("pizza", [WA]))[WA].conversations == (WA,)
    assert (await store.link("pizza", WEB, code("AB2CD3"), NOW)).outcome == UNKNOWN
    assert await store.forget("pizza", WA) == 1
    assert await store.page("pizza") == []


@pytest.mark.parametrize(
    ("conversation", "hashed", "at"),
    [
        (TG, "K7M4QX", NOW),
        (TG, code("x").upper(), NOW),
        (TG, code("x") + "0", NOW),
        (TG, "", NOW),
        ("no-key", code("x"), NOW),
        (TG, code("x"), float("nan")),
        (TG, code("x"), float("inf")),
    ],
)
async def test_bad_links_are_refused(
    opener: Opener, conversation: str, hashed: str, at: float
) -> None:
    store = await opener()
    with pytest.raises(ContactError):
        await store.link("pizza", conversation, hashed, at)
    with pytest.raises(ContactError):
        await store.offer("pizza", conversation, hashed, at + 600, at)
    assert await store.page("pizza") == []
