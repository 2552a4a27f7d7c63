"""The item a customer just asked about, taken when they answer the item question as if it
were named: "was ist auf der Capricciosa?" — (the answer) — "Klingt gut, nehm ich. Mittel."
is a medium Capricciosa, not a question asked again."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Final

from framework.flows.events import Message
from framework.flows.model import Label, Slot, label_for
from framework.flows.turn import Turn
from framework.flows.understanding.lexicon import lexicon_for
from framework.flows.understanding.normalize import tokens

__all__ = ["asked_item", "extras_taken", "remember_asked_about", "taken_as_asked"]

ASKED_ABOUT: Final = "asked_about"
"""A session flag: [the item as said, with its choices; the turn; the item's id] of the one
item a question at the item question named."""
_TAKING: Final = re.compile(
    r"\b(?:nehm(?:e)? ich|die nehm|nehm(?:e)? die|klingt gut|hört sich gut an|passt|genau die|"
    r"i'?ll (?:take|have) (?:it|that|one)|sounds good|that one|take it|go for it|"
    r"\w+ davon|\w+ of (?:those|them|these)|add (?:one|it|that)|(?:take|have) one|"
    r"dann (?:eine?[ns]?|ne|n)|nehm(?:e)? ich eine?[ns]?)\b",
    re.IGNORECASE,
)


_OF_THOSE: Final = re.compile(r"\b(?:davon|von denen|of (?:those|them|these))\b", re.IGNORECASE)
_CLAUSES: Final = re.compile(r"[.,!?;]+\s*|\s(?:und|and)\s", re.IGNORECASE)


def remember_asked_about(turn: Turn, slot: Slot | None, text: str) -> None:
    """After a question about one item, answered while the item question (or the ordering
    flow's "anything else?") is open; or about a choice while its question is open ("how much
    is a medium one?" at the size: "ok, one of those" takes the medium)."""
    if slot is not None and _an_item_choice(turn, slot):
        named = _choices_named(turn, slot, text)
        if len(named) == 1:
            turn.session["flags"][ASKED_ABOUT] = [named[0], turn.session["turns"]]
        return
    if slot is None or not _takes_items(turn, slot):
        return
    found = {m.value for m in lexicon_for(turn.bot).items(slot.tags).find_all(tokens(text))}
    choices = _choices_said(turn, text)
    asked = found.pop() if len(found) == 1 else None if found or not choices else asked_item(turn)
    if asked is not None:  # "was kostet die große Salami?", or of it: "und die kleine?"
        item = turn.bot.catalog.items[asked]
        said = " ".join([_said(turn, item.name), *choices])
        turn.session["flags"][ASKED_ABOUT] = [said, turn.session["turns"], asked]
    elif not found and (extras := _choices_said(turn, text, many=True)):
        turn.session["flags"][ASKED_EXTRAS] = [" ".join(extras), turn.session["turns"]]


ASKED_EXTRAS: Final = "asked_extras"
"""A session flag: [the extras as said, the turn] a question about them named with no item
("how much is extra cheese?"), which "put it on" in the next message takes."""
_PUTTING_ON: Final = re.compile(
    r"\b(?:(?:put|whack|chuck|throw|stick|slap|bung) (?:it|that|them|em|'em|some|one) on|"
    r"add (?:it|that|them)|go for it|sounds good|"
    r"i'?ll (?:take|have) (?:it|that)|yes,? please|"
    r"(?:mach|tu|pack|leg)\w* (?:(?:den|die|das|es|ihn|sie) )?(?:mal |bitte |ruhig )?drauf|"
    r"drauf damit|klingt gut|nehm(?:e)? ich|ja,? (?:bitte|gerne?))\b",
    re.IGNORECASE,
)


def extras_taken(turn: Turn, text: str) -> str | None:
    """The extras a price question just asked about, put on ("how much is extra cheese?" —
    (the price) — "ok, put it on please": extra cheese on it); None for any other message."""
    about = turn.session["flags"].pop(ASKED_EXTRAS, None)
    if not about or about[1] != turn.session["turns"] - 1 or not _PUTTING_ON.search(text):
        return None
    if turn.names_for_order(text):
        return None  # "add it, and a Cola": what it names is the order
    return f"{about[0]} {'drauf' if turn.lang == 'de' else 'on it'}"


def asked_item(turn: Turn) -> str | None:
    """The item the customer asked about in their last message ("was kostet die große
    Diavola?"), which a short question after it is about too ("und die mittlere?")."""
    about = turn.session["flags"].get(ASKED_ABOUT)
    if not about or len(about) < 3 or about[1] != turn.session["turns"] - 1:
        return None
    return str(about[2]) if about[2] in turn.bot.catalog.items else None


def taken_as_asked(turn: Turn, slot: Slot, message: Message) -> Message:
    """The message with the item asked about in front (and the choices the question gave it:
    "was kostet eine mittlere Salami?" — "ok, eine davon"), when it takes that item ("nehm
    ich", "sounds good, medium") without naming one, in the turn right after the question."""
    about = turn.session["flags"].pop(ASKED_ABOUT, None)
    if not about or message.payload:
        return message
    if _an_item_choice(turn, slot):  # "how much is a medium one?" … "ok, one of those"
        if _choices_named(turn, slot, message.text):
            return message  # "… ok dann mittel": the one named
    elif not _takes_items(turn, slot):
        return message
    item, asked_in = about[:2]
    first = next((c for c in _CLAUSES.split(message.text) if c.strip()), "")
    takes = _TAKING.search(message.text) or _sizes_or_counts_it(
        turn, first
    )  # "Medium it is then", "two"
    if asked_in != turn.session["turns"] - 1 or not takes:
        return message
    taking = next((c for c in _CLAUSES.split(message.text) if _TAKING.search(c)), first)
    items = lexicon_for(turn.bot).items(frozenset())
    named = {m.value for m in items.find_all(tokens(message.text))}
    if items.find_all(tokens(taking)) or (len(about) > 2 and about[2] in named):
        # "ok, dann nehm ich eine Margherita", "I'll take that, a medium Capricciosa"
        return message
    of_those = _OF_THOSE.search(message.text)
    if of_those:  # "dann nehm ich zwei davon. Eine mit Zwiebeln, …": two of the item
        text = f"{message.text[: of_those.start()]}{item}{message.text[of_those.end() :]}"
        return replace(message, text=text)
    return replace(message, text=f"{item} {message.text}")  # "die nehm ich. Und ne Cola."


def _sizes_or_counts_it(turn: Turn, clause: str) -> bool:
    """Whether the clause names a choice of one (a size) or a count, and no item: "Medium it
    is then", "two then please"."""
    said = turn.names_for_order(clause)
    return (
        len(said) == 1
        and any(
            (turn.slot(name).type == "choice" and turn.slot(name).choices)
            or turn.slot(name).role == "quantity"
            for name in said[0]
        )
        and not any(turn.slot(name).type == "item" for name in said[0])
    )


def _choices_said(turn: Turn, text: str, *, many: bool = False) -> list[str]:
    """The choices the question gave the item ("eine *mittlere* Salami"), as they are named
    (an id such as "quattro_formaggi" is no word a customer writes; an extra as one);
    `many`: only those of groups that take several (the extras)."""
    slots = turn.bot.slots.items()
    kinds = ("choices",) if many else ("choice", "choices")
    choosing = {n: s.choices for n, s in slots if s.type in kinds and s.choices}
    mentions = turn.order_mentions(text)
    said = mentions[0] if len(mentions) == 1 else {}
    chosen = [(n, v) for n in sorted(set(choosing) & set(said)) for v in _values(said[n])]
    return [_as_said(turn, n, choosing[n].choices[v].name) for n, v in chosen]


def _as_said(turn: Turn, slot: str, name: Label) -> str:
    """A choice's name, an extra's as one ("extra Schinken": on a Hawaii, which has ham, the
    ham alone would be the Hawaii's own, own_description.py)."""
    said = _said(turn, name)
    return f"extra {said}" if turn.slot(slot).type == "choices" else said


def _values(value: object) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def _said(turn: Turn, name: Label) -> str:
    return label_for(name, turn.lang, turn.bot.business.language)


def _an_item_choice(turn: Turn, slot: Slot) -> bool:
    """A choice of the item being ordered (its size), asked by the ordering flow."""
    frame = turn.frame
    ordering = frame is not None and frame["flow"] == turn.ordering_flow()
    return ordering and slot.type == "choice" and slot.choices is not None


def _choices_named(turn: Turn, slot: Slot, text: str) -> list[str]:
    """The slot's choices the text names, as they are called."""
    if slot.choices is None:
        return []
    found = lexicon_for(turn.bot).choices(slot.choices).find_all(tokens(text))
    named = dict.fromkeys(match.value for match in found)
    return [_said(turn, slot.choices.choices[value].name) for value in named]


def _takes_items(turn: Turn, slot: Slot) -> bool:
    """The item question, or a yes/no of the ordering flow ("Noch etwas dazu?"), where
    "was kostet eine mittlere Salami?" — "ok, dann eine davon" orders it."""
    frame = turn.frame
    ordering = frame is not None and frame["flow"] == turn.ordering_flow()
    return slot.type == "item" or (slot.type == "yes_no" and ordering)
