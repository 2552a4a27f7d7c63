"""A broadcast reaches a contact once, also when its conversations are linked while it goes out.

The sending loop fixes each linked contact's one conversation when it first meets any of them
(framework/broadcasts/once.py), but a customer may link two chats after one of them was handed
the notice and before the other is: the mark then names their contact as it was. So at the
moment a broadcast's notice is said, and again as its message leaves, the conversation first
takes its place in the order the reach store keeps of the broadcast (`ordered`: a number, set
once per conversation, so a turn replayed after a crash keeps its place), then reads its
contact as it is now, and goes only when none of the contact's other conversations took an
earlier place. Of two conversations of one contact, on two workers, the second reads the
first's place once the link is there; a conversation whose place came first goes, also when
its worker died and another sends it later. Only two conversations that both read their
contact before the link was made both go: they were two people then.

The places are digests of the broadcast's id and the session key (naming nobody, as the marks
of once.py) kept a year.
"""

from __future__ import annotations

from framework.stores.contacts import ContactStore
from framework.stores.reach import ReachStore
from framework.stores.reach import mark_digest as digest
from framework.stores.records import SessionKey

__all__ = ["ELSEWHERE", "KEPT", "OncePerContact"]

ELSEWHERE = "elsewhere"
"""Why a broadcast's notice was not sent: another conversation of its contact got it first."""
KEPT = 365 * 86400.0
"""Seconds a conversation's place in a broadcast's order is kept."""


class OncePerContact:
    def __init__(self, contacts: ContactStore | None, reach: ReachStore | None) -> None:
        """Without contacts or a reach store every conversation is a contact of its own."""
        self.contacts, self.reach = contacts, reach

    async def elsewhere(self, key: SessionKey, broadcast_id: str, now: float) -> bool:
        """Whether another conversation of the key's contact, as it is now, got the
        broadcast before this one (which then must not)."""
        if self.contacts is None or self.reach is None:
            return False
        notice, conversation = f"broadcast:{broadcast_id}", str(key)
        mine = await self.reach.ordered(
            key.bot, digest(notice, "sent", conversation), now, now + KEPT
        )
        contact = (await self.contacts.many(key.bot, [conversation])).get(conversation)
        others = [c for c in contact.conversations if c != conversation] if contact else []
        if not others:
            return False
        places = [digest(notice, "sent", other) for other in others]
        return any(
            place < mine for place in (await self.reach.marked(key.bot, places, now)).values()
        )
