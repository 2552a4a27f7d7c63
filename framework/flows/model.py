"""The neutral model of a bot: what the reader builds and the engine runs.

Every part is an immutable dataclass; flows are compiled into flat programs of instructions
(see `steps.py`) so that a session only needs to remember a flow name and a position.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final
from zoneinfo import ZoneInfo

from framework.bill import TaxRule
from framework.flows.templates import Template
from framework.money import Money

if TYPE_CHECKING:
    from framework.flows.steps import Instruction

__all__ = [
    "ANY_LANGUAGE",
    "SINGLE",
    "ActionSources",
    "Bot",
    "BroadcastRules",
    "Business",
    "Catalog",
    "Choice",
    "ChoiceSet",
    "Flow",
    "Item",
    "Knowledge",
    "Label",
    "Position",
    "Slot",
    "Text",
    "Timeouts",
    "label_for",
]


@dataclass(frozen=True, slots=True)
class Position:
    """Where a value was written: file, line and column (1-based), for every problem."""

    file: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"

    def __reduce__(self) -> tuple[type[Position], tuple[str, int, int]]:
        """A copy (a deep copy of the cart copies the positions of its YAML item ids) is made
        by the constructor: compiled by mypyc (tools/mypyc_build.py), a frozen dataclass
        cannot be filled in field by field as `copy` otherwise does."""
        return (Position, (self.file, self.line, self.column))


ANY_LANGUAGE: Final = "*"
Label = Mapping[str, str]
"""A name per language code, or under ANY_LANGUAGE for all of them."""


def label_for(label: Label, lang: str, default_lang: str) -> str:
    """The label in the customer's language, else the bot's default, else any."""
    found = label.get(lang) or label.get(ANY_LANGUAGE) or label.get(default_lang)
    return found if found is not None else next(iter(label.values()), "")


@dataclass(frozen=True, slots=True)
class Text:
    """A text the bot says: one Jinja2 template per language (or one for all)."""

    variants: Mapping[str, Template]
    pos: Position
    category: str = ""
    """What WhatsApp would call it as a template: `marketing`, `utility`, or "" (not said; a
    bot's `texts:` declare it, framework/flows/language/text_categories.py)."""

    def template(self, lang: str, default_lang: str) -> Template:
        found = self.variants.get(lang) or self.variants.get(ANY_LANGUAGE)
        return found or self.variants.get(default_lang) or next(iter(self.variants.values()))

    @property
    def names(self) -> frozenset[str]:
        return frozenset().union(*(t.names for t in self.variants.values()))

    @property
    def text_refs(self) -> frozenset[str]:
        """Other texts used as `{{ texts.name }}`."""
        return frozenset().union(*(t.text_refs for t in self.variants.values()))


@dataclass(frozen=True, slots=True)
class Choice:
    id: str
    name: Label
    price: Money | None = None
    synonyms: tuple[str, ...] = ()
    description: Label | None = None


@dataclass(frozen=True, slots=True)
class ChoiceSet:
    """Options to choose from: an option group of the catalog (sizes, extras) or a slot's own."""

    id: str
    name: Label
    choices: Mapping[str, Choice]
    many: bool = False
    max: int | None = None
    default: str | None = None


@dataclass(frozen=True, slots=True)
class Item:
    id: str
    name: Label
    price: Money
    tags: frozenset[str] = frozenset()
    options: tuple[str, ...] = ()
    synonyms: tuple[str, ...] = ()
    available: bool = True
    description: Label | None = None
    image: str | None = None
    contains: tuple[tuple[str, tuple[str, ...]], ...] = ()
    """What is on or in it, (language, words) ("" when not by language): "Pizza mit
    Schinken" is one of the items whose lists name ham (described_items.py)."""
    tax: Decimal | None = None
    """This item's tax rate in percent when it differs from the business's (food 7, drinks 19)."""


@dataclass(frozen=True, slots=True)
class Catalog:
    items: Mapping[str, Item] = field(default_factory=dict)
    groups: Mapping[str, ChoiceSet] = field(default_factory=dict)
    tag_words: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """Words for the items of a tag, in any language ("getränke", "drinks"), besides the
    tag's own forms ("drink", "drinks")."""


SINGLE: Final = "single"
"""The role of an item slot whose flow takes one item at a time (a booking's service)."""


@dataclass(frozen=True, slots=True)
class Slot:
    """A named value the bot collects; `type` decides how text is understood."""

    name: str
    type: str
    pos: Position
    prompt: Text | None = None
    reprompt: Text | None = None
    min: Decimal | None = None
    max: Decimal | None = None
    min_length: int | None = None
    max_length: int | None = None
    pattern: str | None = None
    choices: ChoiceSet | None = None
    tags: frozenset[str] = frozenset()
    remember: bool = False
    role: str | None = None
    past: bool = False
    region: str | None = None

    def either_or(self) -> ChoiceSet | None:
        """Its choices when it picks one of two (delivery or pickup): striking one chooses the
        other."""
        two = self.type == "choice" and self.choices is not None and len(self.choices.choices) == 2
        return self.choices if two else None

    def the_other(self, refused: Collection[str]) -> str | None:
        """Of a choice between two, the one left when the other is refused ("keine
        Lieferung", "ich will nicht abholen"); None for any other slot or refusal."""
        both = self.either_or()
        left = [choice for choice in both.choices if choice not in refused] if both else []
        return left[0] if len(left) == 1 else None


@dataclass(frozen=True, slots=True)
class Flow:
    name: str
    pos: Position
    program: tuple[Instruction, ...]
    triggers: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    interruptible: bool = True
    description: str = ""
    asks: frozenset[str] = frozenset()
    labels: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Business:
    name: str
    locale: str
    currency: str
    timezone: ZoneInfo
    languages: tuple[str, ...]
    description: Label = field(default_factory=dict)
    hours: Mapping[int, tuple[tuple[time, time], ...]] = field(default_factory=dict)
    holidays: frozenset[date] = frozenset()
    phone: str | None = None
    address: str | None = None
    tax: TaxRule = field(default_factory=lambda: TaxRule(Decimal(0)))
    """The tax rate of the business's prices, and whether prices include it (EU: they do)."""
    language: str = field(init=False, repr=False, compare=False)
    """The locale's language ("de" of "de-DE"): read several times a turn, split once."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "language", self.locale.split("-")[0])

    def is_open(self, moment: datetime) -> bool:
        local = moment.astimezone(self.timezone)
        if local.date() in self.holidays:
            return False
        now = local.time().replace(tzinfo=None)
        return any(start <= now < end for start, end in self.hours.get(local.weekday(), ()))

    def closes_at(self, moment: datetime) -> time | None:
        """When the opening span the moment falls in ends; None when closed."""
        local = moment.astimezone(self.timezone)
        if local.date() in self.holidays:
            return None
        now = local.time().replace(tzinfo=None)
        spans = self.hours.get(local.weekday(), ())
        return next((end for start, end in spans if start <= now < end), None)

    def next_opening(self, moment: datetime) -> datetime | None:
        """When the business next opens (within two weeks), or None if it never does."""
        local = moment.astimezone(self.timezone)
        for days in range(15):
            day = local.date() + timedelta(days=days)
            if day in self.holidays:
                continue
            for start, _end in self.hours.get(day.weekday(), ()):
                opening = datetime.combine(day, start, tzinfo=self.timezone)
                if opening > local:
                    return opening
        return None


@dataclass(frozen=True, slots=True)
class Timeouts:
    """An idle customer is reminded once after `reminder`; the conversation ends after `expire`."""

    reminder: timedelta | None = timedelta(minutes=10)
    expire: timedelta = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class BroadcastRules:
    """What the bot's broadcasts respect while sending (`broadcasts:` in bot.yaml,
    docs/broadcasts.md). The defaults hold nothing back; the reader's default daily limit is
    Meta's first tier."""

    quiet_hours: tuple[time, time] | None = None
    """From, until (the business's local time; past midnight when until comes first): no
    marketing then."""
    frequency_cap: tuple[int, int] | None = None
    """At most this many marketing broadcasts per contact in this many days."""
    daily_limit: int | None = None
    """Unique WhatsApp customers the broadcasts reach in a moving 24 hours (None: no limit)."""
    stop_at_quality: str = "red"
    """A marketing broadcast's WhatsApp template rated this (or lower) by Meta makes it wait:
    `red`, `yellow`, or `never`."""


