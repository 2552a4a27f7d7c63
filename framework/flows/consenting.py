"""The `consent:` step run: a yes/no question whose answer the consent ledger keeps.

The step compiles into a question (`ConsentQuestion`, an ask of a yes_no slot: the answer is
understood as every yes/no question's) and a record (`ConsentRecord`, an action of the built-in
consent desk, consents/desk.py), and under double opt-in a second pair for the confirmation.

- The question is asked every time the step runs (the slot is cleared first) and keeps the
  words it was shown with in the frame, rendered as the customer read them (asked again after a
  digression or a language switch: the words of that asking).
- The record gives the desk those words, the answer, the purpose and the flow; the slot is
  cleared before it and holds yes only when the desk says it granted, no when it declined,
  nothing while a yes waits for its confirmation. A store that fails leaves it empty: a flow
  never thanks for a consent the ledger does not hold.
- A record reached without its question just asked (a correction of the answer that runs the
  flow on from there) keeps nothing and leaves the slot empty: consent is only what was
  answered to the words shown.
"""

from __future__ import annotations

from framework.errors import FlowError
from framework.flows.acting import start_action
from framework.flows.steps import CONTINUE, JUMPED, WAIT, ConsentQuestion, ConsentRecord
from framework.flows.turn import Turn

__all__ = ["ask_consent", "record_consent"]


def ask_consent(step: ConsentQuestion, turn: Turn) -> int:
    frame = turn.frame
    if frame is None:
        raise FlowError("a consent step ran outside of a flow")
    if step.confirming and turn.session["slots"].get(step.slot) is not None:
        turn.jump(frame["pc"] + 2)  # granted or declined: nothing waits for a confirmation
        return JUMPED
    turn.set_slot(step.slot, None)
    outcome = turn.ask(step)
    if outcome == WAIT and frame.get("wait") == step.slot and step.text is not None:
        frame["consent_shown"] = turn.render(step.text)
    return outcome


def record_consent(step: ConsentRecord, turn: Turn) -> int:
    frame = turn.frame
    if frame is None:
        raise FlowError("a consent step ran outside of a flow")
    shown = frame.pop("consent_shown", None)
    said = turn.session["slots"].get(step.slot)
    turn.set_slot(step.slot, None)
    if shown is None or said is None:
        return CONTINUE
    given = {"text": shown, "answer": "yes" if said else "no", "flow": frame["flow"]}
    return start_action(step, turn, given)
