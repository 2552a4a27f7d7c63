"""A contacts list's query, as the admin API and the contacts page take it, checked whole:

    tag (repeated: every one), purpose (marketing or notify:<topic>, held now), lang, channel,
    seen_since (a date 2026-11-01, a time 2026-11-01T18:00+01:00, or Unix seconds), q (a text
    in the customer's id or a noted answer), after (the cursor: the last page's `after`), limit

An empty value means any. BadRequest names the first thing wrong and what to write instead;
nothing is read before the query is whole.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from framework.contacts.listing import Wanted
from framework.errors import BadRequest
from framework.stores.consent_rules import PURPOSE
from framework.stores.contact_rules import CHANNEL, LANG, MAX_CONVERSATION
from framework.stores.contacts import MAX_TAGS
from framework.tags import TAG

__all__ = ["MAX_SEARCH", "NAMES", "Asked", "asked"]

NAMES = frozenset({"bot", "tag", "purpose", "lang", "channel", "seen_since", "q", "after", "limit"})
MAX_SEARCH = 64
_EARLIEST, _LATEST = 0.0, 253402300799.0  # 9999-12-31


@dataclass(frozen=True, slots=True)
class Asked:
    wanted: Wanted
    after: str
    """Where the page starts: after this conversation ("" the first page)."""


def asked(bot: str, pairs: Iterable[tuple[str, str]]) -> Asked:
    """The query's (name, value) pairs, in order, for `bot`'s contacts."""
    given: dict[str, list[str]] = {}
    for name, value in pairs:
        if name not in NAMES:
            raise BadRequest(f"{name[:40]!r} is no filter: use {', '.join(sorted(NAMES))}")
        given.setdefault(name, []).append(value.strip())
    once = {name: values[-1] for name, values in given.items()}
    tags = tuple(tag for tag in given.get("tag", []) if tag)
    if len(tags) > MAX_TAGS or not all(TAG.fullmatch(tag) for tag in tags):
        raise BadRequest(f"tag: at most {MAX_TAGS}, each 1 to 40 of a-z 0-9 _ -")
    purpose = once.get("purpose", "")
    if purpose and not PURPOSE.fullmatch(purpose):
        raise BadRequest("purpose: marketing or notify:<topic> (letters, digits and :._-)")
    lang = once.get("lang", "")
    if lang and not LANG.fullmatch(lang):
        raise BadRequest("lang: a language code such as de or en")
    channel = once.get("channel", "")
    if channel and not CHANNEL.fullmatch(channel):
        raise BadRequest("channel: a channel's name, such as whatsapp, telegram, web or rest")
    search = once.get("q", "")
    if len(search) > MAX_SEARCH:
        raise BadRequest(f"q: at most {MAX_SEARCH} characters of a customer's id or an answer")
    after = once.get("after", "")
    if after and not (after.startswith(f"{bot}:") and len(after) <= MAX_CONVERSATION):
        raise BadRequest("after: the `after` of the page before (a conversation of this bot)")
    since = _moment(once.get("seen_since", ""))
    return Asked(Wanted(tags, lang, channel, purpose, since, search), after)


def _moment(text: str) -> float:
    """Unix seconds from a date, an ISO time (UTC when it names no offset) or a number."""
    if not text:
        return 0.0
    try:
        moment = float(text) if text.replace(".", "", 1).isdigit() else _iso(text)
    except (ValueError, OverflowError):
        moment = -1.0
    if not _EARLIEST <= moment <= _LATEST:
        raise BadRequest(
            "seen_since: a date (2026-11-01), a time (2026-11-01T18:00+01:00) or Unix seconds"
        )
    return moment


def _iso(text: str) -> float:
    if len(text) > 40:
        raise ValueError(text)
    parsed = datetime.fromisoformat(text)
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).timestamp()
