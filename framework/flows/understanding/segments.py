"""How a sentence of a message splits into parts, each naming at most one order: at commas,
dashes and "und"/"and" (also as spoken: "salami n 2 cokes"), before a count that tells a share
apart ("2 diavola mittel 1 mit jalapenos 1 ohne") and before a share named without a comma
("zwei hawaii eine davon mit käse die andere ohne")."""

from __future__ import annotations

import re
from typing import Final

from framework.flows.understanding.normalize import tokens
from framework.flows.understanding.numbers import word_to_number

__all__ = [
    "ARTICLE_ONES",
    "COLLOQUIAL_ARTICLES",
    "SENTENCES",
    "SENTENCE_END",
    "WITH_OR_WITHOUT",
    "leads_an_item",
    "segments",
]

_SEPARATOR_WORDS: Final = frozenset(
    {"und", "unt", "and", "sowie", "plus", "ausserdem", "dazu", "&"}
)
_AND_IN_SPEECH: Final = frozenset({"an", "n", "un", "ond", "u"})
""""And" as spoken before a count or an article: "onions an a bottle o watter", "salami n 2
cokes" (Scots, chat, Palatine "un", Swabian "ond"), typed short ("m extra kas u 2 cola"; "u"
is "you" elsewhere)."""
SENTENCE_END: Final = (
    r"(?=[.!?])(?<!\bi\.e)(?<!\bd\.h)(?<!\be\.g)(?<!\bz\.b)(?<!\bbzw)(?<!\bgr)(?<!\bkl)"
    r"(?<!\b[mou](?!\.\s*(?:\d|zw|ein|dr[eü]|vier|f[uü]nf|bitt)))"
    r"(?!(?<=\d)\.\s*(?:stock|stockwerk|etage|og|obergeschoss|geschoss)\b)[.!?]+(?:\s|$)"
    r"|(?=[\U0001F300-\U0001FAFF\u2600-\u27BF^:;])"
    r"(?:[\U0001F300-\U0001FAFF\u2600-\u27BF]+|\^_?\^|[:;]-?[)(DP])\s+(?=(?-i:[A-ZÄÖÜ]))"
)
"""Where a sentence ends (also at an emoji or a smiley before a capital: "wir sind fünf vom
Volleyball 🏐 Lisa und Tom je eine …", "three of us watch movie ^^ We want two …"); not after
"i.e.", "d.h.", "e.g.", "z.B.", "bzw.", a text message's "m.", "o.", "u.", "gr.", "kl." (mit,
ohne, und, groß, klein; but Bavarian "schaun uns d'Stadt o. Zwoa …": a count or a "bitte"
after "o." begins a sentence), nor at a floor's ordinal ("2. Stock": one floor, not a count 2).
The lookahead for the mark comes first: the lookbehinds after it are then tried at the marks
only, not at every character (four times faster)."""
SENTENCES: Final = re.compile(r"[^.!?]+[.!?]*")
"""A message's sentences with their end marks, for `findall` ("Ja genau so." "Wann …?"): the
reading of what asks and what tells, sentence by sentence."""
_SEPARATOR_MARKS: Final = re.compile(
    rf",(?!\s*\d{{5}}\b)|[;+\n:]|\s[-–—/]\s|{SENTENCE_END}", re.IGNORECASE
)
"""Where a message falls into parts; not at the comma before a postcode ("in die Hasenheide 61,
10967": 61 is its house number, read beside the postcode)."""
COLLOQUIAL_ARTICLES: Final = frozenset({"ne", "nen", "n", "nem", "ner", "nes"})
"""Colloquial articles ("ne Cola", "'n Bier"): one, like "eine" and "a" (numbers already)."""
ARTICLE_ONES: Final = frozenset({"a", "an", "ein", "eine", "einen", "einem", "einer"})


def leads_an_item(word: str) -> bool:
    """A count or an article: it goes with the item after it (as a size does)."""
    return word_to_number(word) is not None or word in COLLOQUIAL_ARTICLES or word in ARTICLE_ONES


