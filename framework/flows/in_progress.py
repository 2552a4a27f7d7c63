"""The order in progress: items the customer named that are not in the cart yet — the one the
bot is asking about (its size, its extras) and those waiting behind it — edited like the
cart's lines.

A customer does not know which of the things they said are "in the cart": "zwei große
Capricciosa und eine Quattro Formaggi" — "Extras?" — "mach beide klein", "drop the beers",
"ok make the Salami a small one then". Each such message is an edit of what they ordered, never
a further item. The items in progress are lent to the cart as lines for the edit (editing.py
reads and changes lines), then taken back as what the ordering flow asks about next.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache, lru_cache
from typing import Any, Final

from framework.flows.edit_words import (
    CHANGE_OF_MIND,
    CHANGING,
    NEGATED_AFTER,
    NOT,
    RECOUNTING,
    REMOVING,
    REMOVING_PAIRS,
    REPLACING,
    WITHOUT,
    negated_after,
    not_needed,
)
from framework.flows.joined_sentences import one_change_joined
from framework.flows.model import Bot, Slot
from framework.flows.named_things import many_choice_groups, named_things
from framework.flows.people import ME, PEOPLE
from framework.flows.recounting import says_a_new_count
from framework.flows.restyling import all_of_them_alone
from framework.flows.session import CartData, CartLine
from framework.flows.steps import CartAdd
from framework.flows.turn import Turn
from framework.flows.understanding.combining import EVERY, NOT_WANTED
from framework.flows.understanding.extract import Mention
from framework.flows.understanding.lexicon import lexicon_for
from framework.flows.understanding.matching import DEFINITE, Match
from framework.flows.understanding.normalize import tokens
from framework.flows.understanding.nothing_extra import says_nothing_extra
from framework.flows.understanding.segments import SENTENCE_END

__all__ = ["cart_so_far", "editing_in_progress", "order_in_progress", "order_so_far"]

_LENT: Final = 1_000_000
"""Line ids of the lent items: far above any real line's, so lines the edit adds stay apart."""


def editing_in_progress(turn: Turn, text: str, edit: Callable[[Turn, str], bool]) -> bool:
    """Run `edit` over the cart with the items in progress lent to it as lines; whether it
    edited anything. Without items in progress, `edit` runs over the cart alone."""
    ordering = turn.ordering_flow()
    current = _current(turn, ordering)
    named = _in_progress(turn, ordering, current)
    if not named or not _asks_an_edit(turn, text, named):
        return edit(turn, text)  # an answer to the open question, or a further item
    waiting = turn.session["pending"]
    turn.session["pending"] = []
    with _lent(turn, ordering, named) as taken_back:
        edited = edit(turn, text)
    ordered_now, turn.session["pending"] = turn.session["pending"], waiting
    if not edited:
        return False
    turn.session["pending"] = taken_back + ordered_now
    if ordering is not None and current is not None:
        turn.repeat(ordering, frozenset())  # ask about the first of them, as it is now
    return True


@contextmanager
def order_so_far(turn: Turn) -> Iterator[None]:
    """The cart with the items in progress in it, for a text about the order so far ("what's
    the total so far?" while the extras of the last pizza are asked)."""
    ordering = turn.ordering_flow()
    with _lent(turn, ordering, _in_progress(turn, ordering, _current(turn, ordering))):
        yield


def cart_so_far(turn: Turn) -> CartData:
    """A copy of the cart with the items in progress as its last lines: what the order comes
    to so far while the bot still asks about a pizza's extras (`cart_so_far | summary`). The
    cart itself is left as it is: nothing is lent to it, so nothing is taken back."""
    cart = turn.session["cart"]
    ordering = turn.ordering_flow()
    named = _in_progress(turn, ordering, _current(turn, ordering))
    return {**cart, "lines": [*cart["lines"], *_as_lines(turn, ordering, named).values()]}


def order_in_progress(turn: Turn) -> list[Mention]:
    """The items in progress: the one the ordering flow asks about, then those waiting."""
    ordering = turn.ordering_flow()
    return _in_progress(turn, ordering, _current(turn, ordering))


