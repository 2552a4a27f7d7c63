"""Static checks on a built bot: references, reachability, templates, translations, limits.

The reader already reported syntax and schema errors; this finds what only the whole bot
shows. Warnings (missing translations, WhatsApp limits, unreachable steps) do not fail
`theke check` unless `--strict` is given.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from framework.flows.language.consent_steps import consent_problems
from framework.flows.language.overlaps import OVERLAP_HINT, command_overlaps
from framework.flows.language.problems import Problem, did_you_mean
from framework.flows.model import ANY_LANGUAGE, Bot, Flow, Position, Text
from framework.flows.steps import (
    Act,
    Ask,
    Branch,
    ButtonSpec,
    Call,
    CartAdd,
    ConsentQuestion,
    ConsentRecord,
    End,
    Forget,
    Goto,
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
)
from framework.flows.understanding.lexicon import lexicon_for

__all__ = ["BUILTIN_NAMES", "check_bot"]

BUILTIN_NAMES: Final = frozenset(
    {
        "cart",
        "cart_so_far",
        "business",
        "menu",
        "order",
        "now",
        "lang",
        "locale",
        "currency",
        "pending",
        "customer",
        "reachable",
        "message",
        "texts",
        "true",
        "false",
        "none",
        "loop",
    }
)
TEXT_EXTRAS: Final = frozenset(
    {
        *("known", "corrected", "options", "min", "max", "unavailable", "status", "change"),
        *("missing", "number", "prices", "reply", "agent", "position"),
        *("service", "when", "calendar", "note", "thing", "lines"),
        *("code", "minutes", "description", "items", "like", "people"),
        *("item", "contents", "extras"),
    }
)
"""Names the engine passes to built-in texts (reprompts, confirmations, the booking notices,
a link code)."""
WHATSAPP_BUTTONS, WHATSAPP_ROWS, WHATSAPP_BUTTON_TITLE, WHATSAPP_ROW_TITLE = 3, 10, 20, 24


@dataclass
class _Checker:
    bot: Bot
    problems: list[Problem]

    def error(self, pos: Position, message: str, hint: str = "") -> None:
        self.problems.append(Problem(pos, message, hint))

    def warn(self, pos: Position, message: str, hint: str = "") -> None:
        self.problems.append(Problem(pos, message, hint, warning=True))

    @property
    def known_names(self) -> frozenset[str]:
        return BUILTIN_NAMES.union(self.bot.slots, self.bot.constants)

    def names(
        self, names: frozenset[str], pos: Position, extra: frozenset[str] = frozenset()
    ) -> None:
        known = self.known_names | extra
        for name in sorted(names - known):
            self.error(
                pos, f"unknown name {name!r} in a text or condition", did_you_mean(name, known)
            )

    def text(self, text: Text | None, extra: frozenset[str] = frozenset()) -> None:
        if text is None:
            return
        self.names(text.names, text.pos, extra)
        for name in sorted(text.text_refs.difference(self.bot.texts)):
            self.error(text.pos, f"unknown text {name!r}", did_you_mean(name, self.bot.texts))
        languages = self.bot.business.languages
        if ANY_LANGUAGE not in text.variants:
            missing = [lang for lang in languages if lang not in text.variants]
            if missing:
                self.warn(text.pos, f"missing translation: {', '.join(missing)}")
        elif len(languages) > 1 and _has_words(text):
            self.warn(
                text.pos,
                f"this text is not translated into {', '.join(languages[1:])}",
                "give it per language, e.g. {de: ..., en: ...}",
            )


def _has_words(text: Text) -> bool:
    """Texts that are only a template or a name need no translation."""
    source = text.variants[ANY_LANGUAGE].source
    while "{{" in source and "}}" in source:
        start = source.index("{{")
        source = source[:start] + source[source.index("}}", start) + 2 :]
    return len(source.split()) > 1  # a single word is usually a name ("Margherita")


UNDERSTOOD_LANGUAGES: Final = frozenset({"de", "en"})
"""Languages whose numbers, yes/no, dates and commands Theke understands out of the box."""


def _check_names_and_languages(checker: _Checker) -> None:
    bot, where = checker.bot, Position(checker.bot.files[0], 1, 1)
    for name in sorted(BUILTIN_NAMES & (bot.slots.keys() | bot.constants.keys())):
        pos = bot.slots[name].pos if name in bot.slots else where
        checker.error(pos, f"{name!r} is a built-in name", "choose another name for it")
    for lang in bot.business.languages:
        if lang not in UNDERSTOOD_LANGUAGES:
            checker.warn(
                where,
                f"Theke understands numbers, yes/no and dates only in "
                f"{', '.join(sorted(UNDERSTOOD_LANGUAGES))}, not in {lang!r}",
            )


def check_bot(bot: Bot) -> list[Problem]:
    checker = _Checker(bot, [])
    _check_names_and_languages(checker)
    for text in bot.texts.values():
        if not text.pos.file.startswith("theke:"):
            checker.text(text, TEXT_EXTRAS)
    for slot in bot.slots.values():
        checker.text(slot.prompt)
        checker.text(slot.reprompt, TEXT_EXTRAS)
    for flow in bot.flows.values():
        _check_flow(checker, flow)
    for option in ("start", "fallback"):
        target = getattr(bot, option)
        if target is not None and target not in bot.flows:
            checker.error(
                Position(bot.files[0], 1, 1),
                f"{option}: unknown flow {target!r}",
                did_you_mean(target, bot.flows),
            )
    _check_triggers(checker)
    for pos, message in command_overlaps(bot):
        checker.warn(pos, message, OVERLAP_HINT)
    return checker.problems


def _check_flow(checker: _Checker, flow: Flow) -> None:
    reachable = _reachable(flow, _goto_entries(checker.bot, flow))
    for pc, instruction in enumerate(flow.program):
        if pc not in reachable and not isinstance(instruction, Jump):
            checker.warn(
                instruction.pos,
                f"this step of flow {flow.name!r} can never run",
                "a step after end, goto or repeat is unreachable",
            )
        _check_instruction(checker, instruction)
    ends = len(flow.program) in reachable or any(
        isinstance(flow.program[pc], End | Return | Goto) for pc in reachable
    )
    if not ends:
        checker.error(
            flow.pos,
            f"the flow {flow.name!r} can never end",
            "every path repeats it; add a way out (an if around repeat)",
        )


def _goto_entries(bot: Bot, flow: Flow) -> list[int]:
    """The steps of `flow` that a `goto: <flow>.<step>` anywhere in the bot jumps to: a loop
    back, or a checkout reached from another flow, runs them without falling through."""
    gotos = [i for other in bot.flows.values() for i in other.program if isinstance(i, Goto)]
    return [
        flow.labels[goto.step]
        for goto in gotos
        if goto.flow == flow.name and goto.step is not None and goto.step in flow.labels
    ]


def _reachable(flow: Flow, entries: list[int] | None = None) -> set[int]:
    seen: set[int] = set()
    todo = [0, *(entries or ())]
    while todo:
        pc = todo.pop()
        if pc in seen or pc > len(flow.program):
            continue
        seen.add(pc)
        if pc < len(flow.program):
            todo.extend(flow.program[pc].next_pcs(pc))
    return seen


def _check_instruction(checker: _Checker, instruction: Instruction) -> None:
    for value in instruction.values():
        checker.names(value.names, instruction.pos)
    check = _CHECKS.get(type(instruction))
    if check is not None:
        check(checker, instruction)


def _check_branch(checker: _Checker, branch: Branch) -> None:
    checker.names(branch.condition.names, branch.pos)


def _check_say(checker: _Checker, say: Say) -> None:
    checker.text(say.text)
    _check_buttons(checker, say.buttons, say.list_button is not None, say.pos)


def _check_end(checker: _Checker, end: End) -> None:
    checker.text(end.text)


def _check_set(checker: _Checker, assign: Set) -> None:
    for slot, _value in assign.assignments:
        if slot not in checker.bot.slots:
            checker.error(
                assign.pos, f"unknown slot {slot!r}", did_you_mean(slot, checker.bot.slots)
            )


def _check_call(checker: _Checker, call: Act) -> None:
    """`save:` goes into declared slots (which action names exist is checked where the
    actions are loaded: actions/checking.py)."""
    for _path, slot in call.save:
        if slot not in checker.bot.slots:
            checker.error(
                call.pos, f"save: unknown slot {slot!r}", did_you_mean(slot, checker.bot.slots)
            )


def _check_forget(checker: _Checker, forget: Forget) -> None:
    for name in forget.slots or ():
        slot = checker.bot.slots.get(name)
        if slot is None:
            checker.error(
                forget.pos, f"forget: unknown slot {name!r}", did_you_mean(name, checker.bot.slots)
            )
        elif not slot.remember:
            checker.warn(forget.pos, f"forget: slot {name!r} is not remembered (remember: true)")


def _check_note(checker: _Checker, note: Note) -> None:
    for name in note.slots:
        if name not in checker.bot.slots:
            checker.error(
                note.pos, f"note: unknown slot {name!r}", did_you_mean(name, checker.bot.slots)
            )


def _check_cart_add(checker: _Checker, add: CartAdd) -> None:
    literal, items = add.item.source, checker.bot.catalog.items
    if isinstance(literal, str) and "{" not in literal and literal not in items:
        checker.error(add.pos, f"unknown catalog item {literal!r}", did_you_mean(literal, items))


def _check_target(checker: _Checker, instruction: Goto | Repeat | Call) -> None:
    flows = checker.bot.flows
    target = flows.get(instruction.flow)
    if target is None:
        checker.error(
            instruction.pos,
            f"unknown flow {instruction.flow!r}",
            did_you_mean(instruction.flow, flows),
        )
    elif (
        isinstance(instruction, Goto)
        and instruction.step is not None
        and instruction.step not in target.labels
    ):
        checker.error(
            instruction.pos,
            f"flow {target.name!r} has no step {instruction.step!r}",
            did_you_mean(instruction.step, target.labels),
        )


def _check_ask(checker: _Checker, ask: Ask) -> None:
    slot = checker.bot.slots.get(ask.slot)
    if slot is None:
        checker.error(
            ask.pos, f"unknown slot {ask.slot!r}", did_you_mean(ask.slot, checker.bot.slots)
        )
        return
    if ask.text is None and slot.prompt is None:
        checker.error(
            ask.pos,
            f"nothing to ask: give the ask of {ask.slot!r} a text",
            "or give the slot a prompt",
        )
    checker.text(ask.text)
    checker.text(ask.reprompt, TEXT_EXTRAS)
    checker.text(ask.confirm, frozenset({"known"}))
    if ask.if_known == "confirm" and not slot.remember:
        checker.warn(ask.pos, "if_known: confirm only applies to slots with remember: true")
    if isinstance(ask.buttons, tuple):
        _check_buttons(checker, ask.buttons, False, ask.pos)
    elif ask.buttons:
        _check_offered(checker, ask, slot.type)


def _check_consent(checker: _Checker, question: ConsentQuestion) -> None:
    _check_ask(checker, question)
    checker.problems += consent_problems(checker.bot, question)


def _check_offered(checker: _Checker, ask: Ask, kind: str) -> None:
    """Buttons an ask offers by itself (its choices, the catalog items) on WhatsApp."""
    bot, slot = checker.bot, checker.bot.slots[ask.slot]
    if slot.choices is not None:
        titles = [c.name for c in slot.choices.choices.values()]
    elif kind == "item":
        titles = [i.name for i in bot.catalog.items.values() if not slot.tags or slot.tags & i.tags]
    else:
        return
    if len(titles) > WHATSAPP_ROWS:
        checker.warn(
            ask.pos,
            f"{len(titles)} choices will not fit a WhatsApp list (max 10)",
            "give the ask its own buttons, or buttons: false",
        )
    limit = WHATSAPP_BUTTON_TITLE if len(titles) <= WHATSAPP_BUTTONS else WHATSAPP_ROW_TITLE
    for label in titles:
        for title in label.values():
            if len(title) > limit:
                checker.warn(
                    ask.pos,
                    f"the choice {title!r} is longer than {limit} characters",
                    "WhatsApp cuts it; add a shorter name",
                )


def _check_buttons(
    checker: _Checker, buttons: tuple[ButtonSpec, ...], is_list: bool, pos: Position
) -> None:
    limit, title_limit = (
        (WHATSAPP_ROWS, WHATSAPP_ROW_TITLE)
        if is_list
        else (WHATSAPP_BUTTONS, WHATSAPP_BUTTON_TITLE)
    )
    if len(buttons) > limit:
        kind = "list rows" if is_list else "reply buttons"
        checker.warn(pos, f"{len(buttons)} {kind} will not fit a WhatsApp message (max {limit})")
    for button in buttons:
        checker.text(button.title)
        for template in button.title.variants.values():
            if "{" not in template.source and len(template.source) > title_limit:
                checker.warn(
                    pos, f"the button {template.source!r} is longer than {title_limit} characters"
                )


def _check_triggers(checker: _Checker) -> None:
    lexicon = lexicon_for(checker.bot)
    for phrase, first, second in lexicon.triggers.conflicts:
        flow = checker.bot.flows[second]
        checker.error(
            flow.pos, f"the trigger {phrase!r} is claimed by flows {first!r} and {second!r}"
        )


def _check_pay(checker: _Checker, pay: Pay) -> None:
    checker.text(pay.text)
    checker.text(pay.button)
    for line in (*(pay.lines or ()), *pay.fees):
        checker.text(line.name)
    for discount in pay.discounts:
        if discount.condition is not None:
            checker.names(discount.condition.names, pay.pos)
    if pay.lines is None and not _adds_to_cart(checker.bot):
        checker.warn(
            pay.pos,
            "this pay step charges the cart, but no flow adds anything to it",
            "add cart.add steps, or give the pay step its own items",
        )


def _adds_to_cart(bot: Bot) -> bool:
    return any(
        isinstance(instruction, CartAdd)
        for flow in bot.flows.values()
        for instruction in flow.program
    )


_CHECKS: Mapping[type[Instruction], Callable[[_Checker, Any], None]] = {
    Branch: _check_branch,
    Say: _check_say,
    Ask: _check_ask,
    End: _check_end,
    Set: _check_set,
    CartAdd: _check_cart_add,
    Forget: _check_forget,
    Note: _check_note,
    Goto: _check_target,
    Repeat: _check_target,
    Call: _check_target,
    Pay: _check_pay,
    Act: _check_call,
    HttpCall: _check_call,
    OpenTicket: _check_call,
    ConsentQuestion: _check_consent,
    ConsentRecord: _check_call,
}
