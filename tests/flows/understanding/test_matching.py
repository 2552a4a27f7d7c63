"""Fuzzy reading (matching.py): scoring only the vocabulary's words whose length can reach the
cutoff finds what scoring every word finds."""

import random

from rapidfuzz import fuzz, process

from framework.flows.understanding.matching import Match, PhraseIndex
from framework.flows.understanding.typos import SlipReader

VOCABULARY = [
    *("salami", "margherita", "funghi", "capricciosa", "quattro", "stagioni", "diavola"),
    *("prosciutto", "vegetaria", "tonno", "hawaii", "cola", "fanta", "wasser", "bier", "gross"),
    *("mittel", "klein", "large", "medium", "small", "extra", "kaese", "oliven", "zwiebeln"),
    *("liefern", "abholen", "lieferung", "delivery", "pickup", "oeffnungszeiten", "vegetarisch"),
]


def _read_with_every_word(word: str) -> str | None:
    best = process.extractOne(word, sorted(VOCABULARY), scorer=fuzz.ratio, score_cutoff=84.0)
    return best[0] if best else SlipReader(VOCABULARY).read(word)


def test_words_out_of_reach_are_never_the_match() -> None:
    """Typed words of five letters or more (shorter ones are never fuzzed)."""
    index = PhraseIndex((word, word) for word in VOCABULARY)
    shuffled = random.Random(7)
    typed = [
        *("margarita", "margheritta", "salmi", "funghii", "capriciosa", "lieferun", "abholn"),
        *("prosciuto", "vegetarisc", "oeffnungszeit", "zwiebel", "mittle", "grosse", "kaesse"),
        *(
            "".join(shuffled.choice("aeiorstnlmkgcdbwz") for _ in range(shuffled.randint(5, 16)))
            for _ in range(2000)
        ),
    ]
    for word in typed:
        read = _read_with_every_word(word)
        expected = [Match(read, 0, 1)] if read is not None else []
        assert index.find_all([word]) == expected, word
