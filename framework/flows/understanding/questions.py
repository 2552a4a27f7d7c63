"""Whether a message is a question, in German or English (chat style: "?" is often left out)."""

from __future__ import annotations

import re
from functools import lru_cache

from framework.flows.understanding.normalize import KEPT_READINGS, tokens

_SENTENCES = re.compile(r"(?<=[.!?;])\s+|\n+")
_REQUESTS = (
    ("can", "i", "have"),
    ("can", "i", "get"),
    ("could", "i", "have"),
    ("could", "i", "get"),
    ("can", "we", "have"),
    ("can", "we", "get"),
    ("could", "we", "get"),
    ("may", "i", "have"),
    ("kann", "ich"),
    ("koennte", "ich"),
    ("koennten", "wir"),
    ("koennen", "wir"),
    ("krieg", "ich"),
    ("kriege", "ich"),
)
"""Questions that order ("can I get a Diavola?", "kann ich eine Cola haben?")."""

__all__ = ["is_question", "only_asks", "wishes"]

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
        "whats",
        "hows",
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


_LEAD_INS = frozenset(
    {
        *("und", "aber", "also", "ach", "achso", "oh", "ok", "okay", "hm", "hmm", "na", "ja"),
        *("noch", "sag", "mal", "kurz", "frage", "and", "but", "so", "um", "quick", "question"),
    }
)
"""Words a question may start with before its question word ("und was kostet die große",
"ok so how long does it take")."""


@lru_cache(maxsize=KEPT_READINGS)
def is_question(text: str) -> bool:
    """A question mark, or a question word first, after lead-ins ("habt ihr was ohne Fleisch",
    "how long", "und was kostet die große")."""
    if "?" in text:
        return True
    words = tokens(text)
    first = next((word for word in words if word not in _LEAD_INS), "")
    return first in _OPENERS


@lru_cache(maxsize=KEPT_READINGS)
def only_asks(text: str) -> bool:
    """Every sentence is a question, none of them a request ("was kostet ein Bier?", "is the
    Diavola spicy?"); unlike "Ist die Funghi vegetarisch? Dann eine mittlere" or "can I get a
    Diavola?", which order something too."""
    sentences = [s for s in _SENTENCES.split(text) if tokens(s) and not _greets(tokens(s))]
    return bool(sentences) and all(
        is_question(sentence) and not _requests(tokens(sentence)) for sentence in sentences
    )


_GREETING = frozenset(
    {"hallo", "hi", "hey", "hello", "good", "afternoon", "evening", "morning", "guten", "tag"}
    | {"abend", "morgen", "moin", "servus", "gruess", "gott", "griass", "gruezi", "hoi", "tach"}
    | {"nabend", "howdy", "ciao", "there", "ihr", "euch", "zusammen", "dich", "di"}
)


def _greets(words: list[str]) -> bool:
    """A sentence of nothing but a greeting ("Good afternoon.", "Grüß Gott!")."""
    return set(words) <= _GREETING


def wishes(text: str) -> list[str]:
    """The clauses of a message that say or ask for something ("Anyway we'll get a large
    Salami", "geht auch nur Getränke zum Abholen?"), without the questions about something
    ("how long does delivery take?" chooses no delivery, "was kostet die große?" orders none)."""
    return [clause for clause in _CLAUSES.split(text) if tokens(clause) and not _asks_about(clause)]


def _asks_about(clause: str) -> bool:
    """A question with a question word ("wie lange dauert die Lieferung", "what does …")."""
    words = tokens(clause)
    first = next((word for word in words if word not in _LEAD_INS), "")
    return first in _QUESTION_WORDS and is_question(clause)


_QUESTION_WORDS = frozenset(
    {"wie", "was", "wann", "wo", "wieso", "warum", "welche", "welcher", "welches", "wieviel"}
    | {"how", "what", "when", "where", "why", "which", "whats"}
)


_CLAUSES = re.compile(r"(?<=[,.!?;])\s+|\n+")


def _requests(words: list[str]) -> bool:
    return any(tuple(words[: len(opening)]) == opening for opening in _REQUESTS)
