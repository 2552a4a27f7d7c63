"""The interpreter's loop: what each instruction does, from one table.

The instructions (`steps.py`) are data; `EXECUTORS` maps each class to the function that runs
it against the turn and says what follows (CONTINUE, JUMPED or WAIT). `run` executes the top
frame until the conversation waits. A test checks that every instruction class, every compiler
keyword and the JSON Schema's step keywords have an executor here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Final

from framework.errors import FlowError
from framework.flows.acting import start_action
from framework.flows.answer_notes import note_answers
from framework.flows.asked_ahead import come_back
from framework.flows.consenting import ask_consent, record_consent
from framework.flows.events import BusinessEvent
from framework.flows.handoff import hand_over
from framework.flows.paying import start_payment
from framework.flows.steps import (
    CONTINUE,
    JUMPED,
    WAIT,
    Act,
    Ask,
    Branch,
    Call,
    CartAdd,
    CartClear,
    CartFee,
    CartRemove,
    CartUpdate,
    ConsentQuestion,
    ConsentRecord,
    Emit,
    End,
    Forget,
    Goto,
    HandOver,
    HttpCall,
    Instruction,
    Jump,
    Note,
    OpenTicket,
    Pay,
    Repeat,
    Return,
    Say,
    Set,
    Tag,
    Untag,
)
from framework.flows.tagging import tag_contact
from framework.flows.turn import Turn

__all__ = ["EXECUTORS", "MAX_INSTRUCTIONS", "run"]

MAX_INSTRUCTIONS: Final = 1000
"""Instructions one turn may run without waiting: more is a flow that loops."""


def run(turn: Turn) -> None:
    """Execute instructions of the top frame until the conversation waits or ends."""
    stack = turn.session["stack"]  # the instructions change it in place, never replace it
    for _ in range(MAX_INSTRUCTIONS):
        frame = stack[-1] if stack else None
        if frame is None or frame.get("wait"):
            return
        come_back(frame)
        program = turn.flow(frame["flow"]).program
        pc = frame["pc"]
        if pc >= len(program):
            turn.finish_flow()
            continue
        instruction = program[pc]
        outcome = EXECUTORS[type(instruction)](instruction, turn)
        if outcome == CONTINUE:
            frame["pc"] += 1
        elif outcome == WAIT:
            return
    raise FlowError(f"the flow {turn.frame and turn.frame['flow']!r} loops without waiting")


def _say(step: Say, turn: Turn) -> int:
    turn.say(step.text, step.buttons, step.list_button, step.image)
    return CONTINUE


def _ask(step: Ask, turn: Turn) -> int:
    return turn.ask(step)


def _set(step: Set, turn: Turn) -> int:
    for slot, value in step.assignments:
        turn.set_slot(slot, turn.value(value))
    return CONTINUE


def _branch(step: Branch, turn: Turn) -> int:
    """`if`: fall through when the condition holds, else jump to `otherwise`."""
    if turn.unwrap(step.condition.evaluate(turn.scope())):
        return CONTINUE
    turn.jump(step.otherwise)
    return JUMPED


def _jump(step: Jump, turn: Turn) -> int:
    turn.jump(step.target)
    return JUMPED


def _goto(step: Goto, turn: Turn) -> int:
    turn.goto(step.flow, step.step)
    return JUMPED


def _repeat(step: Repeat, turn: Turn) -> int:
    turn.repeat(step.flow, step.keep)
    return JUMPED


def _call(step: Call, turn: Turn) -> int:
    turn.call(step.flow)
    return JUMPED


def _return(step: Return, turn: Turn) -> int:
    turn.finish_flow()
    return JUMPED


def _end(step: End, turn: Turn) -> int:
    if step.text is not None:
        turn.say(step.text)
    turn.end_conversation()
    return WAIT


def _cart_add(step: CartAdd, turn: Turn) -> int:
    options = [turn.value(option) for option in step.options]
    quantity = turn.value(step.quantity) if step.quantity is not None else 1
    source = {
        "item": step.item.slot_name,
        "options": [name for option in step.options if (name := option.slot_name)],
        "quantity": step.quantity.slot_name if step.quantity is not None else None,
    }
    line = turn.cart.add(turn.value(step.item), options, quantity, source)
    if turn.frame is not None:
        turn.frame.pop("several", None)  # the count said vaguely is answered now
    if line is not None:
        line["said"] = turn.session["turns"]  # when: a restatement soon after is no new order
    return CONTINUE


def _cart_remove(step: CartRemove, turn: Turn) -> int:
    turn.cart.remove(turn.value(step.line))
    return CONTINUE


def _cart_update(step: CartUpdate, turn: Turn) -> int:
    turn.cart.update(turn.value(step.line), turn.value(step.quantity))
    return CONTINUE


def _cart_clear(step: CartClear, turn: Turn) -> int:
    turn.cart.clear()
    return CONTINUE


def _cart_fee(step: CartFee, turn: Turn) -> int:
    """Set (or with a zero price remove) a named fee such as delivery."""
    turn.cart.set_fee(step.fee, step.name, turn.value(step.price))
    return CONTINUE


def _forget(step: Forget, turn: Turn) -> int:
    turn.forget(step.slots)
    return CONTINUE


def _emit(step: Emit, turn: Turn) -> int:
    data = turn.value(step.data)
    turn.effects.append(BusinessEvent(step.event, data if isinstance(data, dict) else {}))
    return CONTINUE


Executor = Callable[[Any, Turn], int]

EXECUTORS: Mapping[type[Instruction], Executor] = {
    Say: _say,
    Ask: _ask,
    Set: _set,
    Branch: _branch,
    Jump: _jump,
    Goto: _goto,
    Repeat: _repeat,
    Call: _call,
    Return: _return,
    End: _end,
    CartAdd: _cart_add,
    CartRemove: _cart_remove,
    CartUpdate: _cart_update,
    CartClear: _cart_clear,
    CartFee: _cart_fee,
    Forget: _forget,
    Pay: start_payment,
    Act: start_action,
    HttpCall: start_action,
    OpenTicket: start_action,
    Emit: _emit,
    HandOver: hand_over,
    Tag: tag_contact,
    Untag: tag_contact,
    Note: note_answers,
    ConsentQuestion: ask_consent,
    ConsentRecord: record_consent,
}
"""Every instruction class and the function that executes it."""
