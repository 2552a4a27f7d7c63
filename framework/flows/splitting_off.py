"""Some of a line become something else: "eine von den Colas soll eine Cola Zero sein",
"make 2 of those coke zero", "one of the salamis as a diavola" — the line keeps the rest, and
the ones split off are a line of their own (with the options the new item can have)."""

from __future__ import annotations

import itertools
from typing import Final

from framework.flows.cart import describe_line
from framework.flows.edit_words import ADDING, CHANGE_OF_MIND, CHANGING, INTO
from framework.flows.label_people import said_mine
from framework.flows.named_things import Thing, line_with, lines_taking, many_choice_groups
from framework.flows.session import CartLine
from framework.flows.turn import Turn
from framework.flows.understanding.lexicon import lexicon_for
from framework.flows.understanding.numbers import word_to_number

__all__ = [
    "off_someones",
    "someones_own",
    "split_counted",
    "split_line",
    "split_off",
    "split_options",
    "split_with",
    "taken_off",
]

_OF: Final = frozenset({"von", "of"})
_INSTEAD: Final = frozenset({"instead", "statt", "anstatt", "anstelle", "stattdessen"})
_POINTING: Final = frozenset({"those", "these", "them", "den", "denen", "diesen", "die"})
"""After "2 of": the line ordered last ("make 2 of those coke zero")."""
_ARTICLES: Final = frozenset(
    {"the", "der", "die", "das", "dem", "den", "meinen", "my", "our", "unseren"}
)
"""Between "one of" and the item ("one of the colas"); "one of my friends" names none."""


def split_off(turn: Turn, words: list[str], things: list[Thing]) -> str | None:
    """The change said back ("4× Cola → 3× Cola, 1× Cola Zero"), or None when the words ask
    for no such split (or the line has no more than the count to split off)."""
    for index, word in enumerate(words[:-1]):
        count = word_to_number(word)
        if count is None or not 0 < count < 99 or words[index + 1] not in _OF | {"der", "davon"}:
            continue  # "one of the colas", "eine von den Colas", "eine der Colas", "eine davon"
        items = [t for t in things if t.group is None and t.start > index + 1]
        of_them = words[index + 1] == "davon"  # "mach aus einer davon eine Tonno"
        line, new = _split(turn, words, index + (1 if of_them else 2), items, things)
        earlier = [t for t in things if t.group is None and t.end <= index]
        if new is None and len(items) == 1 and earlier and _INSTEAD & set(words[:index]):
            line, new = line_with(turn, items[0]), earlier[-1]  # "salami instead of one of …"
        if line is None or new is None or line["quantity"] <= count:
            return None
        return split_line(turn, line, new.value, count)
    return None


def _split(
    turn: Turn, words: list[str], start: int, items: list[Thing], things: list[Thing]
) -> tuple[CartLine | None, Thing | None]:
    """The line split from, and the item its part becomes."""
    between = set(words[start : items[0].start]) if items else set()
    chosen = {at for t in things if t.group is not None for at in range(t.start, t.end)}
    if (
        len(items) >= 2
        and between <= _POINTING | _ARTICLES
        and _becomes(words, items[0], items[1], chosen)
    ):
        return line_with(turn, items[0]), items[1]  # "one of the colas … a cola zero"
    pointing = start < len(words) and words[start] in _POINTING | {"davon"}
    article = pointing and words[start] in _ARTICLES and items and items[0].start == start + 1
    if len(items) == 1 and pointing and not article:
        return _newest_of_its_kind(turn, items[0]), items[0]  # not "eine von den Tonnos"
    return None, None


def _newest_of_its_kind(turn: Turn, new: Thing) -> CartLine | None:
    """The line "them" points at: the newest of several of the new item's kind ("zwei Hawaii
    und zwei Fanta" — "make one of them a Tonno": a Hawaii)."""
    same_kind = lexicon_for(turn.bot).same_kind
    lines = turn.session["cart"]["lines"]
    alike = [line for line in lines if line["quantity"] > 1 and same_kind(line["item"], new.value)]
    return max(alike, key=lambda line: line["id"], default=None)


_BECOMING: Final = (
    INTO
    | _INSTEAD
    | {"soll", "sollte", "sein", "should", "be", "become", "werden", "wird", "as", "lieber"}
    | {"rather", "doch", "please", "wants", "want", "to", "is", "a", "an", "ne", "eine", "einer"}
    | {"needs", "has", "muss", "gonna", "n", "it", "es", "draus", "daraus", "zum", "zur"}
    | {"mal", "ma"}  # "mach ma lieber ne große Diavola"
    | CHANGING  # "eine von den Colas mach lieber 'n Bier", "one of the Cokes make it a beer"
)


