"""What names mean inside conditions and texts: slot values, the cart, the business, now.

Catalog and choice slots are stored as ids; here they become values that print as their name
in the customer's language and still compare equal to their id (`size == 'large'`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from functools import lru_cache
from typing import Any, Final

from babel.dates import format_time, get_day_names

from framework.flows.compiling import mypyc_attr
from framework.flows.day_hours import DayView
from framework.flows.model import Bot, Choice, ChoiceSet, Item, label_for
from framework.flows.session import CartData, CartLine
from framework.flows.templates import ABSENT, babel_locale
from framework.flows.understanding.dates import parse_date
from framework.money import Money, format_minor, format_money

__all__ = [
    "BusinessView",
    "CartView",
    "MenuView",
    "Named",
    "NamedList",
    "Scope",
    "TextsView",
    "unwrap",
    "wrap_slot",
]


class Named:
    """A catalog item or a choice: prints as its name, compares as its id."""

    __slots__ = ("id", "name", "options", "price", "tags")

    def __init__(
        self,
        id: str,
        name: str,
        price: Money | None = None,
        tags: frozenset[str] = frozenset(),
        options: tuple[str, ...] = (),
    ) -> None:
        self.id, self.name, self.price, self.tags, self.options = id, name, price, tags, options

    def __str__(self) -> str:
        return self.name

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Named):
            return self.id == other.id
        return isinstance(other, str) and other == self.id

    def __hash__(self) -> int:
        return hash(self.id)


@mypyc_attr(native_class=False)
class NamedList(list[Named]):
    """Several choices (extras): prints as 'Extra Käse, Oliven', `'cheese' in extras` works."""

    def __str__(self) -> str:
        return ", ".join(str(named) for named in self)


class _Names:
    """A bot's items and choices as Named values in one language, each made once: a turn
    wraps its slots and prints the cart's lines several times, a conversation many turns."""

    def __init__(self, bot: Bot, lang: str) -> None:
        self._lang, self._default = lang, bot.business.language
        self._catalog = bot.catalog
        self._items: dict[str, Named] = {}
        self._choices: dict[int, Named] = {}
        """By the identity of the bot's Choice (kept alive by the bot this table is for)."""
        self._labels: dict[tuple[str, ...], str] = {}
        """A cart line's item (by its id) and choices (by group and id) as their names."""

    def item(self, item: Item) -> Named:
        named = self._items.get(item.id)
        if named is None:
            label = label_for(item.name, self._lang, self._default)
            named = Named(item.id, label, item.price, item.tags, item.options)
            self._items[item.id] = named
        return named

    def choice(self, choice: Choice) -> Named:
        named = self._choices.get(id(choice))
        if named is None:
            label = label_for(choice.name, self._lang, self._default)
            named = self._choices[id(choice)] = Named(choice.id, label, choice.price)
        return named

    def item_label(self, item: str) -> str:
        """The name of the catalog item with this id."""
        label = self._labels.get((item,))
        if label is None:
            label = self._labels[(item,)] = self.item(self._catalog.items[item]).name
        return label

    def choice_label(self, group: str, choice: str) -> str:
        """The name of a choice of an option group, by their ids."""
        label = self._labels.get((group, choice))
        if label is None:
            named = self.choice(self._catalog.groups[group].choices[choice])
            label = self._labels[(group, choice)] = named.name
        return label


@lru_cache(maxsize=64)
def _names_of(bot: Bot, lang: str) -> _Names:
    """The Named values of a loaded bot in a language (a reloaded bot gets its own)."""
    return _Names(bot, lang)


def wrap_slot(bot: Bot, slot_name: str, value: Any, lang: str) -> Any:
    """A stored (JSON) slot value as conditions and texts see it."""
    slot = bot.slots.get(slot_name)
    if slot is None or value is None:
        return value
    kind = slot.type
    if kind == "item" and value in bot.catalog.items:
        return _names_of(bot, lang).item(bot.catalog.items[value])
    if kind in ("choice", "choices") and slot.choices is not None:
        return _wrap_choice(slot.choices, value, _names_of(bot, lang))
    if kind == "number":
        return Decimal(str(value))
    if kind == "date":
        return date.fromisoformat(value)
    if kind == "time":
        return time.fromisoformat(value)
    if kind == "datetime":
        return datetime.fromisoformat(value)
    return value


def _wrap_choice(choices: ChoiceSet, value: Any, names: _Names) -> Any:
    if isinstance(value, list):
        return NamedList(names.choice(choices.choices[v]) for v in value if v in choices.choices)
    choice = choices.choices.get(value)
    return value if choice is None else names.choice(choice)


_JSON_ALREADY: Final = frozenset({str, bool, int, type(None), dict})
"""Values of these exact types unwrap to themselves (most of what conditions give)."""


