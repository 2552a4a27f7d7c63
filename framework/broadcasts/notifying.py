"""Notifications (`POST /api/notify`, `theke notify`): the business's system tells every contact
holding the consent `notify:<topic>` what happened, once per event key.

- **Once per contact**: a customer who linked WhatsApp and Telegram hears the news on one of
  them (once.py), the channel they wrote on last.
- **Once per key, for 30 days** (KEPT): each conversation a key reached keeps a mark in the reach
  store (a digest of the key and the conversation, naming nobody). Posting the key again within
  a day hands the notice out again and the inbox, which keeps an id once for a day
  (`StoreLimits.result_ttl`), takes it once: a post cut short by a crash is healed by posting it
  again. After that the mark alone says it was done, so an event redelivered days later
  notifies nobody.
- **WhatsApp's daily messaging limit** (the bot's `broadcasts.daily_limit`): the WhatsApp
  conversations are counted with the broadcasts' against the moving 24 hours in the reach
  store; those over it are not reached now and are `waiting`: the same key posted again later
  reaches them (and nobody twice).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from framework.broadcasts.once import Once, digest
from framework.broadcasts.rules import DAY
from framework.flows import Bot
from framework.stores.consents import NOTIFY, ConsentStore
from framework.stores.contacts import ContactStore
from framework.stores.reach import ReachStore
from framework.stores.records import Inbox, InboxItem, iso_time

__all__ = ["KEPT", "Notified", "Notifier"]

KEPT = 30 * DAY
"""Seconds a notification's key is remembered: posted again within them, it notifies nobody
it reached."""
WHATSAPP = "whatsapp"


@dataclass(frozen=True, slots=True)
class Notified:
    """What a notification did: conversations it went to now, those already reached by its
    key before (`already`), and WhatsApp ones over the daily limit (`waiting`: the same key
    posted again later reaches them)."""

    notified: int = 0
    already: int = 0
    waiting: int = 0

    def __add__(self, other: Notified) -> Notified:
        return Notified(
            self.notified + other.notified,
            self.already + other.already,
            self.waiting + other.waiting,
        )


class Notifier:
    def __init__(
        self,
        ledger: ConsentStore,
        inbox: Inbox,
        reach: ReachStore,
        contacts: ContactStore | None,
        bots: Mapping[str, Bot],
        clock: Callable[[], float] = time.time,
        fresh: float = DAY,
    ) -> None:
        """`fresh`: seconds the inboxes keep an item's id (`StoreLimits.result_ttl`)."""
        self._ledger, self._inbox, self._reach, self._contacts = ledger, inbox, reach, contacts
        self._bots, self._clock, self._fresh = bots, clock, fresh
        self._once = Once(reach, ledger)

    async def notify(
        self, bot: str, topic: str, text: str, values: Mapping[str, str], key: str, **more: Any
    ) -> Notified:
        """The bot's text `text` with `values`, as a notice into the one conversation of every
        contact holding `notify:<topic>`, once per `key`; `more`: what else the notice tells
        the runtime (its WhatsApp template). The notice names its purpose, so a conversation
        that withdraws it before the notice is said or sent hears nothing
        (runtime/notice_consent.py)."""
        now, purpose, notice = self._clock(), NOTIFY + topic, f"notify:{key}"
        item = InboxItem.notice(notice, iso_time(now), text, values, purpose, **more)
        done, after = Notified(), ""
        while page := await self._ledger.holders(bot, purpose, after):
            after = page[-1].conversation
            conversations = [holder.conversation for holder in page]
            contacts = await self._contacts.many(bot, conversations) if self._contacts else {}
            times = (now, now + KEPT)
            ones = await self._once.ones(bot, notice, purpose, conversations, contacts, times)
            chosen = [c for c in conversations if c in ones]
            new, again, already = await self._marked(bot, notice, chosen, now)
            fit, waiting = await self._within_limit(bot, new, now)
            stamp = repr(now)
            await self._reach.once(bot, {digest(notice, c): stamp for c in fit}, *times)
            for conversation in sorted(fit + again):
                await self._inbox(conversation, item)
            done += Notified(len(fit) + len(again), already, waiting)
        return done

    async def _marked(
        self, bot: str, notice: str, conversations: list[str], now: float
    ) -> tuple[list[str], list[str], int]:
        """`conversations` the notice has not reached; those it was handed to within the day
        (again: the inbox takes it once, and the daily limit counted them then); and how many
        it reached more than a day ago (done)."""
        marks = {digest(notice, c): c for c in conversations}
        found = {
            marks[d]: float(at)
            for d, at in (await self._reach.marked(bot, list(marks), now)).items()
        }
        new = [c for c in conversations if c not in found]
        again = [c for c, at in found.items() if at > now - self._fresh]
        return new, again, len(found) - len(again)

    async def _within_limit(
        self, bot: str, conversations: list[str], now: float
    ) -> tuple[list[str], int]:
        """`conversations` without the WhatsApp ones the daily limit has no room for now (the
        first it refuses and every WhatsApp one after it), and how many those are."""
        served = self._bots.get(bot)
        limit = served.broadcasts.daily_limit if served is not None else None
        wanted = [c for c in conversations if c.split(":", 2)[1:2] == [WHATSAPP]]
        if limit is None or not wanted:
            return conversations, 0
        fit = await self._reach.reach(bot, WHATSAPP, wanted, now - DAY, now, limit)
        over = set(wanted[fit:])
        return [c for c in conversations if c not in over], len(over)
