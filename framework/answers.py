"""A contact's kept answers, a domain value every room uses (the flow language's `note:` step,
the contact store, broadcast segments, the CLI and pages): what a customer answered that the
business keeps beyond one conversation, name -> text.

A name is a tag's short name (framework/tags.py: `diet`, `home_city`); a value is the answer as
text, 1 to MAX_ANSWER characters on one line; a contact keeps at most MAX_ANSWERS. `folded`
is the form answers compare in (a segment's `answers:`): case and accents do not count.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, time
from decimal import Decimal

from framework.tags import TAG

__all__ = ["ANSWER_NAME_RULE", "MAX_ANSWER", "MAX_ANSWERS", "NAME", "as_answer", "folded"]

NAME = TAG
ANSWER_NAME_RULE = (
    "an answer's name: 1 to 40 lowercase letters, digits, _ or - (a letter or digit first)"
)
MAX_ANSWERS = 50
"""Answers a contact keeps at most (and one change names at most)."""
MAX_ANSWER = 200
"""Characters of one answer at most."""
_SPACES = re.compile(r"\s+")


def as_answer(value: object) -> str | None:
    """The text a slot's stored value is kept as: a choice or an item its id, `choices` their
    ids with ", ", yes/no for a yes_no, a date or time in ISO, whitespace collapsed; None when
    there is nothing to keep (no value, an empty text) or it is longer than MAX_ANSWER."""
    if value is None:
        return None
    if isinstance(value, bool):
        text = "yes" if value else "no"
    elif isinstance(value, list | tuple):
        text = ", ".join(str(item) for item in value)
    elif isinstance(value, str | int | float | Decimal | date | time):
        text = value.isoformat() if isinstance(value, date | time) else str(value)
    else:
        return None
    text = _SPACES.sub(" ", text).strip()
    return text if 0 < len(text) <= MAX_ANSWER else None


def folded(text: str) -> str:
    """`text` as answers compare: accents dropped, case folded, spaces collapsed (München,
    munchen and MUNCHEN are one; Straße and strasse too)."""
    split = unicodedata.normalize("NFKD", text)
    bare = "".join(char for char in split if not unicodedata.combining(char))
    return _SPACES.sub(" ", bare.casefold()).strip()
