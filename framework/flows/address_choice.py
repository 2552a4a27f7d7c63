"""An address given where the bot asks a choice that leads to an address: that choice.

"Sollen wir liefern oder holst du ab?" — "Reuterplatz 3, 12047, 4. Stock": nobody gives their
address for a pickup. Which option of a choice leads to an address is read from the flow, not
from words: the option `x` of an `if: "slot == 'x'"` whose block asks for an address.
"""

from __future__ import annotations

import re
from functools import cache

from framework.flows.model import Bot, Slot
from framework.flows.session import Frame, move_on
from framework.flows.steps import Ask, Branch
from framework.flows.turn import Turn
from framework.flows.understanding.slot_values import find_address

__all__ = ["address_chooses"]


def address_chooses(turn: Turn, frame: Frame, slot: Slot, text: str) -> bool:
    """Answer the choice with the option that leads to an address, when the message gives a
    whole address and names no option; whether it did."""
    if slot.type != "choice" or find_address(text) is None:
        return False
    value = _option_asking_address(turn.bot, frame["flow"], slot.name)
    if value is None or not turn.acceptable(slot.name, value):
        return False
    turn.set_slot(slot.name, value)
    move_on(frame)
    return True


@cache
def _option_asking_address(bot: Bot, flow: str, slot: str) -> str | None:
    """The option of `slot` whose `if: "slot == 'option'"` block in the flow asks for an
    address (once per loaded bot and question)."""
    condition = re.compile(rf"\s*{re.escape(slot)}\s*==\s*['\"](\w+)['\"]\s*")
    program = bot.flows[flow].program
    for pc, step in enumerate(program):
        if not isinstance(step, Branch):
            continue
        found = condition.fullmatch(step.condition.source)
        block = program[pc + 1 : step.otherwise]
        if found and any(
            isinstance(inner, Ask) and bot.slots[inner.slot].type == "address" for inner in block
        ):
            return found.group(1)
    return None