def _becomes(words: list[str], old: Thing, new: Thing, chosen: set[int]) -> bool:
    """Whether the words between two items make the first the second ("eine von den Colas soll
    eine Cola Zero sein", "one of the salamis as a diavola", "eine von den Salami mach lieber
    eine große Diavola": the new one's choices aside), not a new clause ("only one of the
    Salamis — Jade is not coming. And three Cokes")."""
    between = [w for at, w in enumerate(words[old.end : new.start], old.end) if at not in chosen]
    return len(between) <= 4 and set(between) <= _BECOMING


def split_line(turn: Turn, line: CartLine, item: str, count: int) -> str | None:
    """`count` of the line become `item` (a line of their own); the change said back."""
    if item == line["item"]:
        return None
    before = describe_line(turn.bot, turn.lang, line)
    chosen = [choice for choices in line["options"].values() for choice in choices]
    line["quantity"] -= count
    added = turn.cart.add(item, chosen, count, {})
    if added is None:
        return None
    kept, new = (describe_line(turn.bot, turn.lang, entry) for entry in (line, added))
    return f"{before} → {kept}, {new}"


_ON_ONE: Final = frozenset({"auf", "bei", "on", "for", "fuer"})
"""Before "one" of a line: the one that gets other options ("auf eine noch Oliven")."""
_ONTO: Final = frozenset({"to", "onto", "on", "auf", "an"})
"""Before "one of the …": the options said before go onto it ("Onions on one of the Tonnos")."""


def split_options(turn: Turn, words: list[str], things: list[Thing]) -> str | None:
    """ "Make two of them large", "zwei davon mit Oliven": some of a line get other options
    (a line of their own); the rest keep theirs. Only options are named for them."""
    lines = turn.session["cart"]["lines"]
    for index, word in enumerate(words[:-2]):
        count = word_to_number(word)
        after = words[index + 1 : index + 3]
        if count is None or not 0 < count < 99 or not lines:
            continue
        if after[0] in ("davon", "der"):  # "zwei davon", "eine der Funghi"
            start = index + 2
        elif after[0] in _OF and after[1] in _POINTING | _ARTICLES:
            start = index + 3
        elif count == 1 and index > 0 and words[index - 1] in _ON_ONE:
            start = index + 1  # "auf eine kommen noch Oliven", "bei einer noch Käse"
        else:
            continue
        items = [t for t in things if t.group is None]
        onto = index > 0 and words[index - 1] in _ONTO  # "add onions to one of the Tonnos"
        choices = [  # "take the extra cheese off one of the Funghis": said before, off
            t
            for t in things
            if t.group is not None
            and (not items or t.start >= start or onto or taken_off(words, t))
        ]
        groups = {str(t.group) for t in choices}
        taking = lines_taking(turn, choices)
        line = (
            line_with(turn, items[0]) if items else max(taking, key=lambda e: e["id"], default=None)
        )
        recount = _new_count(words[:index])  # "nee doch 2, aber eine davon mit Käse"
        if line is not None and recount is not None and recount > count:
            line["quantity"] = recount
        if not choices or len(items) > 1 or line is None or line["quantity"] <= count:
            return None
        if not groups <= set(turn.bot.catalog.items[line["item"]].options):
            return None  # "one of the beers … a medium": a beer has no size
        return split_with(turn, line, count, choices, words)
    return None


def split_counted(turn: Turn, words: list[str], things: list[Thing]) -> str | None:
    """ "die eine Salami doch klein" of two, "bei einer Tonno die Zwiebeln weg", "One Hawaii
    make small": a count of a line said with its item, and other choices with a change of
    mind, a verb of making or taken off — that many get them (a new order says "noch",
    "another")."""
    items = [t for t in things if t.group is None]
    if len(items) != 1 or not ADDING.isdisjoint(words):
        return None
    item = items[0]
    count = word_to_number(words[item.start - 1]) if item.start > 0 else None
    choices = [t for t in things if t.group is not None and t.start > item.start]
    changed = not (CHANGE_OF_MIND.isdisjoint(words) and CHANGING.isdisjoint(words))
    if not changed and not any(taken_off(words, t) for t in choices):
        return None  # "bei einer Tonno die Zwiebeln weg" takes them off one; "make one
        # Hawaii small" makes one so
    line = line_with(turn, item) if count is not None and 0 < count < 99 and choices else None
    if line is None or count is None or line["quantity"] <= count:
        return None
    if not {str(t.group) for t in choices} <= set(turn.bot.catalog.items[line["item"]].options):
        return None
    return split_with(turn, line, count, choices, words)


_ON_SOMEONES: Final = frozenset(
    {("on", "his"), ("on", "hers"), ("on", "her"), ("auf", "seiner"), ("auf", "ihrer")}
    | {("auf", "seine"), ("auf", "ihre"), ("bei", "ihm"), ("bei", "ihr")}
)


