"""Changing the order in the customer's own words: removing, replacing and recounting lines.

A customer edits the cart the way they would tell a waiter, at any point of the conversation:

- **remove**: "die Cola bitte wieder weg", "ohne das Bier", "die Funghi doch nicht",
  "take the fanta off", "no beer after all"; an extra: "die Zwiebeln doch weg";
- **replace**: "Fanta statt Cola", "statt der Salami lieber ne Diavola", "ich meinte Fanta,
  nicht Cola", "onions instead of olives", "medium, not large" — the new thing takes the old
  one's place in its line (an item keeps its quantity and the options it can have);
- **recount**: "nur eine Cola", "just one coke", "make the salami two", "die Salami auf 3",
  "3 of them, not 2".

Only what is in the cart can be edited: a message naming nothing of it is no edit, and the
message goes on to be understood as an answer or a new order. The edit is applied to the
cart at once, said back in one line, and the open question is asked again (its text shows
the updated order where the bot's flow shows it).
"""

from __future__ import annotations

import re
from typing import Final

from framework.flows.bot_slots import item_slots
from framework.flows.cart import describe_line
from framework.flows.disliked import disliked
from framework.flows.edit_clauses import (
    CLAUSE,
    changes_mind_of,
    edit_clauses,
    in_its_place,
    newest_taking,
    one_more,
)
from framework.flows.edit_words import ARTICLES, CHANGE_OF_MIND, CORRECTING, RECOUNTING
from framework.flows.extending import extend, plain_named
from framework.flows.it_named import it_named
from framework.flows.joined_sentences import one_change_joined
from framework.flows.mind_changed import mind_changed
from framework.flows.moving_extras import move_extras
from framework.flows.named_things import (
    Thing,
    holds,
    many_choice_groups,
    named_things,
)
from framework.flows.only_some import one_without, only_some
from framework.flows.ordinal_lines import change_by_place
from framework.flows.people import edit_for_person
from framework.flows.picked_by_extras import change_picked_line
from framework.flows.recounting import recount, recount_carried, recount_in_all, recount_unnamed
from framework.flows.removing import remove
from framework.flows.removing_kinds import remove_kind
from framework.flows.replacing import replace_in_cart
from framework.flows.restyling import as_it_is, restyle, restyle_every
from framework.flows.session import CartLine, stop_waiting
from framework.flows.splitting_off import (
    off_someones,
    someones_own,
    split_counted,
    split_off,
    split_options,
    taken_off,
)
from framework.flows.turn import Turn
from framework.flows.understanding.extract import Mention
from framework.flows.understanding.negation import rejects, replaced
from framework.flows.understanding.normalize import tokens
from framework.flows.understanding.refused import refused
from framework.flows.understanding.segments import SENTENCE_END
from framework.flows.which_line import (
    asks_which_fewer,
    asks_which_of_choice,
    asks_which_of_kind,
    asks_which_one,
    the_one_of_choice,
)
from framework.flows.whose_pronoun import asks_whose

__all__ = ["edit_order"]

_SENTENCE: Final = re.compile(rf"{SENTENCE_END}|;+(?:\s|$)|\n+", re.IGNORECASE)
"""Edits pair things within one sentence ("… kommt nicht. Die Cola zero aber lassen"; "keine
Zwiebeln — ich muss noch arbeiten 😅 Lieber Oliven drauf"); a line break ends one too."""


