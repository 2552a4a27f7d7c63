"""A sentence of several edits, clause by clause ("Auf die Salami noch Jalapeños, und die
Margherita ohne Extras soll klein sein", "Zoe wants hers medium, and swap one Fanta for a
beer"), with new items ordered beside them ("eine Fanta und die Salami doch groß", "make the
Salami large — and a Fanta"): taken when every clause is an edit or an order of new items
and at least one is an edit; else nothing changes."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Final

from framework.flows.edit_words import (
    BUT,
    CHANGE_OF_MIND,
    CHANGING,
    NOT,
    RECOUNTING,
    REMOVING,
    REPLACING,
    STAYS,
    WITHOUT,
)
from framework.flows.named_things import Thing, named_things
from framework.flows.people import people_in_the_cart, person_named
from framework.flows.session import CartLine, copy_lines
from framework.flows.turn import Turn
from framework.flows.understanding.negation import not_had
from framework.flows.understanding.normalize import tokens
from framework.flows.understanding.numbers import word_to_number
from framework.flows.understanding.refused import refused
from framework.flows.understanding.segments import leads_an_item
from framework.flows.understanding.story import of_someone
from framework.flows.understanding.yesno import parse_yes_no

__all__ = ["CLAUSE", "changes_mind_of", "edit_clauses", "newest_taking", "one_more"]

ClauseEdit = Callable[[Turn, str, CartLine | None], tuple[str | None, CartLine | None]]
"""One clause's edit given the line the clause before changed: what it changed (said back)
and the line it changed."""

_VERBS: Final = (
    r"swap|make|change|remove|take|drop|switch|replace|tausch|tausche|mach|mache|nimm|streich"
    r"|streiche|ersetz|ersetze|add|pack|packe|leg|lege"
)
CLAUSE: Final = re.compile(
    rf"(?:,|\s[-–—])\s*(?:und|and|aber|but)\s+"
    rf"|\s+(?:und|and)\s+(?=(?:{_VERBS}|statt|anstatt|instead)\b)",
    re.IGNORECASE,
)
"""Where a clause of edits ends: ", und", "– und", ", but", or "and" before a verb of changing
("the Hawaii medium and swap one Fanta for a beer"), of adding ("… and add a beer") or before
"statt" ("… und statt Bier ne Cola Zero")."""
_COMMA: Final = re.compile(r",\s+")
_COMMA_VERB: Final = re.compile(rf",\s+(?=(?:{_VERBS})\b)", re.IGNORECASE)
_VERB_FIRST: Final = re.compile(
    rf"^(?:.*:\s*)?(?:(?:ok|okay|and|also|then|please|oh|und|dann|bitte|ach)\W+)*(?:{_VERBS})\b",
    re.IGNORECASE,
)
_BACK: Final = frozenset(
    {"that", "those", "them", "it", "this", "these", "daraus", "draus", "sie", "es"}
)
"""Words that point back to what the clause before named ("drop two Fantas, make those
waters")."""
_ADDING_CLAUSE: Final = re.compile(r"(?:add|pack|packe|leg|lege|plus|dazu|noch)\b", re.IGNORECASE)
"""A clause that orders more ("and add a beer", "und pack noch ein Wasser dazu"): no edit, its
items are ordered after the edits (editing's `_order_the_rest`)."""
_THE: Final = ("die", "the")
_ADDING_WORDS: Final = frozenset({"add", "pack", "packe", "plus"})
_LEAD: Final = 5
"""How far into a clause a word of adding may stand ("oh and in that case add a Fanta")."""
_COMMA_THE: Final = re.compile(
    r"(?:,|\s(?:und|and))\s*(?=(?:der|die|das|den|dem|des|de|the)\s+(\w+))", re.IGNORECASE
)
"""Before an item named with "the" (also Bavarian "des Wossa", "de Margherita")."""
_JOINED: Final = re.compile(r",|\s[-–—]|\b(?:und|and)\b", re.IGNORECASE)
"""Anything that can join two clauses: without it, a sentence is one clause."""
_ALSO: Final = frozenset({"also", "auch", "noch", "plus", "dazu", "and", "und"})
_DESCRIBING: Final = frozenset({"mit", "ohne", "with", "without", "one"})
"""After "and the": a line pointed at by what it has ("und die mit Oliven groß", "and the one
with ham medium")."""
_BESIDE: Final = re.compile(r"\s+(?:und|and)\s+|\s+[-–—]\s+|,\s*", re.IGNORECASE)
"""Where new items may follow an edit: "and", a dash, a comma."""


def edit_clauses(turn: Turn, sentence: str, adding: list[Thing], edit: ClauseEdit) -> str | None:
    """The sentence's edits clause by clause, said back; the things of the clauses that order
    new items go to `adding` (ordered after the edits). None, and the cart as it was, unless
    every clause is an edit or an order and one at least is an edit; "" when every clause
    orders or is said beside (nothing to edit: "… just showed up — one more Hawaii and a
    Coke for him")."""
    clauses = _clauses_of(turn, sentence)
    if len(clauses) < 2:
        return None
    lines = turn.session["cart"]["lines"]
    before = copy_lines(lines)
    changes: list[str] = []
    ordered: list[Thing] = []
    aside = False  # a clause said beside ("… just showed up")
    last: CartLine | None = None  # "back to the Tonno instead of the Diavola, but large"
    for clause in clauses:
        words = tokens(clause)
        found = list(named_things(turn.bot, words))
        if _orders(turn, clause, found) or (ordered and _goes_on_ordering(words, found)):
            ordered += found  # "make my Funghi a large and add a beer": the beer after
            continue
        if not found and (parse_yes_no(clause) is True or len(words) <= 1):
            continue  # "Yes, but drop one of the beers, and …", "Hmm, …": edit nothing
        if changes and _someones_reason(turn, words, found):
            aside = True
            continue  # "scratch the Fanta, my buddy say he gon drink beer"
        change, last = _edited(turn, clause, (words, found), last, edit, edited=bool(changes))
        if change is None and _beside_the_edits(turn, words, found, bool(changes)):
            aside = True
            continue  # "…, ich muss noch fahren", "— I'm driving": a reason, no edit
        if change is None:
            lines[:] = before
            return None
        changes.append(change)
    if not changes:  # only orders beside a story: no edit, the ordering takes them
        return "" if ordered and aside else None
    adding += ordered
    return "; ".join(changes)


def _edited(
    turn: Turn,
    clause: str,
    read: tuple[list[str], list[Thing]],
    last: CartLine | None,
    edit: ClauseEdit,
    *,
    edited: bool,
) -> tuple[str | None, CartLine | None]:
    """One clause's edit, said back, and the line it edited last; `read`: its words and
    the things they name."""
    words, found = read
    if not edited and changes_mind_of(words, found):
        last = newest_taking(turn, found)  # "doch groß und eine Cola": the pizza's size
    change, last = edit(turn, clause, last)
    if change is None and edited and _names_a_line(turn, clause):
        # "drop one Vegetaria, Hawaii medium": in a list of edits, the one ordered
        change, last = edit(turn, f"{_THE[turn.lang == 'en']} {clause}", last)
    return change, last


_EDITING: Final = CHANGING | REMOVING | REPLACING | NOT | WITHOUT
"""Words that make a clause that names no thing an edit all the same ("mach zwei draus"; a
word of recounting needs a count, which an aside has none of: "… just showed up")."""


def _aside(words: list[str]) -> bool:
    """A clause with no word of editing and no count: said beside the edits."""
    return _EDITING.isdisjoint(words) and all(word_to_number(w) is None for w in words)


def _goes_on_ordering(words: list[str], found: list[Thing]) -> bool:
    """After a clause that orders, one that names more items ("… and a Coke"), no word of
    editing (not "… and a Funghi instead of …")."""
    return (
        bool(words)
        and leads_an_item(words[0])
        and _EDITING.isdisjoint(words)
        and all(t.group is None for t in found)
    )


def _someones_reason(turn: Turn, words: list[str], found: list[Thing]) -> bool:
    """A clause after an edit about what someone drinks or likes, naming only items of the
    cart, no word of editing, no count ("scratch the Fanta, my buddy say he gon drink beer",
    "keine Cola, meine Kollegin trinkt nur Wasser"): a reason, no second edit."""
    in_cart = {line["item"] for line in turn.session["cart"]["lines"]}
    return (
        bool(found)
        and all(t.group is None and t.value in in_cart for t in found)
        and _aside(words)
        and of_someone(words)
    )


_BEING: Final = frozenset({"has", "have", "is", "are", "was", "hat", "haben", "ist", "sind", "war"})


def _of_it(words: list[str], found: list[Thing]) -> bool:
    """A clause after an edit that says what an item is or has, or that it stays, naming
    nothing else ("scratch the extra ham, the Prosciutto has plenty already", "de Margherita
    brauch ma ned, des Wossa für sie bleibt oba"): beside the edit, not a second one."""
    return all(t.group is None for t in found) and not (_BEING | STAYS).isdisjoint(words)


def _beside_the_edits(turn: Turn, words: list[str], found: list[Thing], edited: bool) -> bool:
    """A clause that edits nothing, said beside: a reason or an aside naming nothing, or
    after an edit what an item is or has, that someone has one already, or lines that stay
    as they are."""
    if _aside(words) and (not found or (edited and _of_it(words, found))):
        return True
    if edited and not found and _has_one_already(words):
        return True  # "die Cola brauchen wir nicht, der Junge hat noch eine im Kühlschrank"
    return edited and _kept_as_it_is(turn, words, found)


_HAS: Final = frozenset({"hat", "hot", "haben", "has", "have", "got"})
_ALREADY: Final = frozenset({"noch", "schon", "eh", "already", "still"})


def _has_one_already(words: list[str]) -> bool:
    """Someone has the thing already ("der Junge hat noch eine im Kühlschrank", Upper
    Austrian "da Bua hot eh no oane", "he's still got one at home"), no word of editing."""
    said = set(words)
    return not _HAS.isdisjoint(said) and not _ALREADY.isdisjoint(said) and _EDITING.isdisjoint(said)


def _kept_as_it_is(turn: Turn, words: list[str], found: list[Thing]) -> bool:
    """A clause after an edit that says lines of the cart stay as they are ("die zwei Cola
    bleiben aber", "the waters stay"): no edit, with a count only when it is the line's."""
    lines = [
        line
        for line in turn.session["cart"]["lines"]
        if any(line["item"] == t.value for t in found)
    ]
    counts = {number for word in words if (number := word_to_number(word)) is not None}
    return (
        bool(found)
        and all(t.group is None for t in found)
        and not STAYS.isdisjoint(words)
        and _EDITING.isdisjoint(words)
        and len(lines) >= len({t.value for t in found})
        and counts <= {line["quantity"] for line in lines}
    )


def _clauses_of(turn: Turn, sentence: str) -> list[str]:
    """The sentence's clauses; one when nothing joins two ("mittel", "die Salami doch groß")."""
    if _JOINED.search(sentence) is None:
        return [sentence]
    return [
        part
        for clause in CLAUSE.split(sentence)
        for edit_said in _listed_edits(turn, clause)
        for at_item in _at_the_item(turn, edit_said)
        for part in _before_new_items(turn, at_item)
    ]


def _orders(turn: Turn, clause: str, found: list[Thing]) -> bool:
    """A clause that orders: new items with their count or article ("eine Fanta"), or items
    said with a word of adding ("and add a beer", "in that case add a Fanta", "noch eine
    Cola"), no choices of a line and no new count ("nur noch ein Bier")."""
    words = tokens(clause)
    if not RECOUNTING.isdisjoint(words) or any(refused(words, t.start) for t in found):
        return False  # "nur noch ein Bier"; "Tobias fährt noch, der kriegt kein Bier"
    said = bool(_ADDING_CLAUSE.match(clause) or _ADDING_WORDS.intersection(words[:_LEAD]))
    return (
        (said and (all(t.group is None for t in found) or _counted_item(words, found)))
        or one_more(words, found)
        or (_orders_new(turn, clause))
    )


def _counted_item(words: list[str], found: list[Thing]) -> bool:
    """An item after an article or a count, its choices with it ("add a small Prosciutto with
    onions"), not choices for a line ("add onions to the Salami")."""
    first = min(found, key=lambda thing: thing.start, default=None)
    return (
        first is not None
        and any(t.group is None for t in found)
        and first.start > 0
        and leads_an_item(words[first.start - 1])
    )


_MORE_OF: Final = frozenset({"more", "another", "noch", "weitere", "weiteren"})
_ONTO: Final = frozenset({"on", "onto", "auf", "to", "zu"})


def in_its_place(words: list[str], found: list[Thing]) -> bool:
    """A sentence after an edit that opens with "instead" and names an item with its article
    or count ("… no Capricciosa. Instead he takes also a small Vegetaria"): one more of it, in
    the place of what went."""
    item = next((t for t in found if t.group is None), None)
    if item is None or not words or words[0] not in _IN_ITS_PLACE:
        return False
    return any(leads_an_item(word) for word in words[max(0, item.start - 3) : item.start])


_IN_ITS_PLACE: Final = frozenset({"instead", "stattdessen", "dafuer"})


def one_more(words: list[str], found: list[Thing]) -> bool:
    """ "one more medium Hawaii no extras and a Coke", "noch eine große Salami": another of an
    item, with its own choices (not "noch Zwiebeln auf die Salami")."""
    item = next((t for t in found if t.group is None), None)
    before = words[max(0, item.start - 4) : item.start] if item is not None else []
    instead = not (BUT | REPLACING).isdisjoint(words)  # "…, sondern noch ne Cola": a swap
    if _MORE_OF.isdisjoint(before) or not _ONTO.isdisjoint(before) or instead:
        return False
    return item is None or not not_had(words, item.start)  # "wir haben noch Bier im Kühlschrank"


def _listed_edits(turn: Turn, clause: str) -> list[str]:
    """A list of edits, each opening with its verb ("Change of plan: make the Salamis large,
    drop one Coke") or each naming a line of its own ("drop one Vegetaria, Hawaii medium"),
    cut at its commas; else one clause ("Ryan can't make it, drop his pizza": Ryan's; "drop
    two of the Fantas, make those waters": those Fantas)."""
    parts = _COMMA_VERB.split(clause)
    if len(parts) < 2 or not all(_VERB_FIRST.match(part.strip()) for part in parts):
        parts = _COMMA.split(clause)
        lines = [part for part in parts if _names_a_line(turn, part)]
        said_beside = [part for part in parts if part not in lines]
        people = people_in_the_cart(turn)  # "Uwe nimmt doch auch Jalapeños, Sandra will …"
        if len(parts) > 1 and all(person_named(turn, part) in people for part in parts):
            return parts
        if len(lines) == 1 and _a_having_reason(said_beside):
            return parts  # "die Cola brauchen wir nicht, der Junge hat noch eine im Kühlschrank"
        if len(lines) < 2 or not all(_aside(tokens(part)) for part in said_beside):
            return [clause]  # "Moment, Planänderung: die Capricciosa …, bei einer Tonno …"
    return [clause] if any(_BACK & set(tokens(part)) for part in parts[1:]) else parts


def _a_having_reason(parts: list[str]) -> bool:
    """Parts beside one edit: asides, one at least saying someone has the thing already."""
    having = [part for part in parts if _has_one_already(tokens(part))]
    return bool(having) and all(part in having or _aside(tokens(part)) for part in parts)


def _names_a_line(turn: Turn, part: str) -> bool:
    """Whether the part names exactly one item, and one the cart has."""
    items = [t for t in named_things(turn.bot, tokens(part)) if t.group is None]
    in_cart = {line["item"] for line in turn.session["cart"]["lines"]}
    return len(items) == 1 and items[0].value in in_cart


def _at_the_item(turn: Turn, clause: str) -> list[str]:
    """The clause cut where a comma or "and" comes before an item named with "the" ("eine
    Salami kann raus, das Bier auch eins weniger", "the Vegetaria medium and the Diavola
    large") or a line described ("… und die mit Oliven groß"; not "…, die kleinen sind zu
    wenig")."""
    cuts = [
        found.span()
        for found in _COMMA_THE.finditer(clause)
        if found[1].lower() in _DESCRIBING
        or any(t.group is None for t in named_things(turn.bot, tokens(found[1])))
    ]
    ends = [start for start, _ in cuts] + [len(clause)]
    starts = [0] + [end for _, end in cuts]
    return [clause[a:b].strip(" ,") for a, b in zip(starts, ends, strict=True)]


def _before_new_items(turn: Turn, clause: str) -> list[str]:
    """The clause cut at "and", a dash or a comma with new items on one side ("doch groß
    und eine Cola Zero", "eine Fanta — die Salami doch groß"): those are ordered, no edit."""
    parts, start = [], 0
    for found in _BESIDE.finditer(clause):
        before, after = clause[start : found.start()], clause[found.end() :]
        if _an_order(turn, before) or _an_order(turn, after):
            parts.append(before.strip())
            start = found.end()
    return [*parts, clause[start:].strip()]


def _an_order(turn: Turn, part: str) -> bool:
    return _orders(turn, part, list(named_things(turn.bot, tokens(part))))


def _orders_new(turn: Turn, clause: str) -> bool:
    """A clause that opens with a count or an article and names items, none of them in the
    cart: an order."""
    words = tokens(clause)
    items = [t for t in named_things(turn.bot, words) if t.group is None]
    in_cart = {line["item"] for line in turn.session["cart"]["lines"]}
    while words and words[0] in _ALSO:
        words = words[1:]  # "and also a water", "und noch zwei Bier"
    return (
        bool(words and items)
        and leads_an_item(words[0])
        and in_cart.isdisjoint(t.value for t in items)
    )


def changes_mind_of(words: list[str], found: list[Thing]) -> bool:
    """Choices alone, said with a change of mind ("doch groß"): of a line already ordered.
    Alone in its message it is a correction of the answer (corrections.py)."""
    return bool(found) and bool(CHANGE_OF_MIND & set(words)) and all(t.group for t in found)


def newest_taking(turn: Turn, choices: list[Thing]) -> CartLine | None:
    """The newest cart line whose item takes every choice named (the pizza, not the drink
    ordered after it), while no item is being asked about (at "anything else?" or the
    confirmation: at "which size for the Funghi?" the size is the Funghi's)."""
    frame = turn.frame
    asked = turn.bot.slots.get(str(frame.get("wait"))) if frame is not None else None
    if asked is None or not (asked.type == "yes_no" or asked.role == "confirm"):
        return None
    for line in turn.session["cart"]["lines"][::-1]:
        options = turn.bot.catalog.items[line["item"]].options
        if all(t.group in options for t in choices):
            return line
    return None