_GERMAN_COUNTS: Final = frozenset(
    {"ein", "eine", "einen", "zwei", "zwo", "zwoa", "zwee", "drei", "dree", "noch"}
)
"""After "on", Ripuarian and Siegerland "und" ("en Diavola on e Bier"): an English "on" is
never followed by these ("olives on a Salami" stays one part)."""
_TAKING_BACK: Final = frozenset({"no", "nee", "nein", "oh", "ach"})
_WAIT: Final = frozenset({"wait", "warte", "wart"})
_MORE: Final = frozenset({"noch", "dazu", "plus", "another", "es", "fuer", "fir", "vuer"})


def _leads_more(word: str) -> bool:
    """After a spoken "and": a count, an article or a word of more ("… u noch 1 mittlere");
    Swiss "es" is "ein" ("… mit Zwible u es mittlers Margherita"); whom the next is for ("… u
    für mini Kollegin e mittleri Prosciutto")."""
    return leads_an_item(word) or word in _MORE


def _one_action(before: list[str], after: str) -> bool:
    """Whether an "and" joins "come" or "go" to the verb of the one thing done ("we'll come
    and take it", "go and get it", "wir kommen und holen sie"): no second part. Before a
    count or an article it begins one ("a pizza to go and a cola")."""
    return bool(before) and before[-1] in _COMING and not leads_an_item(after)


_COMING: Final = frozenset({"come", "comes", "coming", "go", "komme", "komm", "kommen", "kommt"})


WITH_OR_WITHOUT: Final = frozenset({"mit", "ohne", "with", "without", "w", "wo"})
"""After a count inside a part: a share of the item before told apart ("… 1 mit Oliven 1 ohne")."""


_SHARES: Final = frozenset(
    {("eine", "davon"), ("einer", "davon"), ("one", "of"), ("die", "andere"), ("die", "anderen")}
    | {("the", "other"), ("the", "others"), ("der", "andere"), ("das", "andere")}
)
"""Where a share of the item before begins, also without a comma ("zwei mittlere hawaii eine
davon mit extra käse die andere ohne")."""
_BUT: Final = frozenset({"but", "aber"})
_SUBJECTS: Final = frozenset({"he", "she", "they", "it", "er", "sie", "es"})
"""After "but", who a new clause is about ("… from Hamburg but he'd burn water")."""
_MAKING: Final = frozenset({"make", "mach", "mache", "change", "switch", "swap", "turn"})
"""Before "one of": the share is what is changed ("make one of them large"), no part of its own."""


def segments(text: str) -> list[list[str]]:
    """The words of each part of `text`, in order."""
    found: list[list[str]] = []
    for part in _SEPARATOR_MARKS.split(text):
        current: list[str] = []
        words = tokens(part)
        for word, after in zip(words, [*words[1:], ""], strict=False):
            if (
                (word in _SEPARATOR_WORDS and not _one_action(current, after))
                or (word in _AND_IN_SPEECH and _leads_more(after))
                or (word == "on" and after in _GERMAN_COUNTS)
            ):
                found.append(current)
                current = []
            elif current and after in WITH_OR_WITHOUT and word_to_number(word):
                found.append(current)  # "2 diavola mittel | 1 mit jalapenos | 1 ohne"; no
                # zero: "eine Cola Zero mit Eis" is one thing
                current = [word]
            elif current and word in _TAKING_BACK and after in _WAIT:
                found.append(current)  # "extra cheese | no wait | extra ham": said without a
                current = [word]  # comma, as with one
            elif word in _WAIT and len(current) == 1 and current[0] in _TAKING_BACK:
                found.append([*current, word])
                current = []
            elif current and word in _BUT and after in _SUBJECTS:
                found.append(current)  # "a lovely lad | but he'd burn water": a clause of
                current = [word]  # its own (the "but" kept: "wanted a beer but he's driving")
            elif len(current) > 2 and current[-1] not in _MAKING and (word, after) in _SHARES:
                found.append(current)  # "zwei hawaii | eine davon mit käse | die andere ohne"
                current = [word]
            else:
                current.append(word)
        found.append(current)
    return [segment for segment in found if segment]
