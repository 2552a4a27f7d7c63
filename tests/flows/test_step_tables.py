"""The step language is written down in four places that must agree: the JSON Schema editors
validate with, the compiler's table, the instruction classes, and the interpreter's table of
executors. A step kind added to one and forgotten in another fails here, not in a customer's
conversation."""

from __future__ import annotations

import json
from importlib import resources

from framework.flows import steps
from framework.flows.execution import EXECUTORS
from framework.flows.language.compiler import _COMPILERS

INTERNAL = {"jump"}
"""Instructions the compiler makes itself (the end of a `then` block), never written in YAML."""


def schema_keywords() -> set[str]:
    text = (
        resources.files("framework.flows.language").joinpath("schema/bot.schema.json").read_text()
    )
    step = json.loads(text)["$defs"]["step"]
    [written] = [choice for choice in step["oneOf"] if choice.get("type") == "object"]
    return {keyword for option in written["anyOf"] for keyword in option["required"]}


def instruction_classes() -> set[type[steps.Instruction]]:
    found = {
        value
        for value in vars(steps).values()
        if isinstance(value, type) and issubclass(value, steps.Instruction) and value.keyword
    }
    return found


def test_schema_compiler_classes_and_executors_agree() -> None:
    classes = instruction_classes()
    keywords = {cls.keyword for cls in classes}
    assert schema_keywords() == set(_COMPILERS) == keywords - INTERNAL
    assert set(EXECUTORS) == classes


def test_instructions_are_data() -> None:
    """The model carries no behaviour: nothing in steps.py can run a turn."""
    for cls in instruction_classes():
        assert not hasattr(cls, "execute"), cls
