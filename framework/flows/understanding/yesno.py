"""Yes or no answers in German and English, with emoji and a few extra words.

A wrong "yes" costs more than asking again, so anything unclear gives None: both
polarities, a negated yes ("nicht ja", "not sure"), hedges ("vielleicht") or too many
words that are not part of the answer.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from itertools import pairwise
from types import MappingProxyType
from typing import Final

from framework.flows.understanding.normalize import KEPT_READINGS

__all__ = ["MAX_CHARS", "parse_yes_no", "says_done"]

MAX_CHARS: Final = 200
_MAX_UNKNOWN: Final = 3
_MAX_PHRASE: Final = 3

_WORD: Final = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)*")
_REPEATS: Final = re.compile(r"(\w)\1+")
_APOSTROPHES: Final = str.maketrans({"\u2019": "'", "`": "'", "\u00b4": "'"})
_YES_EMOJI: Final = frozenset("👍👌✅✔☑")
_NO_EMOJI: Final = frozenset("👎❌✖🚫🙅")

_YES_WORDS: Final = frozenset(
    {
        "ja",
        "jaa",
        "doch",
        "jo",
        "joa",
        "jap",
        "jep",
        "jepp",
        "jup",
        "jawohl",
        "jawoll",
        "buchen",
        "klar",
        "gerne",
        "gern",
        "genau",
        "richtig",
        "passt",
        "ok",
        "okay",
        "okey",
        "oki",
        "stimmt",
        "sicher",
        "natürlich",
        "natuerlich",
        "selbstverständlich",
        "selbstverstaendlich",
        "einverstanden",
        "perfekt",
        "super",
        "prima",
        "gut",
        "yes",
        "yeah",
        "yea",
        "yep",
        "yup",
        "sure",
        "correct",
        "right",
        "alright",
        "absolutely",
        "definitely",
        "certainly",
        "obviously",
        "totally",
        "exactly",
        "logisch",
        "freilich",
        "allerdings",
        "agreed",
        "perfect",
        "great",
        "fine",
        "good",
        "cool",
        "y",
        "mach",
        "machen",
        "bestellen",
        "grand",
        "lovely",
        "brilliant",
        "awesome",
        # dialect and regional English: jou (Ruhr), nu and glar (Saxon), aye (Scots)
        "jou",
        "jau",
        "nu",
        "glar",
        "bassd",
        "basst",
        "maach",
        "aye",
        "ya",
        "yah",
        "confirm",
        "confirmed",
        "bestätigt",
        "bestaetigt",
        "bestätige",
        "ye",
        "yse",
        "yess",
        "sorted",
        "stimmt's",
        "passt's",
        "stimmts",
        "passts",
        "righto",  # Australian and British "Yeah, righto."
        "rightio",
        "righty",
    }
)
_NO_WORDS: Final = frozenset(
    {
        "nein",
        "nö",
        "noe",
        "nee",
        "ne",
        "nope",
        "no",
        "nah",
        "naa",
        "noi",
        "nae",
        "nä",
        "n",
        "keinesfalls",
        "niemals",
        "falsch",
        "incorrect",
        "wrong",
    }
)
# Answers so short they are also ordinary words ("ne pizza", "n" in a list): they count
# only when nothing else unknown is in the message.
_WEAK: Final = frozenset({"ne", "n", "y", "nah"})
_NEGATORS: Final = frozenset(
    {"nicht", "not", "kein", "keine", "keinen", "nie", "never", "don't", "dont", "isn't"}
)
_FILLERS: Final = frozenset(
    {
        "bitte",
        "danke",
        "dank",
        "vielen",
        "na",
        "oh",
        "ah",
        "ei",  # Hessian "Ei jo"
        "äh",
        "hm",
        "hmm",
        "also",
        "dann",
        "then",
        "das",
        "ist",
        "es",
        "ich",
        "sehr",
        "sie",
        "so",
        "ganz",
        "very",
        "too",
        "aber",
        "please",
        "thanks",
        "thank",
        "you",
        "it",
        "is",
        "that's",
        "that",
        "it's",
        "its",
        "looks",
        "everything",
        "all",
        "alles",
        "sieht",
        "aus",
        "sounds",
        "well",
        "i",
        "do",
        "of",
        "scho",
        "schon",
        "jetzt",
        "now",
        "ma",
        "des",
        "et",
        "esu",
        "on",
        "the",
        "order",
        "kindly",
        "pls",
        "plz",
        "ma'am",
        "maam",
        "sir",
        "cheers",
        "ta",
        "baba",
        "tschüss",
        "tschuess",
        "ciao",
        "bye",
    }
)
_YES: Final = "yes"
_NO: Final = "no"
_WEAK_YES: Final = "weak-yes"
_WEAK_NO: Final = "weak-no"
_NEGATOR: Final = "negator"
_FILLER: Final = "filler"
_UNKNOWN: Final = "unknown"
_HEDGE: Final = "hedge"

_PHRASES: Final[Mapping[tuple[str, ...], str]] = MappingProxyType(
    {
        ("auf", "keinen", "fall"): _NO,
        ("auf", "jeden", "fall"): _YES,
        ("of", "course", "not"): _NO,
        ("natürlich", "nicht"): _NO,
        ("natuerlich", "nicht"): _NO,
        ("absolutely", "not"): _NO,
        ("definitely", "not"): _NO,
        ("lieber", "nicht"): _NO,
        ("doch", "nicht"): _NO,
        ("lass", "mal"): _NO,
        ("lass", "es"): _NO,
        ("besser", "nicht"): _NO,
        ("eher", "nicht"): _NO,
        ("nicht", "wirklich"): _NO,
        ("not", "really"): _NO,
        ("stimmt", "nicht"): _NO,
        ("passt", "nicht"): _NO,
        ("nicht", "richtig"): _NO,
        ("not", "right"): _NO,
        ("not", "correct"): _NO,
        ("of", "course"): _YES,
        ("go", "ahead"): _YES,
        ("go", "for", "it"): _YES,
        ("book", "it"): _YES,
        ("go", "on"): _YES,
        ("too", "easy"): _YES,
        ("sounds", "good"): _YES,
        ("spot", "on"): _YES,
        ("want", "something"): _YES,  # "the boys want something too"
        ("wants", "something"): _YES,
        ("auch", "noch", "was"): _YES,  # "die Jungs wollen auch noch was"
        ("noch", "was"): _YES,
        ("noch", "etwas"): _YES,
        ("passt", "so"): _YES,
        ("do", "it"): _YES,
        ("send", "it"): _YES,
        ("schick", "es"): _YES,
        ("ma", "am"): _FILLER,
        ("ab", "damit"): _YES,
        ("mach", "mal"): _YES,
        ("machen", "wir"): _YES,
        ("so", "machen", "wir", "s"): _YES,
        ("why", "not"): _YES,
        ("warum", "nicht"): _YES,
        ("wieso", "nicht"): _YES,
        ("kein", "problem"): _YES,
        ("no", "problem"): _YES,
        ("no", "idea"): _HEDGE,
        ("no", "clue"): _HEDGE,
        ("keine", "ahnung"): _HEDGE,
        ("weiss", "nicht"): _HEDGE,
        ("weiß", "nicht"): _HEDGE,
        ("don't", "know"): _HEDGE,
        ("dont", "know"): _HEDGE,
        ("not", "sure"): _HEDGE,
        ("mal", "sehen"): _HEDGE,
    }
)
_HEDGES: Final = frozenset({"vielleicht", "maybe", "perhaps", "eventuell", "egal", "whatever"})
_KNOWN: Final = frozenset(
    {*_YES_WORDS, *_NO_WORDS, *_NEGATORS, *_FILLERS, *_HEDGES, *(w for p in _PHRASES for w in p)}
)
_POSITIVE: Final = frozenset({_YES, _WEAK_YES})


_THAT: Final = r"(?:das|des|dat|det|dit|dös|dees|dess|sell|sel)"
"""German "das" in its spoken forms (Kölsch and Low German "dat", Berlin "det", "dit", Alemannic
"sell")."""
_ALL: Final = r"(?:alles|alls|älles|allens|allet|ois|oiß|oiss|olls|ollz|ollas|alli|ålls)"
"""German "alles" in its spoken forms (Swiss "alls", Bavarian "ois", Austrian "olls")."""
_NOTHING: Final = r"(?:nichts|nix|niks|nüt|nüx|nüscht|nischt|nuscht|nünt|nex)"
"""German "nichts" in its spoken forms (Swiss "nüt", Berlin "nüscht")."""
_WAS: Final = r"(?:w(?:a+|ä|å|o|ö|oa|oar|ea|ee|aa)r'?s(?:ch)?|w(?:ee|ea|ä)r'?t|w(?:a|oa)(?:'?s|'t))"
"""The German "war's" / "wär's" in its spoken forms ("des wor's", "des wår's", Low German
"dat weer't", "dat wa't"): with the "'s" of "es", so "das war lecker" says nothing of being
done."""

_DONE: Final = re.compile(
    rf"\b({_THAT} wars?|{_THAT} {_WAS}|dat w[oö]r et|"
    rf"{_THAT} w(?:a|ä|å|o|oa|aa|ee)re? (?:(?:dann|denn|so) )?{_ALL}|"
    rf"{_THAT} (?:is'?t|(?:isch|is|ist) aus)(?=[.!,]|\s*$)|"  # Low German "Dat is't", Swiss
    r"go (on )?ahead|gan on|(that|it)'?s (right|correct|reet)|(that|it) is (right|correct)|"
    r"stimmt so|(ist|alles) (richtig|korrekt)|(richtig|korrekt) so|"
    r"(dat|that)'?s hit|dat'?s (it|all)|"  # Shetland "dat's hit"
    r"das war es|"
    r"(dann|so|und) war'?s (das|es)|war'?s das|"
    r"(genau|jenau) (so|esu)|"
    rf"{_THAT} (ist|isch|is|iss) {_ALL}|"
    r"(das|dat|des) langt|das wäre alles|"
    r"(das|dann|des|dat) reicht'?s?(?!\s+(nicht|net|nich))\b|reicht (dann|so)|"
    r"that'?s (me|us)( sorted)?|(that|dat|dah|dis|this|it) is all( only)?|"
    r"so bestellen|jetzt bestellen|das ist (meine|die) bestellung|"
    r"place (the|my) order|"
    r"confirm (the|my) order|that'?s (my|the) order|"
    r"das waer'?s|das wär es|das waer(e)? alles|passt so|"
    rf"(sonst|sinst|sunst|suscht|sonscht|sunscht|süsch|sischt) {_NOTHING}(?!\s+(weiter\s+)?drauf)|"
    rf"{_NOTHING} (mehr|meh)(?!\s+drauf)|mehr nicht|"
    r"mehra? (brauch|brauche|brauchen|will|wollen|mag|mog) (ich|wir|i|ma|mer) (nicht|net|ned|nix)|"
    r"(i|we) (don'?t|do not) need anything (else|more)|"
    r"bin fertig|fertig|fertich|das genügt|that'?s (it|all|everything|the lot|enough)|"
    r"(that|dat)'?s aa\b|(dat|that) da (all|aal)|only this(?=[.!,]|\s*$)|"  # Scots, Caribbean
    r"thats (it|all|everything)|thas (it|all)|(nothing|nowt) (else|more)(?!\s+on\b)|all good|"
    r"i'?m good|"
    r"im good|(no|nah|nope),? (that'?s|thats|i'?m|im) (fine|grand|good|grand thanks|fine thanks)|"
    r"i'?m done|im done|that will do|that'?ll do|that be all|no more|done(?=[.!\s]*$)|"
    r"(that|dat|dah|das) all(?=[.!,]|\s*$)|"
    r"that (will|would|should) be (all|it|everything)|that'?(d|ll) be (all|it|everything)|"
    r"that'?s about it|that should do( it)?|we'?re (good|done)|we are (good|done)|"
    r"(all|finally) done|done now|finish(ed)?(?=[.!]|\s*$)|"
    r"na all|e don do|(dat|that) one don do)\b"
)
"""Saying one is done ordering: the answer no to "anything else?" ("sonst nichts drauf",
"nothing else on it" speak of a pizza's toppings instead); Nigerian Pidgin "na all", "e don
do"."""


@lru_cache(maxsize=KEPT_READINGS)
def says_done(text: str) -> bool:
    """ "das war's", "passt so", "that's all", "nothing else": nothing more, thanks. Read at
    the start and the end of a long message (where a long order says it: "… und ein Bier. Das
    wäre alles.")."""
    ends = text if len(text) <= 2 * MAX_CHARS else f"{text[:MAX_CHARS]}\n{text[-MAX_CHARS:]}"
    return _DONE.search(ends.lower().translate(_APOSTROPHES)) is not None


@lru_cache(maxsize=KEPT_READINGS)
def parse_yes_no(text: str, *, plain: bool = False) -> bool | None:
    """True for yes, False for no, None when the message is not clearly one of them.

    `plain`: the message must be nothing but the answer (and fillers such as "bitte"): a
    question that commits an order takes no "ja, aber lieber klein" as yes."""
    if not text or len(text) > MAX_CHARS:
        return None
    lowered = _SIGN_OFF.sub("", text.lower().translate(_APOSTROPHES))
    verdict = _parsed(lowered, plain)
    if verdict is None and not plain:
        first, *rest = _SENTENCE_END.split(lowered)  # "Yes, please do. Thank you kindly, …"
        if rest and all(_parsed(sentence, False) is None for sentence in rest):
            return _parsed(first, False)
    return verdict


_SENTENCE_END: Final = re.compile(r"(?<=[.!])\s+")


def _parsed(lowered: str, plain: bool) -> bool | None:
    labels = _labels([_canonical(word) for word in _WORD.findall(lowered)])
    if labels is None or _negated_yes(labels):
        return None
    emoji = [_YES for char in lowered if char in _YES_EMOJI]
    emoji += [_NO for char in lowered if char in _NO_EMOJI]
    if plain and _UNKNOWN in labels:
        return None
    return _verdict(labels + emoji)


_SIGN_OFF: Final = re.compile(
    r"(?:^|[\s,.!])(?:mit freundlichen gr(?:ü|ue)(?:ß|ss)en|(?:viele|liebe|beste|herzliche) "
    r"gr(?:ü|ue)(?:ß|ss)e|mfg|lg|vg|best regards|kind regards|regards|best wishes|yours "
    r"(?:sincerely|truly))\b.*$",
    re.DOTALL,
)
"""A letter's closing and the name under it ("… Mit freundlichen Grüßen, Heinrich Wolters")."""


def _canonical(word: str) -> str:
    """Undo stretching such as "jaaa" or "neeein", keeping real double letters ("passt")."""
    return word if word in _KNOWN else _REPEATS.sub(r"\1", word)


def _labels(words: list[str]) -> list[str] | None:
    """One label per word or known phrase; None as soon as a hedge shows up."""
    labels: list[str] = []
    index = 0
    while index < len(words):
        length, label = _label_at(words, index)
        if label == _HEDGE:
            return None
        labels.append(label)
        index += length
    return labels


def _label_at(words: list[str], index: int) -> tuple[int, str]:
    for length in range(_MAX_PHRASE, 1, -1):
        phrase = _PHRASES.get(tuple(words[index : index + length]))
        if phrase is not None:
            return length, phrase
    return 1, _word_label(words[index])


def _word_label(word: str) -> str:
    if word in _HEDGES:
        return _HEDGE
    if word in _YES_WORDS:
        return _WEAK_YES if word in _WEAK else _YES
    if word in _NO_WORDS:
        return _WEAK_NO if word in _WEAK else _NO
    if word in _NEGATORS:
        return _NEGATOR
    return _FILLER if word in _FILLERS else _UNKNOWN


def _negated_yes(labels: list[str]) -> bool:
    """A negator right before or after a yes word ("nicht ja", "ja nicht"), fillers skipped."""
    meaningful = [label for label in labels if label != _FILLER]
    return any(
        {first, second} & _POSITIVE and _NEGATOR in (first, second)
        for first, second in pairwise(meaningful)
    )


def _verdict(labels: list[str]) -> bool | None:
    unknown = labels.count(_UNKNOWN)
    if unknown > _MAX_UNKNOWN:
        return None
    strong = {_YES: True, _NO: False}
    if unknown == 0:
        strong |= {_WEAK_YES: True, _WEAK_NO: False}
    polarities = {strong[label] for label in labels if label in strong}
    return polarities.pop() if len(polarities) == 1 else None