def unwrap(value: Any) -> Any:
    """Back from scope values to JSON data for storing in a slot."""
    if type(value) in _JSON_ALREADY:
        return value
    if isinstance(value, Named):
        return value.id
    if isinstance(value, list):
        return [unwrap(element) for element in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else str(value)
    if isinstance(value, Money):
        return str(value.amount)
    return value


@dataclass(frozen=True, slots=True)
class LineView:
    id: int
    item: Named
    options: NamedList
    quantity: int
    unit: Money

    @property
    def total(self) -> Money:
        return self.unit * self.quantity

    def __str__(self) -> str:
        return _described(self.quantity, self.item.name, [option.name for option in self.options])


def _described(quantity: int, item: str, options: list[str]) -> str:
    """ "2× Salami (Groß, Extra Käse)": a cart line as texts print it."""
    return f"{quantity}× {item} ({', '.join(options)})" if options else f"{quantity}× {item}"


class CartView:
    """The cart as flows see it: `cart.total`, `cart.count`, `cart.empty`, `cart | summary`."""

    def __init__(
        self,
        bot: Bot,
        cart: CartData,
        lang: str,
        locale: str,
        labels: tuple[str, str] = ("", "Total"),
    ) -> None:
        self._bot, self._cart, self._lang, self._locale = bot, cart, lang, locale
        self._empty_label, self._total_label = labels
        self.currency = bot.business.currency
        self._names = _names_of(bot, lang)

    @property
    def lines(self) -> list[LineView]:
        return [self._line(line) for line in self._cart["lines"]]

    def _line(self, line: CartLine) -> LineView:
        item, options = self._named(line)
        unit = Money(line["unit"], self.currency)
        return LineView(line["id"], item, options, line["quantity"], unit)

    def _named(self, line: CartLine) -> tuple[Named, NamedList]:
        catalog, names = self._bot.catalog, self._names
        options = NamedList(
            names.choice(catalog.groups[group].choices[choice])
            for group, ids in line["options"].items()
            for choice in ids
        )
        return names.item(catalog.items[line["item"]]), options

    @property
    def subtotal(self) -> Money:
        return Money(self._subtotal_minor(), self.currency)

    def _subtotal_minor(self) -> int:
        return sum(line["unit"] * line["quantity"] for line in self._cart["lines"])

    @property
    def fees(self) -> list[tuple[str, Money]]:
        default = self._bot.business.language
        return [
            (label_for(fee["name"], self._lang, default), Money(fee["minor"], self.currency))
            for fee in self._cart["fees"]
        ]

    @property
    def total(self) -> Money:
        fees = sum(fee["minor"] for fee in self._cart["fees"])
        return Money(self._subtotal_minor() + fees, self.currency)

    @property
    def count(self) -> int:
        return sum(int(line["quantity"]) for line in self._cart["lines"])

    @property
    def empty(self) -> bool:
        return not self._cart["lines"]

    def __iter__(self) -> Iterator[LineView]:
        return iter(self.lines)

    def __len__(self) -> int:
        return len(self._cart["lines"])

    def summary(self) -> str:
        if self.empty:
            return self._empty_label
        money = self._format
        rows = [self._row(line) for line in self._cart["lines"]]
        rows += [f"{name} – {money(amount)}" for name, amount in self.fees]
        rows.append(f"{self._total_label}: {money(self.total)}")
        return "\n".join(rows)

    def _row(self, line: CartLine) -> str:
        """A line of the summary, as its LineView prints with its total (none made here: the
        summary is printed several times a conversation)."""
        names = self._names
        options = [
            names.choice_label(group, choice)
            for group, ids in line["options"].items()
            for choice in ids
        ]
        quantity = line["quantity"]
        described = _described(quantity, names.item_label(line["item"]), options)
        return f"{described} – {format_minor(line['unit'] * quantity, self.currency, self._locale)}"

    def _format(self, amount: Money) -> str:
        return format_money(amount, self._locale)


class MenuView:
    """`menu`: the catalog for texts, so an answer of the bot's knowledge stays right when the
    menu changes — `menu.items`, `menu.tagged('vegetarian')`, `menu.untagged('fish')` and
    `menu.options('extras')` are lists that print as their names ("Margherita, Funghi"), each
    with `.name`, `.price` (`| money`) and `.tags`; `menu.item('tonno')` is one item. Only what
    can be ordered (sold-out items are left out)."""

    def __init__(self, bot: Bot, lang: str) -> None:
        self._bot, self._names = bot, _names_of(bot, lang)

    @property
    def items(self) -> NamedList:
        return self._where(lambda tags: True)

    def tagged(self, *tags: str) -> NamedList:
        """The items with every one of these tags."""
        return self._where(lambda found: set(tags) <= found)

    def untagged(self, *tags: str) -> NamedList:
        """The items with none of these tags ("without fish": `menu.untagged('fish')`)."""
        return self._where(lambda found: not set(tags) & found)

    def item(self, item_id: str) -> Named | None:
        item = self._bot.catalog.items.get(item_id)
        return self._names.item(item) if item is not None else None

    def options(self, group: str) -> NamedList:
        """The choices of an option group ("sizes", "extras"), each with its price."""
        found = self._bot.catalog.groups.get(group)
        choices = found.choices.values() if found is not None else ()
        return NamedList(self._names.choice(choice) for choice in choices)

    def _where(self, wanted: Callable[[frozenset[str]], bool]) -> NamedList:
        items = self._bot.catalog.items.values()
        return NamedList(
            self._names.item(item) for item in items if item.available and wanted(item.tags)
        )


class BusinessView:
    """`business.open`, `.closes_at`, `.weekday`, `.holiday`, `.next_opening`, `.hours`,
    `.day_asked` and the profile fields."""

    def __init__(self, bot: Bot, now: datetime, lang: str, locale: str, heard: str = "") -> None:
        self._business, self._now, self._lang, self._locale = bot.business, now, lang, locale
        self._heard = heard
        self.name = bot.business.name
        self.description = label_for(bot.business.description, lang, bot.business.language)
        self.phone, self.address = bot.business.phone, bot.business.address

    @property
    def open(self) -> bool:
        return self._business.is_open(self._now)

    @property
    def weekday(self) -> int:
        """Today in the business's timezone: 1 Monday … 7 Sunday."""
        return self._now.astimezone(self._business.timezone).isoweekday()

    @property
    def holiday(self) -> bool:
        """Today (in the business's timezone) is one of `business.holidays`."""
        return self._now.astimezone(self._business.timezone).date() in self._business.holidays

    @property
    def next_opening(self) -> datetime | None:
        return self._business.next_opening(self._now)

    @property
    def closes_at(self) -> str:
        """When it closes today while open ("22:00", "10:00 PM"); empty when closed."""
        end = self._business.closes_at(self._now)
        return "" if end is None else self._clock(end)

    @property
    def day_asked(self) -> DayView | None:
        """The day the message being answered asks about ("und morgen?", "am Samstag?"),
        with its hours; None when it names no day."""
        day = parse_date(self._heard, self._now.astimezone(self._business.timezone))
        if day is None:
            return None
        name = get_day_names("wide", locale=babel_locale(self._locale))[day.weekday()]
        return DayView.of(self._business, day, str(name), self._clock)

    @property
    def hours(self) -> str:
        """One line per weekday, e.g. 'Montag: 11:30–14:30, 17:00–22:30'."""
        locale = babel_locale(self._locale)
        names = get_day_names("wide", locale=locale)
        lines = []
        for day in range(7):
            ranges = self._business.hours.get(day, ())
            spans = ", ".join(f"{self._clock(a)}–{self._clock(b)}" for a, b in ranges) or "–"
            lines.append(f"{names[day]}: {spans}")
        return "\n".join(lines)

    def _clock(self, moment: time) -> str:
        if moment == time.max:
            return "24:00"
        return str(format_time(moment, format="short", locale=babel_locale(self._locale)))


class TextsView:
    """`{{ texts.closed }}`: a bot text rendered inside another one."""

    def __init__(self, render: Callable[[str], str], names: frozenset[str]) -> None:
        self._render, self._names = render, names

    def __getattr__(self, name: str) -> str:
        if name.startswith("_") or name not in self._names:
            raise AttributeError(name)
        return self._render(name)


class Scope(Mapping[str, Any]):
    """The names of one turn, each computed when a condition or text first reads it.

    A text reads two or three names; building all of them (the cart view, the business view,
    every slot wrapped) for each text was a large part of a turn. Later names win: computed
    ones (cart, business, now, …) over slots over the bot's constants.
    """

    __slots__ = ("_computed", "_constants", "_factories", "_owner", "_slots", "_wrap")

    def __init__(
        self,
        factories: Mapping[str, Callable[[Any], Any]],
        owner: Any,
        slots: Mapping[str, Any],
        wrap: Callable[[str, Any], Any],
        constants: Mapping[str, Any],
    ) -> None:
        """`factories` compute names from `owner` (the turn) when first read."""
        self._factories, self._owner, self._slots, self._wrap = factories, owner, slots, wrap
        self._constants = constants
        self._computed: dict[str, Any] = {}

    def get(self, name: str, default: Any = None) -> Any:
        """The value of a name, computed on first reading; `default` when the turn has none
        (without raising and catching a KeyError for a slot not set yet, as `Mapping.get`
        would: conditions and texts read most names through here)."""
        computed = self._computed
        if name in computed:
            return computed[name]
        factory = self._factories.get(name)
        if factory is not None:
            value = factory(self._owner)
        elif name in self._slots:
            value = self._wrap(name, self._slots[name])
        elif name in self._constants:
            value = self._constants[name]
        else:
            return default
        computed[name] = value
        return value

    def __getitem__(self, name: str) -> Any:
        value = self.get(name, ABSENT)
        if value is ABSENT:
            raise KeyError(name)
        return value

    def __contains__(self, name: object) -> bool:
        return name in self._factories or name in self._slots or name in self._constants

    def __iter__(self) -> Iterator[str]:
        return iter(
            {
                **dict.fromkeys(self._constants),
                **dict.fromkeys(self._slots),
                **dict.fromkeys(self._factories),
            }
        )

    def __len__(self) -> int:
        return sum(1 for _ in self)
