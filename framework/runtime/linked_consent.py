"""A customer who says STOP means stop: in one conversation of a contact that joins several
(framework/stores/contact_links.py), it withdraws marketing in all of them, and START in one
resumes in all of them what their last STOP withdrew.

The conversation where it was said withdraws (or resumes) as ever (turn_writes.note_consent:
everything it holds). Each other conversation of the contact gets a `linked_consent` item in
its own inbox — idempotent by its id, made of the turn's — and its turn here writes its ledger
under its own lease and in order with its own turns, as a channel's consent signal does
(consent_signals.py says why this path): a STOP withdraws `marketing` there with the source
`stop` and the words said, and sets the conversation's `marketing_stopped` flag, so that START
said there later resumes it; a START resumes what that conversation's last STOP withdrew and
clears the flag when nothing stopped is left. A notification topic subscribed in another
conversation stays: the customer asked for those updates there. Nothing is said in the other
conversations.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Awaitable, Mapping
from typing import TYPE_CHECKING, Any, Protocol

from framework.flows.engine import StepResult
from framework.flows.events import ConsentChange
from framework.logs import pseudonym
from framework.stores.consents import MARKETING, WITHDRAWN, ConsentError
from framework.stores.records import Claim, Commit, InboxItem, SessionKey
from framework.stores.session_store import Store

if TYPE_CHECKING:
    from framework.consents.service import Consents
    from framework.flows import Bot
    from framework.stores.contacts import ContactStore

__all__ = ["LINKED_CONSENT", "linked_consent_turn", "span_consent"]

log = logging.getLogger("theke.consents")

LINKED_CONSENT = "linked_consent"
"""The inbox kind of a STOP or START said in another conversation of the contact."""
STOPPED_FLAG = "marketing_stopped"
"""The session flag the engine's STOP sets and START looks for (flows/repair.py)."""
MAX_SAID = 500
STOP = "stop"
"""The ledger's source of the customer's own STOP (consents/service.py)."""


class _Runtime(Protocol):
    store: Store
    consents: Consents | None
    contacts: ContactStore | None

    def spawn(self, work: Awaitable[Any]) -> asyncio.Future[Any]: ...

    async def drain(self, key: str) -> int: ...


async def span_consent(
    runtime: _Runtime, key: SessionKey, item: InboxItem, result: StepResult
) -> None:
    """The turn's STOP or START into the inbox of every other conversation of its contact,
    each run at once in the background (a worker that dies leaves it to the next tick)."""
    changes = [e for e in result.effects if isinstance(e, ConsentChange)]
    if not changes or runtime.consents is None or runtime.contacts is None:
        return
    contact = (await runtime.contacts.many(key.bot, [str(key)])).get(str(key))
    others = [c for c in contact.conversations if c != str(key)] if contact else []
    for number, change in enumerate(changes):
        seed = hashlib.sha256(f"{key}\n{item.id}\n{number}".encode()).hexdigest()[:24]
        data = {"stopped": change.stopped, "said": change.said[:MAX_SAID], "on": key.channel}
        news = InboxItem(f"linked:{seed}", item.received_at, LINKED_CONSENT, data)
        for other in others:
            if await runtime.store.enqueue(other, news):
                runtime.spawn(runtime.drain(other))


def _flagged(session: Mapping[str, Any] | None, stopped: bool, at: str, still: bool) -> Any:
    """The session with its STOP flag set (stopped) or cleared (nothing stopped is left)."""
    if not session:
        return session or {}
    flags = dict(session.get("flags", {}))
    if stopped:
        flags[STOPPED_FLAG] = at
    elif not still:
        flags.pop(STOPPED_FLAG, None)
    return {**session, "flags": flags}


async def linked_consent_turn(
    runtime: _Runtime, bot: Bot, key: SessionKey, claim: Claim, item: InboxItem
) -> Commit:
    """A STOP or START said in another conversation of the contact, applied to this one: the
    ledger and the STOP flag, nothing said. A refused item is logged and dropped."""
    consents, data = runtime.consents, item.data
    unchanged = Commit(item.id, claim.session or {}, claim.profile, [])
    if consents is None or not isinstance(data.get("said"), str):
        return unchanged
    stopped, said, at = bool(data.get("stopped")), data["said"], item.time.timestamp()
    on = str(data.get("on") or key.channel)
    try:
        if stopped:
            await consents.store.withdraw_all(
                key.bot, str(key), said, on, STOP, at, purposes_prefix=MARKETING
            )
        else:
            lang = str((claim.session or {}).get("lang") or bot.business.language)
            await consents.resume(key, said, lang, at)
        current = await consents.store.current(key.bot, str(key))
    except ConsentError as error:
        where = {"session": pseudonym(str(key)), "error": str(error)}
        log.warning("linked consent refused", extra=where)
        return unchanged
    still = any(e.state == WITHDRAWN and e.source == STOP for e in current.values())
    session = _flagged(claim.session, stopped, item.time.isoformat(), still)
    return Commit(item.id, session, claim.profile, [])
