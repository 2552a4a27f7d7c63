"""WhatsApp's 131049 (Meta's per-user marketing limit): Theke backs off, never loops. A
marketing notice refused with it — at once, or later as a failed status — keeps marketing
broadcasts away from that customer for a day (the runtime's delivery records the hold in the
reach store); a broadcast within the day passes them over (`held_back`), one after it reaches
them again. Notifications are not held. On SQLite and Redis, through the runtime and its
delivery to a collecting WhatsApp channel."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from framework.channels.whatsapp_out import failure
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
