"""The words of editing an order: what replaces, removes, recounts, changes and points back
("statt", "weg", "nur", "mach … draus", "that"), read by framework/flows/editing.py."""

from __future__ import annotations

from typing import Final

from framework.flows.understanding.numbers import word_to_number

__all__ = [
    "ARTICLES",
    "BUT",
    "CHANGE_OF_MIND",
    "CHANGING",
    "INTO",
    "NEGATED_AFTER",
    "NOT",
    "RATHER",
    "RECOUNTING",
    "REMOVING",
    "REMOVING_PAIRS",
    "REPLACING",
    "THAT",
    "WITHOUT",
    "negated_after",
    "not_needed",
]

REPLACING: Final = frozenset({"statt", "anstatt", "anstelle", "instead", "rather"})
"""new … statt old; also "statt old lieber new" when both come after it."""
BUT: Final = frozenset({"sondern", "but"})
RATHER: Final = frozenset({"lieber", "rather"})
"""A change without its verb: "die Fanta lieber gegen eine Cola Zero"."""
CHANGE_OF_MIND: Final = REPLACING | {"stattdessen", "lieber", "doch", "actually", "eher"}
"""Words of a change of mind: what was said before is not wanted after all ("nee warte,
lieber Funghi", "kann ich stattdessen abholen?")."""
CHANGING: Final = frozenset(
    {
        "make",
        "change",
        "swap",
        "replace",
        "turn",
        "switch",
        "mach",
        "mache",
        "machen",
        "macht",  # "macht bitte beide groß" (to several: the waiter and the kitchen)
        "tausch",
        "tausche",
        "tauschen",
        "austauschen",
        "umtauschen",
        "ersetzen",
        "ersetze",
        "exchange",
        "aendere",
        "aendern",
        "als",
    }
)
"""Verbs of changing one thing into another: the first thing named is replaced by the next,
when only a word of INTO stands between them ("mach das Wasser und das Bier raus" is not)."""
INTO: Final = frozenset(
    {"to", "into", "als", "for", "with", "a", "an", "zu", "in", "by", "gegen", "bitte", "lieber"}
    | {"another", "noch", "one"}
    | {"ein", "eine", "einen", "ne", "nen"}
)
"""Words that may stand between the old thing and the new ("swap the Fanta for another Coke",
"tausch die Fanta gegen noch eine Cola": the Fanta becomes a Cola)."""
NOT: Final = frozenset({"nicht", "not", "kein", "keine", "keinen", "no"})
"""nicht old sondern new / not old but new."""
REMOVING: Final = frozenset(
    {
        "weg",
        "raus",
        "runter",
        "streichen",
        "streiche",
        "streich",
        "streicht",
        "entfernen",
        "entferne",
        "loeschen",
        "loesche",
        "stornieren",
        "storniere",
        "weglassen",
        *("rausnehmen", "rausnehme", "rausmachen", "wegnehmen", "wegmachen", "wegtun"),
        "weniger",
        "fewer",
        "less",
        "remove",
        "delete",
        "drop",
        "scrap",
        "ditch",
        "scratch",
        "skip",
        "cancel",
        "off",
    }
)
REMOVING_PAIRS = frozenset(
    {
        ("doch", "nicht"),
        ("doch", "kein"),
        ("doch", "keine"),
        ("doch", "keinen"),
        ("nicht", "mehr"),
        ("lieber", "nicht"),
        ("after", "all"),
        ("no", "more"),
        ("get", "rid"),
        ("take", "away"),  # "take away the beer" (not "to take away": pickup)
    }
)
REMOVING_PAIRS |= {
    (no, verb)
    for no in ("not", "t", "dont", "never")
    for verb in ("need", "needs", "want", "wanting", "wantin", "needing")
}  # "we don't need the beer", "I do not want the Fanta", Scots "she's no wantin the Cola"
WITHOUT: Final = frozenset({"ohne", "without", "no", "kein", "keine", "keinen"})
ARTICLES: Final = frozenset({"der", "die", "das", "den", "dem", "the", "my", "meine", "meinen"})
SPOKEN_ARTICLES: Final = ARTICLES | {"da", "de", "d", "dr", "dera", "di", "dae"}
"""Articles as they are said in places: "auf da Diavola", "vo dr Salami", Caribbean "tek off di
Hawaii"."""
WHOSE: Final = frozenset(
    {"s", "his", "her", "hers", "their", "sein", "seine", "seinen", "ihr", "ihre", "ihren"}
    | {"seiner", "seinem", "ihrer", "ihrem"}
)
"""Whose it is ("Lisa's drink", "Tom sein Bier", "ihr Getränk"): one person's, not all."""
WHOSE_ITEM: Final = WHOSE | {"sei"}
"""Whose, right before the item: also Bavarian "sei Bier" (elsewhere "sei" is "be")."""
STAYS: Final = frozenset(
    {"stays", "stay", "remains", "remain", "unchanged", "keeps", "keep", "bleibt", "bleiben"}
    | {"bleibet", "bleibn", "bleibe", "bleim"}  # Swabian "D'Zwiebel bleibet drauf", Bavarian
    | {"unveraendert", "behaelt", "behalten"}
)
"""Words that say a thing stays as it is ("The Hawaii stays as it is", "Mine keeps the ham",
"mine stays the same", "keep the onions on it"): no change, no addition, no copy."""
RECOUNTING: Final = frozenset(
    {"nur", "only", "just", "bloss", "make", "mach", "mache", "macht", "auf", "insgesamt"}
)
CORRECTING: Final = frozenset(
    {"no", "nope", "nein", "ne", "nee", "sorry", "oops", "ups", "correction"}
)
"""A message that opens with one of these corrects what was just said: "no sorry, three
Fantas" after "four Fantas" counts the Fanta again, it adds none."""
ADDING: Final = frozenset({"more", "mehr", "noch", "another", "also", "auch", "extra", "weitere"})
"""Words that make a count one more of something, never its new count."""

