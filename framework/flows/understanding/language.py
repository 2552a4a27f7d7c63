"""Which language a customer writes in, and explicit requests to switch language.

Guessing counts frequent function words, which short chat messages use a lot; product
names ("pizza", "salami") belong to no language and count for neither.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import lru_cache
from types import MappingProxyType
from typing import Final

from framework.flows.understanding.normalize import KEPT_READINGS, bavarian_no

__all__ = ["guess_language", "guesses", "requested_language"]

# Enough for any chat message; the rest of a huge text changes nothing but the cost.
_GUESS_CHARS: Final = 2000
_REQUEST_CHARS: Final = 200
_MIN_MARKERS: Final = 2

_WORD: Final = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)*")
_APOSTROPHES: Final = str.maketrans({"\u2019": "'", "`": "'", "\u00b4": "'"})
_FOLD: Final = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
_GERMAN_LETTERS: Final = frozenset("äöüß")

# Words frequent in one language and rare in the other; words both use often ("in", "so",
# "was", "an", "will") are left out. German words come with and without umlauts.
_MARKERS: Final[Mapping[str, frozenset[str]]] = MappingProxyType(
    {
        "de": frozenset(
            {
                "ich",
                "möchte",
                "moechte",
                "möchten",
                "moechten",
                "bitte",
                "und",
                "eine",
                "einen",
                "einer",
                "ein",
                "noch",
                "ond",
                "gerne",
                "gern",
                "hätte",
                "haette",
                "ist",
                "der",
                "die",
                "das",
                "den",
                "dem",
                "mit",
                "ohne",
                "nicht",
                "auch",
                "wir",
                "sie",
                "du",
                "mir",
                "mich",
                "uns",
                "kann",
                "können",
                "koennen",
                "danke",
                "für",
                "fuer",
                "von",
                "zu",
                "auf",
                "ja",
                "nein",
                "wie",
                "wo",
                "wann",
                "habe",
                "haben",
                "bin",
                "sind",
                "würde",
                "wuerde",
                "gibt",
                "es",
                "aber",
                "oder",
                "bei",
                "nach",
                "heute",
                "morgen",
                "uhr",
                "mein",
                "meine",
                "bestellen",
                "hallo",
                "zwei",
                "zwo",
                "drei",
                "vier",
                "fünf",
                "fuenf",
                "mal",
                "ne",
                "nen",
                "nee",
                "nö",
                "noe",
                "gibts",
                "habt",
                "hab",
                "doch",
                "lieber",
                "statt",
                "abholen",
                "liefern",
                "tschüss",
                "tschuess",
                "moin",
                "servus",
                "kein",
                "keine",
                "nur",
                "bis",
                # dialect words a German speaker writes, and none an English one: "Des is ois,
                # i hol ma's selber" (Austrian) has only English "is" and "i" besides
                "des",
                "ois",
                "hol",
                "holn",
                "selber",
                "selbst",
                "mia",
                "dat",
                "wat",
                "nix",
                "gell",
                "passt",
            }
        ),
        "en": frozenset(
            {
                "none",
                "nothing",
                "big",
                "i",
                "i'd",
                "i'm",
                "i'll",
                "want",
                "would",
                "like",
                "please",
                "and",
                "the",
                "with",
                "without",
                "can",
                "have",
                "get",
                "some",
                "could",
                "you",
                "my",
                "me",
                "we",
                "is",
                "are",
                "to",
                "of",
                "for",
                "a",
                "it",
                "this",
                "that",
                "what",
                "how",
                "do",
                "don't",
                "thanks",
                "thank",
                "yes",
                "no",
                "today",
                "tomorrow",
                "order",
                "hello",
                "but",
                "or",
                "not",
                "pls",
                "plz",
                "thx",
                "cheers",
                "one",
                "two",
                "three",
                "four",
                "five",
                "ones",
                "just",
                "also",
                "another",
                "all",
                "that's",
                "it's",
                "gonna",
                "wanna",
                "yeah",
                "yep",
                "nope",
                "instead",
                "after",
                "pick",
                "deliver",
                "any",
                "there",
                "much",
                "long",
                "take",
                "off",
                "bye",
            }
        ),
    }
)

_LANGUAGE_NAMES: Final[Mapping[str, str]] = MappingProxyType(
    {"english": "en", "englisch": "en", "german": "de", "deutsch": "de"}
)
# Everything else a short "switch the language" request is made of.
_REQUEST_WORDS: Final = frozenset(
    {
        "in",
        "auf",
        "please",
        "pls",
        "bitte",
        "speak",
        "talk",
        "write",
        "answer",
        "reply",
        "switch",
        "change",
        "to",
        "language",
        "only",
        "can",
        "could",
        "we",
        "you",
        "do",
        "us",
        "me",
        "i",
        "would",
        "prefer",
        "rather",
        "let's",
        "lets",
        "is",
        "it",
        "possible",
        "the",
        "hi",
        "hello",
        "ok",
        "okay",
        "sprechen",
        "sprich",
        "sprichst",
        "spricht",
        "reden",
        "schreiben",
        "schreib",
        "schreibe",
        "antworten",
        "antworte",
        "wechseln",
        "sprache",
        "nur",
        "kannst",
        "koennen",
        "kann",
        "koennten",
        "wir",
        "du",
        "sie",
        "mir",
        "mit",
        "uns",
        "ich",
        "lieber",
        "gerne",
        "gern",
        "hallo",
        "ja",
        "yes",
        "moeglich",
    }
)


def guess_language(
    text: str,
    candidates: Sequence[str],
    own_words: Mapping[str, frozenset[str]] = MappingProxyType({}),
    *,
    min_markers: int = 1,
) -> str | None:
    """The candidate ("de", "en") the text is clearly written in, or None when unsure.

    Sure means more than twice the markers of the other language, and at least two of them —
    or `min_markers` (one by default) when the other language has none ("Margherita please",
    "two small ones"): a customer is followed from their first words, while later one word
    ("Donaustraße" in an address) does not switch. `own_words` are a bot's words that only one
    of its languages uses (its German and English names and synonyms: "klein" and "small"); a
    word with ä, ö, ü or ß counts as a German marker.
    """
    return guesses(text, candidates, own_words, min_markers)[0]


def guesses(
    text: str,
    candidates: Sequence[str],
    own_words: Mapping[str, frozenset[str]],
    *min_markers: int,
) -> tuple[str | None, ...]:
    """`guess_language` for each of several `min_markers`, the text read once."""
    words = _WORD.findall(bavarian_no(text[:_GUESS_CHARS].lower().translate(_APOSTROPHES)))
    ranking = sorted(
        ((_score(language, words, own_words), language) for language in _MARKERS), reverse=True
    )
    (best_score, best), (runner_up, _) = ranking[0], ranking[1]
    sure = best in candidates and best_score > 2 * runner_up
    sure = sure and not (best_score < _MIN_MARKERS and runner_up)
    return tuple(best if sure and best_score >= least else None for least in min_markers)


def _score(language: str, words: list[str], own_words: Mapping[str, frozenset[str]]) -> int:
    markers, own = _MARKERS[language], own_words.get(language, frozenset())
    if language == "de":
        return sum(
            1
            for word in words
            if word in markers or word in own or not _GERMAN_LETTERS.isdisjoint(word)
        )
    return sum(1 for word in words if word in markers or word in own)


@lru_cache(maxsize=KEPT_READINGS)
def requested_language(text: str) -> str | None:
    """The language ("en" or "de") a message asks to switch to, such as "auf deutsch".

    The message must name exactly one language and consist only of words that such a
    request is made of, so "the german beer" or "I don't speak german" give None.
    """
    if not text or len(text) > _REQUEST_CHARS:
        return None
    lowered = text.lower().translate(_APOSTROPHES).translate(_FOLD)
    if not any(name in lowered for name in _LANGUAGE_NAMES):
        return None  # names no language (nearly every message): not split into words
    words = _WORD.findall(lowered)
    named = {_LANGUAGE_NAMES[word] for word in words if word in _LANGUAGE_NAMES}
    if len(named) != 1:
        return None
    if any(word not in _REQUEST_WORDS and word not in _LANGUAGE_NAMES for word in words):
        return None
    return named.pop()
