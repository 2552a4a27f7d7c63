"""An answer not understood: the question again with the reason ("Bitte wähle eine der
Möglichkeiten: …"), an honest "I don't know that" for a question the bot cannot answer, and
after the step's attempts its `on_fail` (or the conversation ends)."""

from __future__ import annotations

from typing import Any

from framework.flows.closest import closest_answered
from framework.flows.events import Record
from framework.flows.model import Slot
from framework.flows.scope import wrap_slot
from framework.flows.session import Frame, stop_waiting
from framework.flows.sold_out import note_refused
from framework.flows.steps import Ask
from framework.flows.turn import Turn
from framework.flows.understanding.questions import is_question
from framework.flows.understanding.slot_values import Invalid, Valid

__all__ = ["reprompt"]


def reprompt(turn: Turn, frame: Frame, slot: Slot, parsed: Invalid | Valid, text: str) -> None:
    step = turn.flow(frame["flow"]).program[frame["pc"]]
    if not isinstance(step, Ask):
        return
    if is_question(text):
        if not (_answered(turn) or closest_answered(turn, text)):
            turn.say_named("not_known")  # a question the bot cannot answer: say so, ask again
        turn.reask()
        return
    frame["attempts"] = frame.get("attempts", 0) + 1
    if frame["attempts"] >= step.attempts:
        stop_waiting(frame)
        turn.record("gave_up", slot=slot.name)
        if step.on_fail is not None:
            frame["pc"] = step.on_fail
        else:
            turn.say_named("too_many_attempts")
            turn.end_conversation()
        return
    details = details_of(turn, slot, parsed)
    custom = step.reprompt or slot.reprompt
    reason = parsed.reason if isinstance(parsed, Invalid) else "not_understood"
    text = turn.render(custom, details) if custom else turn.text(reason, **details)
    turn.reply(text, *turn.answer_buttons(step, slot))


def _answered(turn: Turn) -> bool:
    """Whether this turn answered a question already (the knowledge's answer about the Tonno:
    no "I don't know that" after it)."""
    return any(
        isinstance(effect, Record) and effect.name == "question_answered" for effect in turn.effects
    )


def details_of(turn: Turn, slot: Slot, parsed: Invalid | Valid) -> dict[str, Any]:
    details = dict(parsed.details) if isinstance(parsed, Invalid) else {}
    details["options"] = ", ".join(button.title for button in turn.choice_buttons(slot))
    unavailable = details.pop("unavailable_id", None)
    if unavailable is not None:
        details["unavailable"] = wrap_slot(turn.bot, slot.name, unavailable, turn.lang)
        note_refused(turn.session, {})
    return details
