"""A customer who links their chats while a broadcast goes out gets it once: on every backend
(memory, SQLite, Redis, Redis Cluster), through runtimes that share the stores as workers do,
delivering to collecting WhatsApp and Telegram channels. Linked after one chat got it and
before the other is handed it (the mark then names the other); linked after both were handed
it, sent by two workers at once; and a worker killed after its chat took its place, before it
sent: the chat that came first sends, once, when another worker takes it up."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from framework.channels.base import CollectingChannel
from framework.consents.service import Consents
from framework.runtime.turns import Runtime
from framework.stores.consents import MARKETING
from tests.broadcasts.rig import Crash, Rig, rig_on
from tests.broadcasts.test_once_per_contact import linked
from tests.stores.contract import KINDS

OFFER = "Angebot: 20 % auf alles!"
LEASE = 1.0
"""Seconds a worker's runtime holds a session: a killed one's is taken up after it. Real
seconds (the stores' leases are wall-clock): 0.2 ran out on a loaded CI machine before the
other chat was drained, and the killed worker's notice went out early."""


@pytest.fixture(params=KINDS)
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


class Workers:
    """Runtimes on the rig's stores, each a worker; one Telegram channel for them all."""

    def __init__(self, rig: Rig) -> None:
        self.rig, self.telegram = rig, CollectingChannel(name="telegram")

    def worker(self, fault: Callable[[str], None] | None = None) -> Runtime:
        rig = self.rig
        return Runtime(
            rig.sessions,
            {"shop": rig.bot},
            lease=LEASE,
            fault=fault,
            clock=rig.clock,
            channels={"whatsapp": rig.channel, "telegram": self.telegram},
            consents=Consents(rig.consents),
            broadcasts=rig.store,
            reach=rig.reach,
            contacts=rig.contacts,
            templates=rig.templates,
        )

    def told(self) -> Iterator[str]:
        """The channel of each message of the offer sent (as itself or a template)."""
        for channel in (self.rig.channel, self.telegram):
            for _bot, _to, entry in [*channel.sent, *channel.templates]:
                if entry.get("text") == OFFER:
                    yield channel.name


async def drained(worker: Runtime, rig: Rig, *keys: str) -> None:
    """The conversations' turns and deliveries on one worker, until nothing is due."""
    for _ in range(3):
        for key in keys:
            await worker.drain(key)
        await worker.tick(rig.now)


async def handed_then_linked(rig: Rig) -> tuple[str, str, str]:
    """Ada's Telegram and WhatsApp chats, each handed the offer, then linked: the chats and
    the broadcast's id."""
    tg, wa = await rig.grant(MARKETING, "telegram:81", "whatsapp:4917")
    offer = await rig.started()
    handed = await rig.steps(offer)
    assert (handed.queued, handed.elsewhere) == (2, 0)  # two people then
    await linked(rig, tg, wa)
    return tg, wa, offer


async def passed_over_once(rig: Rig, offer: str, sent: int) -> None:
    """The results: `sent`, and Ada's other chat not sent it (`failed: elsewhere`)."""
    results = await rig.store.results(offer)
    assert (results.sent, results.failed) == (sent, {"elsewhere": 1})


async def test_linked_after_one_chat_got_it_the_other_is_not_sent_it(
    kind: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    async with rig_on(kind, tmp_path, request.config, "") as rig:
        tg, ben, wa = await rig.grant(MARKETING, "telegram:81", "telegram:82", "whatsapp:4917")
        workers = Workers(rig)
        paced = rig.worker({"telegram": 2, "whatsapp": 2})  # one a second, as paced
        offer = await rig.started()
        await paced.sender.step()  # one Telegram notice a second: Ada's
        assert rig.reached(offer) == [tg]
        await drained(workers.worker(), rig, tg)
        assert list(workers.told()) == ["telegram"]
        await linked(rig, tg, wa)  # then she links her WhatsApp there, and writes on it last
        rig.now += 1
        done = await paced.sender.step()  # the mark names her WhatsApp chat now
        assert done is not None and rig.reached(offer) == [tg, ben, wa]
        await drained(workers.worker(), rig, ben, wa)
        assert list(workers.told()) == ["telegram", "telegram"]  # Ada's and Ben's
        await passed_over_once(rig, offer, sent=2)


async def test_linked_after_both_chats_were_handed_it_two_workers_send_it_once(
    kind: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    async with rig_on(kind, tmp_path, request.config, "") as rig:
        tg, wa, offer = await handed_then_linked(rig)
        workers = Workers(rig)
        one, two = workers.worker(), workers.worker()
        await asyncio.gather(drained(one, rig, tg), drained(two, rig, wa))
        assert len(list(workers.told())) == 1
        await passed_over_once(rig, offer, sent=1)


async def test_a_worker_killed_after_its_chat_took_its_place_the_chat_sends_once_later(
    kind: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    async with rig_on(kind, tmp_path, request.config, "") as rig:
        tg, wa, offer = await handed_then_linked(rig)
        workers, killed = Workers(rig), [False]

        def dies(stage: str) -> None:
            if stage == "after_engine" and not killed[0]:
                killed[0] = True
                raise Crash(stage)

        with pytest.raises(Crash):
            await workers.worker(dies).drain(tg)  # Ada's Telegram notice took its place
        await drained(workers.worker(), rig, wa)  # her WhatsApp chat comes after it
        assert list(workers.told()) == []
        await asyncio.sleep(LEASE * 2)  # the killed worker's lease runs out
        await drained(workers.worker(), rig, tg, wa)
        assert list(workers.told()) == ["telegram"]
        await passed_over_once(rig, offer, sent=1)