def _in_progress(turn: Turn, ordering: str | None, current: Mention | None) -> list[Mention]:
    items = _names_of_kind(turn.bot, ordering, "item")
    named = ([current] if current else []) + turn.session["pending"]
    return [mention for mention in named if items & set(mention)]


@contextmanager
def _lent(turn: Turn, ordering: str | None, named: list[Mention]) -> Iterator[list[Mention]]:
    """The items in progress as cart lines while the block runs; afterwards the list it
    yields holds them back as the ordering flow's answers, as the block left their lines."""
    slots = _order_slots(turn, ordering)
    lent = {_LENT + index: mention for index, mention in enumerate(named)}
    lines = turn.session["cart"]["lines"]
    lines.extend(_as_lines(turn, ordering, named).values())
    taken_back: list[Mention] = []
    turn.changed()
    try:
        yield taken_back
    finally:
        taken_back += [
            _mention(slots, line, lent[line["id"]]) for line in lines if line["id"] in lent
        ]
        lines[:] = [line for line in lines if line["id"] not in lent]
        turn.changed()


def _as_lines(turn: Turn, ordering: str | None, named: list[Mention]) -> dict[int, CartLine]:
    """The items in progress as cart lines, by their line ids (far above any real line's)."""
    slots = _order_slots(turn, ordering)
    lines = [_line(turn, slots, _LENT + index, mention) for index, mention in enumerate(named)]
    return {line["id"]: line for line in _theirs(turn, lines)}


_WANTS: Final = frozenset({"will", "wants", "want", "moechte", "mag", "isst", "eats"})
_NO: Final = NOT & WITHOUT  # "kein", "keine", "keinen", "no"
"""Someone wants no item in progress ("mein Kollege will keine Salami"): an edit of it."""
_EDITING: Final = (
    (CHANGING - {"als"}) | REMOVING | REPLACING | CHANGE_OF_MIND | (RECOUNTING - {"auf"})
)


def _theirs(turn: Turn, lines: list[CartLine]) -> list[CartLine]:
    """The lent lines with the person each was ordered for ("Ben a large Prosciutto"), so
    "remove his pizza" or "Mo wants hers large" edits theirs while it is still asked about."""
    pairs = [list(pair) for pair in turn.session["flags"].get(PEOPLE) or []]
    for line in lines:
        found = next((pair for pair in pairs if pair[0] == line["item"]), None)
        if found is not None:
            line["person"] = found[1]
            pairs.remove(found)
    return lines


def _names_someone_in_progress(turn: Turn, words: list[str], named: list[Mention]) -> bool:
    """Whether the message names a person an item in progress was ordered for alone (not one
    of several in one round: "Kai und Ole je eine Diavola" — "Kai mit Jalapeños, die anderen
    ohne" tells the round apart)."""
    pairs = turn.session["flags"].get(PEOPLE) or []
    if not pairs:
        return False  # nobody named an order for anyone yet
    ordering = turn.ordering_flow()
    items = _names_of_kind(turn.bot, ordering, "item")
    counts = _names_of_kind(turn.bot, ordering, "quantity")
    in_progress = {
        str(mention[name])
        for mention in named
        for name in items & set(mention)
        if all(mention.get(count, 1) == 1 for count in counts)
    }
    said, ordered_for = f" {' '.join(words)} ", Counter(item for item, _person in pairs)
    return any(
        item in in_progress
        and ordered_for[item] == 1
        and person != ME
        and f" {' '.join(tokens(person))} " in said
        for item, person in pairs
    )


def _asks_an_edit(turn: Turn, text: str, named: list[Mention]) -> bool:
    """Whether a sentence of the message edits what is in progress ("Frieda will auch eine
    kleine Funghi. Und Marco möchte seine lieber in mittel": the second)."""
    sentences = one_change_joined(turn, _SENTENCES.split(text))  # "not Colas. Two Cola Zero"
    return any(_sentence_edits(turn, sentence, named) for sentence in sentences)


