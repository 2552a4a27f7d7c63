"""The messengers' own consent signals, into the consent ledger.

A customer can take consent back without a word in the chat: they stop marketing messages in
WhatsApp's own menu (the `user_preferences` webhook, `stop`), WhatsApp refuses a marketing
message because they did (error 131050), or they block the bot on Telegram (a send refused with
403). Each withdraws in the ledger with the source `channel`: the WhatsApp signals `marketing`
only (updates the customer asked for go on), a Telegram block everything. WhatsApp's `resume`
grants again what such a signal withdrew, and nothing else: a STOP the customer typed stays
theirs to undo with START, and a Telegram user who unblocks the bot and writes again gets
nothing back by writing.

The path: a signal is news about one conversation, like a delivery report, so it travels as
one. The channel that reads it (or the delivery that met the refusal, runtime/delivery.py)
queues a `consent` item into that conversation's inbox, and the runtime's table of kinds hands
it to `consent_turn` here, which writes through `Consents` and commits nothing else. This
path, rather than writing to the ledger from the webhook handler, because:

- the inbox keeps an id once, so a webhook Meta delivers twice, or a delivery turn replayed
  after a crash, writes once (and each write is idempotent by itself too: a withdrawal writes
  only what is granted, a resume only what a channel signal left withdrawn);
- the item runs under the conversation's lease, in order with its turns: a STOP typed in the
  chat and a stop in WhatsApp's menu never race;
- no engine turn and no reply (WhatsApp's own screen told the customer; a customer who blocked
  the bot reads nothing): a conversation's flow state is not touched;
- the channels need no ledger of their own, and the runtime imports no channel.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, Protocol

from framework.logs import pseudonym
from framework.stores.consent_rules import ended_grants
from framework.stores.consents import WITHDRAWN, Consent, ConsentError
from framework.stores.records import Claim, Commit, InboxItem, SessionKey

if TYPE_CHECKING:
    from framework.consents.service import Consents
    from framework.flows import Bot

__all__ = [
    "CHANNEL",
    "CONSENT",
    "EVERY_PURPOSE",
    "MAX_SAID",
    "RESUMED",
    "STOPPED",
    "apply_signal",
    "consent_turn",
    "signal_item",
]

log = logging.getLogger("theke.consents")

CONSENT = "consent"
"""The inbox kind of a consent signal (beside those in stores/records.py)."""
CHANNEL = "channel"
"""The ledger's source of every entry a signal writes."""
STOPPED, RESUMED = "stop", "resume"
EVERY_PURPOSE = ""
"""The purposes' prefix of a signal that withdraws everything (a Telegram block)."""
MAX_SAID = 500
"""Characters of the messenger's words kept as an entry's text."""


class _WithConsents(Protocol):
    consents: Consents | None


def signal_item(item_id: str, received_at: str, signal: str, purposes: str, said: str) -> InboxItem:
    """A consent signal for a conversation's inbox: `signal` stop or resume, of the purposes
    starting with `purposes` (`marketing`, or EVERY_PURPOSE), `said` what the messenger said
    (kept as the entries' text). `item_id` makes it count once."""
    data = {"signal": signal, "purposes": purposes, "said": said[:MAX_SAID]}
    return InboxItem(item_id, received_at, CONSENT, data)


async def apply_signal(consents: Consents, key: SessionKey, item: InboxItem) -> list[Consent]:
    """The ledger entries a consent item writes (none when nothing changes)."""
    signal, purposes, said = _read(item.data)
    at = item.time.timestamp()
    if signal == STOPPED:
        return await consents.store.withdraw_all(
            key.bot, str(key), said, key.channel, CHANNEL, at, purposes
        )
    current = await consents.store.current(key.bot, str(key))
    ended = ended_grants(await consents.store.history(key.bot, str(key)))
    again = [
        entry
        for purpose, entry in sorted(current.items())
        if purpose.startswith(purposes)
        and entry.state == WITHDRAWN
        and entry.source == CHANNEL
        and entry in ended  # a yes never confirmed (double opt-in) is not given back
    ]
    return [await consents.grant(key, e.purpose, said, CHANNEL, e.lang, at) for e in again]


def _read(data: dict[str, Any]) -> tuple[str, str, str]:
    signal, purposes, said = data.get("signal"), data.get("purposes"), data.get("said")
    if signal not in (STOPPED, RESUMED) or not isinstance(purposes, str):
        raise ConsentError(f"a consent signal is stop or resume, not {str(signal)[:40]!r}")
    return str(signal), purposes, said if isinstance(said, str) else ""


async def consent_turn(
    runtime: _WithConsents, bot: Bot, key: SessionKey, claim: Claim, item: InboxItem
) -> Commit:
    """A consent item's turn: the ledger written, the conversation's state and log untouched,
    nothing said. A signal the ledger refuses is logged and dropped (never the bot's apology);
    a store that is out raises, and the item stays for a later try."""
    unchanged = Commit(item.id, claim.session or {}, claim.profile, [])
    where = {"session": pseudonym(str(key)), "bot": key.bot, "channel": key.channel}
    if runtime.consents is None:
        log.warning("consent signal without a consent ledger, dropped", extra=where)
        return unchanged
    try:
        written = await apply_signal(runtime.consents, key, item)
    except ConsentError as error:
        log.warning("consent signal refused", extra={**where, "error": str(error)})
        return unchanged
    for entry in written:
        log.info(
            "consent changed by the channel",
            extra={**where, "purpose": entry.purpose, "state": entry.state},
        )
    return unchanged
