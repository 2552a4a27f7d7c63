"""What a conversation's turn writes to the stores it shares with other conversations and the
business — the handoff queue, the consent ledger, the contact — before the turn is committed,
so what the customer reads is already true. Each write is idempotent: a turn replayed after a
worker died changes nothing twice (a queued conversation keeps its place, a STOP withdraws
once, a tag given twice is one tag, an answer kept twice is one answer, the contact's times
only move forward).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from framework.flows import Message
from framework.flows.engine import StepResult
from framework.flows.events import AnswersKept, ConsentChange, Event, HandoffRequest, TagChange
from framework.logs import pseudonym
from framework.stores.contacts import ContactChange, ContactError, ContactStore
from framework.stores.records import HANDOFF, InboxItem, SessionKey, iso_time
from framework.stores.session_store import Store

if TYPE_CHECKING:
    from framework.consents.service import Consents
    from framework.handoffs.service import Handoffs

__all__ = ["NOTE_EVERY", "contact_change", "hand_over", "note_consent", "note_contact"]

log = logging.getLogger("theke.runtime")

NOTE_EVERY = 60.0
"""Seconds within which a customer's next message is not written to their contact when it
changes nothing but when they were last seen: a quick exchange of ten messages writes once or
twice, not ten times. Last seen and the channel's window are then up to this much early,
which closes WhatsApp's window early, never late."""
NOTED = "contact_noted"
"""The session flag keeping when, on which channel and in which language the contact was last
written as seen."""


async def hand_over(
    handoffs: Handoffs | None,
    store: Store,
    clock: Callable[[], float],
    key: SessionKey,
    result: StepResult,
) -> None:
    """Into the queue (idempotent: a replayed turn keeps the conversation's place); without a
    handoff store (tests, a bare runtime) nobody comes, which the customer hears at once."""
    for effect in result.effects:
        if isinstance(effect, HandoffRequest):
            if effect.withdrawn:
                if handoffs is not None:
                    await handoffs.withdraw(key)
            elif handoffs is None:
                now = iso_time(clock())
                item = InboxItem(f"handoff:none:{now}", now, HANDOFF, {"state": "timeout"})
                await store.enqueue(str(key), item)
            else:
                await handoffs.request(key, effect.reason, result.session["lang"])


async def note_consent(
    consents: Consents | None, clock: Callable[[], float], key: SessionKey, result: StepResult
) -> None:
    """STOP and START into the consent ledger, so that the confirmation the customer reads is
    true."""
    if consents is None:
        return
    for effect in result.effects:
        if isinstance(effect, ConsentChange):
            now = clock()
            if effect.stopped:
                await consents.stop(key, effect.said, now)
            else:
                await consents.resume(key, effect.said, result.session["lang"], now)


def contact_change(key: SessionKey, event: Event, result: StepResult) -> ContactChange:
    """What the turn tells the conversation's contact: the customer wrote (last seen, the
    channel's window, the language the bot speaks with them now), was tagged, answered what a
    flow keeps (the last answer of a name kept in the turn). A paid order is the payments
    service's news, however it was paid (framework/payments/contact_orders.py)."""
    add: dict[str, None] = {}
    remove: dict[str, None] = {}
    answers: dict[str, str] = {}
    for effect in result.effects:
        if isinstance(effect, TagChange):  # in order: a tag taken after it was given is gone
            for tag in effect.add:
                add[tag] = remove.pop(tag, None)
            for tag in effect.remove:
                remove[tag] = add.pop(tag, None)
        elif isinstance(effect, AnswersKept):
            answers.update(effect.answers)
    wrote = isinstance(event, Message)
    return ContactChange(
        seen_on=key.channel if wrote else "",
        lang=result.session["lang"] if wrote else "",
        add=tuple(add),
        remove=tuple(remove),
        answers=tuple(answers.items()),
    )


def _noted_just_now(flags: dict[str, Any], change: ContactChange, at: float) -> bool:
    """Whether `change` only says again what the contact was told less than NOTE_EVERY ago."""
    noted = flags.get(NOTED)
    more = change.timezone or change.add or change.remove or change.ordered or change.answers
    if more or not isinstance(noted, dict):  # more than the channel and language: news
        return False
    same = noted.get("channel") == change.seen_on and noted.get("lang") == change.lang
    return same and 0 <= at - float(noted.get("at", -NOTE_EVERY)) < NOTE_EVERY


async def note_contact(
    contacts: ContactStore | None, key: SessionKey, event: Event, result: StepResult
) -> None:
    """The turn's change of the contact in one store call (none when nothing changed, nor when
    the customer only wrote again within NOTE_EVERY), at the event's time (a replayed turn's is
    the same). A change the store refuses (a flow's 51st tag) is logged and the turn goes on; a
    store that fails fails the turn, to be retried."""
    change = contact_change(key, event, result)
    at = event.now.timestamp()
    flags = result.session["flags"]
    if contacts is None or not change or _noted_just_now(flags, change, at):
        return
    try:
        await contacts.update(key.bot, str(key), change, at)
    except ContactError as error:
        log.warning(
            "contact change refused", extra={"session": pseudonym(str(key)), "error": str(error)}
        )
        return
    if change.seen_on:
        flags[NOTED] = {"at": at, "channel": change.seen_on, "lang": change.lang}
