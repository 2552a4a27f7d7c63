"""The contract of double opt-in's pending entries, on every consent ledger (memory, sqlite,
redis, redis-cluster: test_consent_store.py's fixtures): a pending entry makes nobody a holder
and ends no holding, `current` shows it, a STOP withdraws it, the confirmed grant keeps both
texts and both times, and the rules refuse the fields where they do not belong."""

from __future__ import annotations

import pytest

from framework.stores.consents import (
    GRANTED,
    MARKETING,
    PENDING,
    WITHDRAWN,
    Consent,
    ConsentError,
    ConsentStore,
    Holder,
)
from tests.stores.test_consent_store import (
    ADA,
    BOB,
    BOT,
    FLIGHT,
    NOW,
    Opener,
    consents,
    entry,
    opener,
    stop,
)

__all__ = ["consents", "opener"]  # the contract suite's fixtures: memory, sqlite, redis, cluster

ASKED = "Darf der Salon Ada dir hier Angebote schicken?"
CONFIRM = "Bitte bestätige: Salon Ada schickt dir hier Angebote. Antworte JA."
DAY = 86400.0


def pending(at: float = NOW, conversation: str = ADA, purpose: str = MARKETING) -> Consent:
    return entry(purpose, PENDING, at, conversation, text=ASKED, until=at + DAY)


def confirmed(at: float = NOW + 60, asked_at: float = NOW) -> Consent:
    return entry(text=CONFIRM, at=at, asked=ASKED, asked_at=asked_at)


async def test_a_pending_entry_makes_no_holder_until_it_is_confirmed(opener: Opener) -> None:
    store, other = await opener(), await opener()
    asked = await store.record(pending())
    assert asked == pending()
    assert await other.current(BOT, ADA) == {MARKETING: asked}
    assert await other.holders(BOT, MARKETING) == []
    granted = await store.record(confirmed())
    assert await other.holders(BOT, MARKETING) == [Holder(ADA, NOW + 60, "de")]
    assert await other.history(BOT, ADA) == [asked, granted]
    kept = (await other.current(BOT, ADA))[MARKETING]
    assert (kept.text, kept.at, kept.asked, kept.asked_at) == (CONFIRM, NOW + 60, ASKED, NOW)
    assert kept.until is None


async def test_a_pending_entry_ends_no_holding(consents: ConsentStore) -> None:
    await consents.record(entry(conversation=BOB))
    await consents.record(pending(NOW + 5, BOB))  # asked again while holding
    assert await consents.holders(BOT, MARKETING) == [Holder(BOB, NOW, "de")]
    await consents.record(pending(NOW + 6))
    assert await consents.holders(BOT, MARKETING) == [Holder(BOB, NOW, "de")]


async def test_a_stop_withdraws_a_pending_purpose(consents: ConsentStore) -> None:
    await consents.record(pending())
    await consents.record(entry(FLIGHT))
    withdrawn = await stop(consents, NOW + 30)
    assert [(e.purpose, e.state) for e in withdrawn] == [
        (MARKETING, WITHDRAWN),
        (FLIGHT, WITHDRAWN),
    ]
    current = await consents.current(BOT, ADA)
    assert {purpose: e.state for purpose, e in current.items()} == {
        MARKETING: WITHDRAWN,
        FLIGHT: WITHDRAWN,
    }
    assert await stop(consents, NOW + 31) == []  # nothing left to withdraw
    assert await consents.holders(BOT, MARKETING) == []


async def test_a_pending_entry_over_a_grant_is_withdrawn_with_the_holding(
    consents: ConsentStore,
) -> None:
    await consents.record(entry())
    await consents.record(pending(NOW + 5))
    assert [e.purpose for e in await stop(consents, NOW + 6)] == [MARKETING]
    assert await consents.holders(BOT, MARKETING) == []


async def test_erase_forgets_pending_entries(consents: ConsentStore) -> None:
    await consents.record(pending())
    assert await consents.erase(BOT, ADA) == 1
    assert await consents.current(BOT, ADA) == {}
    assert await consents.history(BOT, ADA) == []


@pytest.mark.parametrize(
    ("bad", "says"),
    [
        (entry(MARKETING, PENDING), "seconds since"),
        (entry(MARKETING, PENDING, until=NOW), "after it was asked"),
        (entry(until=NOW + DAY), "only a pending consent"),
        (entry(state=WITHDRAWN, until=NOW + DAY), "only a pending consent"),
        (entry(asked=ASKED), "both together"),
        (entry(asked_at=NOW), "both together"),
        (entry(state=WITHDRAWN, asked=ASKED, asked_at=NOW), "both together"),
        (entry(asked=ASKED, asked_at=NOW + 1), "after its question"),
        (entry(asked=ASKED, asked_at=float("nan")), "seconds since"),
        (entry(asked="x" * 5000, asked_at=NOW), "more than the 4096"),
        (entry(state="maybe"), "granted, withdrawn or pending"),
    ],
)
async def test_double_opt_in_fields_where_they_do_not_belong_are_refused(
    consents: ConsentStore, bad: Consent, says: str
) -> None:
    with pytest.raises(ConsentError, match=says):
        await consents.record(bad)
    assert await consents.history(BOT, ADA) == []
    assert await consents.current(BOT, ADA) == {}


def test_a_single_opt_in_entry_reads_as_it_always_did() -> None:
    assert set(entry().to_json()) == {
        "bot", "conversation", "purpose", "state", "text", "channel", "source", "at", "lang",
    }  # fmt: skip
    assert Consent.from_json(entry().to_json()) == entry()
    assert Consent.from_json(confirmed().to_json()) == confirmed()
    assert pending().to_json()["until"] == NOW + DAY
    assert confirmed().state == GRANTED
