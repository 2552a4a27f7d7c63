"""Consents given outside the chat: imported with their evidence (`theke consents import`,
`POST /admin/consents/import`) or posted by the business's own web form
(`POST /api/consents/form`). Each becomes a grant in the ledger, with the source
`import:<evidence>` or `web_form:<form>` (docs/contacts.md#consents-given-elsewhere).

A row names the customer by their channel and their id there (`whatsapp` and the phone
number, `telegram` and the chat id, …): that is the conversation (`bot:channel:id`) a broadcast
or a notification reaches. It needs the purpose, the words the customer was shown (naming the
business), when they agreed and the evidence (where and how it was collected). A row is
refused with the reason when any of these is missing or bad, or its time is in the future.

Taking a row into the ledger (`take`) is idempotent and never overrides the customer:

- the same grant again (purpose, words, time and source) changes nothing: `already`;
- a conversation whose latest entry for the purpose is later than the row keeps it: a
  withdrawal (a STOP, a decline) refuses the row — nobody is granted again by a consent older
  than their no; a later grant leaves the row nothing to do (`held`), as does a later yes
  waiting for its confirmation, which the customer still owes (refused).

Two imports of one row at the same moment can both write it (the ledger has no compare and
append); the second run of a file finds it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from framework.stores import checks
from framework.stores.consent_rules import MAX_HISTORY, MAX_SOURCE, MAX_TEXT, PURPOSE, PURPOSE_RULE
from framework.stores.consents import GRANTED, PENDING, WITHDRAWN, Consent, ConsentStore

__all__ = [
    "ALREADY",
    "FIELDS",
    "HELD",
    "IMPORTED",
    "Given",
    "RowRefused",
    "evidence_source",
    "given",
    "take",
]

IMPORTED, ALREADY, HELD = "imported", "already", "held"
"""What became of a row that was not refused."""
FIELDS = ("channel", "address", "purpose", "text", "at", "evidence", "lang")
"""The fields of an imported row (a web form's name its `form` instead of `evidence`)."""

_ADDRESSES = {
    "whatsapp": (re.compile(r"[1-9][0-9]{5,14}"), "a phone number with its country code"),
    "telegram": (re.compile(r"-?[1-9][0-9]{0,19}"), "a Telegram chat id (digits)"),
    "web": (re.compile(r"[A-Za-z0-9._:-]{1,128}"), "a web chat id (letters, digits, ._:-)"),
    "rest": (re.compile(r"[A-Za-z0-9._:-]{1,128}"), "a REST sender (letters, digits, ._:-)"),
}
_PHONE_DECOR = re.compile(r"[\s()/.-]")
_SOURCE_NAME = re.compile(r"[^\x00-\x1f\x7f]{1,150}")
_FORM = re.compile(r"[a-z0-9][a-z0-9_-]{0,59}")
_LANG = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})?")


class RowRefused(ValueError):
    """A row that cannot be taken; the message says why."""


@dataclass(frozen=True, slots=True)
class Given:
    """A consent given elsewhere, checked: the grant it becomes."""

    bot: str
    channel: str
    conversation: str
    purpose: str
    text: str
    at: float
    source: str
    lang: str

    def grant(self) -> Consent:
        return Consent(
            self.bot,
            self.conversation,
            self.purpose,
            GRANTED,
            self.text,
            self.channel,
            self.source,
            self.at,
            self.lang,
        )


def given(bot: str, row: Mapping[str, object], source: str, now: float) -> Given:
    """The row as a grant of `bot` with the source `source` (`import:` and the evidence, or
    `web_form:` and the form): RowRefused saying what is wrong."""
    channel = _field(row, "channel")
    if channel not in _ADDRESSES:
        raise RowRefused(f"channel: one of {', '.join(_ADDRESSES)}, not {checks.shown(channel)}")
    address = _address(channel, _field(row, "address"))
    purpose = _field(row, "purpose")
    if not PURPOSE.fullmatch(purpose):
        raise RowRefused(f"purpose: {checks.shown(purpose)} is not {PURPOSE_RULE}")
    text = _field(row, "text", MAX_TEXT).strip()
    if not text:
        raise RowRefused("text: the words the customer was shown are needed, word for word")
    lang = _field(row, "lang", 16, optional=True)
    if lang and not _LANG.fullmatch(lang):
        raise RowRefused(f"lang: a language code such as de or en, not {checks.shown(lang)}")
    at = _time(row.get("at"), now)
    return Given(bot, channel, f"{bot}:{channel}:{address}", purpose, text, at, source, lang)


