"""Delivery through push channels, on every store: the log is the outbox, sent in order, at
least once; retries wait as timers; what cannot be delivered is written for the business."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest

from framework.channels.base import CollectingChannel
from framework.flows import load_bot
from framework.runtime.sending import SendFailure, Sent
from framework.runtime.turns import Runtime
from framework.stores.records import STATUS, InboxItem, SessionKey, iso_time
from framework.stores.session_store import Store
from tests.clocks import FRIDAY_EVENING, Clock

COUNTER = load_bot(Path(__file__).parent / "bots" / "counter")
KEY = SessionKey("counter", "collect", "ada")
NOW = FRIDAY_EVENING
PRICING = {"billable": False, "pricing_model": "PMP", "type": "free_customer_service"}


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def channel() -> CollectingChannel:
    return CollectingChannel(window=24 * 3600)


@pytest.fixture
def runtime(store: Store, channel: CollectingChannel, clock: Clock) -> Runtime:
    return Runtime(store, {"counter": COUNTER}, clock=clock, channels={"collect": channel})


async def write(runtime: Runtime, clock: Clock, text: str, payload: str | None = None) -> None:
    item = InboxItem.message(
        uuid.uuid4().hex, iso_time(clock()), text, payload, {"address": {"to": "4915112345678"}}
    )
    await runtime.submit(KEY, item)


async def system_notes(store: Store) -> list[str]:
    return [e["text"] for e in await store.log(str(KEY), 0, 200) if e["from"] == "system"]


async def test_replies_are_sent_in_order_to_the_customers_address(
    runtime: Runtime, channel: CollectingChannel, clock: Clock
) -> None:
    for text in ["hi", "one", "two", "three"]:
        await write(runtime, clock, text)
    assert channel.texts == [
        "Say something.",
        "#1 one",
        "Say something.",
        "#2 two",
        "Say something.",
        "#3 three",
        "Say something.",
    ]
    assert {address["to"] for _bot, address, _entry in channel.sent} == {"4915112345678"}


async def test_a_retriable_failure_waits_and_loses_nothing(
    runtime: Runtime, channel: CollectingChannel, clock: Clock, store: Store
) -> None:
    channel.fail = [SendFailure("rate limit", code=130429, retry_after=30)]
    await write(runtime, clock, "hi")
    assert channel.texts == []
    clock.now += 10
    await runtime.tick()
    assert channel.texts == []  # not yet due
    clock.now += 25
    await runtime.tick()
    assert channel.texts == ["Say something."]
    assert await system_notes(store) == []


async def test_a_permanent_failure_is_written_for_the_business_and_the_rest_goes_on(
    runtime: Runtime, channel: CollectingChannel, clock: Clock, store: Store
) -> None:
    await write(runtime, clock, "hi")
    channel.fail = [SendFailure("WhatsApp refused the message: bad parameter (100)", code=100)]
    await write(runtime, clock, "one")
    assert channel.texts == ["Say something.", "Say something."]
    assert await system_notes(store) == [
        "Not delivered: WhatsApp refused the message: bad parameter (100)"
    ]
    assert runtime.metrics.deliveries.labels("refused")._value.get() == 1


async def test_a_customer_who_blocked_the_bot_is_not_written_to_until_they_write_again(
    runtime: Runtime, channel: CollectingChannel, clock: Clock, store: Store
) -> None:
    channel.fail = [SendFailure("blocked by the user", code=403, unreachable=True)]
    await write(runtime, clock, "hi")
    clock.now += 2 * 3600  # the idle conversation expires: a message the bot starts
    await runtime.tick()
    assert channel.texts == []
    assert len(await system_notes(store)) == 1  # the one refused send, not a second attempt
    said = [e["text"] for e in await store.log(str(KEY), 0, 200) if e["from"] == "bot"]
    assert len(said) == 2  # the greeting and the expiry: written, not sent
    await write(runtime, clock, "I unblocked you")
    assert channel.texts == ["Say something."]


async def test_outside_the_window_only_templates_are_sent(
    runtime: Runtime, channel: CollectingChannel, clock: Clock
) -> None:
    await write(runtime, clock, "hi")
    clock.now += 25 * 3600
    await runtime.tick()  # the conversation's own reminder/expiry timers fire meanwhile
    [(_bot, _address, entry)] = channel.templates
    assert entry["from"] == "bot"
    assert len(channel.sent) == 1  # the greeting, inside the window


async def test_delivery_reports_move_forward_and_failures_are_written(
    runtime: Runtime, channel: CollectingChannel, clock: Clock, store: Store
) -> None:
    await write(runtime, clock, "hi")
    [wamid] = (await store_session(store))["flags"]["deliveries"]
    for status in ["read", "delivered", "sent"]:
        await report(runtime, wamid, status)
    kept = (await store_session(store))["flags"]["deliveries"][wamid]
    assert (kept["status"], kept["pricing"]) == ("read", PRICING)
    await report(runtime, "wamid.unknown", "delivered")
    assert runtime.metrics.deliveries.labels("status_unknown_message")._value.get() == 1
    errors = [{"code": 131047, "error_data": {"details": "more than 24 hours have passed"}}]
    await report(runtime, wamid, "failed", errors)
    assert await system_notes(store) == ["Not delivered: more than 24 hours have passed (131047)"]


async def store_session(store: Store) -> dict[str, Any]:
    """The stored session, as the last turn committed it."""
    peeked = await store.peek(str(KEY))
    assert peeked is not None
    return peeked.session


async def report(
    runtime: Runtime, wamid: str, status: str, errors: list[Any] | None = None
) -> None:
    item = InboxItem(
        f"status:{wamid}:{status}",
        iso_time(NOW),
        STATUS,
        {
            "message_id": wamid,
            "status": status,
            "timestamp": NOW,
            "errors": errors,
            "pricing": PRICING,
        },
    )
    await runtime.store.enqueue(str(KEY), item)
    await runtime.drain(str(KEY))


class NumberingChannel(CollectingChannel):
    """Shows every message's choices as numbered text (as WhatsApp does for 11 or more)."""

    async def send(self, bot: str, address: Any, entry: dict[str, Any], *, callback: str) -> Sent:
        sent = await super().send(bot, address, entry, callback=callback)
        buttons = entry.get("buttons") or []
        numbered = {str(n): b["payload"] for n, b in enumerate(buttons, 1)}
        return Sent(sent.message_id, numbered=numbered)