def edit_order(turn: Turn, text: str) -> bool:
    """Apply the edits the message asks for (one per sentence); False when it asks for none."""
    lines = turn.session["cart"]["lines"]
    if not lines:
        return False
    had = {line["item"] for line in lines}
    changes: list[str] = []
    things: list[Thing] = []
    adding: list[Thing] = []  # "… and add one more Fanta": more of what the cart has
    last: CartLine | None = None  # the line the sentence before changed
    before_it: tuple[list[str], list[Thing]] = ([], [])  # the sentence before: words, things
    as_is = False  # "mach die Salami doch groß" of a large one
    sentences = one_change_joined(turn, _SENTENCE.split(_SUMMARY.sub(",", text)))
    for sentence in sentences:
        moved = move_extras(turn, tokens(sentence), list(named_things(turn.bot, tokens(sentence))))
        if moved:  # "die Jalapeños gehören auf Dennis' Tonno, nicht auf Kalles Salami"
            changes.append(moved)
            continue
        by_clause = edit_clauses(turn, sentence, adding, _clause_edit)
        if by_clause is not None:  # "Zoe wants hers medium after all, and swap one Fanta …"
            changes += [by_clause] if by_clause else []  # "": only orders, left to ordering
            things += named_things(turn.bot, tokens(sentence))
            continue
        words = it_named(turn, tokens(sentence), before_it)  # "… Make it a Salami instead"
        found = list(named_things(turn.bot, words))
        if asks_whose(turn, sentence, words, found):
            return True  # "eine für Anna, eine für Marie" — "sie will doch Oliven": whose?
        for_person = _person_edit(turn, sentence, found, adding)  # "Tom doch lieber mittel"
        if for_person:  # "Nina is out, remove the Tonno and one beer": and the beer
            changes.append(for_person)
            things += found  # "… dafür eine Cola Zero"
            continue
        if (
            asks_which_one(turn, words, found)
            or asks_which_of_choice(turn, words, found)
            or asks_which_fewer(turn, words, found)
            or asks_which_of_kind(turn, words, found)
        ):
            return True
        change, last = _one_sentence(turn, words, found, last, before_it, len(sentences) > 1)
        as_is = as_is or (not change and as_it_is(turn, words, found))
        before_it = (words, found)
        changes += [change] if change else []
        things += found
        if not change and changes and (one_more(words, found) or in_its_place(words, found)):
            adding += found  # "mach drei Funghi draus … Und noch'n Bier.": one more beer
    if not changes:
        return as_is and _already_so(turn)
    _join_alike(turn)
    change = "; ".join(changes)
    frame = turn.frame
    asked = frame.get("wait") if frame is not None else None
    turn.changed()
    turn.say_named("order_changed", change=change)
    turn.record("order_edited")
    _ask_again(turn)
    _order_the_rest(turn, text, [t for t in things if t.value not in had], asked, adding)
    return True


_CHANGING_WORDS: Final = CHANGE_OF_MIND | CORRECTING | RECOUNTING | {"wait", "warte", "moment"}


def _a_reason(turn: Turn, words: list[str], found: list[Thing]) -> bool:
    """A sentence after an edit that names only a size or the like, with no word of a change:
    the reason for the edit ("We had a big breakfast", "ich hab großen Hunger"), not another;
    the size alone is the answer ("not salami, I want Diavola. big")."""
    many = many_choice_groups(turn.bot)
    named = {at for thing in found for at in range(thing.start, thing.end)}
    told = [w for at, w in enumerate(words) if at not in named and w not in _FILLERS]
    return (
        bool(found)
        and all(thing.group is not None and thing.group not in many for thing in found)
        and _CHANGING_WORDS.isdisjoint(words)
        and len(told) > 1
    )


_FILLERS: Final = ARTICLES | {
    "a",
    "an",
    "one",
    "eine",
    "ein",
    "please",
    "pls",
    "bitte",
    "then",
    "dann",
}


_SUMMARY: Final = re.compile(
    r"\s[-–—]\s*(?:so|that s|that's|i\.e\.|das heißt|d\.h\.|also)\s[^-–—.!?]{1,80}\s[-–—]\s*",
    re.IGNORECASE,
)
"""A summary said between dashes, the order as the customer now sees it ("Take the jalapeños
off his — so just two plain large Salamis — and hers …"): beside the edits, no edit itself."""


def _one_sentence(
    turn: Turn,
    words: list[str],
    found: list[Thing],
    last: CartLine | None,
    before_it: tuple[list[str], list[Thing]],
    several: bool,
) -> tuple[str | None, CartLine | None]:
    """A sentence's edit, said back, and the line it changed (the next sentence's choices
    may be about it: "Und doch groß. Und eine Cola Zero.")."""
    if last is not None and _a_reason(turn, words, found):
        return None, last  # "make both of them medium. We had a big breakfast."
    lines = turn.session["cart"]["lines"]
    was = _looks(lines) if found else {}
    if last is None and several and changes_mind_of(words, found):
        last = newest_taking(turn, found)
    change = (
        _sentence_edit(turn, words, found, last)
        or _in_all(turn, words, found, before_it)
        or recount_carried(turn, words, found, before_it[0])  # "… And three Cokes so."
    )
    return change, (_changed_line(lines, was, last) if change and was else last)


