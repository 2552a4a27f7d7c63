"""A shop's broadcasts on real stores (SQLite, Redis) with a clock the test moves: the session
store's inboxes, the consent ledger, the broadcast store and the reach store opened on one URL
as a deployment's worker opens them, the runtime delivering to a collecting WhatsApp channel,
and a record of which conversation's inbox took which broadcast's notice (an inbox keeps an
id once: what it took twice would show here twice)."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from framework.broadcasts.service import Broadcasts
from framework.channels.base import CollectingChannel
from framework.consents.service import Consents
from framework.flows import Bot, load_bot
from framework.runtime.turns import Runtime
from framework.stores.broadcasts import DONE, Broadcast
from framework.stores.consents import GRANTED, Consent
from framework.stores.opening import (
    StoreURL,
    open_broadcasts,
    open_consents,
    open_contacts,
    open_reach,
    open_store,
    open_template_states,
)
from framework.stores.records import InboxItem, StoreLimits
from framework.stores.segments import Segment
from framework.stores.whatsapp_templates import WhatsAppTemplate
from tests.stores.contract import delete_keys, store_url

KINDS = ["sqlite", "redis"]
NIGHT = 1796158800.0  # Tuesday 2026-12-01 22:00 in Berlin (21:00 UTC)
HOUR, DAY = 3600.0, 86400.0
BOT = """
name: shop
business:
  name: Laden Lina
  locale: de-DE
  languages: [de, en]
  currency: EUR
  timezone: Europe/Berlin
texts:
  offer:
    de: "Angebot: 20 % auf alles!"
  delayed:
    de: "Ihr Flug hat Verspätung."
flows:
  start:
    steps:
      - say: "Hallo!"
"""


class Crash(Exception):
    """A worker dying between handing out a page and saving its cursor."""


class Rig:
    def __init__(self, bot: Bot, url: str, folder: Path) -> None:
        self.bot, self.url, self.folder, self.now = bot, url, folder, NIGHT
        self.got: Counter[tuple[str, str]] = Counter()
        """(conversation, broadcast id) -> notices its inbox took."""
        self.crash = False
        self.channel = CollectingChannel(name="whatsapp", window=DAY)

    def clock(self) -> float:
        return self.now

    def fault(self, stage: str) -> None:
        if stage == "broadcast_handed_out" and self.crash:
            self.crash = False
            raise Crash(stage)

    async def open(self) -> None:
        self.sessions = await open_store(self.url, StoreLimits(), self.folder)
        self.consents = await open_consents(self.url, self.folder)
        self.reach = await open_reach(self.url, self.folder)
        self.store = await open_broadcasts(self.url, self.folder)
        self.contacts = await open_contacts(self.url, self.folder)
        self.templates = open_template_states(self.url, self.folder)
        self.runtime = Runtime(
            self.sessions,
            {"shop": self.bot},
            clock=self.clock,
            channels={"whatsapp": self.channel},
            consents=Consents(self.consents),
            broadcasts=self.store,
            reach=self.reach,
            contacts=self.contacts,
            templates=self.templates,
        )
        self.broadcasts = self.worker()

    def worker(self, rates: Mapping[str, int] | None = None) -> Broadcasts:
        """Another worker's broadcasts on the same stores (`rates`: paced by them)."""
        return Broadcasts(
            self.store,
            self.consents,
            {"shop": self.bot},
            self._inbox,
            self.clock,
            rates=rates,
            fault=self.fault,
            reach=self.reach,
            contacts=self.contacts,
            templates=self.templates,
        )

    async def close(self) -> None:
        for opened in (self.sessions, self.consents, self.reach, self.store, self.contacts):
            await opened.close()
        await self.templates.close()

    async def _inbox(self, conversation: str, item: InboxItem) -> None:
        if await self.sessions.enqueue(conversation, item):
            self.got[conversation, item.id.removeprefix("broadcast:")] += 1

    async def grant(self, purpose: str, *customers: str) -> list[str]:
        """Customers (`channel:id`) agree to `purpose`; their conversations."""
        keys = [f"shop:{customer}" for customer in customers]
        for key in keys:
            channel = key.split(":")[1]
            entry = Consent("shop", key, purpose, GRANTED, "Angebote?", channel, "flow:x", self.now)
            await self.consents.record(entry)
        return keys

    async def started(
        self,
        purpose: str = "marketing",
        text: str = "offer",
        segment: Segment | None = None,
        template: WhatsAppTemplate | None = None,
        values: Mapping[str, str] | None = None,
    ) -> str:
        made = await self.broadcasts.create(
            "shop", text, values or {}, purpose, "", segment, template
        )
        await self.broadcasts.act(made.id, "send")
        return made.id

    async def steps(self, broadcast_id: str, most: int = 20) -> Broadcast:
        """Steps of the sending loop until it is done, or `most` of them."""
        for _ in range(most):
            found = await self.broadcasts.get(broadcast_id)
            if found.status == DONE:
                return found
            await self.broadcasts.sender.step()
        return await self.broadcasts.get(broadcast_id)

    def reached(self, broadcast_id: str) -> list[str]:
        return sorted(key for key, sent in self.got if sent == broadcast_id)


@asynccontextmanager
async def rig_on(
    kind: str, folder: Path, config: pytest.Config, settings: str
) -> AsyncIterator[Rig]:
    """The shop with `settings` (its `broadcasts:` section) on a store of `kind`."""
    bot_folder = folder / "shop"
    bot_folder.mkdir()
    (bot_folder / "bot.yaml").write_text(BOT + settings, encoding="utf-8")
    prefix = f"test-rules-{uuid.uuid4().hex[:20]}"
    url = store_url(kind, folder, config, prefix)
    rig = Rig(load_bot(bot_folder), url, folder)
    await rig.open()
    try:
        yield rig
    finally:
        await rig.close()
        if kind.startswith("redis"):
            await delete_keys(StoreURL.parse(url).url, prefix)
