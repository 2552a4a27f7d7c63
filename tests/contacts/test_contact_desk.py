"""The contact desk's `contact.timezone` through the runtime, as a flow uses it: the customer's
own time zone kept with their contact (where quiet hours hold marketing for them); a name that
is no time zone runs the step's on_error and changes nothing."""

from __future__ import annotations

import uuid
from pathlib import Path

from framework.actions.performing import BotActions
from framework.channels.base import CollectingChannel
from framework.flows import load_bot
from framework.runtime.turns import Runtime
from framework.stores.memory.contacts import MemoryContacts
from framework.stores.memory.sessions import MemoryStore
from framework.stores.records import InboxItem, SessionKey, StoreLimits, iso_time
from tests.clocks import Clock

ZONED = load_bot(Path(__file__).parents[1] / "runtime" / "bots" / "zoned")


async def said(runtime: Runtime, clock: Clock, key: SessionKey, text: str) -> list[str]:
    item = InboxItem.message(uuid.uuid4().hex, iso_time(clock()), text, None, {"address": {}})
    return [e["text"] for e in await runtime.submit(key, item) if e["from"] == "bot"]


async def test_a_flow_keeps_the_customers_time_zone_and_refuses_a_made_up_one() -> None:
    contacts, clock = MemoryContacts(), Clock()
    runtime = Runtime(
        MemoryStore(StoreLimits()),
        {"zoned": ZONED},
        clock=clock,
        channels={"collect": CollectingChannel(window=86400)},
        actions={"zoned": BotActions.of(ZONED, contacts=contacts)},
        contacts=contacts,
    )
    ada, ben = SessionKey("zoned", "collect", "ada"), SessionKey("zoned", "collect", "ben")
    assert await said(runtime, clock, ada, "hi") == ["Which time zone are you in?"]
    assert await said(runtime, clock, ada, "America/New_York") == [
        "Quiet hours now in America/New_York."
    ]
    kept = (await contacts.many("zoned", [str(ada)]))[str(ada)]
    assert kept.timezone == "America/New_York" and kept.zone_or("Europe/London") == kept.timezone

    await said(runtime, clock, ben, "hi")
    assert await said(runtime, clock, ben, "Mars/Olympus Mons") == ["I don't know that time zone."]
    assert (await contacts.many("zoned", [str(ben)]))[str(ben)].timezone == ""
