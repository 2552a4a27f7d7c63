"""A short question that follows an answer of the bot's knowledge ("how long does delivery
take?" — "And pickup?"; "how much is that so far?" — "And with delivery?"): the same entries
answered again, whose answers cover it, as a waiter would go on talking."""

from __future__ import annotations

import re
from typing import Final

from framework.flows.understanding.segments import SENTENCES

__all__ = ["KNOWN_BEFORE", "follow_up"]

KNOWN_BEFORE: Final = "known_before"
"""A session flag: the knowledge entries the last message asked about (until the next one)."""
_FOLLOW_UP: Final = re.compile(
    r"^\s*(?:und|and|what about|how about|und was ist mit|und wie ist es mit|und bei|und mit"
    r"|und wenn|und für|and for|and with|and if|und beim|and the)\b[^?]{0,40}\?\s*$",
    re.IGNORECASE,
)


def follow_up(text: str, before: list[str]) -> list[str]:
    """The entries answered before when the message is a short question following them,
    maybe after a short reaction ("Hm, zu lang. Und abholen?")."""
    if not before or len(text) > _LONGEST:
        return []
    *reaction, asked = SENTENCES.findall(text) or [""]
    if len(" ".join(reaction).split()) > _REACTION_WORDS:
        return []
    return list(before) if _FOLLOW_UP.match(asked) else []


_LONGEST: Final = 100
_REACTION_WORDS: Final = 5
