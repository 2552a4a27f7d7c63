"""Words that can stand capitalised where a name would ("Dazu zwei Bier", "Moment, …",
"Richtig so?"): never taken for a person the order is for (people.py)."""

from __future__ import annotations

from typing import Final

from framework.flows.understanding.normalize import tokens
from framework.flows.understanding.numbers import word_to_number

__all__ = ["NAME", "NOT_NAMES", "not_a_name"]

NAME: Final = r"[A-ZÄÖÜ][a-zäöüß]+"
"""A name as it is written: capitalised."""

NOT_NAMES: Final = frozenset(
    {
        *("ich", "wir", "die", "der", "das", "und", "dann", "noch", "eine", "einen", "also"),
        *("ik", "ick", "wi", "mi", "uns", "ji"),  # Low German "Wi hätt geern …"
        *("bitte", "pizza", "pizzen", "hallo", "hi", "hey", "ok", "okay", "the", "and", "i"),
        *("we", "my", "our", "mich", "me", "moment", "jeder", "jede", "everyone", "alle"),
        *("dazu", "außerdem", "ausserdem", "zusätzlich", "danach", "zuerst", "erst", "doch"),
        *("lieber", "ach", "ja", "nein", "gern", "gerne", "einmal", "zweimal", "sonst", "oder"),
        *("mit", "ohne", "extra", "bestellung", "lieferung", "abholung", "heute", "hier"),
        *("auch", "aber", "zwei", "drei", "vier", "one", "two", "three", "then", "plus"),
        *("with", "without", "delivery", "pickup", "order", "yes", "no", "please", "thanks"),
        *("also", "and", "but", "oh", "ah", "so", "just", "only", "nur", "einfach", "mal"),
        *("can", "could", "may", "would", "will", "hello", "guten", "moin", "servus", "hallo"),
        *("kann", "koennte", "könnte", "habt", "gibt", "what", "how", "ordering", "wait"),
        *("warte", "sorry", "entschuldigung", "actually", "eigentlich", "sure", "klar"),
        *("ne", "nen", "n", "ein", "eins", "a", "an", "servus", "tach", "moin", "howya"),
        *("auf", "für", "fuer", "fur", "bei", "zu", "nach", "von", "aus", "um", "über", "unter"),
        *("vor", "neben", "stopp", "stop", "halt", "on", "for", "at", "to", "from", "in"),
        *("mach", "mache", "nimm", "gib", "bring", "pack", "schick", "make", "give", "put"),
        *("let", "lemme", "gimme", "get", "gonna", "wanna", "deliver", "too", "right"),
        *("macht", "nehmt", "gebt", "bringt", "packt", "schickt"),
        *("was", "wie", "wer", "wo", "wann", "welche", "welcher", "welches", "warum"),
        *("who", "where", "when", "which", "why", "whats", "is", "ist", "are", "sind"),
        *("does", "do", "did", "has", "have", "hast", "hat"),
        *("sein", "seine", "seinen", "seiner", "ihr", "ihre", "ihren", "ihrer", "his", "her"),
        *("hers", "their", "mein", "meine", "dein", "deine", "unsere", "your", "its"),
        *("drinks", "getränke", "getraenke", "trinken", "food", "essen", "pizzas", "statt"),
        *("derzua", "aa", "no", "nu", "oiso", "nacha", "glei", "mir", "mer", "uns"),
        *("mine", "meins", "yours", "ours", "theirs", "deins", "seins", "ihrs", "unsere"),
    }
)

_SAID_IN_DIALECT: Final = frozenset(
    {"eine", "ein", "einen", "einer", "einem", "der", "die", "das", "den", "dem", "und"}
    | {"noch", "auch", "dazu", "dann", "jetzt", "also", "bitte"}
)
"""Words a capitalised dialect form reads as ("Eene mittlere Tonno", "Dazua zwa Krügerl",
"Jetz …"): no name. Only these: a name may read as another word ("Jo" as "ja")."""


def not_a_name(word: str) -> bool:
    """Whether a capitalised word that stands where a name would is no one's name."""
    lowered = word.lower()
    if lowered in NOT_NAMES:
        return True
    said = tokens(lowered)[:1]
    return bool(said) and (said[0] in _SAID_IN_DIALECT or word_to_number(said[0]) is not None)
