"""Turns, exactly as DESIGN.md draws them.

    enqueue (dedupe) → lease the session → load → engine → commit (state, log, timers)
    → the caller reads the turn's log entries (its replies)

An item stays in the inbox until the commit that consumes it, so a worker that dies at any
point leaves it for another worker (or itself after a restart): nothing is lost, and the
engine's purity plus the item's own timestamp make the replayed turn the same turn.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar, cast

from framework.actions.answers import answered_once
from framework.actions.performing import BotActions, Where, request_id
from framework.errors import TurnTimeout
from framework.flows import Bot, Message, Record, Reply, new_session, step
from framework.flows.engine import SessionError, StepResult
from framework.flows.events import (
    ActionDone,
    ActionRequest,
    Event,
    Notice,
    OrderUpdate,
    PaymentRequest,
    SetTimer,
)
from framework.flows.requests import Request, answer_requests_async
from framework.logs import pseudonym
from framework.runtime.broadcast_results import BroadcastResults
from framework.runtime.consent_signals import CONSENT, consent_turn
from framework.runtime.delivery import (
    Delivery,
    chosen_payload,
    delivery_timer,
    is_delivery,
    note_customer_message,
)
from framework.runtime.inbox_events import EVENTS
from framework.runtime.linked_consent import LINKED_CONSENT, linked_consent_turn, span_consent
from framework.runtime.log_entries import numbered, reply_entry
from framework.runtime.loops import repeat
from framework.runtime.metrics import Metrics
from framework.runtime.notice_consent import NoticeConsent
from framework.runtime.notice_once import OncePerContact
from framework.runtime.publishing import EventSink, publish
from framework.runtime.sending import PushChannel
from framework.runtime.turn_writes import hand_over, note_consent, note_contact
from framework.stores.reach import ReachStore
from framework.stores.records import (
    HANDOFF,
    MESSAGE,
    NOTE,
    NOTICE,
    ORDER,
    STATUS,
    TICKET,
    TIMER,
    Claim,
    Commit,
    InboxItem,
    LogEntry,
    SessionKey,
)
from framework.stores.session_store import Store, StoreError
from framework.stores.template_states import TemplateStates

if TYPE_CHECKING:
    from framework.consents.service import Consents
    from framework.handoffs.service import Handoffs
    from framework.payments.service import Payments
    from framework.stores.broadcasts import BroadcastStore
    from framework.stores.contacts import ContactStore

__all__ = ["FAULT_STAGES", "Runtime", "TurnTimeout"]

T = TypeVar("T")

log = logging.getLogger("theke.runtime")

FAULT_STAGES = ("after_dedupe", "after_engine", "after_commit", "before_delivery")
"""Where a turn can be interrupted by an injected fault (tests kill a worker there with SIGKILL);
payments add PAYMENT_APPLIED (payments/service.py)."""


ACTIVE_WINDOW = 15 * 60.0
"""A session counts as active for the metrics this long after its last turn."""
MAX_DRAINS = 2000
"""Sessions a worker's background step keeps draining at once (a backlog after a restart)."""
LEASE_SHARE = 0.8
"""The share of a session's lease a turn's actions may use: the commit must come before the
lease ends, or another worker runs the turn again."""


@dataclass(slots=True)
class _TurnRequests:
    """The requests one turn makes: numbered, so each has an id stable across a replay."""

    key: SessionKey
    item_id: str
    deadline: float
    """time.monotonic() by which the turn's actions must be done."""
    made: int = 0

    def request_id(self) -> str:
        """Unique across sessions (item ids are unique only within one), naming neither."""
        return request_id(f"{self.key}\n{self.item_id}", self.made)


def _deliver_now(commit: Commit, now: float) -> bool:
    return any(
        is_delivery(name) and due is not None and due <= now for name, due in commit.timers.items()
    )


Handler = Callable[[Bot, SessionKey, Claim, InboxItem], Awaitable[Commit]]


