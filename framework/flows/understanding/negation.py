"""A value said with "nicht" or "not" before it is the one the customer does not mean:
"mittel, nicht groß", "zwei, nicht drei", "I meant three, not four", "nicht die große"; and
one with a reason after it that rejects it ("groß schaffe ich nicht mehr", "too much")."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Final

from framework.flows.understanding.matching import Match

__all__ = [
    "ORDINARY",
    "PLAIN_NOT",
    "a_reason",
    "dropped",
    "excepted",
    "negated",
    "never_before",
    "not_had",
    "rejects",
    "replaced",
    "said_too",
    "taken_back",
    "too_much",
]

PLAIN_NOT: Final = frozenset({"nicht", "nich", "not"})
"""The word "not" itself (not "kein", "no": "wait no, funghi." says what is wanted)."""
ORDINARY: Final = frozenset({"normale", "normalen", "normal", "regular", "ordinary"})
"""Words that set an item apart from its variant, between "not" and it ("nicht normale Cola
– zwei Cola Zero", "not the regular Coke")."""
_BETWEEN: Final = (
    frozenset({"der", "die", "das", "den", "dem", "the", "a", "an", "ein", "eine", "so"}) | ORDINARY
)
"""Words that may stand between the "not" and its value ("nicht die große", "not the large")."""


_TO: Final = frozenset({"to", "zu"})
_NO_NEED: Final = frozenset(
    {("no", "need"), ("not", "need"), ("nicht", "noetig"), ("nicht", "nötig")}
)


_NOT_DOING_IT: Final = frozenset({"t", "dont", "doesnt", "wont", "cant", "cannot"})
"""A verb's "not" said with it, right before the value ("we can't collect": "can", "t")."""
_ANY_NOT: Final = PLAIN_NOT | _NOT_DOING_IT
_WANTING: Final = frozenset({"want", "wanna", "need", "like"})
_MODAL: Final = frozenset(
    {"will", "wollen", "kann", "koennen", "moechte", "moechten", "mag", "muss", "brauch"}
    | {"brauche", "brauchen"}
)
_WHO: Final = frozenset({"ich", "i", "wir", "mer", "ma", "er", "sie", "es", "man"})


def negated(words: Sequence[str], start: int) -> bool:
    """Whether the value that begins at `words[start]` is negated ("nicht liefern", "not to
    deliver", "no need to deliver", "we don't want to collect it", "I can't pick it up"), or
    put first and negated after ("Abholen will ich nicht")."""
    before = list(words[max(0, start - 4) : start])
    if before and before[-1] in _BETWEEN | _TO:
        before = before[:-1]
    if len(before) > 1 and before[-1] in _WANTING and before[-2] in _ANY_NOT:
        return True  # "don't want to collect", "do not need delivery"
    if before and (before[-1] in _ANY_NOT or tuple(before[-2:]) in _NO_NEED):
        return True
    after = words[start + 1 : start + 4]
    if len(after) == 3 and after[0] in _MODAL and after[1] in _WHO and after[2] in PLAIN_NOT:
        return True
    return _denied_at_the_end(words, start)


def _denied_at_the_end(words: Sequence[str], start: int) -> bool:
    """ "…, dass ich die Pizzen nicht auf einer Kanonenkugel abholen komme, sondern …": in a
    clause that ends with its verb ("dass", "weil"), a "nicht" after the clause's opening
    denies the value at its end, however many words stand between."""
    after = words[start + 1 : start + 3]
    if not after or after[0] not in _CLAUSE_END or after[-1] not in _CLAUSE_OR_BUT:
        return False  # "…, weil ich nicht warten will, abholen": no verb ends it at the value
    before = list(words[max(0, start - _CLAUSE) : start])
    opening = max((at for at, word in enumerate(before) if word in _SUBORDINATE), default=None)
    return opening is not None and not PLAIN_NOT.isdisjoint(before[opening + 1 :])


_CLAUSE: Final = 10
"""Words a verb-final clause may have before its value."""
_SUBORDINATE: Final = frozenset({"dass", "weil", "damit", "obwohl"})
_CLAUSE_END: Final = frozenset(
    {"komme", "kommen", "kann", "koennen", "werde", "werden", "will", "wollen", "muss"}
    | {"muessen", "moechte", "moechten", "lasse", "lassen", "soll", "sollen", "darf"}
)
"""The finite verb after the value that ends a German subordinate clause ("… abholen komme")."""
_CLAUSE_OR_BUT: Final = _CLAUSE_END | {"sondern"}


_HAVING: Final = frozenset(
    {"drink", "eat", "like", "want", "need", "have", "take", "eats", "drinks"}
    | {"handle", "stand", "tolerate"}  # "he can't handle spicy"
)
_NOT_DOING: Final = frozenset({"t", "dont", "doesnt", "didnt", "not", "never"})


def not_had(words: Sequence[str], start: int) -> bool:
    """Whether the value at `start` is said not to be had: "Ana doesn't drink Coke", "I
    don't like olives", "he never eats onions"."""
    before = [word for word in words[max(0, start - 3) : start] if word not in _BETWEEN]
    if len(before) > 1 and before[-1] in _HAVING and before[-2] in _NOT_DOING:
        return True
    return (
        _poorly_with(words[max(0, start - 5) : start])
        or _too(words[max(0, start - 3) : start])
        or _a_bad_idea(words[start + 1 : start + 8])
        or _too_much(words[start + 1 : start + 5])
        or _brought_along(words, start, before)
    )


def _poorly_with(before: Sequence[str]) -> bool:
    """ "he is not so good with spicy", "er kann nicht so gut mit Zwiebeln", "sie verträgt
    keine Zwiebeln": what someone cannot take, said before it."""
    if tuple(before[-2:]) in _GOOD_WITH:
        return not PLAIN_NOT.isdisjoint(before[:-2])
    return len(before) > 1 and before[-2] in _STANDING and before[-1] in _NONE


_GOOD_WITH: Final = frozenset({("good", "with"), ("gut", "mit")})
_STANDING: Final = frozenset({"vertraegt", "vertrage", "vertragen", "vertraegst"})
_NONE: Final = frozenset({"kein", "keine", "keinen", "nichts"})


def _too(before: Sequence[str]) -> bool:
    """ "too spicy for me", "ist mir zu scharf": a complaint, not a wish (not "change it to
    large", "ändere sie zu groß")."""
    if not before or before[-1] not in _TOO_BEFORE:
        return False
    return before[-1] == "too" or not _COMPLAINING.isdisjoint(before[:-1])


_COMPLAINING: Final = frozenset({"ist", "sind", "war", "waere", "mir", "ihm", "ihr", "uns", "viel"})


def _too_much(after: Sequence[str]) -> bool:
    """ "jalapeños are too hot for me", "die Jalapeños sind mir zu scharf", "onions give him
    heartburn": what it is or does to someone, said as a complaint (not "Jalapeños too")."""
    if after[:1] and after[0] in _DOING and after[1:2] and after[1] in _TO_SOMEONE:
        return True
    being = next((at for at, word in enumerate(after[:2]) if word in _BEING), None)
    return being is not None and not _TOO_BEFORE.isdisjoint(after[being + 1 : being + 3])


_DOING: Final = frozenset({"give", "gives", "gave", "make", "makes", "made", "geben", "machen"})
_TO_SOMEONE: Final = frozenset({"me", "him", "her", "us", "them", "mir", "ihm", "ihr", "uns"})


_BEING: Final = frozenset({"is", "are", "was", "were", "ist", "sind", "isch", "san"})


def _a_bad_idea(after: Sequence[str]) -> bool:
    """ "da ist scharf keine gute Idee", "spicy is not a good idea", "onions are a bad idea"."""
    idea = next((at for at, word in enumerate(after) if word in {"idee", "idea"}), None)
    return idea is not None and not _NO_GOOD.isdisjoint(after[:idea])


_NO_GOOD: Final = PLAIN_NOT | {"kein", "keine", "no", "bad", "schlechte", "schlecht", "terrible"}


def _brought_along(words: Sequence[str], start: int, before: list[str]) -> bool:
    """ "die hat noch Wasser dabei", "wir haben noch Wasser da", "he has water in his bag", "he
    has his own water", "my mate's just found a bottle of water in his bag", "sie hat eine
    Flasche Wasser mitgebracht": what someone has with them is not ordered."""
    if _got_it(words[max(0, start - 4) : start]):
        return True  # "he's got water", "they've got a beer already"
    with_them = _WITH_THEM | _KEPT_IN  # "he has water in his bag"
    near = words[max(0, start - 5) : start]
    after = words[start + 1 : start + 5]
    had = not _HAS.isdisjoint(near) or ("hot" in near and "dabei" in after)  # Bavarian "hot"
    own = not _OWN.isdisjoint(words[max(0, start - 2) : start])  # "he has his own water"
    if own and not _DRINKING.isdisjoint(near):
        return True  # "der trinkt sein eigenes Wasser", "she drinks her own water"
    if had and (not with_them.isdisjoint(after) or _kept_at(after) or own):
        return True
    at = start - 1
    while at >= 0 and words[at] in _CONTAINER:
        at -= 1
    after = words[start + 1 : start + 5]
    return (at >= 0 and words[at] in _BROUGHT) or not _BROUGHT.isdisjoint(after)


def _got_it(before: Sequence[str]) -> bool:
    """ "he's got water", "she has got a Cola", "they've got beer": someone else has it (not
    "I've got" nor "can we get")."""
    words = [word for word in before if word not in _BETWEEN]
    return (
        len(words) >= 3
        and words[-1] == "got"
        and words[-2] in {"s", "has", "ve", "have"}
        and words[-3] in {"he", "she", "they"}
    )


_BROUGHT: Final = frozenset({"found", "brought", "gefunden", "mitgebracht", "dabeigehabt"})
_CONTAINER = _BETWEEN | {"bottle", "bottles", "can", "cans", "of", "his", "her", "their", "own"}
_CONTAINER |= {"flasche", "flaschen", "dose", "sein", "seine", "ihr", "ihre", "eigene", "eigenes"}
_CONTAINER |= {"kiste", "kasten", "crate", "case"}

_HAS: Final = frozenset(
    {"hat", "habe", "hab", "haben", "has", "got", "han", "hob", "hebbt", "hebben"}
)
"""Verbs of having, with Swabian "i han", Bavarian "i hob", Low German "wi hebbt"."""
_OWN: Final = frozenset({"own", "eigenes", "eigene", "eigenen"})
_DRINKING: Final = frozenset({"trinkt", "trinke", "trink", "drinks", "drink", "drinking"})
_KEPT_IN: Final = frozenset(
    {"bag", "backpack", "fridge", "car", "tasche", "rucksack", "kuehlschrank", "koehlschapp"}
)
_WITH_THEM: Final = frozenset(
    {"dabei", "mit", "with", "selber", "selbst"}
    | {"da", "do", "hier", "here"}  # "wir haben noch Wasser da", "we have beer here"
    | {"already", "schon", "bereits", "pala"}  # "my officemate has water na pala" (Tagalog)
)


def _kept_at(after: Sequence[str]) -> bool:
    """Where someone keeps what they have: "wir haben noch eine Kiste Wasser in der Galerie",
    "we've got beer at home" (not "hab Lust auf eine Salami in mittel"; English "have" orders:
    "can I have a Funghi with olives")."""
    return not _HOME.isdisjoint(after) or any(
        pair in _AT_A_PLACE for pair in itertools.pairwise(after)
    )


_HOME: Final = frozenset({"daheim", "zuhause", "home"})
_AT_A_PLACE: Final = frozenset(
    {("in", place) for place in ("der", "dem", "unserer", "meiner", "the", "our", "my")}
    | {("at", place) for place in ("the", "our", "my", "work")}
    | {("zu", "hause"), ("im", "buero"), ("im", "auto"), ("im", "hotel")}
)

_INSTEAD_OF: Final = frozenset(
    {("statt",), ("anstatt",), ("anstelle",), ("instead", "of"), ("rather", "than")}
)


def replaced(words: Sequence[str], start: int) -> bool:
    """Whether the value at `start` is the one replaced ("Oliven statt Schinken", "olives
    instead of the ham"): never the one wanted."""
    before = list(words[max(0, start - 3) : start])
    if before and before[-1] in _BETWEEN | {"dem", "den", "des"}:
        before = before[:-1]
    return tuple(before[-1:]) in _INSTEAD_OF or tuple(before[-2:]) in _INSTEAD_OF


_EXCEPT: Final = frozenset({"ausser", "except", "besides", "apart"})


def excepted(words: Sequence[str], start: int) -> bool:
    """Whether the value at `start` is named as an exception ("außer den Oliven keine Extras",
    "außer Bernds Zwiebeln keine Extras": those said before, not a further wish)."""
    before = list(words[max(0, start - 3) : start])
    if before and before[-1] == "s":  # "Bernd's": "bernd", "s"
        before = before[:-1]
    if before and (before[-1] in _BETWEEN | {"den", "dem", "der", "from"} or _whose(before)):
        before = before[:-1]
    return bool(before) and before[-1] in _EXCEPT


def _whose(before: list[str]) -> bool:
    """A name's possessive right after "außer"/"except" ("außer Bernds", "except Jo's")."""
    return len(before) >= 2 and before[-2] in _EXCEPT and before[-1] not in _EXCEPT


_DROPPING: Final = frozenset(
    {"drop", "remove", "skip", "lose", "scratch", "scrap", "cancel", "streich", "streiche"}
    | {"entferne", "storniere", "stornier"}
)


_OFF: Final = frozenset({"off", "weg", "runter"})
"""Right after a value (of one or two words), that it goes: "take the onions off", "die
Zwiebeln weg", "extra cheese off it"."""


def dropped(words: Sequence[str], start: int) -> bool:
    """Whether the value at `start` is asked to go ("drop the delivery fee", "remove the
    olives", "take the onions off"): it is not the one chosen."""
    before = words[max(0, start - 2) : start]
    if before and before[-1] in _BETWEEN:
        before = before[:-1]
    return (bool(before) and before[-1] in _DROPPING) or not _OFF.isdisjoint(
        words[start + 1 : start + 3]
    )


_REJECTING: Final = frozenset(
    {"nicht", "nich", "net", "not", "never", "nie", "cant", "cannot", "zuviel"}
)
_TOO_MUCH: Final = frozenset({"viel", "gross", "klein", "teuer", "scharf", "wenig"})


def rejects(words: Sequence[str]) -> bool:
    """Whether words said after a value reject it: it is the reason, not the wish ("groß
    schaffe ich nicht mehr", "large is too much", "groß ist zu viel"); how hungry someone is
    gives the reason for a size, it rejects none ("doch nur mittel, so an Hunger hob i ned",
    "medium, I'm not that hungry")."""
    if not _APPETITE.isdisjoint(words):
        return False
    return (
        bool(_REJECTING & set(words))
        or any(  # "large is too much", not "make the Funghi a large too" nor "… cheese too
            word == "too" and (at or words[1] in _AMOUNT)  # for my partner"
            for at, word in enumerate(words[:-1])
        )
        or any(
            (a == "zu" and b in _TOO_MUCH) or (a in _SUBJECTS and b == "nd")
            for a, b in itertools.pairwise(words)
        )
    )


_APPETITE: Final = frozenset({"hunger", "hungrig", "hungry", "appetit", "appetite", "satt", "full"})
_SUBJECTS: Final = frozenset({"ich", "es", "das"})
""""schaff ich nd": chat's "nd" after a subject is "nicht" (elsewhere it may be "and")."""


_IS: Final = frozenset(
    {"is", "s", "ist", "isch", "was", "war", "waere", "would", "seems", "scheint"}
)
_TOO: Final = frozenset({"too", "to", "zu"})
_TOO_BEFORE: Final = frozenset({"too", "zu"})
"""Before a choice, these say what is wrong with it ("too big", "zu groß"; not "to")."""
_AMOUNT: Final = frozenset({"much", "big", "large", "many", "small", "little", "expensive"})
_AMOUNT_DE: Final = frozenset({"viel", "gross", "klein", "wenig", "teuer", "maechtig"})


def too_much(words: Sequence[str]) -> bool:
    """Whether the words right after a value say it is too much or too little: "large is too
    much for me", "groß ist mir zu viel", "larg is to much at lunch" — the reason for a change,
    not the value wanted (a device that "is too slow" keeps its place: only amounts count)."""
    if not words or words[0] not in _IS:
        return False
    near = list(words[1:4])
    return any(
        (a in _TOO and (b in _AMOUNT or b in _AMOUNT_DE)) or a == "zuviel"
        for a, b in itertools.pairwise([*near, ""])
    )


_BEYOND_ME: Final = frozenset(
    {"schaff", "schaffe", "schaffen", "pack", "packe", "packen", "ess", "esse", "manage"}
    | {"finish", "eat", "handle"}
    | {"schafft", "packt", "manages", "finishes", "handles"}  # "a große schafft er ned"
)
"""After a size, a refusal with these is a reason ("groß schaff ich nicht"); without them a
pick-one value keeps its place ("Laptop geht nicht": the device, and what is wrong)."""


def a_reason(words: Sequence[str], start: int, end: int, many: bool) -> bool:
    """Whether the choice said at words[start:end] is the reason for a change, not the wish:
    "too big", "zu groß", "make it medium, large is too much", "groß schaff ich nicht", and
    for choices of which several are taken (extras) "Oliven mag ich nicht so"."""
    refused = (many or bool(_BEYOND_ME & set(words[end : end + 3]))) and rejects(
        words[end : end + 5]
    )
    return (
        said_too(words, start)
        or too_much(words[end : end + 4])
        or refused
        or never_before(words, start)
    )


def said_too(words: Sequence[str], start: int) -> bool:
    """ "too big", "zu groß", "the Diavola is too spicy for him": the choice at `start` is
    what is wrong, never the wish."""
    return start > 0 and words[start - 1] in _TOO_BEFORE


_NEVER: Final = frozenset({"never", "nie", "niemals", "nimmer", "cant", "cannot"})


def never_before(words: Sequence[str], start: int) -> bool:
    """ "she never finishes a large", "die schafft nie eine große": the choice said a few
    words after "never" is what does not do, not the wish."""
    return not _NEVER.isdisjoint(words[max(0, start - 4) : start])


_TAKING_BACK: Final = frozenset(
    {"nee", "nein", "no", "wait", "warte", "sorry", "mean", "meant", "meine", "meinte", "oops"}
)
_WITH: Final = frozenset({"mit", "with", "w"})


def taken_back(words: Sequence[str], found: list[Match]) -> list[Match]:
    """Of choices said one after another, those not taken back in passing ("mit Oliven nee
    mit Zwiebeln", "with mushrooms no wait with olives", dictated): a choice followed by a
    word of taking back and then "mit"/"with" and another is not wanted."""
    kept = []
    for match, after in itertools.zip_longest(found, found[1:]):
        between = set(words[match.end : after.start]) if after is not None else set()
        again = after is not None and after.start > 0 and words[after.start - 1] in _WITH
        if not (again and _TAKING_BACK & between):
            kept.append(match)
    return kept
