"""A correction of an earlier answer: "doch lieber groß", "make it 3", "ok then I'll pick it
up" at the confirmation, "and onions" after "with olives" — the answer and the cart line it
made are changed, and the flow goes on from where the change matters."""

from __future__ import annotations

from typing import Any, Final

from framework.flows.bot_slots import line_slots
from framework.flows.counting import count_of_nothing, counts_the_item
from framework.flows.events import Message
from framework.flows.implied_choices import address_switches
from framework.flows.label_people import said_mine
from framework.flows.model import Slot
from framework.flows.pending_items import has_item
from framework.flows.scope import wrap_slot
from framework.flows.session import SPEAKER, CartLine, stop_waiting
from framework.flows.steps import Ask
from framework.flows.turn import Turn
from framework.flows.understanding.extract import Mention
from framework.flows.understanding.normalize import tokens
from framework.flows.understanding.yesno import parse_yes_no

__all__ = ["CORRECTION_MARKERS", "cart_slots", "correction"]

CORRECTION_MARKERS: Final = frozenset(
    {
        "doch",
        "lieber",
        "stattdessen",
        "aendern",
        "aendere",
        "korrigiere",
        "korrektur",
        "sondern",
        "change",
        "instead",
        "rather",
        "actually",
        "make",
        "correction",
        "aber",
        "but",
        "nicht",
        "not",
        "meinte",
        "meant",
        "dann",
        "then",
    }
)
"""Words that make a value named at another question a change of its earlier answer ("ach
so, dann hol ich ab" when the minimum order for delivery is not reached)."""


def cart_slots(turn: Turn) -> set[str]:
    """Slots the cart lines were built from: a correction may name them in any later flow."""
    names: set[str] = set()
    for line in turn.session["cart"]["lines"]:
        source = line.get("source") or {}
        names.add(source.get("item") or "")
        names.add(source.get("quantity") or "")
        names.update(source.get("options") or ())
    slots = turn.bot.slots
    return {name for name in names if name and name in slots}


def _chosen(turn: Turn, slot_name: str) -> bool:
    """Whether a cart line built from this slot has any of its choices."""
    choices = turn.slot(slot_name).choices
    group = choices.id if choices is not None else ""
    return any(
        line["options"].get(group)
        for line in turn.session["cart"]["lines"]
        if slot_name in (line.get("source") or {}).get("options", ())
    )


def _line_for(turn: Turn, slot_name: str, value: Any, mine: bool = False) -> CartLine | None:
    """The newest cart line built from this slot that the corrected value applies to; `mine`:
    of the speaker's own lines ("make mine a medium": not the one for the son)."""
    lines = turn.session["cart"]["lines"]
    if mine:
        lines = [line for line in lines if line.get("person") in (None, SPEAKER)]
    for line in lines[::-1]:
        source = line.get("source") or {}
        item = turn.bot.catalog.items[line["item"]]
        if source.get("item") == slot_name or source.get("quantity") == slot_name:
            return line
        if slot_name in source.get("options", ()):
            groups = turn.cart.group_options(item, [value])
            if groups:
                return line
    return None


def _correct_line(turn: Turn, line: CartLine, slot_name: str, value: Any) -> None:
    source = line.get("source") or {}
    if source.get("item") == slot_name:
        line["item"] = value
    elif source.get("quantity") == slot_name:
        line["quantity"] = int(value)
    else:
        item = turn.bot.catalog.items[line["item"]]
        line["options"] = {**line["options"], **turn.cart.group_options(item, [value])}
    turn.cart.reprice(line)
    turn.cart.join_same(line)  # "actually both with ham": the other one was already


def _with_those_before(turn: Turn, name: str, value: Any, words: list[str]) -> Any:
    """Choices of a many-pick slot said with "and" or "plus" ("and onions" after "with
    olives"): besides those chosen before, not instead of them."""
    if turn.slot(name).type != "choices" or not words or words[0] not in _AND:
        return value
    line = _line_for(turn, name, value)
    choices = turn.slot(name).choices
    if line is not None and choices is not None:
        before = line["options"].get(choices.id, [])
    else:  # the pizza still being asked about: its answer so far
        before = turn.session["slots"].get(name) or []
    return list(dict.fromkeys([*before, *value]))


_AND: Final = frozenset({"and", "und", "plus", "also", "auch", "noch", "n"})


