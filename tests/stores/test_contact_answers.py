"""One contract, every contact store (memory, sqlite, redis, redis-cluster): the answers a
flow keeps on the contact (`keep:`) — written with the turn's change, each in place of the one
of its name, bounded, joined with a linked conversation, gone with the contact, and a contact
stored before answers existed still loads."""

from __future__ import annotations

import json
import sqlite3
import uuid
from pathlib import Path

import pytest

from framework.answers import MAX_ANSWER, MAX_ANSWERS
from framework.stores.contacts import Contact, ContactChange, ContactError
from framework.stores.memory.contacts import MemoryContacts
from framework.stores.opening import StoreURL, open_contacts
from framework.stores.redis.connection import bounded_client
from tests.stores.contract import store_url, stores_of
from tests.stores.test_contact_links import offered
from tests.stores.test_contact_store import DAY, NOW, Opener
from tests.stores.test_contact_store import opener as opener  # every backend

WA, TG = "pizza:whatsapp:4917000", "pizza:telegram:88"


def kept(**answers: str) -> ContactChange:
    return ContactChange(answers=tuple(answers.items()))


async def test_answers_are_kept_replaced_and_read_by_another_worker(opener: Opener) -> None:
    store, other = await opener(), await opener()
    first = await store.update("pizza", WA, kept(diet="vegetarian", city="Berlin"), NOW)
    assert first.answers == {"city": "Berlin", "diet": "vegetarian"}
    moved = await other.update("pizza", WA, kept(city="Hamburg-Altona"), NOW + 60)
    assert moved.answers == {"city": "Hamburg-Altona", "diet": "vegetarian"}
    tagged = await store.update("pizza", WA, ContactChange(add=("vip",)), NOW + 120)
    assert tagged.answers == moved.answers  # a change without answers keeps them
    assert (await store.many("pizza", [WA]))[WA].answers == moved.answers
    assert [c.answers for c in await other.page("pizza")] == [moved.answers]


async def test_an_answer_of_the_longest_length_and_any_script_is_kept(opener: Opener) -> None:
    store = await opener()
    long = "ß" * MAX_ANSWER
    made = await store.update("pizza", WA, kept(note=long, city="Zürich 🏔"), NOW)
    assert (await store.many("pizza", [WA]))[WA].answers == {"city": "Zürich 🏔", "note": long}
    assert made.answers["note"] == long


@pytest.mark.parametrize(
    "change",
    [
        kept(Diet="vegan"),
        ContactChange(answers=(("", "vegan"),)),
        ContactChange(answers=(("x" * 41, "vegan"),)),
        kept(diet=""),
        kept(diet="   "),
        kept(diet="x" * (MAX_ANSWER + 1)),
        kept(diet="line one\nline two"),
        ContactChange(answers=(("diet", 3),)),  # type: ignore[arg-type]
        ContactChange(answers=(("diet",),)),  # type: ignore[arg-type]
        ContactChange(answers=tuple((f"a{n}", "x") for n in range(MAX_ANSWERS + 1))),
    ],
)
async def test_bad_answers_are_refused_and_nothing_is_written(
    opener: Opener, change: ContactChange
) -> None:
    store = await opener()
    with pytest.raises(ContactError):
        await store.update("pizza", WA, change, NOW)
    assert await store.many("pizza", [WA]) == {}


async def test_more_than_the_most_answers_is_refused_and_keeps_the_contact(
    opener: Opener,
) -> None:
    store = await opener()
    full = await store.update(
        "pizza", WA, ContactChange(answers=tuple((f"a{n}", "x") for n in range(MAX_ANSWERS))), NOW
    )
    with pytest.raises(ContactError, match="at most 50 answers"):
        await store.update("pizza", WA, kept(one_more="x", a0="y"), NOW + 60)
    assert (await store.many("pizza", [WA]))[WA] == full
    again = await store.update("pizza", WA, kept(a0="y"), NOW + 60)  # a name kept: in its place
    assert len(again.answers) == MAX_ANSWERS and again.answers["a0"] == "y"


