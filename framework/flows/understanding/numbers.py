"""Numbers typed by customers, in digits or in German and English words.

Only short answers are understood: `parse_number` gives up on messages longer than
`MAX_CHARS`, which keeps huge input cheap and avoids guessing inside long sentences.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from functools import lru_cache
from types import MappingProxyType
from typing import Final

from framework.flows.understanding.normalize import KEPT_READINGS

__all__ = ["MAX_CHARS", "UNSAID", "parse_number", "says_a_number", "word_to_number"]

UNSAID: Final = 0
"""The count of "ein paar Margherita", "a few large salamis", "the kids a small one each" (how
many kids?): said to be several, but not how many. No slot takes it, so the flow asks; it is
never guessed (nor taken as one)."""

MAX_CHARS: Final = 200
_MAX_TOKEN: Final = 40

_FOLD: Final = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "-": None})

_UNITS: Final[Mapping[str, int]] = MappingProxyType(
    {
        "null": 0,
        "zero": 0,
        "ein": 1,
        "eins": 1,
        "eine": 1,
        "einen": 1,
        "einem": 1,
        "einer": 1,
        "one": 1,
        "a": 1,
        "an": 1,
        "zwei": 2,
        "zwo": 2,
        "two": 2,
        "drei": 3,
        "three": 3,
        "vier": 4,
        "four": 4,
        "fuenf": 5,
        "five": 5,
        "sechs": 6,
        "six": 6,
        "sieben": 7,
        "seven": 7,
        "acht": 8,
        "eight": 8,
        "neun": 9,
        "nine": 9,
    }
)
_TEENS: Final[Mapping[str, int]] = MappingProxyType(
    {
        "zehn": 10,
        "ten": 10,
        "elf": 11,
        "eleven": 11,
        "zwoelf": 12,
        "twelve": 12,
        "dreizehn": 13,
        "thirteen": 13,
        "vierzehn": 14,
        "fourteen": 14,
        "fuenfzehn": 15,
        "fifteen": 15,
        "sechzehn": 16,
        "sixteen": 16,
        "siebzehn": 17,
        "seventeen": 17,
        "achtzehn": 18,
        "eighteen": 18,
        "neunzehn": 19,
        "nineteen": 19,
    }
)
_TENS: Final[Mapping[str, int]] = MappingProxyType(
    {
        "zwanzig": 20,
        "twenty": 20,
        "dreissig": 30,
        "thirty": 30,
        "vierzig": 40,
        "forty": 40,
        "fuenfzig": 50,
        "fifty": 50,
        "sechzig": 60,
        "sixty": 60,
        "siebzig": 70,
        "seventy": 70,
        "achtzig": 80,
        "eighty": 80,
        "neunzig": 90,
        "ninety": 90,
    }
)
# Words that multiply what comes before them in "two hundred" or "zwei dutzend".
_MULTIPLIERS: Final[Mapping[str, int]] = MappingProxyType(
    {
        "hundert": 100,
        "hundred": 100,
        "tausend": 1000,
        "thousand": 1000,
        "dutzend": 12,
        "dozen": 12,
        "couple": 2,
        "pair": 2,
    }
)
_SIMPLE: Final[Mapping[str, int]] = MappingProxyType({**_UNITS, **_TEENS, **_TENS, **_MULTIPLIERS})

# German units as they appear inside compounds ("einundzwanzig", "zweihundert").
_DE_UNIT: Final = "ein|zwei|zwo|drei|vier|fuenf|sechs|sieben|acht|neun"
_DE_TENS: Final = "zwanzig|dreissig|vierzig|fuenfzig|sechzig|siebzig|achtzig|neunzig"
_EN_TENS: Final = "twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety"
_EN_UNIT: Final = "one|two|three|four|five|six|seven|eight|nine"
_DECLINED: Final = frozenset({"a", "an", "eine", "einen", "einem", "einer", "null", "zero"})
_REST: Final = "|".join(
    sorted((w for w in (*_UNITS, *_TEENS, *_TENS) if w not in _DECLINED), key=len, reverse=True)
)
_COMPOUND: Final = re.compile(
    rf"(?:(?P<kilo>{_DE_UNIT})?tausend(?:und(?=.))?)?"
    rf"(?:(?P<hecto>{_DE_UNIT})?hundert(?:und(?=.))?)?"
    rf"(?:(?P<de_unit>{_DE_UNIT})und(?P<de_tens>{_DE_TENS})"
    rf"|(?P<en_tens>{_EN_TENS})(?P<en_unit>{_EN_UNIT})"
    rf"|(?P<rest>{_REST}))?"
)
_DIGITS: Final = re.compile(r"(?:x|×)?([0-9]{1,4})(?:x|×)?")

_TOKEN: Final = re.compile(r"(?:(?<!\w)[-\u2212])?[0-9]+(?:[.,][0-9]+)*|[^\W\d_]+")
_GROUPED_DOT: Final = re.compile(r"([1-9][0-9]{0,2}(?:\.[0-9]{3})+)(?:,([0-9]+))?")
_GROUPED_COMMA: Final = re.compile(r"([1-9][0-9]{0,2}(?:,[0-9]{3})+)(?:\.([0-9]+))?")
_PLAIN: Final = re.compile(r"([0-9]+)(?:[.,]([0-9]+))?")

_MINUS: Final = "-\u2212"
_CONNECTORS: Final = frozenset({"and", "und"})
_ARTICLES: Final = frozenset({"a", "an"})
# Words that may surround a number answer without changing it.
_FILLERS: Final = frozenset(
    {
        *_CONNECTORS,
        *_ARTICLES,
        "bitte",
        "danke",
        "stueck",
        "stück",
        "stk",
        "st",
        "mal",
        "x",
        "davon",
        "nur",
        "genau",
        "etwa",
        "ca",
        "circa",
        "ungefaehr",
        "ungefähr",
        "so",
        "ja",
        "ok",
        "okay",
        "personen",
        "person",
        "leute",
        "gaeste",
        "gäste",
        "insgesamt",
        "wir",
        "sind",
        "für",
        "fuer",
        "please",
        "pls",
        "plz",
        "thanks",
        "thank",
        "you",
        "pieces",
        "piece",
        "pcs",
        "times",
        "of",
        "them",
        "only",
        "just",
        "exactly",
        "about",
        "around",
        "approximately",
        "approx",
        "roughly",
        "people",
        "persons",
        "guests",
        "total",
        "we",
        "are",
        "for",
        "yes",
    }
)


@lru_cache(maxsize=KEPT_READINGS)
def word_to_number(token: str) -> int | None:
    """Value of one lowercased token such as "3", "2x", "drei", "einundzwanzig", "twenty-one"."""
    if not token or len(token) > _MAX_TOKEN:
        return None
    word = token.strip().lower()
    digits = _DIGITS.fullmatch(word)
    if digits:
        return int(digits[1])
    word = word.translate(_FOLD)
    simple = _SIMPLE.get(word, _TIMES.get(word))
    if simple is not None:
        return simple
    if word.endswith("mal") and len(word) > 3:  # "einmal Prosciutto", "zweimal Cola"
        return word_to_number(word[:-3])
    return _compound_value(word) if word else None


_TIMES: Final[Mapping[str, int]] = MappingProxyType({"once": 1, "twice": 2})
"""Counts said as times ("einmal" through the -mal rule, "twice")."""


def _compound_value(word: str) -> int | None:
    match = _COMPOUND.fullmatch(word)
    if match is None:
        return None
    value = _scaled(match["kilo"], "tausend" in word, 1000)
    value += _scaled(match["hecto"], "hundert" in word, 100)
    if match["de_unit"]:
        value += _UNITS[match["de_unit"]] + _TENS[match["de_tens"]]
    elif match["en_tens"]:
        value += _TENS[match["en_tens"]] + _UNITS[match["en_unit"]]
    elif match["rest"]:
        value += _SIMPLE[match["rest"]]
    return value


def _scaled(unit: str | None, present: bool, factor: int) -> int:
    if not present:
        return 0
    return (_UNITS[unit] if unit else 1) * factor


_ONE_AS_ARTICLE: Final = frozenset({"a", "an", "ein", "eine", "einen", "einem", "einer"})


def says_a_number(text: str) -> bool:
    """Whether a message names a count of its own: digits or a number word, not an article
    ("die Margheritas ohne", "a large one" say none)."""
    words = re.findall(r"\w+", text[:MAX_CHARS].lower())
    return any(w not in _ONE_AS_ARTICLE and word_to_number(w) is not None for w in words)


def parse_number(text: str) -> Decimal | None:
    """The number a short answer such as "drei bitte", "2,5" or "1.000" stands for.

    A dot or comma followed by groups of exactly three digits separates thousands
    ("1.000", "1,000"); otherwise it is the decimal mark ("2,5", "1.5", "0.500").
    Several different numbers, or words that are not filler, give None.
    """
    if not text or len(text) > MAX_CHARS:
        return None
    values = _collect_values(_TOKEN.findall(text.lower()))
    if not values or any(value != values[0] for value in values):
        return None
    return values[0]


def _collect_values(tokens: list[str]) -> list[Decimal] | None:
    values: list[Decimal] = []
    run: list[str] = []
    for index, token in enumerate(tokens):
        if _is_number_word(token, tokens[index + 1 : index + 2]):
            run.append(token)
            continue
        if token in _CONNECTORS and run:
            continue
        if not _flush(run, values):
            return None
        if token[0] in _MINUS or token[0].isdigit():
            numeral = _parse_numeral(token)
            if numeral is None:
                return None
            values.append(numeral)
        elif token not in _FILLERS:
            return None
    return values if _flush(run, values) else None


def _is_number_word(token: str, following: list[str]) -> bool:
    """Whether token starts or continues a number; "a"/"an" only before "dozen" and the like."""
    if token in _ARTICLES:
        return bool(following) and following[0] in _MULTIPLIERS
    return not token[0].isdigit() and word_to_number(token) is not None


def _flush(run: list[str], values: list[Decimal]) -> bool:
    if not run:
        return True
    combined = _combine(run)
    run.clear()
    if combined is None:
        return False
    values.append(Decimal(combined))
    return True


def _combine(words: list[str]) -> int | None:
    """Read "twenty one", "two hundred and five" or "a dozen"; None for "three four"."""
    if len(words) == 1:
        return word_to_number(words[0])
    total, current = 0, 0
    for word in words:
        factor = _MULTIPLIERS.get(word)
        if factor == 1000:
            total, current = total + (current or 1) * 1000, 0
            continue
        if factor is not None:
            current = (current or 1) * factor
            continue
        value = word_to_number(word)
        if not value or not _fits(current, value):
            return None
        current += value
    return total + current


def _fits(current: int, value: int) -> bool:
    """Whether value fills an empty place of current: units after tens, tens after hundreds."""
    if value < 10:
        return current % 10 == 0 and not 10 <= current % 100 < 20
    if value < 100:
        return current % 100 == 0
    return current == 0


def _parse_numeral(token: str) -> Decimal | None:
    negative = token[0] in _MINUS
    body = token[1:] if negative else token
    digits = _numeral_digits(body)
    if digits is None:
        return None
    value = Decimal(digits)
    return -value if negative else value


def _numeral_digits(body: str) -> str | None:
    """Digits with "." as decimal mark, or None for shapes like "1.2.3" or "1,"."""
    for pattern, separator in ((_GROUPED_DOT, "."), (_GROUPED_COMMA, ",")):
        match = pattern.fullmatch(body)
        if match:
            whole = match[1].replace(separator, "")
            return f"{whole}.{match[2]}" if match[2] else whole
    match = _PLAIN.fullmatch(body)
    if match is None:
        return None
    return f"{match[1]}.{match[2]}" if match[2] else match[1]
