"""A contact's tags, a domain value every room uses (the flow language's `tag:` steps, the
contact store, broadcast segments, the CLI): short names, 1 to 40 lowercase letters, digits,
`_` and `-`, a letter or digit first — names a segment can list and a terminal can show."""

from __future__ import annotations

import re

__all__ = ["MAX_TAGS", "TAG", "TAG_RULE", "as_tag"]

TAG = re.compile(r"[a-z0-9][a-z0-9_-]{0,39}")
TAG_RULE = "a tag: 1 to 40 lowercase letters, digits, _ or - (a letter or digit first)"
MAX_TAGS = 50
"""Tags a contact holds at most (and one change names at most)."""
_SPACES = re.compile(r"[\s.]+")


def as_tag(value: object) -> str | None:
    """The tag a value a flow computed stands for ("Large" -> large, "extra cheese" ->
    extra_cheese), or None when it makes no tag."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None
    name = _SPACES.sub("_", str(value).strip().lower())
    return name if TAG.fullmatch(name) else None
