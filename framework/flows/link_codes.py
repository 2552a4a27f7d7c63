"""The shape of a link code (docs/contacts.md): six characters of an alphabet without the
ones people mix up (0/O, 1/I/L), at least one digit and one letter, read in any case. Pure:
the contact desk makes codes (framework/contacts/desk.py), the engine reads them
(flows/linking.py).
"""

from __future__ import annotations

import re
from typing import Final

__all__ = ["ALPHABET", "LENGTH", "MINUTES", "code_alone", "code_in", "is_code"]

ALPHABET: Final = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
LENGTH: Final = 6
MINUTES: Final = 10
"""How long a code is valid."""

_CHARS: Final = "[2-9A-HJKMNP-Z]"
_WORD: Final = re.compile(rf"(?<![A-Za-z0-9]){_CHARS}{{{LENGTH}}}(?![A-Za-z0-9])", re.ASCII | re.I)
_ALONE: Final = re.compile(
    rf"\s*((?:link\s*|verbindungs)?code\s*[:#]?\s*)?({_CHARS}{{{LENGTH}}})\s*[.!]?\s*",
    re.ASCII | re.I,
)


def is_code(text: str) -> bool:
    """A code as written: the length, the alphabet (any case), a digit and a letter."""
    return (
        len(text) == LENGTH
        and text.isascii()
        and all(c in ALPHABET for c in text.upper())
        and any(c.isdigit() for c in text)
        and any(c.isalpha() for c in text)
    )


def code_in(text: str) -> str | None:
    """The one code a message names among other words ("link code k7m4qx"), upper case."""
    found = [word for word in _WORD.findall(text[:200]) if is_code(word)]
    return found[0].upper() if len(found) == 1 else None


def code_alone(text: str) -> tuple[str, bool] | None:
    """The code when it is all the message says, upper case, and whether the word "code" came
    with it ("Code: k7m4qx", "link code K7M4QX") or not ("K7M4QX")."""
    match = _ALONE.fullmatch(text) if len(text) <= 40 else None
    if match is None or not is_code(match.group(2)):
        return None
    return match.group(2).upper(), match.group(1) is not None
