"""Someone not named before who is one of a group with a line of their own ("two small
Salamis with olives for the kids" — "my son does not like olives"; "zwei kleine Salami für
die Kinder" — "Jakob mag keine Oliven"): one of the group's line becomes theirs, and only
that one is changed."""

from __future__ import annotations

from typing import Final

from framework.flows.session import SHARED_BY, CartLine, copy_lines
from framework.flows.turn import Turn
from framework.flows.understanding.normalize import tokens

__all__ = [
    "SHARED_BY",
    "give_back_unchanged",
    "give_one",
    "one_of_a_pair",
    "one_of_the_group",
    "one_of_theirs",
]

_GROUPS: Final = frozenset(
    {"kids", "children", "boys", "girls", "twins", "kinder", "kleinen", "jungs", "maedels"}
    | {"zwillinge", "enkel", "grandkids", "little", "uns"}
)
"""Words of an owner that is several people ("the kids", "die Kinder", "die Zwillinge")."""


def one_of_the_group(turn: Turn, person: str, items_named: set[str]) -> bool:
    """Give `person` one of the one group line of more than one (True), none when there is
    no such line, several could be meant, the person is a group too ("die Kleinen"), or the
    message names another item (a drink: "der Jüngste kriegt Wasser")."""
    if not _GROUPS.isdisjoint(tokens(person)):
        return False
    lines = turn.session["cart"]["lines"]
    groups = [
        line
        for line in lines
        if line["quantity"] > 1 and not _GROUPS.isdisjoint(tokens(str(line.get("person", ""))))
    ]
    if len(groups) > 1 and not items_named:  # "Orla wants ham on hers" of the girls' pizzas
        groups = [line for line in groups if turn.bot.catalog.items[line["item"]].options]
    if len(groups) != 1 or items_named - {groups[0]["item"]}:  # and their drinks: the pizza
        return False
    give_one(turn, groups[0], person)
    return True


def one_of_a_pair(turn: Turn, person: str) -> bool:
    """Give `person` one of the one pizza line of several that is nobody's ("Two large
    Margheritas …" — "my girlfriend wants hers with jalapeños"): True when there is one."""
    lines = turn.session["cart"]["lines"]
    items = turn.bot.catalog.items
    alike = [
        line
        for line in lines
        if line["quantity"] > 1 and "person" not in line and items[line["item"]].options
    ]
    if len(alike) != 1:
        return False
    give_one(turn, alike[0], person)
    return True


def give_one(turn: Turn, line: CartLine, person: str) -> None:
    """One of the line made a line of its own, the person's (the line keeps the rest)."""
    cart = turn.session["cart"]
    own = copy_lines([line])[0]
    own["id"], own["quantity"], own["person"] = cart["next_line"], 1, person
    cart["next_line"] += 1
    line["quantity"] -= 1
    cart["lines"].append(own)


def give_back_unchanged(turn: Turn, before: list[CartLine], person: str) -> None:
    """The one split off a shared line for a change that did not touch it (Korbinian's beer,
    of "zwei Salami für mich und Korbinian") goes back: the line is theirs together again."""
    lines = turn.session["cart"]["lines"]
    own = next((line for line in lines if line.get("person") == person), None)
    shared = {line["id"]: line.get("person", "") for line in before}
    for line in lines:
        was = shared.get(line["id"], "")
        if own is None or line is own or person not in was.split(SHARED_BY):
            continue
        if (line["item"], line["options"]) == (own["item"], own["options"]):
            line["quantity"] += own["quantity"]
            line["person"] = was
            lines.remove(own)
            return


def one_of_theirs(turn: Turn, person: str) -> bool:
    """The person's one of a line they share, made a line of its own ("Sarah sagt, ihre
    Margherita doch ohne Oliven" of "für Jule und Sarah je eine"); False when there is none."""
    cart = turn.session["cart"]
    for line in list(cart["lines"]):
        members = line.get("person", "").split(SHARED_BY)
        if person in members and len(members) > 1 and line["quantity"] == len(members):
            give_one(turn, line, person)
            line["person"] = SHARED_BY.join(m for m in members if m != person)
            return True
    return False
