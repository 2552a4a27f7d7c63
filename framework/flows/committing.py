"""A yes at the order's confirmation said with words that change nothing: "Ok dann Karte. Ja
bestellen", "Ok, PayPal dann. Ja, bestellen.", "Jetzt passt alles, ja", "yes please, go
ahead, thanks". The confirmation otherwise takes only a plain yes (framework/flows/
answering.py): a yes with a change, an item, an option, a question or a "but" is never one."""

from __future__ import annotations

import re
from typing import Final

from framework.flows.turn import Turn
from framework.flows.understanding.normalize import tokens
from framework.flows.understanding.typos import SlipReader
from framework.flows.understanding.yesno import parse_yes_no

__all__ = ["committed", "starts_with_yes", "yes_first"]

_CLAUSES: Final = re.compile(r"[,;.!]+")
_COMMITTING: Final = frozenset(
    {
        ("bestellen",),
        ("ja", "bestellen"),
        ("bitte", "bestellen"),
        ("so", "bestellen"),
        ("bestell", "es"),
        ("passt", "alles"),
        ("alles", "passt"),
        ("order", "it"),
        ("place", "it"),
        ("place", "the", "order"),
        ("go", "ahead"),
        ("bestell",),
        ("jetzt", "bestellen"),
        ("send", "it"),
        ("do", "it"),
        ("do", "the", "needful"),
    }
)
_COURTESY: Final = frozenset(
    {"danke", "dank", "vielen", "schoen", "thanks", "thank", "you", "kindly", "cheers", "ta"}
    | {"bitte", "please", "baba", "tschuess", "ciao", "bye", "und", "and", "euch", "dir"}
)
"""A clause of thanks and goodbye ("danke und baba"): it changes nothing."""
_THANKING: Final = frozenset({"danke", "dank", "thanks", "thank", "merci"})
_CHEERING: Final = frozenset(
    {"slay", "lit", "bet", "nice", "super", "top", "cool", "great", "awesome", "perfect"}
    | {"perfekt", "lovely", "brilliant", "mega", "geil", "yay", "yeah", "juhu", "endlich"}
    | {"wunderbar", "prima", "klasse", "spitze", "toll", "fab", "sweet", "amazing", "lecker"}
)
"""Words of cheer beside a yes ("yesss slay", "super, ja!"): they change nothing."""


_TALKING: Final = frozenset(
    {"babbel", "babbeln", "quatsch", "quatschen", "laber", "labern", "red", "rede", "schwaetz"}
    | {"schwaetzen", "zoeger", "zoegern", "faff", "chat", "waffle", "dither"}
)
_FUSS_ALSO = frozenset({"nicht", "net", "nich", "so", "viel", "lang", "lange", "rum", "mal"})
_FUSS_ALSO |= {"no", "more", "dont", "don", "t", "about", "around"}


def _no_fuss(words: list[str]) -> bool:
    """ "babbel net", "quatsch nicht lang", "don't faff about": hurry, not a change."""
    said = set(words)
    return bool(_TALKING & said) and said <= _TALKING | _FUSS_ALSO


def _courteous(words: list[str]) -> bool:
    """Thanks and goodbye alone, or a clause that thanks someone and changes nothing ("and
    thank the driver for the stairs in advance")."""
    said = set(words)
    if said <= _COURTESY:
        return True
    return bool(_THANKING & said) and not (_CHANGING - {"und", "and"}) & said


_CHANGING: Final = frozenset(
    {"aber", "but", "doch", "statt", "instead", "lieber", "rather", "ohne", "without", "noch"}
    | {"more", "aendern", "aendere", "change", "nicht", "not", "kein", "keine", "no", "nein"}
    | {"warte", "wait", "moment", "mit", "with", "extra", "plus", "und", "and", "also"}
    | {"weg", "raus", "remove", "storno", "abbrechen", "cancel", "falsch", "wrong"}
)


_PAYING: Final = frozenset(
    {"pay", "paying", "zahle", "zahlen", "bezahle", "bezahlen", "zahl", "zahlt", "bezahl"}
)
_MEANS: Final = frozenset(
    {"link", "card", "karte", "kreditkarte", "paypal", "apple", "google", "handy", "phone"}
)
_PAYING_ALSO: Final = frozenset(
    {"with", "mit", "the", "die", "der", "dem", "den", "via", "by", "i", "ich", "we", "wir"}
    | {"ll", "will", "then", "dann", "di", "mi", "ok"}
)


def _how_they_pay(words: list[str]) -> bool:
    """ "I'll pay with the link then", "ich zahl mit Karte": how they will pay, no change."""
    said = set(words)
    return bool(_PAYING & said) and said <= _PAYING | _MEANS | _PAYING_ALSO | _CHEERING


def committed(turn: Turn, text: str) -> bool:
    """Whether one clause says yes (or "bestellen") and no clause changes, adds, asks or
    doubts anything."""
    if "?" in text or len(text) > 200 or turn.names_for_order(text):
        return False
    clauses = [
        [word for word in tokens(clause) if word not in _CHEERING]
        for clause in _CLAUSES.split(text)
    ]
    clauses = [
        words
        for words in clauses
        if words and not _courteous(words) and not _no_fuss(words) and not _how_they_pay(words)
    ]
    if any(_CHANGING & set(words) for words in clauses):
        return False
    return any(_commits(words) for words in clauses)


def _commits(words: list[str]) -> bool:
    """A clause that says yes: a plain yes, words that commit, or both ("yes do the
    needful", "ja bestellen")."""
    if tuple(words) in _COMMITTING or (tuple(words[1:]) in _COMMITTING and _yes(words[:1])):
        return True
    return _yes(_unslipped(words))


def _yes(words: list[str]) -> bool:
    return parse_yes_no(" ".join(words), plain=True) is True


def _unslipped(words: list[str]) -> list[str]:
    """The words with a courteous or committing word typed one slip off read as it ("jaa
    bitet", "jaaa bestelln"): at the confirmation nothing else is near them."""
    return [_slip_of_known(word) or word for word in words]


_KNOWN: Final = frozenset({*_COURTESY, *(word for phrase in _COMMITTING for word in phrase)})
_SLIPS: Final = SlipReader(sorted(_KNOWN))


def _slip_of_known(word: str) -> str | None:
    if word in _KNOWN:
        return None
    elided = f"{word[:-1]}en" if word.endswith("n") and not word.endswith("en") else ""
    return elided if elided in _KNOWN else _SLIPS.read(word)  # "bestelln" spoken, "bitet"


_FIRST_CLAUSE: Final = re.compile(r"[,;.!]|\s[-–]\s|\s(?:and|und|oh|aber|but)\s", re.IGNORECASE)


def yes_first(turn: Turn, text: str) -> bool:
    """ "YES. Thank you, you're a lifesaver.", "jaaa bestelln!": a yes said first."""
    return committed(turn, _FIRST_CLAUSE.split(text, maxsplit=1)[0])


def starts_with_yes(text: str) -> bool:
    """ "Sure, oh and can you add a coke", "ja und noch zwei Wasser": a yes, then more."""
    return parse_yes_no(_FIRST_CLAUSE.split(text, maxsplit=1)[0]) is True