_SENTENCES: Final = re.compile(SENTENCE_END, re.IGNORECASE)


def _sentence_edits(turn: Turn, text: str, named: list[Mention]) -> bool:
    """A word of changing, removing or replacing, and one of the items in progress named
    ("drop the beers", "mach die Salami klein") or all of them ("make both of them small");
    or, naming no item, the person one of them was ordered for."""
    words = tokens(text)
    said = set(words)
    items_named = lexicon_for(turn.bot).items(frozenset()).find_all(words)
    if not items_named and _names_someone_in_progress(turn, words, named):
        return True  # "Ben got pulled into a meeting, remove his pizza", "Mo wants hers large"
    if not items_named and len(named) == 1 and _refuses_its_extra(turn, words, named[0]):
        return True  # "nee, doch keine Zwiebeln" of the one pizza being asked about
    removing = any(pair in REMOVING_PAIRS for pair in itertools.pairwise(words))
    plain = bool(items_named) and says_nothing_extra(words)  # "die Hawaii ohne alles"
    extended = _extras_on_the(turn, words, items_named)  # "put olives on the Prosciutto"
    moved = len(items_named) > 1 and bool(NOT & said)  # "… for the spicy one, not the …"
    # "die kleene Margherita brauchen mir nich" while the Capricciosa's extras are asked
    denied = bool(items_named) and not_needed(words, max(match.end for match in items_named))
    if not denied and not NEGATED_AFTER.isdisjoint(said):  # "die Cola nicht, bitte"
        denied = any(negated_after(words, match.end) for match in items_named)
    refused = not _WANTS.isdisjoint(said) and any(  # "min Kolleg will kei Salami"
        match.start and words[match.start - 1] in _NO for match in items_named
    )
    edits = _EDITING & said or removing or plain or extended or moved or denied or refused
    if not (edits or says_a_new_count(words, turn.lang) or _for_all_alone(turn, words)):
        return False
    if EVERY & said:
        return True
    items = _names_of_kind(turn.bot, turn.ordering_flow(), "item")
    in_progress = {str(mention[name]) for mention in named for name in items & set(mention)}
    return any(match.value in in_progress for match in items_named)


def _for_all_alone(turn: Turn, words: list[str]) -> bool:
    """ "Nein, beide groß bitte": a choice for all of them, said without a verb."""
    many = many_choice_groups(turn.bot)
    things = list(named_things(turn.bot, words))
    choices = [t for t in things if t.group is not None and t.group not in many]
    return len(choices) == len(things) and all_of_them_alone(turn, words, choices)


def _refuses_its_extra(turn: Turn, words: list[str], mention: Mention) -> bool:
    """Whether the words refuse an extra the item in progress has ("doch keine Zwiebeln")."""
    lexicon, groups = lexicon_for(turn.bot), turn.bot.catalog.groups
    chosen = {c for value in mention.values() if isinstance(value, list) for c in value}
    return any(
        match.start and words[match.start - 1] in NOT_WANTED and match.value in chosen
        for group in many_choice_groups(turn.bot)
        for match in lexicon.choices(groups[group]).find_all(words)
    )


def _extras_on_the(turn: Turn, words: list[str], items_named: list[Match]) -> bool:
    """Extras for an item named with "the" ("put olives on the Prosciutto", "auf die Funghi
    noch Zwiebeln"): for the one ordered, not another."""
    if not any(match.start and words[match.start - 1] in DEFINITE for match in items_named):
        return False
    lexicon, groups = lexicon_for(turn.bot), turn.bot.catalog.groups
    return any(
        lexicon.choices(groups[group]).find_all(words) for group in many_choice_groups(turn.bot)
    )


