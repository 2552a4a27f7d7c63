"""Replacing in the cart: the new thing takes the old one's place in its line ("Fanta statt
Cola", "statt der Salami lieber ne Diavola", "medium, not large", "mach daraus eine große") —
an item keeps its quantity and the options it can have, and what is said with the new item
(its size, its extras, "ohne Extras") is its own."""

from __future__ import annotations

from dataclasses import replace
from typing import Final

from framework.flows.cart import describe_line
from framework.flows.edit_words import CHANGING, THAT, WHOSE
from framework.flows.extending import said_onto
from framework.flows.named_things import Thing, count_near, holds, line_with, many_choice_groups
from framework.flows.pairing import replacement
from framework.flows.people import LAST_PERSON, people_in_the_cart
from framework.flows.session import CartLine
from framework.flows.splitting_off import split_line
from framework.flows.turn import Turn
from framework.flows.understanding.combining import EVERY
from framework.flows.understanding.lexicon import lexicon_for
from framework.flows.understanding.nothing_extra import says_nothing_extra
from framework.flows.understanding.numbers import word_to_number

__all__ = ["replace_in_cart"]


def replace_in_cart(turn: Turn, words: list[str], things: list[Thing]) -> str | None:
    """ "Fanta statt Cola", "ich meinte Fanta, nicht Cola", "onions instead of olives",
    "actually make that a Prosciutto": the new thing takes the old one's place in its line,
    said back; None when the words replace nothing in the cart."""
    pair = _pair(turn, words, sorted(things, key=lambda thing: thing.start))
    if pair is None:
        return None
    old, new = pair
    if old.group != new.group:
        return None
    line = _line_of(turn, things, old)
    if line is None:
        return None
    before = describe_line(turn.bot, turn.lang, line)
    if old.group is not None and old.group in many_choice_groups(turn.bot):
        end = old.start if new.start < old.start else len(words)
        added = [t.value for t in things if t.group == old.group and new.start <= t.start < end]
        chosen = [c for c in line["options"].get(old.group, []) if c != old.value]
        line["options"][old.group] = list(
            dict.fromkeys(chosen + added)
        )  # "… sondern Käse und Pilze"
        turn.cart.reprice(line)
        return f"{before} → {describe_line(turn.bot, turn.lang, line)}"
    if old.group is None and old.value == new.value:
        count = count_near(words, new)
        if count is None:
            return None
        line["quantity"] = count  # "nicht 3 Cola, sondern 2 Cola"
    elif old.group is None:
        some = _count_before(words, old) or _mine(words, old, new) or _someones(turn, words, new)
        if some is not None and some < line["quantity"]:
            return split_line(turn, line, new.value, some)  # "statt einer der Fantas ein Bier"
        line["item"] = new.value
        _describe_new(turn, words, things, new, line)
    else:
        chosen = line["options"].get(old.group, [])
        line["options"][old.group] = [new.value if c == old.value else c for c in chosen]
        more = _count_before(words, new)  # "statt der großen Hawaii lieber zwei kleine"
        line["quantity"] = max(line["quantity"], more or 0)
    turn.cart.reprice(line)
    changed = describe_line(turn.bot, turn.lang, line)
    turn.cart.join_same(line)  # "swap the Fanta for another Coke": 2× Cola
    return f"{before} → {changed}"


def _pair(turn: Turn, words: list[str], ordered: list[Thing]) -> tuple[Thing, Thing] | None:
    """(old, new) as the sentence pairs them; an item it puts its choices on ("On the Hawaii,
    swap the onions for mushrooms") is where the swap is made, not one side of it."""
    pair = replacement(words, ordered) or _that_one(turn, words, ordered)
    if pair is not None and pair[0].group == pair[1].group:
        return pair
    others = [t for t in ordered if t.group is not None or not said_onto(words, t)]
    return replacement(words, others) if len(others) < len(ordered) else pair


def _line_of(turn: Turn, things: list[Thing], old: Thing) -> CartLine | None:
    """The line the old thing is in: of a choice, that of the one item the sentence names
    when it has it ("die Margherita bitte doch klein, mein Sohn schafft keine große": the
    Margherita, not the newest large pizza)."""
    items = [t for t in things if t.group is None]
    named = line_with(turn, items[0]) if old.group is not None and len(items) == 1 else None
    return named if named is not None and holds(named, old) else line_with(turn, old)


def _count_before(words: list[str], thing: Thing) -> int | None:
    """The count said right before the thing replaced ("statt einer Fanta", "instead of 2
    cokes")."""
    before = words[thing.start - 1] if thing.start > 0 else ""
    number = 1 if before in _ONE_MORE else word_to_number(before) if before else None
    return number if number is not None and 0 < number <= 99 else None


_ONE_MORE: Final = frozenset({"another", "noch"})
"""Before the thing replaced: one of them ("a water instead of another beer")."""


_SPEAKER: Final = frozenset({"ich", "i", "me", "mir", "mich"})


def _mine(words: list[str], old: Thing, new: Thing) -> int | None:
    """ "Und ich nehm statt Bier lieber ein Wasser" of two beers, "Mia will statt ihrer Cola
    lieber ein Wasser": the speaker's or one person's one, the count said with the new item
    (the others stay as they were)."""
    whose = old.start > 0 and words[old.start - 1] in WHOSE
    return count_near(words, new) if whose or _SPEAKER & set(words[: new.start]) else None


