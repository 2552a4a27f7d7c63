"""Whether a message is a question, in German or English (chat style: "?" is often left out)."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

from framework.flows.understanding.normalize import KEPT_READINGS, tokens

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

__all__ = ["is_question", "only_asks", "parts", "wishes", "without_asked_choices"]

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
    Diavola?", which order something too, as does "Put a Tonno on for me — how much is extra
    cheese?"."""
    sentences = [s for s in _PARTS.split(text) if tokens(s) and not _aside(tokens(s))]
    return bool(sentences) and all(
        is_question(sentence) and not _requests(tokens(sentence)) for sentence in sentences
    )


_GREETING = frozenset(
    {"hallo", "hi", "hey", "hello", "good", "afternoon", "evening", "morning", "guten", "tag"}
    | {"abend", "morgen", "moin", "servus", "gruess", "gott", "griass", "gruezi", "hoi", "tach"}
    | {"nabend", "howdy", "ciao", "there", "ihr", "euch", "zusammen", "dich", "di"}
)


def _aside(words: list[str]) -> bool:
    """A sentence of nothing but a greeting or a lead-in ("Good afternoon.", "Grüß Gott!",
    "Quick question —", "kurze Frage vorweg:")."""
    return set(words) <= _GREETING | _LEAD_INS | _ANNOUNCING


_ANNOUNCING = frozenset({"kurze", "vorweg", "eine", "a", "one", "short"})


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


def without_asked_choices(text: str, names_item: Callable[[str], bool]) -> str:
    """The message without its questions that name no item ("A medium Tonno with onions. How
    much is extra cheese?", "… — do you have a pizza without milk or cheese for her?"): the
    extra they name is asked about, not put on the pizza ordered beside them. The message as
    it is when nothing else in it names an item."""
    if only_asks(text):
        return text  # "how much is a large Capricciosa?": the question's own business
    said = parts(text)
    kept = [part for part in said if not _asks_beside(part, names_item)]
    rest = " ".join(kept)
    return rest if len(kept) < len(said) and names_item(rest) else text


_PARTS = re.compile(r"(?<=[.!?;])\s+|\s[-–—]+\s|\n+")
"""Sentences, and the parts of one between dashes ("My colleague cannot have milk — do you
have …?")."""
_AVAILABLE = (
    ("do", "you", "have"),
    ("have", "you", "got"),
    ("habt", "ihr"),
    ("haben", "sie"),
    ("gibt", "es"),
    ("gibts",),
)
_PROPOSALS = frozenset(
    {("how", "about"), ("what", "about"), ("wie", "waers"), ("wie", "waere"), ("wie", "waer")}
)
"""Questions that ask for something ("how about extra cheese on it?", "wie wär's mit
Oliven?")."""


def parts(text: str) -> list[str]:
    """The message's sentences, those with dashes in parts (`_PARTS`)."""
    return _PARTS.split(text)


def _asks_beside(part: str, names_item: Callable[[str], bool]) -> bool:
    """A question about something or whether it is there, naming no item."""
    words = [word for word in tokens(part) if word not in _LEAD_INS]
    if not words or not is_question(part) or tuple(words[:2]) in _PROPOSALS:
        return False
    asks = words[0] in _QUESTION_WORDS or any(
        tuple(words[: len(opening)]) == opening for opening in _AVAILABLE
    )
    return asks and not names_item(part)