def _current(turn: Turn, ordering: str | None) -> Mention | None:
    """The item the ordering flow is asking about (its size, extras or count), as said."""
    frame = turn.frame
    if ordering is None or frame is None or frame["flow"] != ordering or not frame.get("wait"):
        return None
    slots = _order_slots(turn, ordering)
    item = slots["item"][0] if slots["item"] else None
    said = turn.session["slots"]
    if item is None or item.name not in said or frame["wait"] == item.name:
        return None
    if not _adds_later(turn.bot, ordering, frame["pc"]):
        return None  # in the cart already: "anything else?" is asked after it
    return {name: said[name] for name in _answer_names(turn.bot, ordering) if name in said}


@lru_cache(maxsize=256)
def _adds_later(bot: Bot, ordering: str, pc: int) -> bool:
    """Whether the ordering flow adds to the cart at or after the step `pc` (once per bot)."""
    return any(isinstance(step, CartAdd) for step in bot.flows[ordering].program[pc:])


def _order_slots(turn: Turn, ordering: str | None) -> dict[str, list[Slot]]:
    return _slots_of(turn.bot, ordering)


@cache
def _slots_of(bot: Bot, ordering: str | None) -> dict[str, list[Slot]]:
    """The ordering flow's slots by what they hold: the item, its options, its count (once
    per loaded bot)."""
    kinds: dict[str, list[Slot]] = {"item": [], "options": [], "quantity": []}
    if ordering is None:
        return kinds
    for name in sorted(bot.flows[ordering].asks):
        slot = bot.slots[name]
        if slot.type == "item":
            kinds["item"].append(slot)
        elif slot.type in ("choice", "choices") and slot.choices is not None:
            kinds["options"].append(slot)
        elif slot.role == "quantity":
            kinds["quantity"].append(slot)
    return kinds


@cache
def _names_of_kind(bot: Bot, ordering: str | None, kind: str) -> frozenset[str]:
    """The names of the ordering flow's slots of one kind ("item", "options", "quantity")."""
    return frozenset(slot.name for slot in _slots_of(bot, ordering)[kind])


@cache
def _answer_names(bot: Bot, ordering: str) -> tuple[str, ...]:
    """The names of the ordering flow's slots for the item, its options and its count."""
    return tuple(slot.name for kind in _slots_of(bot, ordering).values() for slot in kind)


def _line(turn: Turn, slots: dict[str, list[Slot]], line_id: int, mention: Mention) -> CartLine:
    item_slot = next(slot.name for slot in slots["item"] if slot.name in mention)
    item = turn.bot.catalog.items[mention[item_slot]]
    chosen = [mention[slot.name] for slot in slots["options"] if slot.name in mention]
    grouped = turn.cart.group_options(item, chosen)
    options = {group: grouped[group] for group in item.options if group in grouped}
    count = next((mention[slot.name] for slot in slots["quantity"] if slot.name in mention), 1)
    return {
        "id": line_id,
        "item": item.id,
        "options": options,
        "quantity": int(count),
        "unit": turn.cart.unit_price(item, options),
        "source": {
            "item": item_slot,
            "options": [slot.name for slot in slots["options"]],
            "quantity": slots["quantity"][0].name if slots["quantity"] else None,
        },
        "said": turn.session["turns"],
    }


def _mention(slots: dict[str, list[Slot]], line: CartLine, said: Mention) -> Mention:
    """The line as the ordering flow's answers: what the edit changed, the rest as said
    (an option group the customer has not answered yet stays unanswered; one the edit left
    empty — "die Hawaii ohne alles" — is answered none)."""
    mention: dict[str, Any] = dict(said)
    item_slot = next(slot.name for slot in slots["item"] if slot.name in said)
    mention[item_slot] = line["item"]
    for slot in slots["options"]:
        assert slot.choices is not None
        chosen = line["options"].get(slot.choices.id)
        if chosen:
            mention[slot.name] = list(chosen) if slot.type == "choices" else chosen[0]
        elif slot.name in said or (chosen is not None and slot.type == "choices"):
            mention[slot.name] = [] if slot.type == "choices" else said[slot.name]  # none left
    for slot in slots["quantity"]:
        if slot.name in said or line["quantity"] != 1:
            mention[slot.name] = line["quantity"]
    return mention
