"""What became of a broadcast in each conversation it reached, for its results (the broadcast
store's `count`): sent, delivered, read, failed with the reason, a reply, an opt-out.

The notice's turn tags the bot's message in the log with the broadcast's id (`broadcast`, from
the inbox id `broadcast:<id>`), and with its WhatsApp template when it names one
(notice_templates.py). On a push channel the delivery counts it sent when the messenger
took it and keeps the id in the message's deliveries record, so the messenger's statuses count
delivered, read or failed; a template WhatsApp took but holds (`message_status`
`held_for_quality_assessment`, or `paused`) counts there instead, and moves to sent (and on)
or to failed when its status comes; web and REST have no receipts: there it is sent when shown. A
conversation keeps the broadcasts that reached it in `flags["broadcasts"]` (id → when) for 72
hours: a message of the customer then is a reply, a withdrawal of the broadcast's purpose in
the consent ledger since (STOP, the messenger's stop, a block) an opt-out, and then no more
replies. A broadcast whose message failed reached nobody: no reply or opt-out is its.

Counted before the commit of the turn that sees it, so a crash costs no count: the replayed
turn, like a webhook delivered twice, counts again, and the store counts a conversation's kind
once. The store knows a conversation only by a digest keyed with the broadcast's id.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from framework.logs import pseudonym
from framework.runtime.consent_signals import CONSENT, EVERY_PURPOSE
from framework.runtime.sending import SendFailure
from framework.stores.broadcasts import (
    HELD_KINDS,
    RELEASED,
    BroadcastError,
    BroadcastStore,
    digest,
)
from framework.stores.consents import WITHDRAWN, ConsentStore
from framework.stores.records import MESSAGE, NOTICE, Commit, InboxItem, SessionKey

__all__ = ["PREFIX", "REACHED", "WINDOW", "BroadcastResults", "failure_reason", "status_reason"]

log = logging.getLogger("theke.broadcasts")

PREFIX = "broadcast:"
"""The inbox id of a broadcast's notice: `broadcast:<id>` (framework/broadcasts/sending.py)."""
REACHED = "broadcasts"
"""The flag of the broadcasts that reached a conversation: id → {"at": when, "replied": …}."""
WINDOW = 72 * 3600.0
"""Seconds after a broadcast reached a conversation in which a reply or an opt-out is its."""
KEPT = 20
"""Broadcasts a conversation keeps in its flag at most (the newest)."""
STATUS_RESULTS = {
    "sent": ("sent",),
    "delivered": ("delivered",),
    "read": ("delivered", "read"),
    "played": ("delivered", "read"),
}
"""What a messenger's status counts: a read message was delivered too, whatever came first."""


def failure_reason(failure: SendFailure) -> str:
    """A refused send's reason in the results: the messenger's code, or what it means."""
    if failure.window_closed:
        return "window_closed"
    if failure.unreachable and failure.withdrawn == EVERY_PURPOSE:
        return "blocked"
    if failure.code is not None:
        return str(failure.code)
    return "unreachable" if failure.unreachable else "refused"


def status_reason(errors: Any) -> str:
    """A failed status's reason: its first error's code (WhatsApp's 131049, 131047, …)."""
    first = errors[0] if isinstance(errors, list) and errors else None
    code = first.get("code") if isinstance(first, Mapping) else None
    return str(code) if isinstance(code, int) and not isinstance(code, bool) else "unknown"


def _reached(flags: Mapping[str, Any], now: float) -> dict[str, dict[str, Any]]:
    """The broadcasts that reached the conversation in the last WINDOW seconds."""
    kept = flags.get(REACHED)
    if not isinstance(kept, dict):
        return {}
    return {
        str(broadcast_id): dict(seen)
        for broadcast_id, seen in kept.items()
        if isinstance(seen, dict) and now - float(seen.get("at") or 0.0) <= WINDOW
    }