@dataclass(frozen=True, slots=True)
class ConsentRules:
    """How the bot's consent is given (`consents:` in bot.yaml, docs/contacts.md): the kinds of
    purpose (`marketing`, `notify`) whose yes needs a confirmation (double opt-in), and how
    long the confirmation may take."""

    double_opt_in: frozenset[str] = frozenset()
    confirm_within: timedelta = timedelta(hours=24)

    def confirms(self, purpose: str) -> bool:
        """Whether a yes to `purpose` (`marketing`, `notify:<topic>`) waits for a
        confirmation before it is a grant."""
        return purpose.partition(":")[0] in self.double_opt_in


@dataclass(frozen=True, slots=True)
class ActionSources:
    """Where a bot's actions come from (`actions:` in bot.yaml); paths are in the bot folder."""

    python: Path | None = None
    rasa: Path | None = None
    rasa_server: str | None = None
    rasa_server_actions: tuple[str, ...] = ()
    rasa_server_token: str | None = None
    """As written: a secret reference (env:NAME) resolved when the server is called."""
    timeout: timedelta = timedelta(seconds=10)
    """How long one call may take unless its step says otherwise."""


@dataclass(frozen=True, slots=True)
class Knowledge:
    """An answer the bot gives to a question in between ("kann ich bar zahlen?")."""

    id: str
    phrases: Mapping[str, tuple[str, ...]]
    """What such a question says, per language (like flow triggers)."""
    answer: Text


@dataclass(frozen=True, slots=True, eq=False)
class Bot:
    """A whole bot: the business, its catalog, slots, flows and texts.

    Compared by identity, so caches of derived data (the lexicon) can be keyed by the bot.
    """

    name: str
    business: Business
    catalog: Catalog
    slots: Mapping[str, Slot]
    flows: Mapping[str, Flow]
    texts: Mapping[str, Text]
    commands: Mapping[str, Mapping[str, tuple[str, ...]]]
    constants: Mapping[str, Any]
    start: str | None
    fallback: str | None
    digest: str
    files: tuple[str, ...] = ()
    timeouts: Timeouts = field(default_factory=lambda: Timeouts())
    knowledge: Mapping[str, Knowledge] = field(default_factory=dict)
    actions: ActionSources = field(default_factory=lambda: ActionSources())
    broadcasts: BroadcastRules = field(default_factory=lambda: BroadcastRules())
    consents: ConsentRules = field(default_factory=lambda: ConsentRules())