async def test_linked_conversations_keep_the_answers_of_both(opener: Opener) -> None:
    store = await opener()
    await store.update("pizza", WA, kept(diet="vegan", city="Berlin"), NOW)
    await store.update("pizza", WA, ContactChange(seen_on="whatsapp"), NOW)
    await store.update("pizza", TG, kept(city="Hamburg", size="large"), NOW + DAY)
    await store.update("pizza", TG, ContactChange(seen_on="telegram"), NOW + DAY)
    link = await store.link("pizza", TG, await offered(store, WA, "K7M4QX", NOW + DAY), NOW + DAY)
    assert link.contact is not None  # of the city both kept, the one seen last
    assert link.contact.answers == {"city": "Hamburg", "diet": "vegan", "size": "large"}
    alone = await store.unlink("pizza", TG, NOW + 2 * DAY)
    assert alone is not None and alone.answers == {}  # the answers stay with the contact
    assert (await store.many("pizza", [WA]))[WA].answers == link.contact.answers


async def test_a_join_beyond_the_most_answers_is_refused(opener: Opener) -> None:
    store = await opener()
    half = MAX_ANSWERS // 2 + 1
    await store.update(
        "pizza", WA, ContactChange(answers=tuple((f"w{n}", "x") for n in range(half))), NOW
    )
    await store.update(
        "pizza", TG, ContactChange(answers=tuple((f"t{n}", "x") for n in range(half))), NOW
    )
    with pytest.raises(ContactError, match="answers"):
        await store.link("pizza", TG, await offered(store, WA, "K7M4QX"), NOW)
    assert len(await store.many("pizza", [WA, TG])) == 2  # still two contacts


async def test_forget_takes_the_answers_with_the_contact(opener: Opener) -> None:
    store = await opener()
    await store.update("pizza", WA, kept(diet="vegan"), NOW)
    assert await store.forget("pizza", WA) == 1
    assert await store.many("pizza", [WA]) == {}
    fresh = await store.update("pizza", WA, ContactChange(seen_on="whatsapp"), NOW + DAY)
    assert fresh.answers == {}


def test_a_contact_stored_before_answers_loads_without_any() -> None:
    old = {"id": "c0123456789abcdef", "bot": "pizza", "conversations": [WA], "tags": ["vip"]}
    assert Contact.from_json(old).answers == {}
    assert Contact.from_json(old).to_json()["answers"] == {}


@pytest.mark.parametrize("kind", ["sqlite", "redis", "redis-cluster"])
async def test_a_stored_contact_without_answers_loads(
    kind: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """The contact as the store wrote it before answers existed: its JSON without the key."""
    prefix = f"test-contacts-{uuid.uuid4().hex[:24]}"
    url = store_url(kind, tmp_path, request.config, prefix)
    async with stores_of(kind, url, prefix, MemoryContacts(), open_contacts) as open_one:
        store = await open_one()
        made = await store.update("pizza", WA, ContactChange(seen_on="whatsapp", add=("vip",)), NOW)
        old = json.dumps({k: v for k, v in made.to_json().items() if k != "answers"})
        if kind == "sqlite":
            with sqlite3.connect(tmp_path / "state.db") as db:
                db.execute("UPDATE contacts SET data = ? WHERE id = ?", (old, made.id))
        else:
            client = bounded_client(StoreURL.parse(url).url)
            await client.hset(f"{prefix}:{{%contacts:pizza}}:contacts", made.id, old)
            await client.aclose()
        loaded = (await store.many("pizza", [WA]))[WA]
        assert loaded.answers == {} and loaded.tags == ("vip",)
        again = await store.update("pizza", WA, kept(diet="vegan"), NOW + 60)
        assert again.answers == {"diet": "vegan"} and again.tags == ("vip",)
