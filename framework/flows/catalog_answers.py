"""Questions the catalog answers by itself: what an item costs, in which sizes, with which
extras ("was kostet die große?", "how much is a beer?", "welche Extras habt ihr und was kosten
die?").

A price question names an item, or means the one being ordered ("was kostet die große?" while
a Salami's size is asked), or names an option group or choice ("was kosten die Extras?"). The
answer is computed from the catalog, so it is exact for every item and size, where a bot's
hand-written knowledge can only give examples; it is said in the customer's language and
locale through the built-in text `catalog_prices`, which a bot may reword.
"""

from __future__ import annotations

from typing import Final

from framework.flows.asked_about import asked_item
from framework.flows.model import Choice, ChoiceSet, Item, Label, label_for
from framework.flows.turn import Turn
from framework.flows.understanding.lexicon import lexicon_for
from framework.flows.understanding.normalize import tokens
from framework.flows.understanding.questions import parts
from framework.money import Money, format_money

__all__ = [
    "PRICES_ANSWERED",
    "PRICE_WORDS",
    "choices_named",
    "label_said",
    "money_said",
    "price_answer",
]

PRICES_ANSWERED: Final = "prices_answered"
"""A session flag for the turn after a price answer: a short question asks about prices too."""

PRICE_WORDS: Final = frozenset(
    {
        *("kostet", "kosten", "kostest", "preis", "preise", "teuer", "aufpreis"),
        *("much", "cost", "costs", "price", "prices", "priced", "expensive", "charge"),
    }
)


FOLLOW_UP_WORDS: Final = 5
"""A question this short right after a price answer asks the same ("und die kleine?")."""


def price_answer(turn: Turn, text: str, prices_before: bool = False) -> str | None:
    """The catalog's answer to a price question, or None when the message asks none or names
    nothing the catalog prices. Right after a price answer (`prices_before`), a short question
    without a price word is one too ("was kostet die große?" … "und die mittlere?")."""
    words = tokens(text)
    follow_up = prices_before and len(words) <= FOLLOW_UP_WORDS
    if not ((PRICE_WORDS | CHEAPEST) & set(words) or follow_up):
        return None
    rows = [row for row in _rows(turn, _asked(turn, text) or words) if row]
    if not rows:
        return None
    return turn.text("catalog_prices", prices="\n".join(rows))


def _asked(turn: Turn, text: str) -> list[str]:
    """The words of the parts that ask for a price, when they name what they ask about
    ("A medium Tonno for me — how much is extra cheese?": the extra's); none when they do not
    ("a medium Capricciosa with extra cheese. How much is that?": the whole message's)."""
    lexicon = lexicon_for(turn.bot)
    asked = [
        word
        for part in parts(text)
        if (PRICE_WORDS | CHEAPEST) & set(tokens(part))
        for word in tokens(part)
    ]
    named = lexicon.items(frozenset()).find_all(asked) or any(
        choices_named(turn, group, asked) for group in turn.bot.catalog.groups.values()
    )
    return asked if named else []


def _rows(turn: Turn, words: list[str]) -> list[str]:
    """What is asked about, most specific first: the items named; an option group named by
    its name ("die Extras"); extras named ("extra Käse"); the item being ordered (with a size
    named: "die große"); a size named alone."""
    bot, lexicon = turn.bot, lexicon_for(turn.bot)
    named = dict.fromkeys(m.value for m in lexicon.items(frozenset()).find_all(words))
    if named:
        return [_item_prices(turn, bot.catalog.items[i], words) for i in named]
    cheapest = _cheapest(turn, words)
    if cheapest is not None:
        return [_item_prices(turn, cheapest, words)]
    by_name = [g for g in bot.catalog.groups.values() if _named(g, words)]
    extras = [g for g in bot.catalog.groups.values() if g.many and choices_named(turn, g, words)]
    if by_name or extras:
        return [_group_prices(turn, group, words) for group in by_name or extras]
    ordered = _item_being_ordered(turn, words)
    if ordered:
        return [_item_prices(turn, item, words) for item in ordered]
    sizes = [g for g in bot.catalog.groups.values() if choices_named(turn, g, words)]
    return [_group_prices(turn, group, words) for group in sizes]


CHEAPEST: Final = frozenset(
    {*("billigste", "billigsten", "guenstigste", "guenstigsten", "preiswerteste"), "cheapest"}
)


