"""Once per contact: a broadcast or a notification reaches one conversation of each contact,
however many channels the customer linked (framework/stores/contact_links.py).

The contact's conversation for a notice is fixed the first time any of its conversations is
met — as a holder of a page, in whichever order the pages come — as a `once` mark in the reach
store: of the contact's conversations that hold the notice's purpose now (and are on a channel
the segment allows), the one on the channel the customer wrote on last. Every later meeting,
on any worker, reads that mark and passes the other conversations over, so a contact linked on
WhatsApp and Telegram gets an offer once, on one of them.

The marks are digests made with the notice's id (the contact's id and the conversation's key
never stored as they are), kept as long as the notice can still go out: they name nobody, so
they are neither exported nor erased (framework/privacy/).
A conversation without a contact is a contact of its own and needs no mark.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

from framework.stores.consents import ConsentStore
from framework.stores.contacts import Contact
from framework.stores.reach import ReachStore
from framework.stores.reach import mark_digest as digest

__all__ = ["Once", "chosen", "digest"]


def _channel(conversation: str) -> str:
    return conversation.split(":", 2)[1] if conversation.count(":") >= 2 else ""


def _preferred(contact: Contact, holding: Collection[str]) -> str:
    """Of the contact's conversations in `holding`, the one on the channel it wrote on last
    (of equals, the first by key)."""
    return max(
        sorted(holding),
        key=lambda conversation: contact.inbound.get(_channel(conversation), 0.0),
    )


def chosen(contact: Contact, holding: Collection[str], channels: Collection[str] = ()) -> str:
    """The contact's one conversation for a notice: of its conversations in `holding` (those
    holding the notice's purpose), on a channel of `channels` when one is (none: any), the one
    on the channel it wrote on last."""
    theirs = [c for c in contact.conversations if c in holding]
    allowed = [c for c in theirs if not channels or _channel(c) in channels]
    return _preferred(contact, allowed or theirs)


class Once:
    """The marks of one bot's notices, in `reach`; `ledger` says which conversations of a
    contact hold a notice's purpose."""

    def __init__(self, reach: ReachStore, ledger: ConsentStore) -> None:
        self._reach, self._ledger = reach, ledger

    async def choices(
        self,
        bot: str,
        purpose: str,
        holders: Sequence[str],
        contacts: Mapping[str, Contact],
        channels: Collection[str] = (),
    ) -> dict[str, str]:
        """Each linked contact of `holders` (conversations holding `purpose`, with their
        `contacts`) by id -> the conversation the notice would go to (`chosen`), as nothing
        was marked yet: what a preview counts. Contacts of one conversation are left out."""
        linked = {
            contact.id: contact
            for holder in holders
            if (contact := contacts.get(holder)) is not None and len(contact.conversations) > 1
        }
        if not linked:
            return {}
        others = {c for contact in linked.values() for c in contact.conversations}
        held = await self._ledger.held(bot, sorted(others - set(holders)), [purpose])
        holding = set(holders) | {c for c, purposes in held.items() if purpose in purposes}
        return {id_: chosen(contact, holding, channels) for id_, contact in linked.items()}

    async def ones(
        self,
        bot: str,
        notice: str,
        purpose: str,
        holders: Sequence[str],
        contacts: Mapping[str, Contact],
        times: tuple[float, float],
        channels: Collection[str] = (),
    ) -> set[str]:
        """Of `holders` (conversations holding `purpose`, with their `contacts`), those that
        are their contact's one conversation for `notice` (its id); `times`: now, and until
        when the marks are kept; `channels`: where a conversation may be chosen (none: any)."""
        choices = await self.choices(bot, purpose, holders, contacts, channels)
        if not choices:
            return set(holders)
        marks = {digest(notice, id_): digest(notice, one) for id_, one in choices.items()}
        kept = await self._reach.once(bot, marks, *times)
        return {
            holder
            for holder in holders
            if (contact := contacts.get(holder)) is None
            or contact.id not in choices
            or kept[digest(notice, contact.id)] == digest(notice, holder)
        }