def _person_edit(turn: Turn, sentence: str, found: list[Thing], adding: list[Thing]) -> str | None:
    """A person's lines edited, said back; what the sentence orders in place of theirs goes
    to `adding` ("statt seinem Bier ein Wasser") unless the edit put it in the cart."""
    lines = turn.session["cart"]["lines"]
    counts = _counts(lines)
    change = _for_person(turn, sentence)
    if change:
        placed = _in_place(tokens(sentence), found)
        adding += [t for t in placed if _counts(lines).get(t.value, 0) <= counts.get(t.value, 0)]
    return change


def _in_place(words: list[str], things: list[Thing]) -> list[Thing]:
    """The item a person's change orders in place of theirs ("der kriegt kein Bier – statt
    seinem Bier ein Wasser", "… dafür eine Cola Zero"): ordered even when the cart has that
    item for someone else."""
    items = [t for t in things if t.group is None]
    for index, word in enumerate(words):
        after = [t for t in items if t.start > index]
        of = word in _IN_PLACE_OF or words[index : index + 2] == ["instead", "of"]
        if after and (of or word in _IN_ITS_PLACE or word == "instead"):
            new = [t for t in after[1:] if t.value != after[0].value] if of else after[:1]
            return [t for t in new[:1] if t.start > 0 and words[t.start - 1] in _ONE_NEW]
    return []


_ONE_NEW: Final = frozenset({"ein", "eine", "einen", "ne", "nen", "a", "an", "one"})
"""Before the thing ordered in place ("ein Wasser"), not one of theirs ("auf ihre Tonno")."""