class BroadcastResults:
    def __init__(self, store: BroadcastStore | None, consents: ConsentStore | None) -> None:
        """Without a broadcast store (a bare runtime) nothing is counted; without a consent
        ledger no opt-out."""
        self.store, self.consents = store, consents

    async def count(self, key: SessionKey, broadcast_id: str, kind: str, reason: str = "") -> None:
        if self.store is None:
            return
        who = digest(broadcast_id, str(key))
        try:
            await self.store.count(broadcast_id, who, kind, reason)
        except BroadcastError as error:  # an id or reason of another shape: nothing to count
            log.warning(
                "broadcast result not counted",
                extra={"session": pseudonym(str(key)), "kind": kind, "error": str(error)[:200]},
            )

    async def sent(
        self, key: SessionKey, flags: dict[str, Any], broadcast_id: str | None, now: float
    ) -> None:
        """A broadcast's message left Theke (or was shown): counted, and it reached them."""
        if not broadcast_id:
            return
        await self.count(key, broadcast_id, "sent")
        reached = {**_reached(flags, now), broadcast_id: {"at": now}}
        flags[REACHED] = dict(list(reached.items())[-KEPT:])

    async def held(self, key: SessionKey, broadcast_id: str | None, held: str) -> None:
        """The messenger took a broadcast's message but holds it (`held`: WhatsApp's
        `held_for_quality_assessment` or `paused`): counted there, not sent, until its status
        comes (`status`)."""
        if broadcast_id:
            await self.count(key, broadcast_id, held)

    async def failed(
        self, key: SessionKey, flags: dict[str, Any], broadcast_id: str | None, reason: str
    ) -> None:
        """A broadcast's message failed: counted with its reason; it reached nobody."""
        if not broadcast_id:
            return
        await self.count(key, broadcast_id, "failed", reason)
        kept = flags.get(REACHED)
        if isinstance(kept, dict) and broadcast_id in kept:
            flags[REACHED] = {other: at for other, at in kept.items() if other != broadcast_id}

    async def status(
        self,
        key: SessionKey,
        flags: dict[str, Any],
        known: Mapping[str, Any],
        report: Any,
        reason: str = "",
        now: float = 0.0,
    ) -> None:
        """A messenger's status that moved a message forward (runtime/delivery.py); a failed
        one counts under `reason`, or else its first error's code. A message the messenger
        held (`held`) leaves that count first, and is sent (it reached them `now`) unless it
        failed: counted once in the end, in no two results at a time."""
        broadcast_id = known.get("broadcast")
        if not isinstance(broadcast_id, str):
            return
        status = str(report.get("status"))
        held = known.get("held")
        if held in HELD_KINDS:
            await self.count(key, broadcast_id, RELEASED, str(held))
            if status != "failed":
                await self.sent(key, flags, broadcast_id, now)
        if status == "failed":
            reason = reason or status_reason(report.get("errors"))
            await self.failed(key, flags, broadcast_id, reason)
        for kind in STATUS_RESULTS.get(status, ()):
            await self.count(key, broadcast_id, kind)

    async def after_turn(
        self, key: SessionKey, item: InboxItem, commit: Commit, pushed: bool, now: float
    ) -> None:
        """A broadcast's notice: its message tagged (counted as sent on web and REST); a
        customer's message or a consent signal: the replies and opt-outs it makes."""
        flags = commit.session.get("flags")
        if not isinstance(flags, dict):
            return
        flags = dict(flags)
        if item.kind == NOTICE and item.id.startswith(PREFIX):
            broadcast_id = item.id.removeprefix(PREFIX)
            told = [entry for entry in commit.entries if entry.get("from") == "bot"]
            for entry in told:
                entry["broadcast"] = broadcast_id
            if not told or pushed:
                return  # on a push channel the delivery counts it
            await self.sent(key, flags, broadcast_id, now)
        elif item.kind in (MESSAGE, CONSENT) and flags.get(REACHED):
            await self._answered(key, item, flags)
        else:
            return
        commit.session = {**commit.session, "flags": flags}

    async def _answered(self, key: SessionKey, item: InboxItem, flags: dict[str, Any]) -> None:
        reached = _reached(flags, item.time.timestamp())
        withdrawn = await self._withdrawn(key) if reached else {}
        for broadcast_id, seen in list(reached.items()):
            if await self._opted_out(broadcast_id, float(seen["at"]), withdrawn):
                await self.count(key, broadcast_id, "opt_outs")
                del reached[broadcast_id]
            elif item.kind == MESSAGE and not seen.get("replied"):
                await self.count(key, broadcast_id, "replies")
                seen["replied"] = True
        flags[REACHED] = reached

    async def _withdrawn(self, key: SessionKey) -> dict[str, float]:
        """The purposes the conversation holds withdrawn now, with when."""
        if self.consents is None:
            return {}
        current = await self.consents.current(key.bot, str(key))
        return {purpose: c.at for purpose, c in current.items() if c.state == WITHDRAWN}

    async def _opted_out(self, broadcast_id: str, at: float, withdrawn: dict[str, float]) -> bool:
        """Whether the broadcast's purpose was withdrawn in its window."""
        if self.store is None or not any(at <= when <= at + WINDOW for when in withdrawn.values()):
            return False
        try:
            broadcast = await self.store.get(broadcast_id)
        except BroadcastError:
            return False
        when = withdrawn.get(broadcast.purpose) if broadcast is not None else None
        return when is not None and at <= when <= at + WINDOW
