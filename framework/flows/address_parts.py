"""An address given in pieces, as people do: "Sonnenallee 50" — "12045"; "Weserstraße,
12047 Berlin" — "oh sorry, 88". The incomplete answer waits in the frame and the next one
completes it; a house number alone goes behind the street it belongs to.
"""

from __future__ import annotations

import re

from framework.flows.session import Frame

__all__ = ["remember_part", "with_earlier_part"]

MAX_CHARS = 300
_HOUSE_NUMBER = re.compile(r"^\D*?(\d{1,4}(?:\s?[a-zA-Z])?)(?![\d\w])(.*)$")
"""A message that starts with a house number ("oh sorry, 88", "Nr. 12b", "19, 12049"): the
number, and the rest of the message."""
_STREET = re.compile(
    r"\b[\w.\-]*?(?:stra(?:ß|ss)e|str\.?|weg|allee|platz|damm|ufer|ring|gasse|chaussee|"
    r"promenade|steig|zeile|markt|road|street|avenue)\b\.?",
    re.IGNORECASE,
)


def with_earlier_part(frame: Frame, text: str) -> str:
    """The answer together with the incomplete one before it (the answer alone without)."""
    earlier = frame.get("partial")
    if not earlier:
        return text
    number = _HOUSE_NUMBER.match(text.strip())
    street = _STREET.search(earlier)
    if number and street and not re.match(r"\s*\d", earlier[street.end() :]):
        rest = earlier[street.end() :] + number[2]
        return f"{earlier[: street.end()]} {number[1]}{rest}"
    return f"{earlier}, {text}"


def remember_part(frame: Frame, text: str) -> None:
    """Keep an incomplete address for the next answer."""
    frame["partial"] = with_earlier_part(frame, text)[-MAX_CHARS:]
