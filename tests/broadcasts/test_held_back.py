"""WhatsApp's 131049 (Meta's per-user marketing limit): Theke backs off, never loops. A
marketing notice refused with it — at once, or later as a failed status — keeps marketing
broadcasts away from that customer for a day (the runtime's delivery records the hold in the
reach store); a broadcast within the day passes them over (`held_back`), one after it reaches
them again. Each 131049 in a row doubles the hold (two days, four), and the fourth gives the
customer up for a year, counted in that broadcast's results under `131049_gave_up`; one long
after the last hold counts as the first again. Notifications are not held. On SQLite and
Redis, through the runtime and its delivery to a collecting WhatsApp channel."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from framework.channels.whatsapp_out import failure
from framework.runtime.broadcast_results import BroadcastResults
from framework.runtime.marketing_holds import GAVE_UP, STREAK, next_hold
from framework.runtime.marketing_holds import HELD as FLAG
from framework.stores.consents import MARKETING
from framework.stores.records import STATUS, InboxItem, SessionKey, iso_time
from tests.broadcasts.rig import DAY, HOUR, KINDS, Rig, rig_on
from tests.fakes.graph_api import GraphError
from tests.fakes.webhooks import error_object

HELD = GraphError(131049)
"""Meta's per-user marketing limit, as the fake Graph API answers a send with it."""
OFFER, DELAYED = "Angebot: 20 % auf alles!", "Ihr Flug hat Verspätung."
FLIGHT = "notify:flight:LH1234:2026-12-02"


@pytest.fixture(params=KINDS)
async def rig(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Rig]:
    async with rig_on(str(request.param), tmp_path, request.config, "") as opened:
        yield opened


async def written(rig: Rig, customer: str) -> SessionKey:
    """The customer writes on WhatsApp (so the bot knows where to answer)."""
    key = SessionKey("shop", "whatsapp", customer)
    meta = {"address": {"to": customer}}
    await rig.runtime.submit(
        key, InboxItem.message(f"m-{customer}-{rig.now}", iso_time(rig.now), "hi", None, meta)
    )
    return key


async def sent(rig: Rig, *keys: SessionKey, text: str = OFFER) -> list[str]:
    """One broadcast step, the notices delivered: whom the channel sent `text` to."""
    before = len(rig.channel.sent) + len(rig.channel.templates)
    await rig.broadcasts.sender.step()
    for key in keys:
        await rig.runtime.drain(str(key))
    out = rig.channel.sent + rig.channel.templates
    return [address["to"] for _bot, address, entry in out[before:] if entry.get("text") == text]


async def last_sent(rig: Rig, key: SessionKey) -> str:
    """The WhatsApp id of the conversation's last message out."""
    peeked = await rig.sessions.peek(str(key))
    assert peeked is not None and peeked.session is not None
    return str(list(peeked.session["flags"]["deliveries"])[-1])


async def test_a_customer_held_back_with_131049_gets_no_marketing_for_a_day(rig: Rig) -> None:
    ada, ben = await written(rig, "491701"), await written(rig, "491702")
    await rig.grant(MARKETING, "whatsapp:491701", "whatsapp:491702")
    rig.channel.fail = [failure(HELD.http_status, HELD.as_json(), 0)]  # the first notice: ada's
    first = await rig.started()
    assert await sent(rig, ada, ben) == ["491702"]
    assert (await rig.broadcasts.get(first)).queued == 2  # handed out; WhatsApp refused one

    rig.now += 2 * HOUR
    second = await rig.started()
    assert await sent(rig, ada, ben) == ["491702"]
    assert (await rig.broadcasts.get(second)).held_back == 1

    message = await last_sent(rig, ben)  # refused later, as a failed status
    report = {"message_id": message, "status": "failed", "errors": [error_object(131049)]}
    await rig.runtime.submit(ben, InboxItem(f"status:{message}", iso_time(rig.now), STATUS, report))
    rig.now += 2 * HOUR
    third = await rig.started()
    assert await sent(rig, ada, ben) == []
    assert (await rig.broadcasts.get(third)).held_back == 2
    await rig.grant(FLIGHT, "whatsapp:491701", "whatsapp:491702")
    await rig.started(FLIGHT, "delayed")
    assert await sent(rig, ada, ben, text=DELAYED) == ["491701", "491702"]  # news is not held

    rig.now += DAY - 4 * HOUR + 1  # a day after ada's refusal, not yet after ben's
    fourth = await rig.started()
    assert await sent(rig, ada, ben) == ["491701"]
    found = await rig.broadcasts.get(fourth)
    assert (found.queued, found.held_back) == (1, 1)


