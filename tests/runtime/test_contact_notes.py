"""What turns tell the conversation's contact (framework/runtime/turn_writes.py): a customer's
message moves last seen and the channel's window and keeps the language, `tag:` and `untag:`
steps change the tags, `note:` steps the answers, a paid order sets the last order — in one
contact store call per turn at most, none for a turn that changes nothing, on the real app as
on a bare runtime."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient

from framework.channels.base import CollectingChannel
from framework.channels.common import CONTEXT
from framework.flows import load_bot
from framework.runtime.turns import Runtime
from framework.stores.contacts import Contact, ContactChange
from framework.stores.memory.contacts import MemoryContacts
from framework.stores.memory.sessions import MemoryStore
from framework.stores.records import InboxItem, SessionKey, StoreLimits, iso_time
from framework.tags import MAX_TAGS
from tests.clocks import Clock
from tests.payments.test_purchase import FRIDAY_EVENING, SESSION, chat_log, order_and_get_link
from tests.payments.test_purchase import shop as shop  # the served pizzeria

TAGGER = load_bot(Path(__file__).parent / "bots" / "tagger")
COUNTER = load_bot(Path(__file__).parent / "bots" / "counter")
KEEPER = load_bot(Path(__file__).parent / "bots" / "keeper")
KEY = SessionKey("tagger", "collect", "ada")


class CountingContacts(MemoryContacts):
    """The reference store, counting the calls that change a contact."""

    def __init__(self) -> None:
        super().__init__()
        self.updates: list[ContactChange] = []

    async def update(
        self, bot: str, conversation: str, change: ContactChange, at: float
    ) -> Contact:
        self.updates.append(change)
        return await super().update(bot, conversation, change, at)

    async def one(self, conversation: str) -> Contact:
        return (await self.many("tagger", [conversation]))[conversation]


@pytest.fixture
def contacts() -> CountingContacts:
    return CountingContacts()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def runtime(contacts: CountingContacts, clock: Clock) -> Runtime:
    channel = CollectingChannel(window=24 * 3600)
    store = MemoryStore(StoreLimits())
    bots = {"tagger": TAGGER, "counter": COUNTER, "keeper": KEEPER}
    return Runtime(store, bots, clock=clock, channels={"collect": channel}, contacts=contacts)


async def write(runtime: Runtime, clock: Clock, text: str, key: SessionKey = KEY) -> None:
    item = InboxItem.message(uuid.uuid4().hex, iso_time(clock()), text, None, {"address": {}})
    await runtime.submit(key, item)


async def test_each_message_is_one_call_that_moves_last_seen_and_the_window(
    runtime: Runtime, contacts: CountingContacts, clock: Clock
) -> None:
    await write(runtime, clock, "hi")
    first = await contacts.one(str(KEY))
    clock.now += 3600
    await write(runtime, clock, "again")
    later = await contacts.one(str(KEY))
    assert len(contacts.updates) == 2  # the delivery turns after each write call nothing
    assert later.first_seen == first.last_seen == int(first.first_seen)
    assert later.last_seen == later.inbound["collect"] == first.last_seen + 3600
    assert later.lang == "en" and later.conversations == (str(KEY),)
    assert later.last_order == 0.0


async def test_a_quick_exchange_writes_the_contact_once_a_minute(
    runtime: Runtime, contacts: CountingContacts, clock: Clock
) -> None:
    key = SessionKey("counter", "collect", "ben")
    start = clock.now
    for seconds in (0, 5, 20, 59.5, 61, 62, 200):
        clock.now = start + seconds
        await write(runtime, clock, "one more", key)
    assert len(contacts.updates) == 3  # at 0, 61 and 200 seconds
    kept = (await contacts.many("counter", [str(key)]))[str(key)]
    assert kept.last_seen == int(start) + 200 and kept.first_seen == int(start)


async def test_tags_follow_the_steps_of_the_turn_in_order(
    runtime: Runtime, contacts: CountingContacts, clock: Clock
) -> None:
    await write(runtime, clock, "hi")  # starts the flow: it asks
    await write(runtime, clock, "hello")
    await write(runtime, clock, "pizza")
    assert (await contacts.one(str(KEY))).tags == ("hello", "pizza")  # talked given, taken
    await write(runtime, clock, "forget")
    assert (await contacts.one(str(KEY))).tags == ("pizza",)
    assert [c.add for c in contacts.updates] == [(), ("hello",), ("pizza",), ()]
    assert contacts.updates[-1].remove == ("hello", "forget")


async def test_answers_are_kept_in_the_turn_that_gives_them(
    runtime: Runtime, contacts: CountingContacts, clock: Clock
) -> None:
    key = SessionKey("keeper", "collect", "cem")
    await write(runtime, clock, "hi", key)
    clock.now += 3600
    await write(runtime, clock, "Vegan", key)
    kept = (await contacts.many("keeper", [str(key)]))[str(key)]
    assert kept.answers == {"diet": "vegan"} and kept.last_seen == int(clock.now)
    assert contacts.updates[-1].answers == (("diet", "vegan"),)  # with the message, one call
    clock.now += 3600
    await write(runtime, clock, "Lisboa", key)
    kept = (await contacts.many("keeper", [str(key)]))[str(key)]
    assert kept.answers == {"city": "Lisboa", "diet": "vegan"}
    assert len(contacts.updates) == 3
    log = await runtime.store.log(str(key), 0, 100)
    assert [e["text"] for e in log if e["from"] == "bot"][-1] == "Noted Vegan in Lisboa."


async def test_a_change_the_store_refuses_leaves_the_conversation_going(
    runtime: Runtime, contacts: CountingContacts, clock: Clock
) -> None:
    full = ContactChange(add=tuple(f"t{n}" for n in range(MAX_TAGS)))
    await contacts.update("tagger", str(KEY), full, clock())
    await write(runtime, clock, "hi")
    await write(runtime, clock, "one_more")
    log = await runtime.store.log(str(KEY), 0, 100)
    assert [e["text"] for e in log if e["from"] == "bot"][-2:] == ["Noted one_more.", "Say a word."]
    kept = await contacts.one(str(KEY))
    assert "one_more" not in kept.tags and len(kept.tags) == MAX_TAGS


async def contact_of(client: TestClient, conversation: str) -> Contact:
    contacts = client.app[CONTEXT].runtime.contacts
    assert contacts is not None
    found = await contacts.many("pizza", [conversation])
    return found[conversation]


async def test_a_paid_pizza_order_sets_the_last_order_and_its_tags(shop: TestClient) -> None:
    checkout = await order_and_get_link(shop)
    before = await contact_of(shop, SESSION)
    assert before.last_order == 0.0 and before.tags == ()
    assert before.lang == "de" and before.inbound == {"rest": FRIDAY_EVENING}
    await shop.post(checkout, data={"decision": "pay"}, allow_redirects=False)
    await chat_log(shop, "Danke, bezahlt!")
    paid = await contact_of(shop, SESSION)
    assert paid.last_order == FRIDAY_EVENING
    assert paid.tags == ("delivery", "ordered_pizza")
    assert paid.last_seen == FRIDAY_EVENING and paid.id == before.id