def evidence_source(kind: str, row: Mapping[str, object]) -> str:
    """`import:<evidence>` or `web_form:<form>`: RowRefused when it is missing or bad."""
    if kind == "web_form":
        form = _field(row, "form", 60)
        if not _FORM.fullmatch(form):
            raise RowRefused("form: 1 to 60 lowercase letters, digits, _ or -, e.g. newsletter")
        return f"web_form:{form}"
    evidence = _field(row, "evidence", MAX_SOURCE).strip()
    if not _SOURCE_NAME.fullmatch(evidence):
        raise RowRefused(
            "evidence: where and how the consent was collected (1 to 150 characters, one line),"
            " e.g. 'shop checkout box 2026-03, log export 12'"
        )
    return f"import:{evidence}"


def _field(row: Mapping[str, object], name: str, most: int = 200, optional: bool = False) -> str:
    value = row.get(name)
    if value is None or value == "":
        if optional:
            return ""
        raise RowRefused(f"{name}: missing")
    return checks.bounded_text(name, value, most, RowRefused, "a row may hold")


def _address(channel: str, written: str) -> str:
    """The customer's id on the channel as the channel's session keys hold it (a WhatsApp
    number without + and spaces)."""
    address = _PHONE_DECOR.sub("", written).removeprefix("+") if channel == "whatsapp" else written
    pattern, rule = _ADDRESSES[channel]
    if not pattern.fullmatch(address):
        raise RowRefused(f"address: {rule}, not {checks.shown(written)}")
    return address


def _time(value: object, now: float) -> float:
    """When they agreed: ISO 8601 with its offset (`2026-03-02T10:15:00+01:00`) or seconds
    since the epoch; never in the future."""
    if isinstance(value, str) and value.strip():
        try:
            moment = datetime.fromisoformat(value.strip())
        except ValueError:
            raise RowRefused(
                f"at: an ISO time such as 2026-03-02T10:15:00+01:00, not {checks.shown(value)}"
            ) from None
        if moment.tzinfo is None:
            raise RowRefused("at: give the time with its offset (+01:00, Z): whose 10:15 was it?")
        at = moment.timestamp()
    elif isinstance(value, int | float) and not isinstance(value, bool) and 0 <= value < 1e11:
        at = float(value)
    else:
        raise RowRefused("at: when they agreed (ISO 8601 with offset, or seconds since 1970)")
    if at > now:
        raise RowRefused(f"at: {_when(at)} is in the future: a consent is given before it is kept")
    return at


async def take(ledger: ConsentStore, row: Given) -> str:
    """The row into the ledger: IMPORTED, ALREADY or HELD; RowRefused when the customer's own
    later answer stands against it."""
    history = await ledger.history(row.bot, row.conversation, MAX_HISTORY)
    grant = row.grant()
    if any(_same(entry, grant) for entry in history):
        return ALREADY
    latest = (await ledger.current(row.bot, row.conversation)).get(row.purpose)
    if latest is not None and latest.at >= row.at:
        if latest.state == WITHDRAWN:
            raise RowRefused(
                f"the customer withdrew {row.purpose} on {_when(latest.at)}, after this "
                "consent: it is not given again"
            )
        if latest.state == PENDING:
            raise RowRefused(
                f"the customer's later yes ({_when(latest.at)}) waits for their "
                "confirmation: it is theirs to give"
            )
        return HELD
    await ledger.record(grant)
    return IMPORTED


def _when(at: float) -> str:
    return datetime.fromtimestamp(at, UTC).isoformat(timespec="seconds")


def _same(entry: Consent, grant: Consent) -> bool:
    return (entry.purpose, entry.state, entry.source, entry.at, entry.text) == (
        grant.purpose,
        grant.state,
        grant.source,
        grant.at,
        grant.text,
    )
