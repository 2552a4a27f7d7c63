"""One step of the sending loop (`look_after_broadcasts`, run by every worker with `repeat`):
claim one sending broadcast, hand out the next pages of its holders after the cursor within the
step's budget and the bot's rules (rules.py), and save the cursor with the counts (which gives
the lease back).

Each holder gets a notice with the inbox id `broadcast:<id>`: an inbox keeps an id once, so a
worker that dies after handing out a page and before saving the cursor costs nothing but the
page handed out again (to the same conversations, who get nothing twice) once its lease runs
out. What the rules keep of a page is keyed the same way: the marketing sent is recorded by
broadcast id before the notices go (the page again is the same record, and a broadcast never
caps its own holders), and the daily limit counts a conversation once however often it is
taken. The holders are read page by page as the broadcast goes: a customer who said STOP
after it started is not among them any more. A page saved by a worker whose lease ran out and
was taken over is not saved (the other worker hands it out again, and nobody gets it twice).

The cursor moves past a holder only when they were handed the notice or passed over for good
(language, segment, cap, a hold); it stops before the first the step's budget, their quiet
hours or the daily limit does not allow. The holders' contacts (their tags, orders, time zone)
are read a page at a time, only when the segment or the quiet hours need them.
A broadcast that names a WhatsApp template stops before its first WhatsApp holder while the
template keeps it waiting (paused, disabled, or rated too low: rules.py `template_waiting`, read
once a step); its notices carry the template and the values of its body, so the runtime sends
them as it (framework/runtime/notice_templates.py).
A marketing broadcast stops there as well while Meta rates the bot's WhatsApp number at or
below `stop_at_quality` (rules.py `number_waiting`), and the daily limit is the number's
messaging limit when Meta set it lower (`daily_limit`).
A holder on a channel whose sender the messenger holds (a 429: pacing.py) stops it as well,
but its step is saved and its lease given back: the hold lasts seconds, and the next step goes
on when it ended.
A broadcast that waits (quiet hours, the daily limit reached) and hands out nothing
keeps its lease until it runs out, saving only why it waits: meanwhile the workers' steps go
to the other broadcasts (a notification in the night is not stuck behind an offer), and a
minute later one looks at it again.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any
from zoneinfo import ZoneInfo

from framework.broadcasts.once import Once
from framework.broadcasts.pacing import Budget, Senders
from framework.broadcasts.rules import (
    CAPPED,
    DAILY_LIMIT,
    DAY,
    ELSEWHERE,
    HELD_BACK,
    OUTSIDE,
    QUEUED,
    QUIET_HOURS,
    RATE_LIMITED,
    SKIPPED,
    Rated,
    daily_limit,
    marks_since,
    number_waiting,
    passed_over,
    quiet_for,
    template_waiting,
)
from framework.broadcasts.whatsapp_template import told_template
from framework.flows import Bot
from framework.flows.model import BroadcastRules
from framework.stores.broadcasts import Broadcast, BroadcastStore, advanced
from framework.stores.consents import MARKETING, ConsentStore, Holder
from framework.stores.contacts import Contact, ContactStore
from framework.stores.number_states import NumberState
from framework.stores.reach import Marks, ReachStore
from framework.stores.records import Inbox, InboxItem, iso_time
from framework.stores.segments import Segment, holdings
from framework.stores.template_states import TemplateStates
from framework.stores.whatsapp_templates import WhatsAppTemplate

__all__ = ["EVERY", "LEASE", "MOST", "PAGE", "WHATSAPP", "Sender", "channel_of"]

EVERY = 1.0
"""Seconds between two steps of a worker (the pacing's budgets are per step)."""
LEASE = 60.0
"""Seconds a worker holds a broadcast for one step; a worker that died gives it up then. A
waiting broadcast is looked at again after as long."""
PAGE = 500
"""Holders read at once."""
MOST = 5000
"""Notices one step hands out at most (without pacing: the benchmark, a test)."""
AT_ONCE = 100
"""Notices put into inboxes concurrently."""
WHATSAPP = "whatsapp"
"""The channel whose unique customers a day the bot's daily limit counts."""
ONCE_KEPT = 365 * DAY
"""Seconds a broadcast's choice of each linked contact's conversation is kept (once.py)."""


def channel_of(conversation: str) -> str:
    """The channel of a session key (`bot:channel:customer`)."""
    return conversation.split(":", 2)[1] if conversation.count(":") >= 2 else ""


@dataclass(slots=True)
class _Page:
    """What a step did: the cursor it reached, its holders by what became of them (QUEUED,
    SKIPPED, CAPPED, HELD_BACK), why it stopped waiting."""

    cursor: str
    counts: Counter[str] = field(default_factory=Counter)
    waiting: str = ""
    done: bool = False

    def saved(self, at: float) -> Callable[[Broadcast], Broadcast]:
        n = self.counts
        return advanced(
            self.cursor,
            n[QUEUED],
            n[SKIPPED],
            self.done,
            at,
            capped=n[CAPPED],
            held_back=n[HELD_BACK],
            waiting=self.waiting,
            outside=n[OUTSIDE],
            elsewhere=n[ELSEWHERE],
        )


@dataclass(frozen=True, slots=True)
class _Step:
    """What one step of one broadcast decides by: the bot's rules and zone, its segment."""

    broadcast: Broadcast
    rules: BroadcastRules
    zone: ZoneInfo
    segment: Segment
    budget: Budget
    now: float
    template_wait: str = ""
    """Why its WhatsApp template or number keeps it from WhatsApp holders now ("": nothing)."""
    limit: int | None = None
    """The daily limit of unique WhatsApp customers (None: none): the bot's, or its number's."""
    held: dict[str, bool] = field(default_factory=dict)
    """Channel -> whether the messenger holds the bot's sender there now (asked once a step)."""


def _waiting(why: str) -> Callable[[Broadcast], Broadcast]:
    return lambda broadcast: replace(broadcast, waiting=why)


class Sender:
    def __init__(
        self,
        store: BroadcastStore,
        consents: ConsentStore,
        reach: ReachStore,
        inbox: Inbox,
        bots: Mapping[str, Bot],
        owner: str,
        clock: Callable[[], float],
        rates: Mapping[str, int] | None,
        fault: Callable[[str], None] | None = None,
        contacts: ContactStore | None = None,
        templates: TemplateStates | None = None,
        senders: Mapping[str, Senders] | None = None,
    ) -> None:
        self.store, self._consents, self._reach, self._inbox = store, consents, reach, inbox
        self._contacts, self._templates, self._senders = contacts, templates, senders or {}
        self._bots, self._owner, self._clock, self.rates = bots, owner, clock, rates
        self._fault = fault or (lambda stage: None)
        self.once = Once(reach, consents)

    async def step(self) -> Broadcast | None:
        """One broadcast's next pages handed out; the broadcast as saved (None: nothing was
        sending, or another worker took it over meanwhile)."""
        now = self._clock()
        claimed = await self.store.claim(self._owner, now, LEASE)
        if claimed is None:
            return None
        rules, zone = self._rules_of(claimed.bot)
        since = now - claimed.stepped_at if claimed.stepped_at else EVERY
        budget = Budget(self.rates, min(max(since, 0.0), EVERY), MOST)
        segment = Segment.parse(claimed.segment)
        number = await self._rating(claimed.bot)
        wait = await self._template_wait(claimed, rules) or number_waiting(claimed, number, rules)
        limit = daily_limit(rules, number)
        step = _Step(claimed, rules, zone, segment, budget, now, wait, limit=limit)
        page = await self._hand_out(step)
        self._fault("broadcast_handed_out")
        idle = page.waiting and page.cursor == claimed.cursor and not page.counts
        if idle and page.waiting != RATE_LIMITED:  # a hold lasts seconds: the lease goes back
            return await self._wait(claimed, page.waiting)
        return await self.store.change(claimed.id, page.saved(self._clock()), self._owner)

    def _rules_of(self, name: str) -> tuple[BroadcastRules, ZoneInfo]:
        bot = self._bots.get(name)
        if bot is None:  # not served here (a benchmark): nothing held back
            return BroadcastRules(), ZoneInfo("UTC")
        return bot.broadcasts, bot.business.timezone

    async def _template_wait(self, broadcast: Broadcast, rules: BroadcastRules) -> str:
        """What Meta last said of its template keeps it waiting: why ("": nothing)."""
        if not broadcast.whatsapp_template or self._templates is None:
            return ""
        template = WhatsAppTemplate.parse(broadcast.whatsapp_template)
        states = await self._templates.of_template(template.name)
        ours = [states[code] for code in set(template.languages.values()) if code in states]
        return template_waiting(broadcast, ours, rules)

    async def _rating(self, bot: str) -> NumberState | None:
        """What Meta last said of the bot's WhatsApp number (None: nothing, or no WhatsApp)."""
        whatsapp = self._senders.get(WHATSAPP)
        return await whatsapp.rating(bot) if isinstance(whatsapp, Rated) else None

    async def _wait(self, broadcast: Broadcast, why: str) -> Broadcast | None:
        """Only why it waits saved: the lease stays until it runs out (the docstring above)."""
        if broadcast.waiting == why:
            return broadcast
        return await self.store.change(broadcast.id, _waiting(why))

    async def _hand_out(self, step: _Step) -> _Page:
        broadcast, now = step.broadcast, step.now
        page = _Page(broadcast.cursor)
        more: dict[str, Any] = {}
        if broadcast.whatsapp_template:
            bot = self._bots.get(broadcast.bot)
            template = WhatsAppTemplate.parse(broadcast.whatsapp_template)
            language = bot.business.language if bot is not None else ""
            more["whatsapp_template"] = told_template(
                template, broadcast.values, language, broadcast.purpose
            )
        item = InboxItem.notice(
            f"broadcast:{broadcast.id}",
            iso_time(now),
            broadcast.text,
            broadcast.values,
            broadcast.purpose,
            **more,
        )
        while True:
            holders = await self._consents.holders(
                broadcast.bot, broadcast.purpose, page.cursor, PAGE
            )
            taken = await self._taken(step, holders, page)
            await self._enqueue(taken, item)
            if holders and page.cursor != holders[-1].conversation:
                return page  # the budget or the daily limit ran out within the page
            if len(holders) < PAGE:
                page.done = True  # the last page, all of it handed out
                return page

    async def _taken(self, step: _Step, holders: list[Holder], page: _Page) -> list[str]:
        """The conversations of `holders` to send to now, moving the page's cursor past them
        and past those passed over for good; stops at the first the budget, their quiet hours
        or the daily limit does not allow. The marketing among them is recorded before it
        goes."""
        broadcast, rules, now = step.broadcast, step.rules, step.now
        conversations = [holder.conversation for holder in holders]
        contacts = await self._contacts_of(conversations, broadcast.bot)
        marks = await self._marks(broadcast, conversations, contacts, rules, now)
        held = await holdings(self._consents, broadcast.bot, step.segment, conversations)
        ones = await self.once.ones(
            broadcast.bot,
            f"broadcast:{broadcast.id}",
            broadcast.purpose,
            conversations,
            contacts,
            (now, now + ONCE_KEPT),
            step.segment.channels,
        )
        decided: list[tuple[str, str]] = []
        for holder in holders:
            contact, also = contacts.get(holder.conversation), held[holder.conversation]
            mark = marks.get(holder.conversation)
            what = passed_over(broadcast, holder, mark, rules, now, (step.segment, contact, also))
            if holder.conversation not in ones:
                what = ELSEWHERE  # another conversation of their contact gets it (or got it)
            if what is None and quiet_for(broadcast, contact, rules, step.zone, now):
                page.waiting = QUIET_HOURS
                break
            channel = channel_of(holder.conversation)
            if what is None and step.template_wait and channel == WHATSAPP:
                page.waiting = step.template_wait
                break
            if what is None and await self._held(step, channel):
                page.waiting = RATE_LIMITED
                break
            if what is None and not step.budget.take(channel):
                break
            decided.append((holder.conversation, what or QUEUED))
        decided = await self._within_limit(broadcast, decided, step.limit, page, now)
        for conversation, what in decided:
            page.counts[what] += 1
            page.cursor = conversation
        taken = [conversation for conversation, what in decided if what == QUEUED]
        if broadcast.purpose == MARKETING and taken:
            await self._reach.marketed(broadcast.bot, broadcast.id, taken, now)
        return taken

    async def _held(self, step: _Step, channel: str) -> bool:
        """The messenger holds the bot's sender on `channel` (pacing.py)."""
        if channel not in step.held:
            sender = self._senders.get(channel)
            wait = await sender.held(step.broadcast.bot) if sender is not None else 0.0
            step.held[channel] = wait > 0
        return step.held[channel]

    async def _contacts_of(self, conversations: list[str], bot: str) -> dict[str, Contact]:
        """The holders' contacts (their conversations, tags, orders, time zone)."""
        if self._contacts is None or not conversations:
            return {}
        return await self._contacts.many(bot, conversations)

    async def _marks(
        self,
        broadcast: Broadcast,
        conversations: list[str],
        contacts: Mapping[str, Contact],
        rules: BroadcastRules,
        now: float,
    ) -> dict[str, Marks]:
        """Per holder of a marketing broadcast: the marketing sent to any conversation of
        their contact (the cap counts the contact's), and their own conversation's hold
        (WhatsApp's 131049 is the number's customer's)."""
        if broadcast.purpose != MARKETING or not conversations:
            return {}
        every = set(conversations)
        for conversation in conversations:
            found = contacts.get(conversation)
            every.update(found.conversations if found else ())
        since = marks_since(rules, now)
        kept = await self._reach.marks(broadcast.bot, sorted(every), since)
        merged = {}
        for conversation in conversations:
            found = contacts.get(conversation)
            theirs = found.conversations if found else (conversation,)
            sent = {b: at for c in theirs if c in kept for b, at in kept[c].sent.items()}
            own = kept.get(conversation)
            if sent or own:
                merged[conversation] = Marks(sent, own.held_until if own else 0.0)
        return merged

    async def _within_limit(
        self,
        broadcast: Broadcast,
        decided: list[tuple[str, str]],
        limit: int | None,
        page: _Page,
        now: float,
    ) -> list[tuple[str, str]]:
        """`decided` up to the first WhatsApp conversation the daily `limit` has no room for
        (the page then waits for it); those before it are counted against the limit."""
        wanted = [c for c, what in decided if what == QUEUED and channel_of(c) == WHATSAPP]
        if limit is None or not wanted:
            return decided
        fit = await self._reach.reach(broadcast.bot, WHATSAPP, wanted, now - DAY, now, limit)
        if fit == len(wanted):
            return decided
        page.waiting = DAILY_LIMIT
        return decided[: decided.index((wanted[fit], QUEUED))]

    async def _enqueue(self, conversations: list[str], item: InboxItem) -> None:
        for start in range(0, len(conversations), AT_ONCE):
            batch = conversations[start : start + AT_ONCE]
            await asyncio.gather(*(self._inbox(conversation, item) for conversation in batch))
