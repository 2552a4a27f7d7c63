"""A notice for a conversation the session store does not know — a consent imported for a
customer who never wrote, or one whose session is gone — is never lost: the runtime starts a
fresh session for it and sends it on its channel (WhatsApp: the bot's template, the 24-hour
window being closed; Telegram: an ordinary message), counted as sent; one that cannot go is
counted as failed with its reason. Broadcasts and notifications alike, on SQLite and Redis,
through the runtime and its delivery to collecting channels."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from framework.broadcasts.notifying import Notifier
from framework.channels import telegram_out, whatsapp_out
from framework.channels.base import CollectingChannel
from framework.consents.service import Consents
from framework.runtime.sending import SendFailure
from framework.runtime.turns import Runtime
from framework.stores.broadcasts import Results
from framework.stores.consents import MARKETING
from framework.stores.records import InboxItem, SessionKey, iso_time
from tests.broadcasts.rig import DAY, KINDS, Rig, rig_on

OFFER, DELAYED = "Angebot: 20 % auf alles!", "Ihr Flug hat Verspätung."
FLIGHT = "flight:LH1234:2026-12-02"


@dataclass
class TelegramLike(CollectingChannel):
    """Collects what it sends, addressed as the Telegram channel addresses a customer."""

    def address_of(self, customer: str) -> Mapping[str, Any] | None:
        return telegram_out.address_of(customer)


class Unknown:
    """The rig's stores with a runtime that pushes to WhatsApp (24-hour window) and Telegram."""

    def __init__(self, rig: Rig) -> None:
        self.rig = rig
        self.whatsapp = rig.channel
        self.telegram = TelegramLike(name="telegram")
        self.runtime = Runtime(
            rig.sessions,
            {"shop": rig.bot},
            clock=rig.clock,
            channels={"whatsapp": self.whatsapp, "telegram": self.telegram},
            reach=rig.reach,
            contacts=rig.contacts,
            broadcasts=rig.store,
            consents=Consents(rig.consents),
        )

    async def drain(self, *keys: str) -> None:
        """Every conversation's turns and deliveries, until nothing is due."""
        for _ in range(3):
            for key in keys:
                await self.runtime.drain(key)
            await self.runtime.tick(self.rig.now)


@pytest.fixture(params=KINDS)
async def world(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Unknown]:
    async with rig_on(str(request.param), tmp_path, request.config, "") as rig:
        yield Unknown(rig)


def texts(out: list[tuple[str, dict[str, object], dict[str, object]]]) -> list[tuple[dict, str]]:
    return [(address, str(entry.get("text"))) for _bot, address, entry in out]


async def test_a_broadcast_reaches_customers_who_never_wrote_on_their_channel(
    world: Unknown,
) -> None:
    rig = world.rig
    keys = await rig.grant(MARKETING, "whatsapp:491701", "telegram:8841", "telegram:-1001")
    offer = await rig.started()
    await rig.steps(offer)
    assert rig.reached(offer) == sorted(keys)
    await world.drain(*keys)
    assert texts(world.whatsapp.templates) == [({"to": "491701"}, OFFER)]  # window closed
    assert world.whatsapp.sent == []
    assert sorted(texts(world.telegram.sent), key=str) == [
        ({"chat_id": -1001}, OFFER),
        ({"chat_id": 8841}, OFFER),
    ]
    assert await rig.store.results(offer) == Results(sent=3)
    for key in keys:  # each has a session now: a reply continues it
        peeked = await rig.sessions.peek(key)
        assert peeked is not None and peeked.session is not None
    address = {"address": {"chat_id": 8841}}
    answer = InboxItem.message("m-1", iso_time(rig.now + 60), "super", None, address)
    await world.runtime.submit(SessionKey.parse(keys[1]), answer)
    assert (await rig.store.results(offer)).replies == 1


async def test_a_notification_reaches_a_traveller_whose_session_is_gone(world: Unknown) -> None:
    rig = world.rig
    [ada] = await rig.grant(f"notify:{FLIGHT}", "whatsapp:491701")
    hello = InboxItem.message("m-0", iso_time(rig.now), "hi", None, {"address": {"to": "491701"}})
    await world.runtime.submit(SessionKey.parse(ada), hello)
    await world.drain(ada)
    assert await rig.sessions.erase(ada)  # the session and everything of it gone
    rig.now += 2 * DAY
    notify = Notifier(rig.consents, rig.sessions.enqueue, rig.reach, rig.contacts, {}, rig.clock)
    assert (await notify.notify("shop", FLIGHT, "delayed", {}, "evt-1")).notified == 1
    await world.drain(ada)
    assert texts(world.whatsapp.templates) == [({"to": "491701"}, DELAYED)]


async def test_what_cannot_go_is_counted_failed_with_its_reason(world: Unknown) -> None:
    rig = world.rig
    keys = await rig.grant(MARKETING, "whatsapp:491701", "telegram:not-a-chat")
    world.whatsapp.fail = [SendFailure("the bot has no template", window_closed=True)]
    offer = await rig.started()
    await rig.steps(offer)
    await world.drain(*keys)
    assert world.telegram.sent == [] and world.whatsapp.templates == []
    results = await rig.store.results(offer)
    assert (results.sent, results.failed) == (0, {"window_closed": 1, "unreachable": 1})


def test_the_channels_address_a_customer_by_the_id_in_the_session_key() -> None:
    assert whatsapp_out.address_of("4917012345") == {"to": "4917012345"}
    assert whatsapp_out.address_of("US.13491208655302741918") == {
        "recipient": "US.13491208655302741918"
    }
    assert telegram_out.address_of("8841") == {"chat_id": 8841}
    assert telegram_out.address_of("-1001234") == {"chat_id": -1001234}
    for odd in ("", "-", "ada", "12a", "1" * 30, "٣٤٥"):
        assert telegram_out.address_of(odd) is None