def off_someones(turn: Turn, words: list[str], things: list[Thing]) -> str | None:
    """ "my husband says no onions on his" of two Tonnos with onions: one of the line loses
    them, not both (the line that has every extra named and more than one pizza)."""
    if _ON_SOMEONES.isdisjoint(itertools.pairwise(words)):
        return None
    extras = [t for t in things if t.group in many_choice_groups(turn.bot)]
    if not extras or len(extras) != len(things) or not all(taken_off(words, t) for t in extras):
        return None
    having = [
        line
        for line in turn.session["cart"]["lines"]
        if all(t.value in line["options"].get(str(t.group), []) for t in extras)
    ]
    if len(having) != 1 or having[0]["quantity"] < 2:
        return None
    return split_with(turn, having[0], 1, extras, words)


_HERS_OR_HIS: Final = frozenset({"hers", "his"})
_HER_OR_HIS_ONE: Final = frozenset({("seine", "pizza"), ("ihre", "pizza")})


def _someones(words: list[str]) -> bool:
    """ "mine", "my pizza", "hers", "his", "seine Pizza": one person's one."""
    return (
        said_mine(words)
        or not _HERS_OR_HIS.isdisjoint(words)
        or not _HER_OR_HIS_ONE.isdisjoint(itertools.pairwise(words))
    )


def someones_own(turn: Turn, words: list[str], things: list[Thing]) -> str | None:
    """ "make mine a large" of two small Margheritas ordered "one each for me and her": the
    speaker's one (or hers, his) of the only line of several that can have those choices, when
    nobody was named for it; the rest keep theirs."""
    if not _someones(words) or not things or any(t.group is None for t in things):
        return None
    taking = lines_taking(turn, things)
    if len(taking) != 1 or taking[0]["quantity"] < 2 or taking[0].get("person"):
        return None
    return split_with(turn, taking[0], 1, things, words)


_ANEW: Final = frozenset({"doch", "nur", "only", "just", "actually", "insgesamt"})


def _new_count(words: list[str]) -> int | None:
    """A count said anew before the split ("doch 2", "only two"), or None."""
    for before, word in itertools.pairwise(words):
        number = word_to_number(word)
        if before in _ANEW and number is not None and 0 < number < 99:
            return number
    return None


_WITHOUT: Final = frozenset(
    {"ohne", "without", "no", "kein", "keine", "keinen", "hold", "minus"}
    | {"statt", "anstatt", "anstelle"}
)
"""Before an extra: the ones split off do without it ("hold the cheese on one of them", "put
onions instead of the jalapeños", "Zwiebeln statt der Jalapeños")."""


_BETWEEN: Final = frozenset(
    {"the", "die", "der", "den", "das", "extra", "its", "ihre", "seine", "his", "her"}
)
"""Between "ohne"/"without" and the choice taken off ("without the extra ham")."""
_OFF: Final = frozenset({"weg", "raus", "runter", "off"})
"""After an extra: the ones split off do without it ("bei einer die Jalapeños weg")."""


def taken_off(words: list[str], choice: Thing) -> bool:
    """Whether the choice is said as one that goes ("ohne Oliven", "take the ham off")."""
    before = [w for w in words[max(0, choice.start - 4) : choice.start] if w not in _BETWEEN][-2:]
    instead = before == ["instead", "of"]
    return bool(instead or _WITHOUT & set(before) or _OFF & set(words[choice.end : choice.end + 2]))


def split_with(
    turn: Turn, line: CartLine, count: int, choices: list[Thing], words: list[str]
) -> str | None:
    """`count` of the line get the choices (those said with "ohne"/"hold" taken off): a line
    of their own, or the line itself when it holds no more; the change said back."""
    dropped = {t.value for t in choices if taken_off(words, t)}
    many = many_choice_groups(turn.bot)
    options = {group: list(chosen) for group, chosen in line["options"].items()}
    for choice in choices:
        group = str(choice.group)
        taken = options.get(group, []) if group in many else []
        if choice.value in dropped:
            options[group] = [value for value in taken if value != choice.value]
        else:
            options[group] = list(dict.fromkeys([*taken, choice.value]))
    if {g: c for g, c in options.items() if c} == {g: c for g, c in line["options"].items() if c}:
        return None
    before = describe_line(turn.bot, turn.lang, line)
    if count >= line["quantity"]:
        line["options"] = options
        turn.cart.reprice(line)
        return f"{before} → {describe_line(turn.bot, turn.lang, line)}"
    line["quantity"] -= count
    chosen = [choice for group in options.values() for choice in group]
    added = turn.cart.add(line["item"], chosen, count, dict(line["source"]))
    if added is None:
        return None
    kept, new = (describe_line(turn.bot, turn.lang, entry) for entry in (line, added))
    return f"{before} → {kept}, {new}"
