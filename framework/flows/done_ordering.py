"""A message that ends the ordering: "das war's", "that's all", or an answer to a later
question ("I'll pick it up") at "anything else?" or at an optional question of the item
(its extras): no more items, and "anything else?" is not asked again."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Final

from framework.flows.answers_ahead import note_answers_ahead
from framework.flows.events import Message
from framework.flows.model import Bot, Slot
from framework.flows.pending_items import give_waiting_items, has_item
from framework.flows.session import Frame, move_on, stop_waiting
from framework.flows.steps import Ask, Goto
from framework.flows.turn import ORDER_COMPLETE, Turn
from framework.flows.understanding.yesno import says_done

__all__ = ["done_ordering"]

_TAKEN_BACK: Final = re.compile(
    r"\b(?:oder doch|actually|actualy|oh wait)\b(?![\s,]*(?:nothing|nix|nichts|no|nein|nee)\b)",
    re.I,
)
""" "sonst nix. oder doch, noch'n Bier", "that's it. actually one more beer": not done after
all ("anything else?" comes again after the beer)."""
_OTHERWISE_NOTHING: Final = re.compile(
    r"\b(?:sonst|ansonsten|otherwise)\s+(?:nichts|nix|niks|nothing)\b", re.I
)


def done_ordering(
    turn: Turn, frame: Frame, slot: Slot, message: Message, nothing_named: bool
) -> bool:
    """ "Anything else?" answered with "das war's", "that's all" or with an answer to a later
    question ("I'll pick it up"): no, nothing more (and the later answer is kept). "Das wär's"
    said with an answer to another question of the order, or with more items ("oliven, zwei
    Stück, das wär's", "and a cola zero, that's it"): no "anything else?" after it."""
    named_items = turn.orders_an_item(message.text)
    asks = turn.flow(frame["flow"]).asks
    before = dict(turn.session["slots"]) if named_items else {}
    noted = note_answers_ahead(turn, message, asks)
    to_checkout = named_items and noted and _answered_next(turn, frame["flow"], before)
    ordering = frame["flow"] == turn.ordering_flow()
    done = says_done(message.text) and not _TAKEN_BACK.search(message.text)
    if slot.type == "choices" and not nothing_named and _OTHERWISE_NOTHING.search(message.text):
        done = False  # "extra Käse, sonst nix" to the extras: nothing else on it
    moving_on = done or (to_checkout and named_items)  # "dann noch ne cola, liefern bitte"
    if (
        moving_on
        and slot.role != "confirm"
        and (named_items or (ordering and slot.type != "yes_no"))
    ):
        turn.session["flags"][ORDER_COMPLETE] = True  # also "add a Fanta then, that's all"
    if named_items:
        return False  # "oh, add a fanta then": more, not done (items are ordered elsewhere)
    if slot.type == "item" and done and any(has_item(turn, m) for m in turn.session["pending"]):
        # "eine große und eine Cola" — "which pizza or drink?" — "das ist alles": the Cola
        # named beside it is ordered, never dropped, and nothing more is asked after it
        turn.session["flags"][ORDER_COMPLETE] = True
        turn.repeat(frame["flow"], frozenset())
        return True
    if slot.type == "item" and turn.session["cart"]["lines"] and done:
        return _skip_to_no_more(turn, frame)  # "ok" to "anything else?", then "that's it"
    if slot.type == "choices" and ordering and nothing_named and (done or noted):
        # "Extras?" — "nee das war's, abholen bitte", "🏃 pickup": none (for the items still
        # waiting too), and nothing more
        turn.set_slot(slot.name, [])
        give_waiting_items(turn, slot, [])
        turn.session["flags"][ORDER_COMPLETE] = True
        move_on(frame)
        return True
    if slot.type != "yes_no" or slot.role == "confirm" or not nothing_named:
        return False
    if not ordering:
        return False  # "passt so", "all good now" at "did that help?" are a yes, not "no more"
    if not (done or noted):  # "Ok. Lieferung bitte": an answer for later, so no more
        return False
    turn.set_slot(slot.name, False)
    move_on(frame)
    return True


def _skip_to_no_more(turn: Turn, frame: Frame) -> bool:
    """Leave the item question unanswered and answer the flow's next "anything else?" no."""
    program = turn.flow(frame["flow"]).program
    for pc in range(frame["pc"] + 1, len(program)):
        step = program[pc]
        if isinstance(step, Ask) and turn.slot(step.slot).type == "yes_no":
            if turn.slot(step.slot).role == "confirm":
                return False
            turn.set_slot(step.slot, False)
            stop_waiting(frame)
            frame["pc"] = pc + 1
            return True
    return False


def _answered_next(turn: Turn, flow: str, before: dict[str, object]) -> bool:
    """Whether the message answered, ahead, what the flows after this one ask."""
    checkout = _asked_next(turn.bot, flow)
    slots = turn.session["slots"]
    return any(value != before.get(name) and name in checkout for name, value in slots.items())


@lru_cache(maxsize=64)
def _asked_next(bot: Bot, flow: str) -> frozenset[str]:
    """What the flows this one goes to ask ("goto: checkout": delivery or pickup, the address),
    found once per loaded bot."""
    targets = {
        t for step in bot.flows[flow].program if isinstance(step, Goto) for t in step.flow_targets()
    }
    return frozenset(name for target in targets for name in bot.flows[target].asks)