def counting(rig: Rig) -> None:
    """The rig's runtime counting the broadcasts' results in their store."""
    rig.runtime.results = rig.runtime.delivery.results = BroadcastResults(rig.store, None)


async def refused_once_more(rig: Rig, key: SessionKey, held: float) -> dict[str, int]:
    """A marketing broadcast just before the hold of `held` seconds ends passes the customer
    over; one just after it reaches them and WhatsApp refuses it with 131049 at once. The
    second's failures."""
    rig.now += held - 1
    within = await rig.started()
    assert await sent(rig, key) == []
    assert (await rig.broadcasts.get(within)).held_back == 1
    rig.now += 2
    rig.channel.fail = [failure(HELD.http_status, HELD.as_json(), 0)]
    reached = await rig.started()
    assert await sent(rig, key) == []
    assert (await rig.broadcasts.get(reached)).queued == 1
    return (await rig.store.results(reached)).failed


async def test_131049_again_and_again_holds_longer_each_time_then_gives_up(rig: Rig) -> None:
    counting(rig)
    ada = await written(rig, "491701")
    await rig.grant(MARKETING, "whatsapp:491701")
    rig.channel.fail = [failure(HELD.http_status, HELD.as_json(), 0)]
    first = await rig.started()
    assert await sent(rig, ada) == []
    assert (await rig.store.results(first)).failed == {"131049": 1}
    assert await refused_once_more(rig, ada, DAY) == {"131049": 1}
    assert await refused_once_more(rig, ada, 2 * DAY) == {"131049": 1}

    rig.now += 4 * DAY - 1  # the fourth: accepted, then refused as a failed status
    within = await rig.started()
    assert await sent(rig, ada) == []
    assert (await rig.broadcasts.get(within)).held_back == 1
    rig.now += 2
    fourth = await rig.started()
    assert await sent(rig, ada) == ["491701"]
    message = await last_sent(rig, ada)
    report = {"message_id": message, "status": "failed", "errors": [error_object(131049)]}
    await rig.runtime.submit(ada, InboxItem(f"status:{message}", iso_time(rig.now), STATUS, report))
    assert (await rig.store.results(fourth)).failed == {GAVE_UP: 1}

    rig.now += 300 * DAY  # given up: held for a year, never tried again meanwhile
    later = await rig.started()
    assert await sent(rig, ada) == []
    assert (await rig.broadcasts.get(later)).held_back == 1


async def test_a_131049_long_after_the_last_hold_counts_as_the_first(rig: Rig) -> None:
    ada = await written(rig, "491701")
    await rig.grant(MARKETING, "whatsapp:491701")
    rig.channel.fail = [failure(HELD.http_status, HELD.as_json(), 0)]
    await rig.started()
    assert await sent(rig, ada) == []
    rig.now += DAY + STREAK + 1
    rig.channel.fail = [failure(HELD.http_status, HELD.as_json(), 0)]
    await rig.started()
    assert await sent(rig, ada) == []
    rig.now += DAY + 1  # a day again, not two
    await rig.started()
    assert await sent(rig, ada) == ["491701"]


def test_a_refusal_while_held_counts_nothing_and_a_bad_flag_counts_from_one() -> None:
    flags: dict[str, object] = {}
    assert next_hold(flags, 1000.0) is not None
    assert next_hold(flags, 1000.0 + HOUR) is None  # sent before the hold began
    assert flags[FLAG] == {"times": 1, "until": 1000.0 + DAY}
    for bad in ("x", {"times": True, "until": 5.0}, {"times": 2, "until": "soon"}, None):
        flags = {FLAG: bad}
        hold = next_hold(flags, 1000.0)
        assert hold is not None and (hold.until, hold.gave_up) == (1000.0 + DAY, False)