async def test_a_typed_number_chooses_from_numbered_choices(store: Store) -> None:
    pizza = load_bot(Path(__file__).parent.parent.parent / "bots" / "pizza")
    channel = NumberingChannel()
    clock = Clock()
    runtime = Runtime(store, {"pizza": pizza}, clock=clock, channels={"collect": channel})
    key = SessionKey("pizza", "collect", "ada")
    for text in ["bestellen", "2"]:  # 2 = the second choice: Salami
        await runtime.submit(key, InboxItem.message(uuid.uuid4().hex, iso_time(clock()), text))
    assert channel.texts[-1] == "Welche Größe für die Salami?"
    await runtime.submit(key, InboxItem.message(uuid.uuid4().hex, iso_time(clock()), "3"))
    assert "1× Salami (Groß)" in channel.texts[-1]  # 3 = Groß, the third size
    assert "Extras dazu?" in channel.texts[-1]


class BrokenChannel(CollectingChannel):
    """A channel with a bug: every send raises something that is not a SendFailure."""

    async def send(self, bot: str, address: Any, entry: dict[str, Any], *, callback: str) -> Sent:
        raise KeyError("a bug")


async def test_a_broken_channel_fails_each_message_once_and_loops_never(
    store: Store, clock: Clock
) -> None:
    channel = BrokenChannel()
    runtime = Runtime(store, {"counter": COUNTER}, clock=clock, channels={"collect": channel})
    await write(runtime, clock, "hi")
    await write(runtime, clock, "one")
    notes = await system_notes(store)
    assert notes == ["Not delivered: could not be sent (KeyError)"] * 3
    said = [e for e in await store.log(str(KEY), 0, 200) if e["from"] == "bot"]
    assert len(said) == 3  # the bot's own messages, no apologies piling up
