"""Whether a message is a question, in German or English (chat style: "?" is often left out)."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from functools import lru_cache
from typing import Final

from framework.flows.understanding.matching import DEFINITE
from framework.flows.understanding.normalize import KEPT_READINGS, tokens

_REQUESTS: Final = (
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

__all__ = ["is_question", "item_questions", "only_asks", "parts", "wishes", "without_asked_choices"]

_OPENERS: Final = frozenset(
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


_ORDERING_TOO: Final = frozenset({"macht", "liefert", "nehmt"})
"""Openers that also begin a request ("Liefert bitte in die Hasenheide 61", "Macht die Salami
groß"): a question only with its subject after them ("Liefert ihr auch nach Kreuzberg")."""
_LEAD_INS: Final = frozenset(
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
    at = next((at for at, word in enumerate(words) if word not in _LEAD_INS), len(words))
    first = words[at] if at < len(words) else ""
    if first in _ORDERING_TOO:  # "Liefert ihr auch …", not "Liefert bitte in die Hasenheide …"
        return words[at + 1 : at + 2] in (["ihr"], ["sie"], ["du"], ["man"])
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


_GREETING: Final = frozenset(
    {"hallo", "hi", "hey", "hello", "good", "afternoon", "evening", "morning", "guten", "tag"}
    | {"abend", "morgen", "moin", "servus", "gruess", "gott", "griass", "gruezi", "hoi", "tach"}
    | {"nabend", "howdy", "ciao", "there", "ihr", "euch", "zusammen", "dich", "di"}
)


def _aside(words: list[str]) -> bool:
    """A sentence of nothing but a greeting or a lead-in ("Good afternoon.", "Grüß Gott!",
    "Quick question —", "kurze Frage vorweg:")."""
    return set(words) <= _GREETING | _LEAD_INS | _ANNOUNCING


_ANNOUNCING: Final = frozenset({"kurze", "vorweg", "eine", "a", "one", "short"})


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


_QUESTION_WORDS: Final = frozenset(
    {"wie", "was", "wann", "wo", "wieso", "warum", "welche", "welcher", "welches", "wieviel"}
    | {"how", "what", "when", "where", "why", "which", "whats"}
)


_CLAUSES: Final = re.compile(r"(?<=[,.!?;])\s+|\n+")


def _requests(words: list[str]) -> bool:
    return any(tuple(words[: len(opening)]) == opening for opening in _REQUESTS)


def without_asked_choices(
    text: str, names_item: Callable[[str], bool], *, answering: bool = False
) -> str:
    """The message without its questions that name no item ("A medium Tonno with onions. How
    much is extra cheese?", "… — do you have a pizza without milk or cheese for her?"): the
    extra they name is asked about, not put on the pizza ordered beside them; and without
    those how a named item is ("A Cola. Is the Tonno with onions?"). The message as it is
    when nothing else in it names an item ("Ist die Funghi vegetarisch? Dann eine mittlere":
    the one asked about) — unless, `answering` an open question, the questions come after
    all else ("ok one of those, no extras. is the Diavola very spicy?")."""
    if only_asks(text):
        return text  # "how much is a large Capricciosa?": the question's own business
    said = _with_topics(parts(text))
    asked = [_asks_beside(p, names_item) or _asks_how_one_is(p, names_item) for p in said]
    rest = " ".join(part for part, asks in zip(said, asked, strict=True) if not asks)
    if not any(asked) or not rest:
        return text
    last_said = max(at for at, asks in enumerate(asked) if not asks)
    about_another = all(_asks_how_one_is(p, names_item) for p in said[last_said + 1 :])
    if names_item(rest) or (answering and last_said < len(said) - 1 and about_another):
        return rest  # "ok one of those, no extras. is the Diavola very spicy?": not "those"
    return text


_PARTS: Final = re.compile(r"(?=\s)(?:(?<=[.!?;])\s+|\s[-–—]+\s|\n+)")
"""Sentences, and the parts of one between dashes ("My colleague cannot have milk — do you
have …?"); each begins with a space, looked for first."""
_AVAILABLE: Final = (
    ("do", "you", "have"),
    ("have", "you", "got"),
    ("habt", "ihr"),
    ("haben", "sie"),
    ("gibt", "es"),
    ("gibts",),
)
_PROPOSALS: Final = frozenset(
    {("how", "about"), ("what", "about"), ("wie", "waers"), ("wie", "waere"), ("wie", "waer")}
)
"""Questions that ask for something ("how about extra cheese on it?", "wie wär's mit
Oliven?")."""


def parts(text: str) -> list[str]:
    """The message's sentences, those with dashes in parts (`_PARTS`)."""
    return _PARTS.split(text)


def item_questions(text: str, names_item: Callable[[str], bool]) -> list[str]:
    """The parts of the message that ask how a named item is ("Is the Tonno with onions?",
    "Und die Hawaii – ist die mit echter Ananas?")."""
    return [part for part in _with_topics(parts(text)) if _asks_how_one_is(part, names_item)]


def _with_topics(said: list[str]) -> list[str]:
    """The parts, a topic joined to the question about it that follows ("And the Diavola —
    is it very spicy?", "Und die Tonno. Ist die mit Zwiebeln?")."""
    joined: list[str] = []
    for part in said:
        words = _words(part)
        if joined and _refers_back(words) and _a_topic(_words(joined[-1])):
            joined[-1] = f"{joined[-1]}, {part}"
        else:
            joined.append(part)
    return joined


def _words(part: str) -> list[str]:
    words = tokens(part)
    return words[next((n for n, word in enumerate(words) if word not in _LEAD_INS), len(words)) :]


def _a_topic(words: list[str]) -> bool:
    """ "the Diavola", "die große Tonno": a few words after a definite article, no verb."""
    return 1 < len(words) <= 4 and words[0] in DEFINITE and _BEING.isdisjoint(words)


def _refers_back(words: list[str]) -> bool:
    """ "is it …", "ist die …", "hat sie …", "any olives on it?", "Zwiebeln drauf?": a
    question about what was named before."""
    being = len(words) > 1 and words[0] in _BEING and words[1] in _PRONOUNS
    on_it = any(a in _ON and b == "it" for a, b in itertools.pairwise(words))
    return being or on_it or not _ON_IT.isdisjoint(words)


def _asks_how_one_is(part: str, names_item: Callable[[str], bool]) -> bool:
    """A question how a named item is ("Is the Diavola very spicy?", "the Diavola, is it
    hot?", "ist die Tonno mit Zwiebeln?", "Is there ham on the Hawaii?"): asked about, not
    ordered."""
    words = _words(part)
    if not words or not is_question(part) or _requests(words) or not names_item(part):
        return False
    if words[0] in _BEING and len(words) > 1:
        there_on = words[1] in _THERE and not _ON.isdisjoint(words[2:])
        return there_on or words[1] in DEFINITE | _PRONOUNS | _ON
    return any(_a_topic(words[:n]) and _refers_back(words[n:]) for n in range(2, 5))


_BEING: Final = frozenset({"is", "are", "does", "has", "ist", "sind", "hat", "haben"})
_PRONOUNS: Final = frozenset({"it", "they", "that", "this", "die", "der", "das", "sie", "er", "es"})
_ON: Final = frozenset({"auf", "bei", "in", "on"})  # "Ist auf der Tonno auch Zwiebeln?"
_ON_IT: Final = frozenset({"drauf", "darauf", "drin", "dran"})
_THERE: Final = frozenset({"there", "da"})  # "Is there ham on the Hawaii?"


def _asks_beside(part: str, names_item: Callable[[str], bool]) -> bool:
    """A question about something or whether it is there, naming no item."""
    words = [word for word in tokens(part) if word not in _LEAD_INS]
    if not words or not is_question(part) or tuple(words[:2]) in _PROPOSALS:
        return False
    asks = words[0] in _QUESTION_WORDS or any(
        tuple(words[: len(opening)]) == opening for opening in _AVAILABLE
    )
    return asks and not names_item(part)
