"""A question asked before its turn: "ein paar Margherita, groß", "a few large Salamis" say
that there are several but not how many. A waiter asks that first — "wie viele genau?" — and
not for the extras of a count nobody said. The flow's own later question for the count is
asked in place of the one due, and the flow comes back to the one due once it is answered
(execution.py reads `back`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from framework.flows.session import Frame
from framework.flows.steps import Ask

__all__ = ["asked_ahead", "come_back"]


def asked_ahead(frame: Frame, due: Ask, said: dict[str, Any], program: Sequence[Any]) -> Ask | None:
    """The flow's later question for the slot said vaguely (`frame["vague"]`), to ask in place
    of `due` (the frame now points at it and will come back); None to ask `due`."""
    vague = frame.pop("vague", None)
    if vague is None or vague == due.slot or vague in said:
        return None
    later = (
        at
        for at in range(frame["pc"] + 1, len(program))
        if isinstance(program[at], Ask) and program[at].slot == vague
    )
    at = next(later, None)
    if at is None:
        return None
    frame["back"], frame["pc"] = frame["pc"], at
    ahead: Ask = program[at]
    return ahead


def come_back(frame: Frame) -> None:
    """Once the question asked ahead is answered, the flow goes on with the one it was due to
    ask."""
    if "back" in frame and "wait" not in frame:
        frame["pc"] = frame.pop("back")
