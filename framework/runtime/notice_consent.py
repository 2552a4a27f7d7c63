"""No notice without the consent its purpose needs, at the moment it is said and again at the
moment it leaves.

A notice (an inbox item of kind `notice`: a broadcast's, a notification's, a booking's reminder)
names its purpose (`InboxItem.notice`). A purpose of the consent ledger — `marketing`,
`notify:<topic>` — must be held by the conversation now: when the holders were read (the
broadcast's page, the notify API) is not enough, since a STOP can wait in the inbox ahead of the
notice, or be said while the notice's message waits for its channel's pace. So the runtime asks
the ledger twice more: in the notice's turn, before the engine says anything, and in the
delivery, before each message of a notice leaves. What no longer holds is dropped, never sent
later: a `system` entry in the conversation's log says what was not sent and why, and a
broadcast counts it under `failed: consent_withdrawn`.

A notice about the customer's own transaction (`transaction:booking`) needs no entry in the
ledger: it is a utility message of something the customer started, and a STOP does not end it
(the STOP's confirmation says so). A notice without a purpose, or with one that is neither, is
never said (`no_purpose`): a new path that forgets its purpose sends nothing.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from framework.logs import pseudonym
from framework.runtime.broadcast_results import PREFIX, BroadcastResults
from framework.runtime.notice_once import ELSEWHERE, OncePerContact
from framework.runtime.notice_templates import with_template
from framework.stores.consent_rules import PURPOSE
from framework.stores.consents import TRANSACTIONAL, ConsentStore
from framework.stores.records import Claim, Commit, InboxItem, LogEntry, SessionKey

if TYPE_CHECKING:
    from framework.flows import Bot

__all__ = ["NO_PURPOSE", "WITHDRAWN", "NoticeConsent", "withheld_note"]

log = logging.getLogger("theke.consents")

WITHDRAWN = "consent_withdrawn"
"""Why a notice was not sent: the conversation no longer holds its purpose."""
NO_PURPOSE = "no_purpose"
"""Why a notice was not sent: it names no purpose, or one that is neither the ledger's nor a
transaction's."""

Handler = Callable[["Bot", SessionKey, Claim, InboxItem], Awaitable[Commit]]


def withheld_note(purpose: str, reason: str, seq: int | None = None) -> LogEntry:
    """The conversation log's word for the business on a notice not sent."""
    why = {
        NO_PURPOSE: "names no purpose",
        ELSEWHERE: "another conversation of this customer's contact got first",
    }.get(reason, f"needs {purpose}, no longer held")
    note: LogEntry = {"from": "system", "kind": reason, "text": f"Not sent: a notice that {why}"}
    if seq is not None:
        note["failed_seq"] = seq
    return note


class NoticeConsent:
    def __init__(
        self,
        ledger: ConsentStore | None,
        results: BroadcastResults,
        once: OncePerContact | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        """Without a ledger no purpose of the ledger is held: such notices are dropped.
        `once`: whether another conversation of the contact got a broadcast first (none: each
        conversation is a contact of its own)."""
        self.ledger, self.results = ledger, results
        self.once, self._clock = once or OncePerContact(None, None), clock

    async def _refused(self, key: SessionKey, purpose: str, broadcast_id: str | None) -> str:
        """Why a notice may not be said or sent to `key` now: its purpose, or (a broadcast's)
        another conversation of the contact that got it first; "" when it may."""
        reason = await self.refusal(key, purpose)
        elsewhere = not reason and broadcast_id is not None
        if elsewhere and await self.once.elsewhere(key, str(broadcast_id), self._clock()):
            return ELSEWHERE
        return reason

    async def refusal(self, key: SessionKey, purpose: str) -> str:
        """Why a notice for `purpose` may not be said or sent to `key` now; "" when it may."""
        if purpose in TRANSACTIONAL:
            return ""
        if not PURPOSE.fullmatch(purpose):
            return NO_PURPOSE
        if self.ledger is None:
            return WITHDRAWN
        held = await self.ledger.held(key.bot, [str(key)], [purpose])
        return "" if purpose in held.get(str(key), frozenset()) else WITHDRAWN

    def guarding(self, converse: Handler) -> Handler:
        """The notice's turn: `converse` when its purpose allows it, its bot messages then
        tagged with the purpose, and the first with the notice's WhatsApp template when it
        names one (notice_templates.py); else nothing said."""

        async def notice(bot: Bot, key: SessionKey, claim: Claim, item: InboxItem) -> Commit:
            broadcast = item.id.removeprefix(PREFIX) if item.id.startswith(PREFIX) else None
            reason = await self._refused(key, item.purpose, broadcast)
            if reason:
                return await self._dropped(key, claim, item, reason)
            commit = await converse(bot, key, claim, item)
            told = [entry for entry in commit.entries if entry.get("from") == "bot"]
            for entry in told:
                entry["purpose"] = item.purpose
            with_template(told, item.data, commit.session.get("lang"), key.channel)
            return commit

        return notice

    async def _dropped(self, key: SessionKey, claim: Claim, item: InboxItem, reason: str) -> Commit:
        log.info(
            "notice not said",
            extra={"session": pseudonym(str(key)), "bot": key.bot, "reason": reason},
        )
        if item.id.startswith(PREFIX):
            await self.results.count(key, item.id.removeprefix(PREFIX), "failed", reason)
        notes = [withheld_note(item.purpose, reason)] if claim.session else []
        return Commit(item.id, claim.session or {}, claim.profile, notes)

    async def withheld(self, key: SessionKey, entry: LogEntry) -> str:
        """Why a notice's message may not leave now ("": it may, or it is no notice's)."""
        purpose, broadcast = entry.get("purpose"), entry.get("broadcast")
        if purpose is None:
            return ""
        return await self._refused(
            key, str(purpose), broadcast if isinstance(broadcast, str) else None
        )
