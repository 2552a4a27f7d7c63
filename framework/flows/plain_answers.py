"""A message that is nothing but the answer to the open question: "mittel", "nein", an address.

Customers who answer question by question write most of their messages this way. Such a
message names no item, no extra, no count and no second thought, so the passes that look for
an edit of the order, a restatement, a quoted cart or a described item (engine._understand,
engine._take) can find nothing in it: it goes to the answer straight away. What the answer
itself does with it (answering.answer) is the same as on the long way. The shortcut is held to
giving the same turns as the long way by tests/flows/test_plain_answers.py.
"""

from __future__ import annotations

from typing import Final

from framework.flows.paying import waiting_payment
from framework.flows.turn import Turn
from framework.flows.understanding.lexicon import lexicon_for
from framework.flows.understanding.normalize import tokens
from framework.flows.understanding.slot_values import NOTHING_CHOSEN, find_address
from framework.flows.understanding.yesno import parse_yes_no

__all__ = ["is_plain_answer"]

_LONGEST: Final = 3
"""Words of the longest choice or yes read here ("zum selbst abholen"); anything longer takes
the long way (an address is read whole)."""


def is_plain_answer(turn: Turn, text: str) -> bool:
    """Whether `text` is nothing but the answer, naming nothing of the catalog: word for word
    one of the open question's choices ("groß"), none of them where it takes several
    ("keine"), a plain yes or no ("nein danke"; where it commits the order, one word), or an
    address and nothing else. Never while a payment is awaited (its own answers, paying.py)."""
    frame = turn.frame
    if frame is None or not frame.get("wait"):
        return False
    slot = turn.bot.slots.get(frame["wait"])
    if slot is None or waiting_payment(turn) is not None:
        return False
    words = tokens(text)
    if not words or (len(words) > _LONGEST and slot.type != "address"):
        return False
    lexicon = lexicon_for(turn.bot)
    if slot.type == "yes_no" and slot.role in (None, "confirm"):
        alone = len(words) == 1 or slot.role is None  # "nein danke"; where it confirms, "ja"
        said = alone and parse_yes_no(text, plain=True) is not None
    elif slot.role is not None:
        return False
    elif slot.type == "choice" and slot.choices is not None:
        said = lexicon.choices(slot.choices).exact(words) is not None
    elif slot.type == "choices" and slot.choices is not None:  # "keine", "Oliven"
        nothing = len(words) == 1 and words[0] in NOTHING_CHOSEN
        said = nothing or lexicon.choices(slot.choices).exact(words) is not None
    elif slot.type == "address":  # "Weserstraße 5, 12047 Berlin" and nothing else
        said = find_address(text) == " ".join(text.split()).strip(" ,.!")
    else:
        return False
    return said and not lexicon.items(frozenset()).find_all(words)
