"""Compiling the steps that change the conversation's contact.

`tag:` and `untag:`: a name, or a list of names, each a tag (framework/tags.py) or a template
that makes one at run time (`size_{{ size }}`: the size's id, whatever the conversation's
language). A written name that is no tag is a problem at its line, with the rule.

`note:`: a slot, or a list of slots, whose answers the contact keeps under the slot's name
(framework/answers.py); a name that cannot be an answer's is a problem at its line (the
checker says when the slot is not declared)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Final

from framework.answers import ANSWER_NAME_RULE, MAX_ANSWERS, NAME
from framework.flows.language.yaml_loader import PosDict, position_of
from framework.flows.steps import Note, Tag, Untag, Value
from framework.tags import MAX_TAGS, TAG, TAG_RULE

if TYPE_CHECKING:
    from framework.flows.language.compiler import Program, StepContext

__all__ = ["compile_note", "compile_tag"]

_PART: Final = re.compile(r"\{\{(.*?)\}\}")
"""A value inside a tag's template: a choice or an item gives its id (`tag_part`), never its
name, so a tag is the same in every language."""


def _value(text: str) -> Value:
    stripped = text.strip()
    whole = stripped.startswith("{{") and stripped.endswith("}}") and "{{" not in stripped[2:-2]
    return Value(text if whole else _PART.sub(r"{{ (\1) | tag_part }}", text))


def compile_tag(step: PosDict, program: Program, ctx: StepContext) -> None:
    kind = Untag if "untag" in step else Tag
    spec = step[kind.keyword]
    written = spec if isinstance(spec, list) else [spec]
    if len(written) > MAX_TAGS:
        ctx.problem(step.pos, f"{kind.keyword}: at most {MAX_TAGS} tags in one step")
    for name in written:
        text = str(name)
        if "{" not in text and not TAG.fullmatch(text):
            ctx.problem(
                position_of(name, step.pos),
                f"{kind.keyword}: {text[:60]!r} is not {TAG_RULE}",
                "write it as a short name such as vegetarian or ordered_pizza",
            )
    tags = tuple(_value(str(name)) for name in written)
    program.emit(kind(step.pos, step.get("id"), tags))


def compile_note(step: PosDict, program: Program, ctx: StepContext) -> None:
    spec = step["note"]
    written = spec if isinstance(spec, list) else [spec]
    if not written or len(written) > MAX_ANSWERS:
        ctx.problem(step.pos, f"note: 1 to {MAX_ANSWERS} slots in one step")
    slots: dict[str, None] = {}
    for name in written:
        if isinstance(name, str) and NAME.fullmatch(name):
            slots[name] = None
            continue
        ctx.problem(
            position_of(name, step.pos),
            f"note: {str(name)[:60]!r} is not {ANSWER_NAME_RULE}",
            "name a slot whose answer the contact keeps, such as diet or home_city",
        )
    program.emit(Note(step.pos, step.get("id"), tuple(slots)))
