"""Days of the month written as ordinal words, German and English ("den fünften Januar",
"the twenty-first of May"), folded as the wish reader folds text ("fuenften", "dreissigsten")."""

from __future__ import annotations

from typing import Final

__all__ = ["ordinal_days"]

_GERMAN: Final = (
    "erst",
    "zweit",
    "dritt",
    "viert",
    "fuenft",
    "sechst",
    "siebt",
    "acht",
    "neunt",
    "zehnt",
    "elft",
    "zwoelft",
    "dreizehnt",
    "vierzehnt",
    "fuenfzehnt",
    "sechzehnt",
    "siebzehnt",
    "achtzehnt",
    "neunzehnt",
    "zwanzigst",
)
_ENGLISH: Final = (
    "first",
    "second",
    "third",
    "fourth",
    "fifth",
    "sixth",
    "seventh",
    "eighth",
    "ninth",
    "tenth",
    "eleventh",
    "twelfth",
    "thirteenth",
    "fourteenth",
    "fifteenth",
    "sixteenth",
    "seventeenth",
    "eighteenth",
    "nineteenth",
    "twentieth",
)
_UNITS: Final = ("ein", "zwei", "drei", "vier", "fuenf", "sechs", "sieben", "acht", "neun")


def ordinal_days() -> dict[str, int]:
    """Each ordinal word with its day: German with its endings ("fuenfte", "fuenften",
    "fuenfter"; never the bare stem: "erst" is "only"), English with or without a hyphen."""
    german = {stem: n for n, stem in enumerate(_GERMAN, 1)} | {"dreissigst": 30}
    english = {word: n for n, word in enumerate(_ENGLISH, 1)} | {"thirtieth": 30}
    for tens, ten, units in ((20, "zwanzigst", _UNITS), (30, "dreissigst", _UNITS[:1])):
        german |= {f"{unit}und{ten}": tens + n for n, unit in enumerate(units, 1)}
        word = "twenty" if tens == 20 else "thirty"
        for n, unit in enumerate(_ENGLISH[: len(units)], 1):
            english |= {f"{word}-{unit}": tens + n, f"{word} {unit}": tens + n}
    return english | {f"{stem}{end}": n for stem, n in german.items() for end in ("e", "en", "er")}
