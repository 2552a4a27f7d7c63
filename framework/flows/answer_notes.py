"""`note:` steps: the named slots' answers kept on the conversation's contact, as an
`AnswersKept` effect (the runtime writes it to the contact store within the turn, with the
turn's tags).

Each answer is kept as text (framework/answers.py `as_answer`): a choice or an item its id,
whatever the conversation's language, so the business compares the same word for every
customer. A slot without a value keeps nothing (the answer kept before stays); a value longer
than an answer may be is left out and recorded as `answer_refused` for the business: the
conversation goes on.
"""

from __future__ import annotations

from framework.answers import as_answer
from framework.flows.events import AnswersKept
from framework.flows.steps import CONTINUE, Note
from framework.flows.turn import Turn

__all__ = ["note_answers"]


def note_answers(step: Note, turn: Turn) -> int:
    kept: list[tuple[str, str]] = []
    for name in step.slots:
        value = turn.session["slots"].get(name)
        if value is None:
            continue
        text = as_answer(value)
        if text is None:
            turn.record("answer_refused", step=step.keyword, slot=name)
        else:
            kept.append((name, text))
    if kept:
        turn.effects.append(AnswersKept(tuple(kept)))
    return CONTINUE
