"""Something ordered that the catalog does not have ("und zwei Pepsi", "an two irn bru",
"noch eine Sprite bitte"): said so, by its name as the customer wrote it, and the open
question asked again — a waiter says "Pepsi haben wir nicht", not "please answer yes or no".

Read only where the order takes items: at the ordering flow's item question and at its
"anything else?", when the message is a count or an article and a name of at most two words
that the catalog and the open question's choices do not know.
"""

from __future__ import annotations

import re

from framework.flows.model import Slot
from framework.flows.turn import Turn

__all__ = ["not_on_menu"]

_COUNT = (
    r"\d{1,2}|eins?|eine[nmr]?|ein|ne|nen|'?n|a|an|one|zwei|drei|vier|fünf|two|three|four|five"
    r"|noch\s+eine[nm]?|another|some|paar|ein\s+paar|a\s+couple\s+of"
)
_NAME = r"[^\W\d_][\w'’-]*"
_POLITE = r"(?:bitte|please|pls|noch|too|auch|dazu|thanks|danke)\b"
_ORDERED = re.compile(
    rf"^\s*(?:(?:und|and|noch|plus|also|ond|no|an|dann|then|oh|ach)[,\s]+)*"
    rf"(?:(?:{_COUNT})\s+)(?P<thing>{_NAME}(?:\s+(?!{_POLITE}){_NAME})?)"
    rf"(?:[,\s]+{_POLITE})*\s*[.!]*\s*$",
    re.IGNORECASE,
)

_NO_GOODS = frozenset(
    {"moment", "momentchen", "sekunde", "sek", "minute", "frage", "sache", "mal", "davon"}
    | {"stück", "stk", "x", "bitte", "danke", "mehr", "weitere", "weiteres", "andere"}
    | {"sec", "second", "minute", "min", "mo", "tick", "question", "thing", "more", "of"}
    | {"please", "pls", "thanks", "other", "others", "each", "more", "times", "x"}
    | {"reicht", "genügt", "langt", "passt", "enough", "fine", "okay", "ok", "will", "do"}
)
"""What a count or article may come before without ordering anything ("einen Moment",
"one sec", "noch eine Frage")."""


def not_on_menu(turn: Turn, slot: Slot, text: str) -> bool:
    """Say that the thing ordered is not on the menu and ask again; False when the message is
    no such order. Only for a message in which nothing but a count was understood."""
    frame = turn.frame
    if frame is None or frame["flow"] != turn.ordering_flow():
        return False
    if slot.type != "item" and not (slot.type == "yes_no" and turn.session["cart"]["lines"]):
        return False
    found = _ORDERED.match(text[:120])
    if found is None or found["thing"].split()[0].lower() in _NO_GOODS:
        return False
    turn.say_named("not_on_menu", thing=found["thing"])
    turn.reask()
    return True
