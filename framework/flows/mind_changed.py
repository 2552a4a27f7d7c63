"""Second thoughts about the item just ordered, in the next message: "hmm nee doch lieber ne
Funghi, auch mittel" after a Hawaii, "no sorry, back to salami but large, with jalapeños"
after a Diavola. The new item takes the place of the line the last message ordered (its count
and what it is not told otherwise), with what this message says for it (before it too: "lieber
eine mittlere Hawaii") — never a second pizza beside the first."""

from __future__ import annotations

from typing import Final

from framework.flows.cart import describe_line
from framework.flows.edit_words import CHANGE_OF_MIND
from framework.flows.named_things import Thing, many_choice_groups
from framework.flows.people import ME, PEOPLE, people_in_the_cart
from framework.flows.turn import Turn
from framework.flows.understanding.lexicon import lexicon_for
from framework.flows.understanding.second_thoughts import ALSO, TAKING_BACK

__all__ = ["mind_changed"]

_BACK: Final = frozenset({"back", "zurueck", "wieder"})
""""back to salami", "doch wieder die Hawaii": the item before the last one again."""
_NOT_SECOND_THOUGHTS: Final = frozenset({"doch", "oh", "ach", "hm", "ne"})
_MARKERS: Final = (TAKING_BACK | _BACK | CHANGE_OF_MIND | {"sorry", "oops"}) - _NOT_SECOND_THOUGHTS
"""Words of second thoughts before the new item ("nee doch lieber", "no sorry, back to");
"doch" alone is no change of mind ("doch eine Funghi dazu"), "ach" begins anything ("Ach und
was ist auf der Capricciosa?"), and "ne" is "eine" ("und ne kleine Quattro Formaggi")."""
_ANOTHER: Final = ALSO | {"zweite", "second", "extra", "weitere", "und", "and"}
"""Before the new item: one more ("doch ne zweite Pizza, aber als Tonno"), not instead."""


def mind_changed(turn: Turn, words: list[str], things: list[Thing]) -> str | None:
    """The change said back, or None when the sentence names no other item of the kind of
    the one line the last message ordered (or changed), with words of second thoughts before
    it (and none of adding: "und doch noch eine Funghi" is another)."""
    items = [t for t in things if t.group is None]
    if len(items) != 1:
        return None
    new, lines = items[0], turn.session["cart"]["lines"]
    before = set(words[: new.start])
    if not _MARKERS & before or _ANOTHER & before or _asking_about_it(turn):
        return None
    if any(line["item"] == new.value for line in lines):
        return None  # "doch wieder die Hawaii" with a Hawaii in the cart: an edit of that one
    if _people(turn) & set(words):
        return None  # "Svenja will doch lieber eine Funghi": hers (people.py), not the last
    said_last = [line for line in lines if line.get("said") == turn.session["turns"] - 1]
    meant = said_last if said_last else lines  # or the one line there is
    if len(meant) != 1:
        return None
    line = meant[0]
    if not lexicon_for(turn.bot).same_kind(line["item"], new.value):
        return None
    was = describe_line(turn.bot, turn.lang, line)
    line["item"] = new.value
    many = many_choice_groups(turn.bot)
    marker = max(at for at, word in enumerate(words[: new.start]) if word in _MARKERS)
    for choice in (t for t in things if t.group is not None and t.start > marker):
        group = str(choice.group)
        chosen = line["options"].get(group, []) if group in many else []
        line["options"][group] = list(dict.fromkeys([*chosen, choice.value]))
    line["said"] = turn.session["turns"]  # "… doch wieder die Hawaii": of this one again
    turn.cart.reprice(line)
    return f"{was} → {describe_line(turn.bot, turn.lang, line)}"


def _people(turn: Turn) -> set[str]:
    """Whom the order is for, as far as it says ("kai", "ole", and "svenja" of the pizza
    still being asked about)."""
    waiting = {str(pair[1]) for pair in turn.session["flags"].get(PEOPLE) or []}
    return people_in_the_cart(turn) | (waiting - {ME, ""})


def _asking_about_it(turn: Turn) -> bool:
    """Whether the ordering flow is asking about an item in progress (its size, its extras):
    a change of mind then is the answer's correction (corrections.py), not this."""
    frame, ordering = turn.frame, turn.ordering_flow()
    if frame is None or frame["flow"] != ordering or not frame.get("wait"):
        return False
    return turn.slot(str(frame["wait"])).type != "yes_no"