def _cheapest(turn: Turn, words: list[str]) -> Item | None:
    """ "Was ist eure billigste Pizza?", "what's your cheapest drink?": the item of that kind
    (a tag named, or any) with the lowest price, when the message asks for the cheapest."""
    if not CHEAPEST & set(words):
        return None
    items = [item for item in turn.bot.catalog.items.values() if item.available]
    kinds = lexicon_for(turn.bot).kinds_named(words)
    of_kind = [item for item in items if not kinds or kinds & item.tags]
    return min(of_kind, key=lambda item: item.price.minor, default=None)


def _item_being_ordered(turn: Turn, words: list[str]) -> list[Item]:
    """The item whose size, options or count the open question asks ("was kostet die große?"
    at "Welche Größe für die Salami?"); none at "anything else?", nor at its extras when the
    question names none of its options: the item is in the cart with its size by then, and
    "how much is that?" asks what the order comes to (the bot's knowledge answers that)."""
    frame, ordering = turn.frame, turn.ordering_flow()
    if frame is None or frame["flow"] != ordering or not frame.get("wait"):
        return []
    asked_before = asked_item(turn)  # "was kostet die große Salami?" … "und die kleine?"
    if asked_before is not None and _names_its_choices(turn, asked_before, words):
        return [turn.bot.catalog.items[asked_before]]
    asked = turn.slot(frame["wait"])
    for name in turn.flow(frame["flow"]).asks:
        value = turn.session["slots"].get(name)
        if turn.slot(name).type != "item" or value not in turn.bot.catalog.items:
            continue
        item = turn.bot.catalog.items[str(value)]
        about = asked.choices is not None and asked.choices.id in item.options
        if about and asked.choices is not None and asked.choices.many:
            groups = [turn.bot.catalog.groups[group] for group in item.options]
            about = any(choices_named(turn, group, words) for group in groups)
        return [item] if about or asked.role == "quantity" else []
    return []


def _names_its_choices(turn: Turn, item: str, words: list[str]) -> bool:
    groups = (turn.bot.catalog.groups[group] for group in turn.bot.catalog.items[item].options)
    return any(choices_named(turn, group, words) for group in groups)


def _item_prices(turn: Turn, item: Item, words: list[str]) -> str:
    """'Salami (Groß): 12,50 €', or per size when none is named: 'Salami: Klein 9,50 €,
    Mittel 11,00 €, Groß 12,50 €'."""
    bot = turn.bot
    groups = [bot.catalog.groups[g] for g in item.options if g in bot.catalog.groups]
    chosen = [c for group in groups for c in choices_named(turn, group, words)]
    base = item.price.minor + sum(c.price.minor for c in chosen if c.price is not None)
    name = label_said(turn, item.name)
    if chosen:
        name += f" ({', '.join(label_said(turn, c.name) for c in chosen)})"
    unnamed_one = [g for g in groups if not g.many and not choices_named(turn, g, words)]
    if not unnamed_one:
        return f"{name}: {money_said(turn, base)}"
    sizes = unnamed_one[0]
    each = [
        f"{label_said(turn, c.name)} {money_said(turn, base + (c.price.minor if c.price else 0))}"
        for c in sizes.choices.values()
    ]
    return f"{name}: {', '.join(each)}"


def _group_prices(turn: Turn, group: ChoiceSet, words: list[str]) -> str:
    """'Extras: Extra Käse 1,00 €, …', or only the choices named ("was kostet extra Käse?")."""
    choices = choices_named(turn, group, words) or list(group.choices.values())
    priced = [
        f"{label_said(turn, c.name)} {money_said(turn, c.price.minor)}"
        for c in choices
        if c.price is not None
    ]
    return f"{label_said(turn, group.name)}: {', '.join(priced)}" if priced else ""


def _named(group: ChoiceSet, words: list[str]) -> bool:
    """The message names the option group itself ("Extras", "Größen", "sizes")."""
    names = {word for label in group.name.values() for word in tokens(label)}
    return bool((names | {f"{w}n" for w in names} | {f"{w}s" for w in names}) & set(words))


def choices_named(turn: Turn, group: ChoiceSet, words: list[str]) -> list[Choice]:
    found = lexicon_for(turn.bot).choices(group).find_all(words)
    return [group.choices[value] for value in dict.fromkeys(m.value for m in found)]


def label_said(turn: Turn, label: Label) -> str:
    return label_for(label, turn.lang, turn.bot.business.language)


def money_said(turn: Turn, minor: int) -> str:
    return format_money(Money(minor, turn.bot.business.currency), turn.locale)
