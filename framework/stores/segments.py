"""A broadcast's segment: which of the holders of its purpose's consent it goes to.

A segment only narrows: a broadcast reaches the conversations holding the consent, and of
those the ones its segment admits. Written as JSON (the admin API) or YAML (`theke broadcast
create --segment`), every key optional, all of them must hold:

    {"tags": {"all": ["vegetarian"], "any": ["pizza", "pasta"], "none": ["vip"]},
     "languages": ["de"], "channels": ["whatsapp", "telegram"],
     "ordered_within_days": 30, "no_order_days": 90, "seen_within_days": 60,
     "answers": {"diet": "vegetarian", "city": ["Berlin", "Hamburg"]},
     "consents": {"all": ["notify:news"], "none": ["notify:staff"]}}

- `tags`: the contact holds every tag of `all`, at least one of `any`, none of `none`;
- `languages`: the language the bot last spoke with the contact (the consent's language when
  no contact is known) is one of these;
- `channels`: the conversation's channel is one of these;
- `ordered_within_days`: the contact paid an order within the last N days;
- `no_order_days`: the contact paid no order within the last N days (never ordered counts);
- `seen_within_days`: the contact wrote within the last N days;
- `answers`: each named answer the contact keeps (a flow's `note:`) is the value or one of the
  list, compared as framework/answers.py `folded` says (case and accents do not count);
- `consents`: the conversation also holds every purpose of `all`, at least one of `any`, none
  of `none` (the ledger's `held`, read for a page of holders at once).

A conversation without a contact (a consent imported before it ever wrote) holds no tags nor
answers and has never ordered nor been seen. `parse` checks a segment whole and says what is wrong
(SegmentError); `admits` decides one holder; `explained` says it in words.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from framework.answers import ANSWER_NAME_RULE, NAME, as_answer, folded
from framework.errors import ThekeError
from framework.stores.consent_rules import MAX_HELD_PURPOSES, PURPOSE, PURPOSE_RULE
from framework.stores.consents import ConsentStore
from framework.stores.contacts import Contact
from framework.tags import MAX_TAGS, TAG, TAG_RULE

__all__ = ["MAX_DAYS", "Segment", "SegmentError", "holdings"]

MAX_DAYS = 3650
_LANG = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})?")
_CHANNEL = re.compile(r"[a-z_]{1,32}")
_MOST_NAMES = 20
_TAG_KINDS = ("all", "any", "none")
_DAY_KEYS = ("ordered_within_days", "no_order_days", "seen_within_days")
_KEYS = ("tags", "languages", "channels", *_DAY_KEYS, "answers", "consents")
DAY = 86400.0


class SegmentError(ThekeError, ValueError):
    """A segment of another shape (an unknown key, a bad tag, a number of days out of
    bounds); the message says which and what is allowed."""


def _names(
    where: str, value: Any, pattern: re.Pattern[str], rule: str, most: int
) -> tuple[str, ...]:
    if not isinstance(value, list) or not 0 < len(value) <= most:
        raise SegmentError(f"{where}: a list of 1 to {most} names")
    for name in value:
        if not isinstance(name, str) or not pattern.fullmatch(name):
            raise SegmentError(f"{where}: {str(name)[:60]!r} is not {rule}")
    return tuple(dict.fromkeys(map(str, value)))


def _kinds(where: str, value: Any, what: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping) or set(value) - set(_TAG_KINDS):
        raise SegmentError(f"{where}: an object of all, any and none, each a list of {what}")
    return value


def _answers(value: Any) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """`answers`: name -> a value or a list of values (each an answer's text)."""
    if value is None:
        return ()
    if not isinstance(value, Mapping) or not 0 < len(value) <= _MOST_NAMES:
        raise SegmentError(f"answers: an object of 1 to {_MOST_NAMES} answers' names")
    found = []
    for name, wanted in value.items():
        if not isinstance(name, str) or not NAME.fullmatch(name):
            raise SegmentError(f"answers: {str(name)[:60]!r} is not {ANSWER_NAME_RULE}")
        values = wanted if isinstance(wanted, list) else [wanted]
        texts = [as_answer(v) if isinstance(v, str | int) else None for v in values]
        if not 0 < len(texts) <= _MOST_NAMES or None in texts:
            raise SegmentError(
                f"answers.{name}: a text of 1 to 200 characters, or a list of 1 to "
                f"{_MOST_NAMES} of them"
            )
        found.append((name, tuple(dict.fromkeys(str(text) for text in texts))))
    return tuple(found)


def _consents(value: Any) -> dict[str, tuple[str, ...]]:
    """`consents`: purposes held (all, any) and not held (none), at most MAX_HELD_PURPOSES."""
    kinds = _kinds("consents", value or {}, "purposes")
    found = {
        kind: _names(f"consents.{kind}", kinds[kind], PURPOSE, PURPOSE_RULE, MAX_HELD_PURPOSES)
        for kind in _TAG_KINDS
        if kind in kinds
    }
    if len({purpose for names in found.values() for purpose in names}) > MAX_HELD_PURPOSES:
        raise SegmentError(f"consents: at most {MAX_HELD_PURPOSES} purposes in all")
    return found


def _days(where: str, value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= MAX_DAYS:
        raise SegmentError(f"{where}: a whole number of days from 1 to {MAX_DAYS}")
    return int(value)


@dataclass(frozen=True, slots=True)
class Segment:
    all_tags: tuple[str, ...] = ()
    any_tags: tuple[str, ...] = ()
    no_tags: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()
    ordered_within_days: int | None = None
    no_order_days: int | None = None
    seen_within_days: int | None = None
    answers: tuple[tuple[str, tuple[str, ...]], ...] = ()
    """(answer's name, the values it may have)."""
    all_consents: tuple[str, ...] = ()
    any_consents: tuple[str, ...] = ()
    no_consents: tuple[str, ...] = ()

    @classmethod
    def parse(cls, data: object) -> Segment:
        """A segment from its JSON (None or {}: everyone), or SegmentError."""
        if data is None:
            return cls()
        if not isinstance(data, Mapping):
            raise SegmentError("a segment is an object: tags, languages, channels, days")
        unknown = sorted(str(key) for key in data if key not in _KEYS)
        if unknown:
            raise SegmentError(f"a segment has no {unknown[0][:40]!r}: {', '.join(_KEYS)}")
        tags = _kinds("tags", data.get("tags") or {}, "tags")
        found = {
            kind: _names(f"tags.{kind}", tags[kind], TAG, TAG_RULE, MAX_TAGS)
            for kind in _TAG_KINDS
            if kind in tags
        }
        consents = _consents(data.get("consents"))
        lists = {
            key: _names(key, data[key], pattern, rule, _MOST_NAMES)
            for key, pattern, rule in (
                ("languages", _LANG, "a language code: de, en, pt-BR"),
                ("channels", _CHANNEL, "a channel: whatsapp, telegram, web, rest"),
            )
            if key in data
        }
        return cls(
            found.get("all", ()),
            found.get("any", ()),
            found.get("none", ()),
            lists.get("languages", ()),
            lists.get("channels", ()),
            _days("ordered_within_days", data.get("ordered_within_days")),
            _days("no_order_days", data.get("no_order_days")),
            _days("seen_within_days", data.get("seen_within_days")),
            _answers(data.get("answers")),
            *(consents.get(kind, ()) for kind in _TAG_KINDS),
        )

    def to_json(self) -> dict[str, Any]:
        """The segment as written (only what it names: {} is everyone)."""
        tags = {
            kind: list(names)
            for kind, names in zip(
                _TAG_KINDS, (self.all_tags, self.any_tags, self.no_tags), strict=True
            )
            if names
        }
        found: dict[str, Any] = {"tags": tags} if tags else {}
        found |= {
            k: list(v) for k, v in (("languages", self.languages), ("channels", self.channels)) if v
        }
        days = (self.ordered_within_days, self.no_order_days, self.seen_within_days)
        found |= {key: n for key, n in zip(_DAY_KEYS, days, strict=True) if n is not None}
        if self.answers:
            found["answers"] = {n: v[0] if len(v) == 1 else list(v) for n, v in self.answers}
        consents = {
            kind: list(names)
            for kind, names in zip(_TAG_KINDS, self._consents, strict=True)
            if names
        }
        return found | ({"consents": consents} if consents else {})

    @property
    def _consents(self) -> tuple[tuple[str, ...], ...]:
        return self.all_consents, self.any_consents, self.no_consents

    @property
    def needs_contacts(self) -> bool:
        """Whether deciding needs the holders' contacts (the channel alone does not, nor the
        consents)."""
        return bool(self.to_json().keys() - {"channels", "consents"})

    @property
    def purposes(self) -> tuple[str, ...]:
        """The purposes whose holding deciding needs (`consents`): ask the ledger's `held`."""
        return tuple(dict.fromkeys(p for names in self._consents for p in names))

    def admits(
        self,
        conversation: str,
        contact: Contact | None,
        lang: str,
        now: float,
        held: frozenset[str] = frozenset(),
    ) -> bool:
        """Whether the holder of `conversation` (its contact, if it has one; `lang` the
        consent's language; `held`, which of `purposes` it holds) is in the segment at
        `now`."""
        channel = conversation.split(":", 2)[1] if conversation.count(":") >= 2 else ""
        if self.channels and channel not in self.channels:
            return False
        if self.languages and ((contact and contact.lang) or lang) not in self.languages:
            return False
        return (
            self._contact_admits(contact, now)
            and self._answers_admit(contact)
            and held.issuperset(self.all_consents)
            and (not self.any_consents or not held.isdisjoint(self.any_consents))
            and held.isdisjoint(self.no_consents)
        )

    def explained(self) -> list[str]:
        """What a holder must be to be in it, a line a condition (none: every holder)."""
        kinds = ("every one of", "at least one of", "none of")
        tags = (self.all_tags, self.any_tags, self.no_tags)
        days = (self.ordered_within_days, self.no_order_days, self.seen_within_days)
        said = ("paid an order within", "paid no order within", "wrote within")
        return [
            *(f"tags: {k} {', '.join(n)}" for k, n in zip(kinds, tags, strict=True) if n),
            *([f"language: {' or '.join(self.languages)}"] if self.languages else []),
            *([f"channel: {' or '.join(self.channels)}"] if self.channels else []),
            *(f"{s} the last {n} days" for s, n in zip(said, days, strict=True) if n),
            *(
                f"answer {name}: {' or '.join(map(repr, values))} (case and accents aside)"
                for name, values in self.answers
            ),
            *(
                f"consents: holds {k} {', '.join(n)}"
                for k, n in zip(kinds, self._consents, strict=True)
                if n
            ),
        ]

    def _answers_admit(self, contact: Contact | None) -> bool:
        kept = contact.answers if contact else {}
        return all(
            name in kept and folded(kept[name]) in {folded(value) for value in values}
            for name, values in self.answers
        )

    def _contact_admits(self, contact: Contact | None, now: float) -> bool:
        tags = set(contact.tags) if contact else set()
        ordered = contact.last_order if contact else 0.0
        seen = contact.last_seen if contact else 0.0
        return (
            tags.issuperset(self.all_tags)
            and (not self.any_tags or not tags.isdisjoint(self.any_tags))
            and tags.isdisjoint(self.no_tags)
            and (
                self.ordered_within_days is None or _within(ordered, self.ordered_within_days, now)
            )
            and (self.no_order_days is None or not _within(ordered, self.no_order_days, now))
            and (self.seen_within_days is None or _within(seen, self.seen_within_days, now))
        )


async def holdings(
    consents: ConsentStore, bot: str, segment: Segment, conversations: Sequence[str]
) -> defaultdict[str, frozenset[str]]:
    """Which of the segment's purposes each of a page of holders holds (`admits`'s `held`),
    in one read of the ledger; none when the segment names no consents."""
    found: defaultdict[str, frozenset[str]] = defaultdict(frozenset)
    if segment.purposes and conversations:
        found.update(await consents.held(bot, conversations, segment.purposes))
    return found


def _within(at: float, days: int, now: float) -> bool:
    return at > 0 and at >= now - days * DAY
