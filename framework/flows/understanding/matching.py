"""Finding catalog items, choices and trigger phrases in what a customer wrote.

A `PhraseIndex` maps phrases (names, synonyms, ids, triggers) to values. Each word of a message
is first mapped onto the index's vocabulary, tolerating typos in longer words ("salmi" →
"salami", "margarita" → "margherita", "grosse" → "gross", and the slips of typos.py: "slaami",
"wasswr"); then the longest phrases are found
left to right. Short words are never fuzzed: "eine" must not become "keine". A German
separable verb written as a phrase ("hole ab") is also found split around its object, as German
puts it ("ich hole die Bestellung ab").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final

from rapidfuzz import fuzz, process

from framework.flows.understanding.normalize import tokens
from framework.flows.understanding.numbers import word_to_number
from framework.flows.understanding.segments import leads_an_item
from framework.flows.understanding.typos import SlipReader, is_frequent, short_slip

__all__ = ["DEFINITE", "Match", "PhraseIndex"]

_FUZZY_MIN_LENGTH: Final = 5
_SHORTEST_NAME: Final = 3
_NUMBERED: Final = frozenset(
    {"mile", "kilometer", "kilometre", "km", "ground", "year", "day", "point", "level", "hour"}
    | {"gate", "platform", "route", "highway", "patient", "page", "room", "size"}
)
"""Things numbered: a variant word that is a number ("zero") after one of them is that number
("Mile Zero of the Alaska Highway", "Ground Zero", "patient zero"), no Cola Zero."""
"""The shortest word taken for a name the index lacks: shorter ones are "is", "ne", "an"."""
_NEVER_FUZZY: Final = frozenset(
    {
        "keine",
        "keinen",
        "keiner",
        "nicht",
        "nichts",
        "einen",
        "einer",
        "eines",
        "ohne",
        "bitte",
        "danke",
        "gerne",
        "noch",
        "doch",
        "lieber",
        "please",
        "thanks",
        "without",
        "nothing",
        "andere",
        "anderen",
        "anderer",
        "anders",
        "guten",
        "gute",
        "guter",
        "gutes",
        "abend",
        "morgen",
        "hallo",
        "hello",
        "salam",  # the greeting ("salam 1 large diavola"), not a slip of "salami"
        "salaam",
        "selam",
        "heute",
        "wollte",
        "hatte",
        "haette",
        "would",
        "could",
        "should",
        "these",
        "those",
        "which",
        "where",
        "there",
        "their",
        "thing",
        "think",
    }
)
"""Everyday words one letter away from a menu or knowledge word ("keine" → "kleine", "guten"
→ "gluten": a greeting is no question about allergens) are taken literally."""
_PARTICLES: Final = frozenset(
    {"ab", "an", "auf", "aus", "mit", "vorbei", "zu", "her", "hin", "rueber"}
)
"""The separable prefixes that close a German clause: "ich hole sie *ab*"."""
_SPLIT_REACH: Final = 6
"""Words between a separable verb and its particle."""
_FUZZY_CUTOFF: Final = 84.0
DEFINITE: Final = frozenset({"the", "der", "die", "das", "den", "dem"})
"""The definite articles: before a name, the one meant ("the Salami"), not another."""
_CACHE_LIMIT: Final = 20_000
_BLOCKED: Final = ""
"""The value of a blocked phrase: found to be dropped."""


@dataclass(frozen=True, slots=True)
class Match:
    value: str
    start: int
    end: int


_BEGINNING: Final = 3
"""The letters a word cut short is looked up by (it has at least five: `_FUZZY_MIN_LENGTH`)."""
_SPLIT_MIN_LENGTH: Final = 6
"""The letters of a menu word at least, for it to be read from two ("Dia Vola")."""
_GAP: Final = "\x00"
"""The place of the second of two words read as one."""
_HELD: Final = re.compile(r"(ae|oe|ue|[a-z])\1+")
"""A letter (or an umlaut as written out) typed twice or more in a row."""
_FOR: Final = frozenset({"fuer", "for"})
"""Before an article, whom something is for ("fer'n Gung ene klaane Margherita"): the word
after the article is a person, no short name typed with a slip."""


_ENDINGS: Final = frozenset(
    {"s", "n", "e", "en", "es", "er", "em", "ere", "eren", "ing", "ed", "d"}
)
_LONG_STEM: Final = 6
"""A known word of this length or more ending in "e" takes an "r" as its ending ("mittlere",
"mittlerer"); a shorter one does not ("olive", "Oliver")."""


_OWN_VERB_PREFIXES: Final = frozenset({"be", "ver", "ent", "zer"})
"""German prefixes that make a verb of its own ("beliefert": supplied, no "liefert")."""


def _prefixed(word: str, known: str) -> bool:
    """Whether the word is a known one with a German prefix of a verb of its own before it
    ("hab e Kässlade beliefert" tells of a shop supplied, and chooses no delivery)."""
    return word.endswith(known) and word[: len(word) - len(known)] in _OWN_VERB_PREFIXES


def _a_word_of_its_own(word: str, known: str) -> bool:
    """Whether a frequent word is a known one with letters added that are no ending of plural,
    case or tense ("Oliver" is no olive; "kleiner", "mittlerer", "collecting" are read as
    their known words), or with one letter put inside it ("waiter" is no water), or is two
    letters or more shorter ("Champion!" is no champignon)."""
    if len(known) - len(word) >= 2:
        return True
    if len(word) == len(known) + 1 and any(
        word[:at] + word[at + 1 :] == known for at in range(1, len(known))
    ):
        return True
    added = word[len(known) :]
    if not word.startswith(known) or not added or added in _ENDINGS:
        return False
    return not (added == "r" and len(known) >= _LONG_STEM and known.endswith("e"))


class PhraseIndex:
    """Phrases to values; one value may have many phrases, one phrase only one value."""

    def __init__(
        self,
        entries: Iterable[tuple[str, str]],
        *,
        fuzzy: bool = True,
        exact: Iterable[tuple[str, str]] = (),
        blocked: Iterable[str] = (),
        variants: Iterable[str] = (),
    ) -> None:
        """`exact` phrases are found only as written and never fuzzed towards (an
        abbreviation like "marg" must not turn "warte" into an item). `blocked` phrases name
        nothing, and no phrase inside them is found either ("diet coke" is not the Cola of
        "coke"); a phrase of the index is never blocked. `variants` ("zero", "light") name
        nothing as a phrase of one word right after a name the index lacks (`_after_a_name`)."""
        self._fuzzy = fuzzy
        self._phrases: dict[tuple[str, ...], str] = {}
        self.conflicts: list[tuple[str, str, str]] = []
        for phrase, value in entries:
            self._add(phrase, value)
        fuzzy_words = {word for key in self._phrases for word in key}
        for phrase, value in exact:
            if phrase not in _NEVER_FUZZY:  # "salam" greets: no start of "Salami"
                self._add(phrase, value)
        for phrase in blocked:
            self._phrases.setdefault(tuple(tokens(phrase)), _BLOCKED)
        self._phrases.pop((), None)
        self._variants = frozenset(variants)
        self._longest = max((len(key) for key in self._phrases), default=0)
        self._split = {
            key[0]: (key[1], value)
            for key, value in self._phrases.items()
            if len(key) == 2 and key[1] in _PARTICLES
        }
        self._vocabulary = sorted(fuzzy_words)
        self._reach: dict[int, list[str]] = {}
        self._slips = SlipReader(self._vocabulary)
        self._known_words = frozenset(word for key in self._phrases for word in key)
        self._by_beginning: dict[str, list[str]] = {}
        for word in self._vocabulary:
            self._by_beginning.setdefault(word[:_BEGINNING], []).append(word)
        self._fuzzed: dict[str, str | None] = {}
        self._found: dict[tuple[str, ...], list[Match]] = {}

    def _add(self, phrase: str, value: str) -> None:
        key = tuple(tokens(phrase))
        if not key:
            return
        known = self._phrases.setdefault(key, value)
        if known != value:
            self.conflicts.append((" ".join(key), known, value))

    def __bool__(self) -> bool:
        return bool(self._phrases)

    def phrases(self) -> dict[tuple[str, ...], str]:
        return {key: value for key, value in self._phrases.items() if value != _BLOCKED}

    def _word(self, word: str) -> str | None:
        if word in self._known_words:
            return word
        if not self._fuzzy or len(word) < _FUZZY_MIN_LENGTH or word in _NEVER_FUZZY:
            return None
        if word not in self._fuzzed:
            if len(self._fuzzed) > _CACHE_LIMIT:
                self._fuzzed.clear()
            best = process.extractOne(
                word, self._within_reach(len(word)), scorer=fuzz.ratio, score_cutoff=_FUZZY_CUTOFF
            )
            if (
                best
                and is_frequent(word)
                and (best[0][0] != word[0] or _a_word_of_its_own(word, best[0]))
            ):
                best = None  # "an der Leine" is no "kleine", "Oliver" no olive: words of their own
            elif best and _prefixed(word, best[0]):
                best = None  # "beliefert" is no "liefert"
            self._fuzzed[word] = (
                best[0]
                if best
                else self._slips.read(word) or self._held(word) or self._abbreviated(word)
            )
        return self._fuzzed[word]

    def _abbreviated(self, word: str) -> str | None:
        """The one word of the vocabulary that a word cut short begins, as in a text message
        ("m. jalap.", "1 capric"), when the word is no frequent word itself."""
        if is_frequent(word):
            return None
        begun = self._by_beginning.get(word[:_BEGINNING], ())
        found = [known for known in begun if known.startswith(word) and known != word]
        values = {self._phrases.get((known,)) for known in found}
        return found[0] if len(values) == 1 and None not in values else None  # "jalapeno(s)"

    def _held(self, word: str) -> str | None:
        """The word with a letter held down read as typed once ("kääse", "fantaaa")."""
        if _HELD.search(word) is None:  # most words: a search is a third of a `sub`
            return None
        squeezed = _HELD.sub(r"\1", word)
        return squeezed if squeezed in self._known_words else None  # not fuzzed: "bigger"

    def _within_reach(self, length: int) -> list[str]:
        """The vocabulary's words (in order) that a word of this length can be similar enough
        to: fuzz.ratio is at most 200·min(a, b) / (a + b) (the Indel distance is at least the
        difference in length), so the others can never reach the cutoff and are not scored."""
        near = self._reach.get(length)
        if near is None:
            near = self._reach[length] = [
                known
                for known in self._vocabulary
                if 200 * min(length, len(known)) >= _FUZZY_CUTOFF * (length + len(known))
            ]
        return near

    def written(self, words: Sequence[str], match: Match) -> bool:
        """Whether the match is one of the phrases as written, not a typo's reading."""
        return tuple(words[match.start : match.end]) in self._phrases

    def _counted_slip(self, words: tuple[str, ...]) -> tuple[str, ...]:
        """The words with a short name typed one slip off right after a count or an article
        read as the name ("2 Cila": "2 cola", "ne Gola", "the tono": "the tonno"), one word for
        one (the matches' places stay)."""
        for index in range(1, len(words)):
            word = words[index]
            if 3 <= len(word) <= 4 and word not in self._known_words and word.isalpha():
                led = leads_an_item(words[index - 1]) or words[index - 1] in DEFINITE
                led = led and words[max(0, index - 2)] not in _FOR  # "fer'n Gung": a boy
                if not (led or (index > 1 and leads_an_item(words[index - 2]))):
                    continue  # neither led nor sized (most words): no slip looked for
                name = short_slip(word, self._known_words, counted=words[index - 1].isdigit())
                if name is not None and (led or self._sized(words, index)):
                    # "2 Cila", "make the tono medium", "a medium tono"
                    return (*words[:index], name, *words[index + 1 :])
        return words

    def _sized(self, words: Sequence[str], index: int) -> bool:
        """Whether one word (a size: "a medium tono", "1 larg tono") stands between a count
        or an article and the word at `index`, and is not the start of the name itself
        ("eine Dia Vola" is a Diavola, not a Cola)."""
        joined = words[index - 1] + words[index]
        return (
            index > 1
            and leads_an_item(words[index - 2])
            and joined not in self._known_words
            and self._word(joined) is None
        )

    def find_all(self, words: Sequence[str]) -> list[Match]:
        """Longest non-overlapping matches, left to right, in already normalized words (one
        message is read for the same phrases several times in a turn: kept per message)."""
        key = tuple(words)
        found = self._found.get(key)
        if found is None:
            if len(self._found) >= _CACHE_LIMIT:
                self._found.clear()
            found = self._found[key] = self._find_all(self._counted_slip(key))
        return list(found)

    def _find_all(self, words: Sequence[str]) -> list[Match]:
        mapped: list[str | None] = [self._word(word) for word in words]
        for at in range(len(words) - 1):
            if mapped[at] is None and mapped[at + 1] is None:
                joined = self._split_word(words[at], words[at + 1])
                if joined is not None:  # read as one word, found at the first's place
                    mapped[at], mapped[at + 1] = joined, _GAP
        found: list[Match] = []
        start = 0
        while start < len(mapped):
            if mapped[start] is None:  # no phrase begins at a word that is none of its words
                start += 1
                continue
            match = self._longest_at(mapped, start) or self._split_at(mapped, start)
            if match is None:
                start += 1
            else:
                found.append(match)
                start = match.end
        return [
            match
            for match in found
            if match.value != _BLOCKED and not self._after_a_name(words, mapped, match)
        ]

    def _after_a_name(self, words: Sequence[str], mapped: list[str | None], match: Match) -> bool:
        """Whether the match is a variant word alone right after a name the index lacks: a
        brand ("eine Sprite Zero" is no Cola Zero, whose synonym "zero" is), or a numbered
        thing, when the variant word is a number ("Mile Zero"). A count, an article, a
        frequent word or a word like one of the index's before it leaves it a name ("ne Zero",
        "lieber als Zero", "one is Zero", "Kola Zero")."""
        at = match.start
        if at == 0 or match.end - at != 1 or words[at] not in self._variants:
            return False
        before = words[at - 1]
        if before in _NUMBERED and word_to_number(words[at]) is not None:
            return True  # "Mile Zero of the Alaska Highway", "Ground Zero": a number
        if len(before) < _SHORTEST_NAME or not before.isalpha() or mapped[at - 1] is not None:
            return False
        if is_frequent(before) or leads_an_item(before):
            return False
        alike = process.extractOne(before, self._known_words, scorer=fuzz.ratio, score_cutoff=70)
        return alike is None  # "Kola Zero": "kola" is like "cola", a name of the index

    def _split_at(self, mapped: list[str | None], start: int) -> Match | None:
        """A separable verb whose particle closes the clause a few words on: the verb's
        word is the match ("hole" in "ich hole die Bestellung ab")."""
        split = self._split.get(mapped[start] or "")
        if split is None:
            return None
        particle, value = split
        reach = mapped[start + 2 : start + 2 + _SPLIT_REACH]
        return Match(value, start, start + 1) if particle in reach else None

    def _longest_at(self, mapped: list[str | None], start: int) -> Match | None:
        if mapped[start] is None or mapped[start] == _GAP:
            return None
        for length in range(min(self._longest, len(mapped) - start), 0, -1):
            key = mapped[start : start + length]
            if _GAP in key:
                key = [word for word in key if word != _GAP]
            if None in key:
                continue
            value = self._phrases.get(tuple(key))  # type: ignore[arg-type]
            if value is not None:
                gap = start + length < len(mapped) and mapped[start + length] == _GAP
                return Match(value, start, start + length + gap)
        return None

    def _split_word(self, first: str, second: str) -> str | None:
        """A menu word heard or typed as two ("Dia Vola", "Capri Ciosa"): the word the two
        read as together, when neither is a word of the menu alone. Not two short words
        (Swiss "bi ere Kollegin" is "bei einer", no "Biere")."""
        joined = first + second
        if len(first) < 2 or len(second) < 3 or joined[:_BEGINNING] not in self._by_beginning:
            return None
        if len(joined) < _SPLIT_MIN_LENGTH:
            return None
        return None if is_frequent(second) else self._word(joined)  # "so machen": two words

    def exact(self, words: Sequence[str]) -> str | None:
        """The value of a phrase said word for word (no slip, nothing around it)."""
        return self._phrases.get(tuple(words)) or None

    def best(self, text: str) -> str | None:
        """The one value a short answer names, or None when it names none or several."""
        words = tokens(text)
        exact = self._phrases.get(tuple(words))
        if exact is not None:
            return exact or None
        values = {match.value for match in self.find_all(words)}
        return values.pop() if len(values) == 1 else None
