"""Compiling and checking the `consent:` step (docs/flows.md#consent).

    - consent:
        purpose: marketing                  # or notify:<topic>, a template: notify:{{ topic }}
        text: {de: "Darf Spree Air …?", en: "May Spree Air …?"}    # shown word for word
        confirm: {de: "Bitte bestätige: …", en: "Please confirm: …"}  # under double opt-in
        save: offers                        # the yes_no slot: yes only once granted
      on_error: [...]                       # the ledger could not be reached

Layout of the program: the question and its record; with `confirm:` the confirmation and its
record; the `on_error` block (jumped over); then what follows. A question the customer does
not answer in `attempts` goes on after the step with nothing kept. The slot is declared as a
yes_no slot unless the bot declares it.

The checker warns when a text does not name the business (WhatsApp's opt-in rule: the words
must say who will write), when a purpose the bot confirms by double opt-in has no `confirm:`,
and says when a written purpose is none or the slot is no yes_no slot.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final

from framework.flows.language.problems import Problem
from framework.flows.language.yaml_loader import PosDict
from framework.flows.model import Bot, Text
from framework.flows.steps import (
    CONSENT_ACTION,
    ConsentQuestion,
    ConsentRecord,
    Jump,
    Value,
)
from framework.stores.consent_rules import PURPOSE, PURPOSE_RULE

if TYPE_CHECKING:
    from framework.flows.language.compiler import Program, StepContext

__all__ = ["DEFAULT_SLOT", "compile_consent", "consent_problems"]

DEFAULT_SLOT: Final = "consent"
"""The slot a `consent:` step without `save:` answers into."""
Compiling = Callable[[list[Any], "Program", "StepContext"], None]
_TEXT_REF: Final = re.compile(r"texts\.([A-Za-z_][A-Za-z0-9_]*)")


def compile_consent(
    step: PosDict, program: Program, ctx: StepContext, compile_steps: Compiling
) -> None:
    """The step's instructions; `compile_steps` compiles its `on_error` block (the compiler's
    own, given: this module is the compiler's)."""
    spec, pos = step["consent"], step.pos
    slot, purpose = str(spec.get("save", DEFAULT_SLOT)), str(spec["purpose"])
    if "{" not in purpose and not PURPOSE.fullmatch(purpose):
        ctx.problem(spec.where("purpose"), f"consent: {purpose[:80]!r} is not {PURPOSE_RULE}")
    ctx.step_slot(slot, "yes_no", spec.where("save"))
    program.asks.add(slot)
    texts = [ctx.text(spec["text"], spec.where("text"))]
    if "confirm" in spec:
        texts.append(ctx.text(spec["confirm"], spec.where("confirm")))
    places = [(program.reserve(), program.reserve()) for _text in texts]
    skip = program.reserve() if "on_error" in step else None
    failed = program.here
    if skip is not None:
        compile_steps(step["on_error"], program, ctx)
        program.put(skip, Jump(pos, None, program.here))
    after = program.here
    for index, ((asked, kept), text) in enumerate(zip(places, texts, strict=True)):
        question = ConsentQuestion(
            pos,
            step.get("id") if index == 0 else None,
            slot,
            text=text,
            reprompt=ctx.text(spec.get("reprompt"), pos),
            attempts=int(spec.get("attempts", 3)),
            on_fail=after,
            if_known="ask",
            purpose=purpose,
            confirming=index > 0,
            confirmed=len(texts) > 1,
        )
        program.put(asked, question)
        stage = ("purpose", Value(purpose)), ("stage", Value("confirm" if index else "ask"))
        record = ConsentRecord(
            pos, None, CONSENT_ACTION, stage, (("consented", slot),), None, failed, slot=slot
        )
        program.put(kept, record)


def consent_problems(bot: Bot, question: ConsentQuestion) -> list[Problem]:
    """What `theke check` says of a consent question: its slot, its words, its confirmation."""
    problems: list[Problem] = []
    slot = bot.slots.get(question.slot)
    if slot is not None and slot.type != "yes_no":
        problems.append(
            Problem(
                question.pos,
                f"consent: the slot {question.slot!r} is a {slot.type} slot, not yes_no",
                "name another slot with save:, or declare this one with type: yes_no",
            )
        )
    if question.text is not None:
        problems += _names_business(bot, question.text)
    if (
        not question.confirming
        and not question.confirmed
        and bot.consents.confirms(question.purpose)
    ):
        problems.append(
            Problem(
                question.pos,
                f"consent: the bot confirms {question.purpose.partition(':')[0]} by double "
                "opt-in, and this step has no confirm: text to ask it with",
                "add confirm: with the words of the confirmation (naming the business)",
                warning=True,
            )
        )
    return problems


def _names_business(bot: Bot, text: Text) -> list[Problem]:
    """A warning for each language whose words do not name the business."""
    name = bot.business.name.casefold()
    missing = [
        lang
        for lang, template in sorted(text.variants.items())
        if not _says(bot, template.source, name, set())
    ]
    if not missing:
        return []
    return [
        Problem(
            text.pos,
            f"consent: the words shown do not name the business ({bot.business.name!r}; "
            f"{', '.join(missing)})",
            "an opt-in must say who will write: write the name, or {{ business.name }}",
            warning=True,
        )
    ]


def _says(bot: Bot, source: str, name: str, seen: set[str]) -> bool:
    """Whether a text's source names the business: written, as `business.name`, or in a text
    it includes (`{{ texts.offers_question }}`, in any of that text's languages)."""
    if name in source.casefold() or "business.name" in source:
        return True
    for ref in _TEXT_REF.findall(source):
        included = bot.texts.get(ref)
        if included is None or ref in seen:
            continue
        seen.add(ref)
        if all(_says(bot, t.source, name, seen) for t in included.variants.values()):
            return True
    return False
