"""Whether a message is a question, in German or English (chat style: "?" is often left out)."""

from __future__ import annotations

from framework.flows.understanding.normalize import tokens

__all__ = ["is_question"]

_OPENERS = frozenset(
    {
        # German
        "habt",
        "hast",
        "haben",
        "gibt",
        "gibts",
        "kann",
        "kannst",
        "koennt",
        "koennen",
        "wie",
        "was",
        "wann",
        "wo",
        "wieso",
        "warum",
        "welche",
        "welcher",
        "welches",
        "ist",
        "sind",
        "macht",
        "liefert",
        "nehmt",
        "seid",
        # English
        "do",
        "does",
        "did",
        "can",
        "could",
        "how",
        "what",
        "when",
        "where",
        "why",
        "which",
        "is",
        "are",
        "any",
        "will",
        "would",
    }
)


def is_question(text: str) -> bool:
    """A question mark, or a question word first ("habt ihr was ohne Fleisch", "how long")."""
    if "?" in text:
        return True
    words = tokens(text)
    return bool(words) and words[0] in _OPENERS