THAT: Final = frozenset(
    {"that", "it", "this", "those", "these", "them", "das", "daraus", "draus", "den", "die", "es"}
)
"""What "make *that* a prosciutto" points back to: the line ordered last."""
OTHERWISE: Final = frozenset({"sonst", "ansonsten", "otherwise", "else"})
"""Opening what would happen otherwise ("doch groß, sonst reicht das nicht"): a reason, whose
"not" refuses nothing."""


def negated_after(words: list[str], end: int) -> bool:
    """ "die Cola nicht, bitte", "the water no, please take it away": a "not" right after
    what was named (its last word before `end`), ending what is said of it, takes it out —
    not "die Cola nicht so kalt"."""
    after = words[end : end + 2]
    return bool(after) and after[0] in NEGATED_AFTER and all(w in _CLOSING for w in after[1:])


NEGATED_AFTER: Final = frozenset({"nicht", "not", "no", "nein", "ned", "net", "nit"})
_CLOSING: Final = frozenset({"bitte", "please", "mehr", "more", "danke", "thanks", "pls"})
"""What may follow a "not" that ends what is said of a thing ("die Cola nicht mehr")."""


def not_needed(words: list[str], last: int) -> bool:
    """A German verb of needing or wanting denied after the things named (which end at
    `last`): "die Margherita brauchen wir nicht", "de Margherita brauch ma ned" (English
    "don't need" is in REMOVING_PAIRS). The "nicht" comes after everything named ("wir
    brauchen die Margherita, nicht die Salami" takes the Salami for the Margherita, it removes
    neither) and before no count ("wir brauchen also vier Wasser, nicht zwei" is a recount)."""
    for at, word in enumerate(words):
        start = max(at + 1, last)
        if word in _NEEDING and "nicht" in words[start : at + 5]:
            rest = words[words.index("nicht", start) + 1 :]
            return all(word_to_number(w) is None for w in rest)  # not "…, nicht zwei"
    return False


_NEEDING: Final = frozenset(
    {"brauchen", "brauche", "brauch", "braucht", "wollen", "will", "wolln", "moechten"}
    | {"moechte", "nehmen", "nehme"}
)