def _someones(turn: Turn, words: list[str], new: Thing) -> int | None:
    """ "Und Chiara will Wasser statt Cola" of three Colas for three people: a person of the
    order wants theirs changed — one (or the count said with the new item), not all."""
    people = people_in_the_cart(turn)
    said = set(words)
    last = turn.session["flags"].get(LAST_PERSON)  # "Mia sagt: … Und sie trinkt kein Bier, …"
    meant = people & said or (_SHE_HE & said and last in people)
    return (count_near(words, new) or 1) if meant and not EVERY & said else None


_SHE_HE: Final = frozenset({"sie", "er", "she", "he"})


def _describe_new(
    turn: Turn, words: list[str], things: list[Thing], new: Thing, line: CartLine
) -> None:
    """The replacing item's size said right before or after it ("… with a large Prosciutto",
    "statt der Funghi eine Margherita groß"), and its extras said with it ("… eine Margherita
    mit Pilzen": those instead of the old one's, "also with …" besides them) or none ("… eine
    Margherita ohne Extras")."""
    for choice in _described(turn, things, new):
        line["options"][str(choice.group)] = [choice.value]
    if says_nothing_extra(words[new.end : _next_item(things, new, len(words))]):
        for group in many_choice_groups(turn.bot) & set(turn.bot.catalog.items[new.value].options):
            line["options"][group] = []
    said = _said_with(turn, words, things, new)
    if said and _KEPT_TOO.isdisjoint(words[new.end : said[0].start]):
        for group in {str(extra.group) for extra in said}:
            line["options"][group] = []  # "… lieber eine Hawaii mit Jalapeños": the Tonno's
            # onions do not come along; "… also with olives" keeps them
    for extra in said:
        chosen = line["options"].get(str(extra.group), [])
        line["options"][str(extra.group)] = list(dict.fromkeys([*chosen, extra.value]))


_KEPT_TOO: Final = frozenset({"auch", "also", "too", "still", "noch", "weiterhin"})


def _said_with(turn: Turn, words: list[str], things: list[Thing], new: Thing) -> list[Thing]:
    """The extras said with the new item after it ("statt der Tonno eine Margherita mit
    Pilzen"), up to the next item."""
    many, later = many_choice_groups(turn.bot), [t for t in things if t.start >= new.end]
    end = _next_item(things, new, len(words))
    said = [t for t in later if t.group in many and t.start < end]
    return said if said and {"mit", "with", "w"} & set(words[new.end : said[0].start]) else []


def _next_item(things: list[Thing], new: Thing, end: int) -> int:
    """Where the next item after the new one is named (`end` when none is)."""
    return next((t.start for t in things if t.start >= new.end and t.group is None), end)


def _described(turn: Turn, things: list[Thing], new: Thing) -> list[Thing]:
    """The one-pick choices said right before or right after the new item (its size)."""
    many = many_choice_groups(turn.bot)
    one_pick = [t for t in things if t.group is not None and t.group not in many]
    return [t for t in one_pick if new.start == t.end or t.start == new.end]


def _only_described(turn: Turn, things: list[Thing]) -> bool:
    """Whether the things are one item and the one-pick choices said right beside it."""
    items = [t for t in things if t.group is None]
    return len(items) == 1 and len(things) == 1 + len(_described(turn, things, items[0]))


_THAT_ONE: Final = frozenset({"that", "das", "daraus", "draus"})
_OUT_OF_IT: Final = frozenset({"draus", "daraus"})
"""After the new thing: "mach eine Vegetaria draus"."""


def _counted(words: list[str], things: list[Thing], item: Thing) -> int | None:
    """The count said with the item, before its description too ("zwei mittlere Hawaii")."""
    start = item.start
    while any(t.group is not None and t.end == start for t in things):
        start = next(t.start for t in things if t.group is not None and t.end == start)
    return count_near(words, item) or count_near(words, replace(item, start=start))


def _that_one(turn: Turn, words: list[str], things: list[Thing]) -> tuple[Thing, Thing] | None:
    """ "Actually make that a prosciutto" (or "a large Diavola"), "mach daraus lieber eine
    große", "mach doch lieber eine Vegetaria draus": one new thing for the last line (of the
    new item's kind), which keeps its quantity (and the options the new item can have)."""
    items = [t for t in things if t.group is None]
    if len(items) == 1 and not _OUT_OF_IT.isdisjoint(words[items[0].end :]):
        new = items[0]  # "mach doch lieber eine Vegetaria draus, auch mittel"
    elif len(things) == 1 and THAT & set(words[: things[0].start]):
        new = things[0]
    elif len(items) == 1 and _THAT_ONE & set(words[: items[0].start]):
        if not _only_described(turn, things):
            return None
        new = items[0]  # "make that a large Diavola instead": its size with it ("swap it for a
        # large Salami" after "he don't want the Tonno": "it" is the Tonno, gone)
    else:
        return None
    if not CHANGING & set(words[: new.start]):
        return None
    lines = turn.session["cart"]["lines"]
    if new.group is None and line_with(turn, new) and _counted(words, things, new) is not None:
        return None  # "make that 2 margheritas", "mach zwei mittlere Hawaii draus": a recount
    if new.group is None:
        same_kind = lexicon_for(turn.bot).same_kind
        alike = [line for line in lines if same_kind(line["item"], new.value)]
        if not alike:
            return None  # "then make it two Cola Zero" after a pizza: no pizza becomes a drink
        old = max(alike, key=lambda line: line["id"])["item"]  # "Funghi und Fanta": the Funghi
    else:
        chosen = max(lines, key=lambda line: line["id"])["options"].get(new.group) or []
        if len(chosen) != 1:
            return None
        old = chosen[0]
    return (Thing(old, new.group, -1, -1), new) if old != new.value else None
