"""`tag:` and `untag:` steps: the tags of the conversation's contact, given or taken as a
`TagChange` effect (the runtime writes it to the contact store within the turn).

A step names tags (framework/tags.py) or templates that make one: `size_{{ size }}` with the
size `large` tags `size_large`; a value is made a tag as `as_tag` says ("Extra cheese" ->
extra_cheese), and a list value tags each of its items. A value that makes no tag (nothing
chosen yet, a long text) is left out and recorded as `tag_refused` for the business: the
conversation goes on.
"""

from __future__ import annotations

from typing import Any

from framework.flows.events import TagChange
from framework.flows.steps import CONTINUE, Tag, Untag
from framework.flows.turn import Turn
from framework.tags import as_tag

__all__ = ["tag_contact"]


def _items(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else [value]


def tag_contact(step: Tag, turn: Turn) -> int:
    names: list[str] = []
    for value in step.tags:
        for item in _items(turn.value(value)):
            name = as_tag(item)
            if name is None:
                turn.record("tag_refused", step=step.keyword, value=str(item)[:60])
            elif name not in names:
                names.append(name)
    if names:
        taken = isinstance(step, Untag)
        turn.effects.append(TagChange((), tuple(names)) if taken else TagChange(tuple(names)))
    return CONTINUE
