"""Getting a conversation's bot messages out through a push channel, exactly in order.

The conversation log is the outbox. A turn that adds bot messages to a push channel's
conversation sets the timer `deliver` (due at once) in the same atomic commit, so no message
can be committed without its delivery being due. The timer's item is a turn like any other:
the worker holding the session sends the messages after `sent_seq` in order and commits the new
`sent_seq`. A worker that dies mid-delivery leaves the item in the inbox and another worker
sends again from `sent_seq`, never out of order. On a channel that reports what it took
(WhatsApp), the message that was in flight then is settled by its report instead of sent
twice; only without a report within a while is it sent again (runtime/in_flight.py).
A send that may work later (rate limits, 5xx, timeouts) stops the delivery and sets the timer
for then; one that never will (the customer blocked the bot, WhatsApp's 24-hour window closed
without a template) is written into the conversation log as a `system` entry for the business,
counted in the metrics, and the delivery goes on with the next message; one that says the
customer took consent back (WhatsApp's 131050, a Telegram block) withdraws it in the consent
ledger as well (runtime/consent_signals.py); one that WhatsApp held back for its per-user
marketing limit (131049, at once or as a failed status) keeps marketing broadcasts away from
the conversation in the reach store (framework/broadcasts/rules.py), longer each time it comes
again, until the delivery gives the conversation up (runtime/marketing_holds.py). A notice's
message whose purpose the conversation no longer holds (a STOP said while it waited for its
pace) is not sent: a `system` entry says so (runtime/notice_consent.py). A
broadcast's message counts in its results as it goes: sent, failed, and the messenger's
statuses after (runtime/broadcast_results.py).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from framework.flows.session import Session
from framework.logs import pseudonym
from framework.runtime.broadcast_results import BroadcastResults, failure_reason
from framework.runtime.consent_signals import STOPPED, signal_item
from framework.runtime.in_flight import (
    BEGUN,
    IN_FLIGHT,
    SEND,
    SETTLE,
    WAIT,
    mark,
    mark_id,
    settles,
    stage,
)
from framework.runtime.marketing_holds import GAVE_UP, MARKETING_LIMIT, next_hold
from framework.runtime.metrics import Metrics
from framework.runtime.notice_consent import NoticeConsent, withheld_note
from framework.runtime.notice_templates import TEMPLATE
from framework.runtime.sending import STATUS_ORDER, PushChannel, SendFailure, Sent
from framework.stores.reach import ReachStore
from framework.stores.records import (
    NOTE,
    Claim,
    Commit,
    InboxItem,
    LogEntry,
    SessionKey,
    iso_time,
)
from framework.stores.session_store import Store
from framework.stores.template_states import (
    REFUSALS,
    TemplateNews,
    TemplateStateError,
    TemplateStates,
)

__all__ = [
    "BUSINESS",
    "DELIVER",
    "Delivery",
    "business_inbox",
    "chosen_payload",
    "delivery_timer",
    "is_delivery",
    "note_customer_message",
]

log = logging.getLogger("theke.delivery")

DELIVER = "deliver"
BUSINESS = "$business"
"""The channel of each bot's business inbox: a conversation whose log lists what could not be
delivered (`business_inbox`), read by the admin API."""


def business_inbox(bot: str) -> SessionKey:
    return SessionKey(bot, BUSINESS, "deliveries")


def delivery_timer(mark: int | str) -> str:
    """A delivery timer's name. Each commit names its own (after its last log entry, or the
    retry), so two deliveries due in the same millisecond are two items, never one deduped."""
    return f"{DELIVER}:{mark}"


def is_delivery(timer: str | None) -> bool:
    return timer is not None and timer.startswith(f"{DELIVER}:")


INF = float("inf")
"""How long ago a customer who has not written in the session wrote: the window is closed."""
MAX_PER_TURN = 5
"""Messages sent per delivery turn (the lease must outlast the sends); more: the timer again."""
KEPT_DELIVERIES = 30
KEPT_KEYS = 50


def note_customer_message(flags: dict[str, Any], item: InboxItem) -> None:
    """What a push channel's conversation keeps of a customer's message: where to answer, when
    they last wrote (the messenger's reply window), that they can be reached again, and nothing
    else (the text is the engine's business)."""
    meta = item.meta or {}
    if meta.get("address"):
        flags["address"] = meta["address"]
    flags["customer_at"] = item.received_at
    flags.pop("unreachable", None)


def chosen_payload(session: Mapping[str, Any] | None, item: InboxItem) -> str | None:
    """What a messenger message chose: a pressed short key (a long payload the channel could
    not send as is) → its payload; a typed number of numbered choices → that choice."""
    flags = (session or {}).get("flags", {})
    if item.payload is not None:
        keys: dict[str, str] = flags.get("button_keys", {})
        return keys.get(item.payload, item.payload)
    numbered: dict[str, str] = flags.get("numbered") or {}
    return numbered.get(item.text.strip().rstrip("."))


class Delivery:
    def __init__(
        self,
        store: Store,
        channels: Mapping[str, PushChannel],
        metrics: Metrics,
        reach: ReachStore | None = None,
        results: BroadcastResults | None = None,
        templates: TemplateStates | None = None,
        settle: float | None = None,
        notices: NoticeConsent | None = None,
    ) -> None:
        """`templates`: where a template Meta paused is noted when a failed status says so.
        `settle`: how long a dead worker's messages in flight wait for their reports (None:
        SETTLE). `notices`: whether a notice's message may still leave (None: no ledger, so
        no message of a consent's purpose does)."""
        self.store, self.channels, self.metrics, self.reach = store, channels, metrics, reach
        self.results = results or BroadcastResults(None, None)
        self.notices = notices or NoticeConsent(None, self.results)
        self._settle = SETTLE if settle is None else settle
        self.templates = templates

    def pushes(self, key: SessionKey) -> bool:
        return key.channel in self.channels

    def addressed(self, key: SessionKey, session: Session) -> Session:
        """A fresh session for a conversation the store does not know (a notice for a consent
        imported, a session gone), with where its channel writes to the customer: from the
        customer's id in the key, as the channel reads it. Without a customer message it
        knows no open window: WhatsApp sends the bot's template."""
        channel = self.channels.get(key.channel)
        address = channel.address_of(key.customer) if channel is not None else None
        if address is None:
            return session
        return {**session, "flags": {**session.get("flags", {}), "address": dict(address)}}

    async def deliver(self, key: SessionKey, claim: Claim, item: InboxItem, now: float) -> Commit:
        session = dict(claim.session or {})
        channel = self.channels.get(key.channel)
        if channel is None or not session:
            return Commit(item.id, session, claim.profile, [])
        flags = dict(session.get("flags", {}))
        pending = await self.store.log(str(key), after=int(flags.get("sent_seq", 0)))
        batch = pending[:MAX_PER_TURN]
        if channel.reports and any(_to_send(entry, flags) for entry in batch):
            held = await self._held_for_reports(key, flags, batch, now)
            if held is not None:
                return Commit(item.id, {**session, "flags": flags}, claim.profile, [], held)
            batch = [entry for entry in batch if entry["seq"] <= flags[IN_FLIGHT]["upto"]]
        notes: list[LogEntry] = []
        timers: dict[str, float | None] = {}
        handled = 0
        for entry in batch:
            if _to_send(entry, flags):
                retry = await self._send_one(channel, key, flags, entry, now, notes)
                if retry is not None:
                    timers[delivery_timer("retry")] = retry
                    break
            flags["sent_seq"] = entry["seq"]
            handled += 1
        flags.pop(IN_FLIGHT, None)
        if not timers and handled < len(pending):
            timers[delivery_timer(flags["sent_seq"])] = now
        return Commit(item.id, {**session, "flags": flags}, claim.profile, notes, timers)

    async def _held_for_reports(
        self, key: SessionKey, flags: dict[str, Any], batch: list[LogEntry], now: float
    ) -> dict[str, float | None] | None:
        """On a channel that reports: the timer to come back with, when this turn sends nothing
        (it marks what it is about to send, or waits for the reports of what a worker began
        sending); None: send the marked messages now, kept as begun before the first leaves
        (runtime/in_flight.py)."""
        flight = flags.get(IN_FLIGHT)
        begun = isinstance(flight, Mapping) and (
            await self.store.kept_answer(str(key), BEGUN) == mark_id(flight)
        )
        step = stage(flags, now, begun, self._settle)
        if step == SEND:
            await self.store.keep_answer(str(key), BEGUN, mark_id(flags[IN_FLIGHT]))
            return None
        if step == WAIT:
            at, upto = float(flags[IN_FLIGHT]["at"]), flags[IN_FLIGHT]["upto"]
            return {delivery_timer(f"settle:{upto}"): at + self._settle}
        upto = int(batch[-1]["seq"])
        mark(flags, upto, now)
        return {delivery_timer(f"go:{upto}"): now}

    async def _send_one(
        self,
        channel: PushChannel,
        key: SessionKey,
        flags: dict[str, Any],
        entry: LogEntry,
        now: float,
        notes: list[LogEntry],
    ) -> float | None:
        """One bot message sent, or written off for good (`notes` says why): a notice's whose
        purpose is no longer held, one the messenger refused. When to try again, when a
        later try can help."""
        withheld = await self.notices.withheld(key, entry)
        if withheld:
            notes.append(withheld_note(str(entry.get("purpose")), withheld, entry["seq"]))
            await self.results.failed(key, flags, entry.get("broadcast"), withheld)
            return None
        try:
            sent = await self._attempt(channel, key, flags, entry, now)
        except SendFailure as failure:
            if failure.retry_after is not None:
                return now + failure.retry_after
            notes.append(self._failed(key, flags, entry, failure, now))
            await self._tell_business(key, notes[-1], now)
            await self._withdrawn(key, entry, failure, now)
            gave_up = await self._held_back(key, flags, [failure.code], now)
            reason = GAVE_UP if gave_up else failure_reason(failure)
            await self.results.failed(key, flags, entry.get("broadcast"), reason)
        else:
            self._sent(flags, entry, sent)
            if sent.held:  # WhatsApp holds it: counted sent when its status says so
                await self.results.held(key, entry.get("broadcast"), sent.held)
            else:
                await self.results.sent(key, flags, entry.get("broadcast"), now)
        return None

    async def _attempt(
        self,
        channel: PushChannel,
        key: SessionKey,
        flags: dict[str, Any],
        entry: LogEntry,
        now: float,
    ) -> Sent:
        """One message, as a template when the messenger's window has closed (or was never
        opened: the customer has not written in this session). A bug in a channel is a
        failure of this message, never a loop; a conversation without an address is
        unreachable."""
        address = flags.get("address") or {}
        if not address:
            raise SendFailure(f"no {key.channel} address known for the customer", unreachable=True)
        callback = f"{key}|{entry['seq']}"
        customer_at = flags.get("customer_at")
        quiet = now - datetime.fromisoformat(customer_at).timestamp() if customer_at else INF
        send = channel.send
        if channel.window is not None and quiet > channel.window:
            send = channel.send_outside_window
        try:
            return await send(key.bot, address, entry, callback=callback)
        except SendFailure:
            raise
        except Exception as error:  # a bug: the delivery must still go on with the next
            log.exception("sending failed", extra={"session": pseudonym(str(key))})
            raise SendFailure(f"could not be sent ({type(error).__name__})") from error

    def _sent(self, flags: dict[str, Any], entry: LogEntry, sent: Sent) -> None:
        deliveries = dict(flags.get("deliveries", {}))
        record = {"seq": entry["seq"], "status": "accepted"}
        if "broadcast" in entry:
            record["broadcast"] = entry["broadcast"]
        if sent.held:
            record["held"] = sent.held
        told = entry.get(TEMPLATE)
        if isinstance(told, Mapping):  # a failed status may yet say Meta paused it
            record["template"] = {"name": told.get("name"), "language": told.get("language")}
        deliveries[sent.message_id] = record
        flags["deliveries"] = dict(list(deliveries.items())[-KEPT_DELIVERIES:])
        if sent.keys:
            keys = {**flags.get("button_keys", {}), **sent.keys}
            flags["button_keys"] = dict(list(keys.items())[-KEPT_KEYS:])
        if entry.get("buttons"):  # the newest choices decide what a typed number means
            flags["numbered"] = sent.numbered
        self.metrics.deliveries.labels("sent").inc()

    def _failed(
        self,
        key: SessionKey,
        flags: dict[str, Any],
        entry: LogEntry,
        failure: SendFailure,
        now: float,
    ) -> LogEntry:
        reason = "window_closed" if failure.window_closed else "refused"
        if failure.unreachable:
            reason = "unreachable"
            flags["unreachable"] = {"at": now, "reason": str(failure)}
        self.metrics.deliveries.labels(reason).inc()
        log.warning(
            "message not delivered",
            extra={"session": pseudonym(str(key)), "reason": reason, "code": failure.code},
        )
        return {"from": "system", "text": f"Not delivered: {failure}", "failed_seq": entry["seq"]}

    async def _tell_business(self, key: SessionKey, note: LogEntry, now: float) -> None:
        """The note goes to the bot's business inbox too (once: its id names the message)."""
        listed = {**note, "conversation": str(key), "at": iso_time(now)}
        item_id = f"undelivered:{key}:{note.get('failed_seq')}"
        inbox = str(business_inbox(key.bot))
        await self.store.enqueue(inbox, InboxItem(item_id, iso_time(now), NOTE, listed))

    async def _withdrawn(
        self, key: SessionKey, entry: LogEntry, failure: SendFailure, now: float
    ) -> None:
        """A refusal that says the customer took consent back (WhatsApp's 131050, a Telegram
        block) goes into the ledger as a consent item of the conversation, once per message
        (runtime/consent_signals.py)."""
        if failure.withdrawn is None:
            return
        item_id = f"consent:undelivered:{entry['seq']}"
        said = signal_item(item_id, iso_time(now), STOPPED, failure.withdrawn, str(failure))
        await self.store.enqueue(str(key), said)

    async def _held_back(
        self, key: SessionKey, flags: dict[str, Any], codes: list[Any], now: float
    ) -> bool:
        """A 131049 holds marketing away from the conversation, longer each time; True when
        this one gave it up (runtime/marketing_holds.py)."""
        if self.reach is None or MARKETING_LIMIT not in codes:
            return False
        hold = next_hold(flags, now)
        if hold is None:
            return False
        await self.reach.hold(key.bot, str(key), hold.until)
        return hold.gave_up

    async def status(self, key: SessionKey, claim: Claim, item: InboxItem, now: float) -> Commit:
        """A messenger's report about a sent message: statuses only move forward; a failure
        is written into the conversation log for the business."""
        session = dict(claim.session or {})
        report = item.data
        flags = dict(session.get("flags", {}))
        deliveries = dict(flags.get("deliveries", {}))
        known = deliveries.get(str(report.get("message_id")))
        notes: list[LogEntry] = []
        timers: dict[str, float | None] = {}
        new = str(report.get("status"))
        if known is None and settles(flags, report.get("seq")):
            known = await self._settled(key, flags, report, now)
            if known is not None:  # the rest of the conversation's messages go on
                deliveries[str(report["message_id"])] = known
                timers[delivery_timer(f"settled:{report['seq']}")] = now
        if known is None:
            self.metrics.deliveries.labels("status_unknown_message").inc()
        elif STATUS_ORDER.get(new, 0) > STATUS_ORDER.get(str(known.get("status")), 0):
            changed, reason = {**known, "status": new, "at": report.get("timestamp")}, ""
            if report.get("pricing"):
                changed["pricing"] = report["pricing"]
            if new == "failed":
                changed["errors"] = report.get("errors") or []
                notes.append(_failed_note(known, report))
                await self._tell_business(key, notes[-1], now)
                if await self._held_back(key, flags, _codes(changed["errors"]), now):
                    reason = GAVE_UP
                await self._template_stopped(known, _codes(changed["errors"]), now)
                self.metrics.deliveries.labels("failed_later").inc()
            await self.results.status(key, flags, known, report, reason, now)
            changed.pop("held", None)  # left where WhatsApp held it, once
            deliveries[str(report["message_id"])] = changed
        if deliveries != flags.get("deliveries", {}):
            flags["deliveries"] = dict(list(deliveries.items())[-KEPT_DELIVERIES:])
            session["flags"] = flags
        return Commit(item.id, session, claim.profile, notes, timers)

    async def _template_stopped(
        self, known: Mapping[str, Any], codes: list[Any], now: float
    ) -> None:
        """A failed status of a broadcast's template that Meta paused or disabled (132015,
        132016) is kept as the template's state, as a refused send is: the broadcast waits."""
        told = known.get("template")
        stopped = next((REFUSALS[c] for c in codes if type(c) is int and c in REFUSALS), None)
        if self.templates is None or not isinstance(told, Mapping) or stopped is None:
            return
        news = TemplateNews(str(told.get("name")), str(told.get("language")), now, stopped)
        try:
            await self.templates.note(news)
        except TemplateStateError:
            log.warning("a template Meta stopped, not kept", extra={"status": stopped})

    async def _settled(
        self, key: SessionKey, flags: dict[str, Any], report: Mapping[str, Any], now: float
    ) -> dict[str, Any] | None:
        """A report of a message in flight when a worker died (runtime/in_flight.py): it and
        those before it went; its delivery record, as a send would have made it."""
        seq = int(report["seq"])
        found = await self.store.log(str(key), after=seq - 1, limit=1)
        if not found or found[0].get("seq") != seq:
            return None
        flags["sent_seq"] = seq
        if seq >= int(flags[IN_FLIGHT]["upto"]):
            flags.pop(IN_FLIGHT)
        record: dict[str, Any] = {"seq": seq, "status": "accepted"}
        if "broadcast" in found[0]:
            record["broadcast"] = found[0]["broadcast"]
        self.metrics.deliveries.labels("settled").inc()
        await self.results.sent(key, flags, found[0].get("broadcast"), now)
        return record


def _codes(errors: Any) -> list[Any]:
    if not isinstance(errors, list):
        return []
    return [error.get("code") for error in errors if isinstance(error, Mapping)]


def _failed_note(known: Mapping[str, Any], report: Mapping[str, Any]) -> LogEntry:
    errors = report.get("errors") or [{}]
    first = errors[0] if isinstance(errors[0], Mapping) else {}
    detail = first.get("error_data", {}).get("details") or first.get("title") or "unknown"
    return {
        "from": "system",
        "text": f"Not delivered: {detail} ({first.get('code', '?')})",
        "failed_seq": known.get("seq"),
    }


def _to_send(entry: LogEntry, flags: Mapping[str, Any]) -> bool:
    return entry.get("from") == "bot" and "unreachable" not in flags