class Runtime:
    def __init__(
        self,
        store: Store,
        bots: Mapping[str, Bot],
        *,
        lease: float = 5.0,
        settle: float | None = None,
        metrics: Metrics | None = None,
        fault: Callable[[str], None] | None = None,
        clock: Callable[[], float] = time.time,
        answer_within: float = 15.0,
        payments: Payments | None = None,
        channels: Mapping[str, PushChannel] | None = None,
        actions: Mapping[str, BotActions] | None = None,
        events: EventSink | None = None,
        handoffs: Handoffs | None = None,
        consents: Consents | None = None,
        reach: ReachStore | None = None,
        broadcasts: BroadcastStore | None = None,
        contacts: ContactStore | None = None,
        templates: TemplateStates | None = None,
    ) -> None:
        self.store = store
        self.contacts = contacts
        """The contacts each customer message, paid order and `tag:` step updates."""
        self.payments = payments
        self.actions = actions or {}
        self.events, self.handoffs, self.consents = events, handoffs, consents
        self.bots = bots
        self.owner = uuid.uuid4().hex[:12]
        self.metrics = metrics or Metrics()
        self.metrics.worker.labels(self.owner).set(1)
        self._lease, self._fault = lease, fault or (lambda stage: None)
        ledger = consents.store if consents else None
        self.results = BroadcastResults(broadcasts, ledger)
        """A broadcast's results as its messages go out and are answered."""
        self.notices = NoticeConsent(ledger, self.results, OncePerContact(contacts, reach), clock)
        """Whether a notice's purpose is held, as it is said and as it leaves."""
        self.delivery = Delivery(
            store,
            channels or {},
            self.metrics,
            reach,
            self.results,
            templates,
            settle,
            self.notices,
        )
        self._handlers: Mapping[str, Handler] = {
            MESSAGE: self._converse,
            TIMER: self._timer,
            ORDER: self._converse,
            TICKET: self._converse,
            HANDOFF: self._converse,
            NOTICE: self.notices.guarding(self._converse),
            STATUS: self._status,
            NOTE: self._note,
            CONSENT: partial(consent_turn, self),
            LINKED_CONSENT: partial(linked_consent_turn, self),
        }
        """What each kind of inbox item does (records.py lists the kinds)."""
        self._locks: dict[str, asyncio.Lock] = {}
        self._clock = clock
        self.answer_within = answer_within
        self._active: OrderedDict[str, float] = OrderedDict()
        """When each session had its last turn here, the least recent first."""
        self._waiting: set[tuple[str, str]] = set()
        self._committed: dict[tuple[str, str], list[LogEntry]] = {}
        """Entries of turns this worker just committed, saving a read for their waiting caller."""
        self._background: set[asyncio.Future[Any]] = set()

    async def accept(self, key: str, item: InboxItem) -> asyncio.Future[int] | None:
        """Queue an item and run its turn in the background: for webhooks, which are answered
        before the turn runs. The running turn, or None for a duplicate."""
        if not await self.store.enqueue(key, item):
            self.metrics.duplicates.inc()
            return None
        return self.spawn(self.drain(key))

    def problem(self, channel: str, kind: str) -> None:
        """A messenger's webhook brought something no conversation can use: counted by kind."""
        self.metrics.channel_problems.labels(channel, kind).inc()

    def spawn(self, work: Awaitable[T]) -> asyncio.Future[T]:
        """Run `work` in the background, kept referenced until it is done."""
        task = asyncio.ensure_future(work)
        self._background.add(task)
        task.add_done_callback(self._background.discard)
        return task

    async def submit(self, key: SessionKey, item: InboxItem) -> list[LogEntry]:
        """Hand an item to its session and wait for the log entries its turn produced.

        A duplicate (same id) is not processed again: it gets the first delivery's entries.
        """
        name = str(key)
        self._waiting.add((name, item.id))
        try:
            return await self._submit(name, item)
        finally:
            self._waiting.discard((name, item.id))
            self._committed.pop((name, item.id), None)

    async def _submit(self, name: str, item: InboxItem) -> list[LogEntry]:
        if not await self.store.enqueue(name, item):
            self.metrics.duplicates.inc()
        self._fault("after_dedupe")
        deadline, delay = time.monotonic() + self.answer_within, 0.002
        while True:
            await self.drain(name)
            entries = self._committed.pop((name, item.id), None)
            if entries is None:
                entries = await self.store.result(name, item.id)
            if entries is not None:
                self._fault("before_delivery")
                return entries
            if time.monotonic() > deadline:
                raise TurnTimeout(f"message {item.id!r} was accepted but not answered in time")
            await asyncio.sleep(delay)  # another worker holds the session
            delay = min(delay * 2, 0.05)

    async def drain(self, key: str) -> int:
        """Run the session's waiting items while this worker can lease it; how many ran."""
        lock = self._locks.get(key)
        if lock is None:
            lock = self._locks[key] = asyncio.Lock()
        try:
            async with lock:
                return await self._drain(key)
        finally:
            if not lock.locked() and self._locks.get(key) is lock:
                del self._locks[key]

    async def _drain(self, key: str) -> int:
        processed = 0
        claim = await self.store.claim(key, self.owner, self._lease)
        while claim is not None:
            started, item = time.perf_counter(), claim.item
            commit = await self._turn(key, claim, item)
            self._fault("after_engine")
            outcome = await self.store.commit(claim, commit)
            if outcome is False:
                log.warning("lease lost before commit", extra={"session": pseudonym(key)})
                return processed
            self._fault("after_commit")
            self.metrics.turn_seconds.observe(time.perf_counter() - started)
            if (key, item.id) in self._waiting:
                self._committed[key, item.id] = numbered(commit.entries, claim.seq)
            self._active[key] = self._clock()
            self._active.move_to_end(key)
            processed += 1
            claim = outcome if isinstance(outcome, Claim) else None
            if claim is None and _deliver_now(commit, self._clock()):
                await self.store.fire_timers(self._clock())  # the delivery turn, right away
                claim = await self.store.claim(key, self.owner, self._lease)
        return processed

    async def _turn(self, key: str, claim: Claim, item: InboxItem) -> Commit:
        """Engine steps, the payment requests they make, and what to commit.

        Never raises (poison items)."""
        session_key = SessionKey.parse(key)
        bot = self.bots.get(session_key.bot)
        if bot is None:
            log.error(
                "item for a bot this deployment does not serve", extra={"session": pseudonym(key)}
            )
            return Commit(item.id, claim.session or {}, claim.profile, [])
        try:
            return await self._step(bot, session_key, claim, item)
        except StoreError:
            raise  # the store is out: the item stays for a later try, nothing is committed
        except Exception:  # a bug must not block the session's inbox forever
            log.exception("turn failed", extra={"session": pseudonym(key), "bot": bot.name})
            self.metrics.errors.labels(bot.name).inc()
            apology = bot.texts["error"].template(bot.business.language, "").source
            return Commit(
                item.id, claim.session or {}, claim.profile, [reply_entry(Reply(apology))]
            )

    async def _step(self, bot: Bot, key: SessionKey, claim: Claim, item: InboxItem) -> Commit:
        """One inbox item's turn, by its kind (`_handlers`), and what it did for a broadcast."""
        handler = self._handlers.get(item.kind, self._unknown)
        commit = await handler(bot, key, claim, item)
        pushed = self.delivery.pushes(key)
        await self.results.after_turn(key, item, commit, pushed, self._clock())
        return commit

    async def _timer(self, bot: Bot, key: SessionKey, claim: Claim, item: InboxItem) -> Commit:
        """A delivery timer sends the outbox; every other timer is the conversation's."""
        if is_delivery(item.timer):
            return await self.delivery.deliver(key, claim, item, self._clock())
        return await self._converse(bot, key, claim, item)

    async def _status(self, bot: Bot, key: SessionKey, claim: Claim, item: InboxItem) -> Commit:
        return await self.delivery.status(key, claim, item, self._clock())

    async def _note(self, bot: Bot, key: SessionKey, claim: Claim, item: InboxItem) -> Commit:
        """A note for the business's inbox: it only joins the log."""
        note = cast(LogEntry, dict(item.data))  # written by Theke in the log's shape
        return Commit(item.id, claim.session or {}, claim.profile, [note])

    async def _unknown(self, bot: Bot, key: SessionKey, claim: Claim, item: InboxItem) -> Commit:
        """An item of a kind this version does not know (written by a newer one): dropped."""
        log.warning("inbox item of an unknown kind dropped", extra={"kind": item.kind})
        return Commit(item.id, claim.session or {}, claim.profile, [])

    async def _converse(self, bot: Bot, key: SessionKey, claim: Claim, item: InboxItem) -> Commit:
        """A turn of the conversation: the engine, its requests answered, the commit."""
        stored: Mapping[str, Any] | None = claim.session
        if stored is not None and stored.get("bot") != bot.name:
            stored = None
        pushes = self.delivery.pushes(key)
        if pushes:
            item = item.with_payload(chosen_payload(stored, item))
        event, entries = EVENTS[item.kind](item)
        if pushes and isinstance(event, Message):
            event = replace(event, reachable=True)  # the business can write later
        if stored is None:  # a customer's first message, or a notice: a fresh session
            if not isinstance(event, Message | Notice):
                return Commit(item.id, {}, claim.profile, [])
            stored = self.delivery.addressed(key, new_session(bot, profile=claim.profile))
        turn = _TurnRequests(key, item.id, time.monotonic() + self._lease * LEASE_SHARE)
        result = await answer_requests_async(
            bot, self._engine(bot, key, claim, stored, event), partial(self._answer, bot, turn)
        )
        await publish(self.events, bot.name, str(key), item.id, result.effects)
        await hand_over(self.handoffs, self.store, self._clock, key, result)
        await note_consent(self.consents, self._clock, key, result)
        await span_consent(self, key, item, result)
        await note_contact(self.contacts, key, event, result)
        if pushes and isinstance(event, Message):
            note_customer_message(result.session["flags"], item)
        commit = self._commit(bot, key, item, result, entries)
        if pushes and any(entry["from"] == "bot" for entry in commit.entries):
            # one commit: no reply without its delivery
            commit.timers[delivery_timer(claim.seq + len(commit.entries))] = self._clock()
        return commit

    def _engine(
        self, bot: Bot, key: SessionKey, claim: Claim, session: Mapping[str, Any], event: Event
    ) -> StepResult:
        try:
            return step(bot, session, event)
        except SessionError:
            log.warning(
                "stored session unusable, starting afresh", extra={"session": pseudonym(str(key))}
            )
            return step(bot, new_session(bot, profile=claim.profile), event)

    def _commit(
        self,
        bot: Bot,
        key: SessionKey,
        item: InboxItem,
        result: StepResult,
        entries: list[LogEntry],
    ) -> Commit:
        """What a turn's effects change: log entries, timers, records for the business."""
        timers: dict[str, float | None] = {}
        for effect in result.effects:
            if isinstance(effect, Reply):
                entries.append(reply_entry(effect))
            elif isinstance(effect, SetTimer):
                timers[effect.name] = effect.at.timestamp() if effect.at else None
            elif isinstance(effect, Record):
                self._record(bot, key, effect)
        self.metrics.turn_done(bot.name)
        return Commit(item.id, result.session, result.session["profile"], entries, timers)

    async def _answer(self, bot: Bot, turn: _TurnRequests, request: Request) -> Event:
        """The answer to one of the turn's requests (flows/requests.py)."""
        turn.made += 1
        if isinstance(request, ActionRequest):
            return await self._action_answer(bot, turn, request)
        return await self._payment_answer(bot, str(turn.key), turn.item_id, request)

    async def _action_answer(
        self, bot: Bot, turn: _TurnRequests, request: ActionRequest
    ) -> ActionDone:
        """The action runs within what is left of the session's lease (another worker takes
        the session over after it), and at most for the step's own timeout; once per request:
        its answer is kept before the commit, and a replayed turn gets it instead of calling
        the action again (actions/answers.py)."""
        actions = self.actions.get(bot.name) or BotActions(())
        where = Where(bot.name, turn.key.customer, turn.key.channel, turn.request_id())

        async def perform() -> ActionDone:
            left = max(0.0, turn.deadline - time.monotonic())
            return await actions.perform(
                replace(request, timeout=min(request.timeout, left)), where
            )

        return await answered_once(self.store, str(turn.key), where.request_id, request, perform)

    async def _payment_answer(
        self, bot: Bot, key: str, item_id: str, request: PaymentRequest
    ) -> OrderUpdate:
        if self.payments is None:
            now = datetime.fromtimestamp(self._clock(), UTC)
            return OrderUpdate(request.order or "", "unavailable", now, request.origin)
        return await self.payments.perform(key, item_id, bot.name, request)

    def _record(self, bot: Bot, key: SessionKey, record: Record) -> None:
        """Facts for the business, logged without their data (it may hold personal details)."""
        self.metrics.records.labels(bot.name, record.name).inc()  # handoff_returned, …
        self.metrics.handoff_recorded(bot.name, record.name, record.data)
        if record.name == "flow_error":
            self.metrics.errors.labels(bot.name).inc()
        log.info("record", extra={"bot": bot.name, "channel": key.channel, "record": record.name})

    async def tick(self, now: float | None = None) -> int:
        """Fire due timers and finish items dead workers left, waiting for all of it: how many
        turns ran (`theke chat`, tests; the server's loop is `look_after`)."""
        moment = self._clock() if now is None else now
        done = await asyncio.gather(*(self.drain(key) for key in await self._due(moment)))
        self._mind_active(moment)
        return sum(done)

    async def look_after(self) -> int:
        """The server's background step on every worker: `tick`, but not waiting for the
        drains, so one waiting for its sender's pacing (a broadcast's deliveries) holds up no
        other session nor the next step (awaiting them, a broadcast went at 55/s, not 80).
        Sessions being drained here are not started again. How many were started."""
        moment = self._clock()
        started = 0
        for key in await self._due(moment):
            if key in self._locks or len(self._background) >= MAX_DRAINS:
                continue
            self.spawn(self._drain_logged(key))
            started += 1
        self._mind_active(moment)
        return started

    async def _due(self, moment: float) -> set[str]:
        """The sessions with work: timers due by `moment` fired, items waiting."""
        pending = await self.store.pending()
        self.metrics.backlog.set(len(pending))
        return set(await self.store.fire_timers(moment)) | set(pending)

    async def _drain_logged(self, key: str) -> None:
        try:
            await self.drain(key)
        except Exception:  # the store is out: the items stay for a later step
            log.exception("drain failed", extra={"session": pseudonym(key)})

    def _mind_active(self, moment: float) -> None:
        """Drop the sessions whose last turn here was before the window: only those, oldest
        first (a rebuilt dict would walk every session active in it, twice a second)."""
        active, before = self._active, moment - ACTIVE_WINDOW
        while active and next(iter(active.values())) <= before:
            active.popitem(last=False)
        self.metrics.active_sessions.set(len(active))

    async def run_background(
        self, interval: float = 0.5, stopping: asyncio.Event | None = None
    ) -> None:
        """`look_after` every `interval` seconds until `stopping`; a failing store is logged
        and retried, never fatal."""
        await repeat(self.look_after, interval, stopping or asyncio.Event(), "tick")
