"""The consents of a deployment: the ledger (framework/stores/consents.py) and what changes it —
a flow's grant, the customer's STOP and START, the channel's own signal.

STOP withdraws every purpose the conversation holds, in one step; START grants again exactly
what the last STOP withdrew, with START as the evidence. Either is idempotent: a turn replayed
after a crash changes nothing twice.

Double opt-in: `ask` keeps the customer's yes as a pending entry, `confirm` turns it into the
grant when the confirmation comes before the pending entry's end (and nothing withdrew it
since). A STOP withdraws a pending purpose too, and START never grants one that was only
pending: what was never confirmed is never granted.

The notices that need the ledger are framework/broadcasts/ (broadcasts, and notifications:
notifying.py).
"""

from __future__ import annotations

from framework.stores.consent_rules import ended_grants
from framework.stores.consents import (
    GRANTED,
    PENDING,
    WITHDRAWN,
    Consent,
    ConsentStore,
)
from framework.stores.records import SessionKey

__all__ = ["START", "STOP", "Consents"]

STOP, START = "stop", "start"
"""The sources of the customer's own withdrawal and renewal."""


class Consents:
    def __init__(self, store: ConsentStore) -> None:
        self.store = store

    async def grant(
        self, key: SessionKey, purpose: str, text: str, source: str, lang: str, at: float
    ) -> Consent:
        return await self.store.record(
            Consent(key.bot, str(key), purpose, GRANTED, text, key.channel, source, at, lang)
        )

    async def ask(
        self,
        key: SessionKey,
        purpose: str,
        text: str,
        source: str,
        lang: str,
        at: float,
        until: float,
    ) -> Consent:
        """The customer's yes to `text`, waiting for their confirmation until `until`."""
        return await self.store.record(
            Consent(key.bot, str(key), purpose, PENDING, text, key.channel, source, at, lang, until)
        )

    async def confirm(
        self, key: SessionKey, purpose: str, text: str, source: str, lang: str, at: float
    ) -> Consent | None:
        """The grant of a pending `purpose`, confirmed with `text` at `at`: both texts and
        both times kept. None when nothing waits for it (never asked, withdrawn since, or
        its time is over)."""
        latest = (await self.store.current(key.bot, str(key))).get(purpose)
        if latest is None or latest.state != PENDING or latest.until is None:
            return None
        if at > latest.until:
            return None
        return await self.store.record(
            Consent(
                key.bot,
                str(key),
                purpose,
                GRANTED,
                text,
                key.channel,
                source,
                at,
                lang,
                asked=latest.text,
                asked_at=latest.at,
            )
        )

    async def withdraw(
        self, key: SessionKey, purpose: str, text: str, source: str, lang: str, at: float
    ) -> Consent:
        return await self.store.record(
            Consent(key.bot, str(key), purpose, WITHDRAWN, text, key.channel, source, at, lang)
        )

    async def stop(
        self, key: SessionKey, said: str, at: float, source: str = STOP
    ) -> list[Consent]:
        """Everything the conversation holds, withdrawn (STOP, or the channel's own signal)."""
        return await self.store.withdraw_all(key.bot, str(key), said, key.channel, source, at)

    async def resume(self, key: SessionKey, said: str, lang: str, at: float) -> list[Consent]:
        """What the last STOP withdrew, granted again (START)."""
        history = await self.store.history(key.bot, str(key))
        stops = [entry for entry in history if entry.source == STOP and entry.state == WITHDRAWN]
        if not stops:
            return []
        last = stops[-1].at
        current = await self.store.current(key.bot, str(key))
        again = [
            entry.purpose
            for entry in ended_grants(history)
            if entry.source == STOP
            and entry.at == last
            and current[entry.purpose].state == WITHDRAWN
        ]
        return [await self.grant(key, purpose, said, START, lang, at) for purpose in again]