def _counts(lines: list[CartLine]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for line in lines:
        counts[line["item"]] = counts.get(line["item"], 0) + line["quantity"]
    return counts


def _one_each(turn: Turn, ordering: str, more: list[Thing], covered: set[str]) -> list[Mention]:
    """One of each item added that no mention of the message orders ("statt seinem Bier ein
    Wasser" reads as a change, not an order: one water)."""
    slots = turn.slots(turn.flow(ordering).asks)
    item = next((slot.name for slot in slots if slot.type == "item"), None)
    count = next((slot.name for slot in slots if slot.role == "quantity"), None)
    if item is None or count is None:
        return []
    return [{item: t.value, count: 1} for t in more if t.group is None and t.value not in covered]


_IN_PLACE_OF: Final = frozenset({"statt", "anstatt", "anstelle", "aus"})
"""Before the thing given up ("statt seinem Bier ein Wasser")."""
_IN_ITS_PLACE: Final = frozenset({"dafuer", "stattdessen"})
"""Before the thing wanted in its place ("dafür eine Cola Zero")."""


def _join_alike(turn: Turn) -> None:
    """Lines an edit made alike are one ("actually both with onions": 2× Tonno)."""
    lines = turn.session["cart"]["lines"]
    for line in list(lines):
        if line in lines:
            turn.cart.join_same(line)


def _clause_edit(
    turn: Turn, clause: str, last: CartLine | None
) -> tuple[str | None, CartLine | None]:
    """A clause of a sentence of edits (edit_clauses.py): a person's lines or things."""
    lines = turn.session["cart"]["lines"]
    words = tokens(clause)
    found = list(named_things(turn.bot, words))
    was = _looks(lines)
    change = _for_person(turn, clause) or (
        _sentence_edit(turn, words, found, last) if found else None
    )
    return change, (_changed_line(lines, was, last) if change else last)


def _for_person(turn: Turn, text: str) -> str | None:
    """A person's lines edited, and the things nobody has that the same words edit ("take her
    pizza and one water off": the water too)."""
    lines = turn.session["cart"]["lines"]
    before = [(line["item"], line["quantity"], line.get("person")) for line in lines]
    change = edit_for_person(turn, text)
    if not change:
        return None
    after = {(line["item"], line["quantity"], line.get("person")) for line in lines}
    touched = {i for i, count, who in before if who or (i, count, who) not in after}
    return "; ".join([change, *_besides_the_person(turn, text, touched)])


def _sentence_edit(
    turn: Turn, words: list[str], found: list[Thing], last: CartLine | None
) -> str | None:
    if not found:  # "doch keine Getränke"; "mach 2 draus"
        return remove_kind(turn, words) or recount_unnamed(turn, words)
    one = one_without(turn, words, found)  # "einer will doch keine Jalapeños": one of two
    if one:
        return one
    dislike = disliked(turn, words, found)  # "Oliven mag ich gar nicht": never put on
    if dislike is not None:
        return dislike or None
    return _edit(turn, words, found) or _said_of_the_changed_line(turn, words, found, last)


def _in_all(
    turn: Turn, words: list[str], found: list[Thing], before_it: tuple[list[str], list[Thing]]
) -> str | None:
    """ "one more beer, so 4 in total" in one sentence, or "noch ein Bier. Also 4" in two."""
    if found:
        return recount_in_all(turn, words, found)
    said, things = before_it
    return recount_in_all(turn, [*said, *words], things)


def _look(line: CartLine) -> tuple[object, ...]:
    return line["item"], line["quantity"], str(line["options"])


def _said_of_the_changed_line(
    turn: Turn, words: list[str], found: list[Thing], line: CartLine | None
) -> str | None:
    """Choices alone in the sentence after a change are the changed line's: "doch wieder die
    Funghi statt der Salami. Aber diesmal groß, mit Oliven."."""
    options = turn.bot.catalog.items[line["item"]].options if line is not None else ()
    if line is None or not all(t.group in options for t in found) or rejects(words):
        return None  # "… — die schafft nie im Leben eine große": a reason, no change
    refusing = [t for t in found if refused(words, t.start) or taken_off(words, t)]
    if not all(_gone_already(words, thing, line) for thing in refusing):
        return None  # "… please onions. Too spicy for me."
    found = [thing for thing in found if thing not in refusing]  # "nicht Schinken. Bitte
    # Oliven statt Schinken.": the ham taken off before, the olives go on
    before = describe_line(turn.bot, turn.lang, line)
    many = many_choice_groups(turn.bot)
    for thing in found:
        group = str(thing.group)
        chosen = line["options"].get(group, []) if group in many else []
        line["options"][group] = list(dict.fromkeys([*chosen, thing.value]))
    turn.cart.reprice(line)
    after = describe_line(turn.bot, turn.lang, line)
    return f"{before} → {after}" if after != before else None


def _gone_already(words: list[str], thing: Thing, line: CartLine) -> bool:
    """A choice named as the one replaced ("statt Schinken") that the line no longer has."""
    return thing.group is not None and replaced(words, thing.start) and not holds(line, thing)


def _looks(lines: list[CartLine]) -> dict[int, tuple[object, ...]]:
    return {line["id"]: _look(line) for line in lines}


def _changed_line(
    lines: list[CartLine], was: dict[int, tuple[object, ...]], last: CartLine | None
) -> CartLine | None:
    """The line an edit changed (as `was` shows them before it), else `last`."""
    return next((line for line in lines if _look(line) != was.get(line["id"])), last)


def _besides_the_person(turn: Turn, text: str, people_items: set[str]) -> list[str]:
    """The edits a message asks for besides one person's lines: of things nobody has."""
    changes = []
    clauses = (clause for sentence in _SENTENCE.split(text) for clause in CLAUSE.split(sentence))
    for clause in clauses:  # "Priya wants hers large now, and swap the Fanta for a water"
        words = tokens(clause)
        named = list(named_things(turn.bot, words))
        found = [t for t in named if t.group is None and t.value not in people_items]
        only_items = all(t.group is None for t in named)  # "olives on hers": hers alone
        change = _edit(turn, words, found) if found and only_items and len(named) < 4 else None
        changes += [change] if change else []
    return changes


def _already_so(turn: Turn) -> bool:
    """A line asked for the choice it has ("mach die Salami doch groß" of a large one): said
    so, and the open question again; no second line."""
    turn.say_named("already_noted")
    _ask_again(turn)
    return True


def _ask_again(turn: Turn) -> None:
    """The open question again; at the order's confirmation, its flow from the start, so that
    what depends on the cart is decided again (the delivery minimum after "yes but without
    the fanta"); questions already answered are skipped as usual."""
    frame = turn.frame
    asked = turn.bot.slots.get(frame.get("wait") or "") if frame is not None else None
    if frame is None or asked is None or asked.role != "confirm":
        turn.reask()
        return
    stop_waiting(frame)
    frame["pc"] = 0


def _edit(turn: Turn, words: list[str], found: list[Thing]) -> str | None:
    return (
        move_extras(turn, words, found)
        or change_picked_line(turn, words, found)
        or the_one_of_choice(turn, words, found)
        or only_some(turn, words, found)
        or split_off(turn, words, found)
        or split_options(turn, words, found)
        or split_counted(turn, words, found)
        or off_someones(turn, words, found)
        or someones_own(turn, words, found)
        or change_by_place(turn, words, found)
        or restyle_every(turn, words, found)
        or replace_in_cart(turn, words, found)
        or mind_changed(turn, words, found)
        or restyle(turn, words, found)
        or plain_named(turn, words, found)
        or remove(turn, words, found)
        or recount(turn, words, found)
        or extend(turn, words, found)
    )


def _order_the_rest(
    turn: Turn, text: str, things: list[Thing], asked: str | None, more: list[Thing]
) -> None:
    """Items the message also names that were not in the cart and are not now (the edit did
    not put them there: "nicht 3 Cola, sondern 2 Cola und ein Wasser"), and those it adds
    more of ("… and add one more Fanta"), are ordered too, never dropped: they go to the
    ordering flow."""
    in_cart = {line["item"] for line in turn.session["cart"]["lines"]}
    new = {t.value for t in things if t.group is None and t.value not in in_cart}
    new |= {t.value for t in more if t.group is None}
    ordering = turn.ordering_flow()
    if not new or ordering is None:
        return
    items = item_slots(turn.bot) & turn.flow(ordering).asks
    wanted = [m for m in turn.order_mentions(text) if new & {str(m.get(n)) for n in items}]
    if not wanted:  # another sentence's change took its place in the whole: read its own
        sentences = [turn.order_mentions(sentence) for sentence in _SENTENCE.split(text)]
        said = [m for mentions in sentences for m in mentions]
        wanted = [m for m in said if new & {str(m.get(name)) for name in items}]
    if not wanted:  # "drop dat Hawaii an gimme one medium Quattro Formaggi instead": from it on
        said = [m for part in _from_the_new(turn, text, new) for m in turn.order_mentions(part)]
        wanted = [m for m in said if new & {str(m.get(name)) for name in items}]
    wanted += _one_each(turn, ordering, more, {str(m.get(n)) for m in wanted for n in items})
    if not wanted:
        return
    turn.session["pending"].extend(wanted)
    if asked is not None and turn.slot(asked).type in ("yes_no", "item"):
        # "anything else?", "order like this?", "which pizza or drink?": take them now
        turn.repeat(ordering, frozenset())


def _from_the_new(turn: Turn, text: str, new: set[str]) -> list[str]:
    """Each sentence's words from a few before the first new item it names in place of
    another ("instead", "lieber") on: what is said of that item alone (its count and size
    before it, its extras after it); not an item told of ("we've got a crate of water")."""
    parts = []
    for sentence in _SENTENCE.split(text):
        words = tokens(sentence)
        first = next((t for t in named_things(turn.bot, words) if t.value in new), None)
        if first is not None and not _NAMED_INSTEAD.isdisjoint(words[max(0, first.start - 1) :]):
            parts.append(" ".join(words[max(0, first.start - _SAID_BEFORE) :]))
    return parts


_SAID_BEFORE: Final = 3
"""Words before an item that may still be about it ("one medium Quattro Formaggi")."""
_NAMED_INSTEAD: Final = _IN_ITS_PLACE | {"instead", "lieber", "rather"}