def correction(turn: Turn, asked: Slot, message: Message, mentions: list[Mention]) -> bool:
    """'doch lieber groß', 'make it 3': change an earlier answer and the cart line it made.
    At a confirmation any earlier answer named is a correction ("ok then I'll pick it up"); at
    another yes/no question, a choice named instead of yes or no ("we'll collect it ourselves"
    when the order is short of the delivery minimum)."""
    words = tokens(message.text)
    said = bool(CORRECTION_MARKERS & set(words))
    forced = asked.role == "confirm" and not said
    marked = said or forced
    made_lines = cart_slots(turn) if forced else set()
    mentions = _or_the_address(turn, asked.role == "confirm", message.text, mentions)
    if not mentions:
        return False
    instead = not marked and len(words) > 2 and _not_yes_or_no(asked, message.text)
    if instead:
        mentions = _order_choices(turn, mentions)
    if not mentions or not (marked or instead or len(words) <= 2):
        return False
    if has_item(turn, mentions[0]) and (_MORE & set(words) or " as well" in f" {' '.join(words)}"):
        return False  # "ja, aber noch zwei Wasser dazu", "chuck in two beers as well": more
    slots = turn.session["slots"]
    named_item = asked.role == "confirm" and has_item(turn, mentions[0])
    changes = {
        name: value
        for name, value in mentions[0].items()
        if name != asked.name  # an answer said again ("drop the delivery fee"): no change
        and (slots.get(name) != value or _line_for(turn, name, value) is not None)
        and not (value == [] and not _chosen(turn, name))  # "ja, aber ohne Zwiebeln": none
        and (name in slots or _line_for(turn, name, value) is not None)
        and turn.acceptable(name, value)
        and (
            marked
            or turn.slot(name).type in ("choice", "choices")
            or counts_the_item(turn, asked, words)
        )
        and not (forced and name in made_lines)  # the cart is edited at a confirmation, not here
        and not (named_item and _of_a_line(turn.slot(name)))  # nor the lines an item names: "die
        # Margherita doch nur mittel" must not make the newest line, two beers, a Margherita
        and not (
            turn.slot(name).role == "quantity"
            and count_of_nothing(mentions[0], words, line_slots(turn.bot))
        )
    }
    if not changes:
        return False
    changes = {name: _with_those_before(turn, name, v, words) for name, v in changes.items()}
    rerun, mine = set(), said_mine(words)
    for name, value in changes.items():
        line = _line_for(turn, name, value, mine)
        if name in slots:
            turn.set_slot(name, value)
        if line is not None:
            _correct_line(turn, line, name, value)
        elif name not in cart_slots(turn):
            rerun.add(name)
    shown = [_shown(turn, name, value) for name, value in changes.items()]
    turn.changed()
    turn.say_named("corrected", corrected=", ".join(shown))
    turn.record("corrected", slots=sorted(changes))
    turn.reask()
    _rewind(turn, frozenset(rerun))
    return True


def _or_the_address(
    turn: Turn, confirming: bool, text: str, mentions: list[Mention]
) -> list[Mention]:
    """The mentions, at a confirmation with the option a whole address implies ("To
    Boddinstraße 11, 12053" for a pickup order, also "… doch bring. Selchower Straße 11":
    delivery) unless the first names its own."""
    switch = address_switches(turn, text) if confirming else None
    if switch is None:
        return mentions
    return [{**switch, **(mentions[0] if mentions else {})}, *mentions[1:]]


def _of_a_line(slot: Slot) -> bool:
    """A slot that says which line and how many: an item or its count."""
    return slot.type == "item" or slot.role == "quantity"


def _not_yes_or_no(asked: Slot, text: str) -> bool:
    """Whether a yes/no question was answered with neither."""
    return asked.type == "yes_no" and parse_yes_no(text) is None


def _order_choices(turn: Turn, mentions: list[Mention]) -> list[Mention]:
    """Of the first mention, the order's own one-pick choices ("we'll collect it ourselves":
    how it is fulfilled), not those of its lines ("die mit Oliven" at "Noch etwas dazu?")."""
    lines, slots = cart_slots(turn), turn.bot.slots
    kept = {
        name: value
        for name, value in mentions[0].items()
        if name not in lines and name in slots and slots[name].type == "choice"
    }
    return [kept] if kept else []


def _shown(turn: Turn, name: str, value: Any) -> str:
    """A corrected answer as said back: a count with its item ("2× Salami"), else the value."""
    items = [n for n, v in turn.session["slots"].items() if turn.slot(n).type == "item" and v]
    if turn.slot(name).role == "quantity" and items:
        item = wrap_slot(turn.bot, items[0], turn.session["slots"][items[0]], turn.lang)
        return f"{value}× {item}"
    return str(wrap_slot(turn.bot, name, value, turn.lang))


_MORE: Final = frozenset(
    {"noch", "dazu", "auch", "zusaetzlich", "another", "more", "also", "add", "plus", "too"}
    | {"chuck", "throw", "toss"}
)
"""Words that make an item named with "aber" or "but" an addition, not a correction."""


def _rewind(turn: Turn, changed: frozenset[str]) -> None:
    """A corrected answer that this flow asked earlier (and that made no cart line, which is
    corrected in place) re-runs the flow from just after it: what depends on it (a delivery
    fee and the address after "doch liefern") is decided again, and questions already
    answered are skipped as usual."""
    frame = turn.frame
    if frame is None:
        return
    program = turn.flow(frame["flow"]).program
    earlier = [
        pc
        for pc, step in enumerate(program[: frame["pc"]])
        if isinstance(step, Ask) and step.slot in changed
    ]
    if earlier:
        stop_waiting(frame)
        frame["pc"] = earlier[0] + 1
