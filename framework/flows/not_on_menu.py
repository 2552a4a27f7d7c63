"""Something ordered or asked for that the catalog does not have ("und zwei Pepsi", "an two
irn bru", "eine Quattro Stagioni groß bitte", "habt ihr Calzone?", "do you have garlic
bread?"): said so, by its name as the customer wrote it, and the conversation goes on — a
waiter says "Pepsi haben wir nicht", not "please answer yes or no" or "hello, what would you
like?".

Read where the order takes items — at the ordering flow's item question and at its "anything
else?" — and in a first message that starts nothing else: a count or an article and a name of
at most two words (with a size or "bitte" after it), or a question whether they have it, that
the catalog, the bot's knowledge and the open question's choices do not know.
"""

from __future__ import annotations

import re
from typing import Final

from framework.flows.closest import names_of, note_missing
from framework.flows.model import Slot
from framework.flows.sold_out import note_refused
from framework.flows.turn import Turn
from framework.flows.understanding.lexicon import lexicon_for
from framework.flows.understanding.normalize import tokens
from framework.flows.understanding.nothing_extra import says_nothing_extra
from framework.flows.understanding.numbers import word_to_number
from framework.flows.understanding.segments import SENTENCES
from framework.flows.understanding.slot_values import part_of_an_address

__all__ = ["missing_taken_out", "not_on_menu", "not_on_menu_at_start", "without_missing"]

_COUNT: Final = (
    r"\d{1,2}|eins?|eine[nmr]?|ein|ne|nen|'?n|a|an|one|zwei|drei|vier|fünf|two|three|four|five"
    r"|noch\s+eine[nm]?|another|some|paar|ein\s+paar|a\s+couple\s+of|una|uno|un"
)
_NAME: Final = r"[^\W\d_][\w'’-]*"
_AFTER: Final = (
    r"(?:bitte|bittschön|bitteschön|please|pls|per\s+favore|por\s+favor|noch|too|auch|dazu"
    r"|thanks|danke|klein|kleine|mittel|mittlere|groß|große|gross|grosse|small|medium|large"
    r"|ohne\s+(?:extras|alles)|without\s+(?:extras|anything)|no\s+extras|nothing\s+extra)\b"
)
"""Words after the name that belong to no name: politeness (also as an Italian or a Spaniard
says it), a size, and no extras ("one large Pepperoni without extras")."""
_SIZE: Final = (
    r"(?:kleine[n]?|klein|mittlere[n]?|mittel|gro(?:ß|ss)e[n]?|gro(?:ß|ss)|small|medium|large"
    r"|big)"
)
_CONTAINER: Final = (
    r"(?:glass|glasses|bottle|bottles|can|cans|cup|cups|pint|flasche|flaschen|glas|gläser"
    r"|dose|dosen|becher)(?:\s+of|\s+o)?"
)
"""How a drink is counted ("a glass of red wine", "eine Flasche Sprite")."""
_FILLERS: Final = r"(?:then|dann|now|jetzt|so|halt)\b"
"""Words after a count and a size that are no thing ("one large then, no extras")."""
_THING: Final = rf"(?P<thing>(?!{_AFTER}|{_FILLERS}){_NAME}(?:\s+(?!{_AFTER}){_NAME})?)"
_ASKING_FOR: Final = (
    r"(?:(?:i|we)\s+(?:want|need|(?:would|'d)\s+like|'ll\s+have|will\s+have|take)"
    r"|(?:can|could|may)\s+(?:i|we)\s+(?:get|have)|give\s+me|gimme|lemme\s+have"
    r"|(?:ich|wir)\s+(?:hätte[n]?\s+gerne?|möchte[n]?|nehme[n]?|will|wollen|bräuchte[n]?))"
)
"""The words that ask for what follows ("We want one large Pepperoni …", "Wir hätten gern
eine große Calzone …")."""
_ORDERED: Final = re.compile(
    rf"^\s*(?:(?:und|un|and|noch|plus|also|ond|no|an|dann|then|oh|ach|dazu)[,\s]+)*"
    rf"(?:{_ASKING_FOR}\s+)?(?:(?:{_COUNT})\s+)(?:{_SIZE}\s+)?(?:{_CONTAINER}\s+)?(?:pizza\s+)?{_THING}(?:\s+pizza)?"
    rf"(?:[,\s]+{_AFTER})*\s*[.!]*\s*$",
    re.IGNORECASE,
)
_EITHER: Final = (
    rf"(?:\s+(?:oder|or)\s+(?:(?:auch|any|some|eine?n?|a|an)\s+)?{_NAME}(?:\s+{_NAME})?)?"
)
"""A second thing asked about with the first ("Lasagne oder Tiramisu", "calzone or any pasta")."""
_ASKED: Final = re.compile(
    rf"^\s*(?:(?:und|and|oh|ok|okay|hallo|hi|hey|sacht\s+ma|sag\s+mal|sagt\s+mal)[,\s]+)*"
    rf"(?:(?:habt|haben)\s+(?:ihr|sie)|habta|gibt\s+es(?:\s+bei\s+euch)?"
    rf"|do\s+you\s+(?:have|do|sell)|have\s+you\s+got|you\s+got|got)\s+"
    rf"(?:(?:auch|also|any|eine?n?|a|an|some)\s+)*"
    rf"(?:pizza\s+)?(?P<asked>{_THING}{_EITHER})(?:\s+pizza)?"
    rf"(?:\s+(?:as\s+a\s+side|als\s+beilage|dazu))?\s*\?*\s*$",
    re.IGNORECASE,
)

_NO_GOODS: Final = frozenset(
    {"moment", "momentchen", "sekunde", "sek", "minute", "frage", "sache", "mal", "davon"}
    | {"stück", "stk", "x", "bitte", "danke", "mehr", "weitere", "weiteres", "andere"}
    | {"sec", "second", "minute", "min", "mo", "tick", "question", "thing", "more", "of"}
    | {"please", "pls", "thanks", "other", "others", "each", "more", "times", "x"}
    | {"one", "ones", "eine", "einen", "welche", "sorte", "sorten", "kind", "kinds"}
    | {"reicht", "genügt", "langt", "passt", "enough", "fine", "okay", "ok", "will", "do"}
    | {"reichen", "genügen", "langen", "tun", "tun's", "tuns", "tut", "tut's", "gehen", "geht"}
    | {"offen", "geöffnet", "auf", "zu", "open", "heute", "today", "zeit", "time", "hunger"}
    | {"leute", "personen", "people", "persons", "kinder", "kids", "freunde", "friends"}
    | {"gäste", "guests", "stunden", "hours", "tage", "days", "euro", "eur", "mann", "frau"}
    | {"pizza", "pizzas", "pizzen", "getränk", "getränke", "drink", "drinks", "something"}
    | {"klein", "kleine", "mittel", "mittlere", "groß", "große", "gross", "grosse", "small"}
    | {"medium", "large", "big", "little", "kleinen", "großen", "grossen", "mittleren"}
    | {"mit", "ohne", "with", "without", "von", "für", "for", "die", "der", "das", "the"}
    | {"extra", "extras", "davon", "them", "beide", "both", "alle", "all", "jeder", "each"}
    | {"sonst", "nix", "nichts", "nothing", "else", "weiter", "weiteres"}
    | {"ähnliches", "aehnliches", "similar", "anderes", "alternative", "alternativen"}
)
"""What a count, an article or "habt ihr" may come before without naming goods ("einen
Moment", "one sec", "noch eine Frage", "habt ihr offen?")."""


def _takes_items(turn: Turn, slot: Slot) -> bool:
    """Whether the open question is where the order takes items: the ordering flow's item
    question, or its "anything else?" once the cart has lines."""
    frame = turn.frame
    if frame is None or frame["flow"] != turn.ordering_flow():
        return False
    return slot.type == "item" or (slot.type == "yes_no" and bool(turn.session["cart"]["lines"]))


def not_on_menu(turn: Turn, slot: Slot, text: str) -> bool:
    """Say that the thing ordered is not on the menu and ask again; False when the message is
    no such order. Only for a message in which nothing but a count was understood."""
    if not _takes_items(turn, slot):
        return False
    thing = _thing(text)
    if thing is None or _known(turn, thing):
        return False  # "ne liefern": no, and delivery — no "Liefern" to be had
    _say_missing(turn, thing)
    turn.reask()
    return True


def not_on_menu_at_start(turn: Turn, text: str) -> bool:
    """A first order or question of something the catalog does not have, with no question
    open: said so, and the ordering flow begins (its item question follows)."""
    ordering = turn.ordering_flow()
    thing = _thing(text)
    if ordering is None or thing is None or _known(turn, thing):
        return False
    _say_missing(turn, thing)
    turn.start_flow(ordering)
    return True


def missing_taken_out(turn: Turn, slot: Slot, text: str) -> str:
    """An answer given while ordering with what is not on the menu taken out and said so ("a
    Quattro Stagioni and a water" at "anything else?", "groß, und eine Pepsi" at the size,
    "ja, und zwei Pepsi" at the confirmation: never dropped without a word); free text and
    addresses as they are."""
    frame = turn.frame
    if frame is None or slot.type in _FREE:
        return text
    if frame["flow"] != turn.ordering_flow() and not turn.session["cart"]["lines"]:
        return text
    return without_missing(turn, text)


_FREE: Final = frozenset({"text", "address"})
"""Answers whose words are the customer's own, not things ordered ("Zwei Treppen hoch")."""


_PARTS: Final = re.compile(r"\s*(?:[,;]|\b(?:und|un|and|plus|sowie)\b|\+)\s*", re.IGNORECASE)
"""Where a list's parts end ("un" is many a dialect's "und")."""


def without_missing(turn: Turn, text: str) -> str:
    """A message with the parts that order something not on the menu taken out, each said so
    ("two large pepperoni and a coke": the coke is ordered, the pepperoni said to be
    missing); the message as it was when no part does."""
    parts = [part for part in _PARTS.split(text) if part.strip()]  # all of a long story
    if len(parts) < 2:
        return text
    named = [_thing(part) for part in parts]
    lexicon = lexicon_for(turn.bot)
    if all(not t or set(tokens(t)) <= lexicon.menu_words() for t in named):
        return text  # no part names a thing that could be missing ("2 große Salami")
    items = lexicon.items(frozenset())
    sentences = SENTENCES.findall(text)
    ordering = [at for at, s in enumerate(sentences) if items.find_all(tokens(s))]
    story = [  # told before the order, not said after it ("… Hawaii. Und ein Kaffee.")
        s for at, s in enumerate(sentences[: max(ordering, default=0)]) if at not in ordering
    ]
    story = [s for s in story if "?" not in s]
    kept: list[str] = []
    for part, thing in zip(parts, named, strict=True):
        told = any(part.strip() in sentence for sentence in story)  # "… mit einer kleinen
        # Box improvisiert." in a story told before the order: nothing ordered there
        told = told or part_of_an_address(part, text)  # "delivery, 22 Sonnenallee, 12045"
        thing = None if told or items.find_all(tokens(part)) else thing
        if thing is not None and _known(turn, thing):
            thing = None  # "eine mit Jalapeños": an option, not something missing
        if thing is None:
            kept.append(part)
        else:
            _say_missing(turn, thing)
            _note_its_count(turn, part)
    return ", ".join(kept) if len(kept) < len(parts) else text


def _note_its_count(turn: Turn, part: str) -> None:
    """The count said for what is missing, for the item named instead ("eine Cola light" —
    "dann Cola Zero": one; sold_out.py)."""
    counts = [n for word in tokens(part) if (n := word_to_number(word)) is not None]
    slot = next((slot for slot in turn.bot.slots.values() if slot.role == "quantity"), None)
    if slot is not None and len(counts) == 1 and 0 < counts[0] <= 99:
        note_refused(turn.session, {slot.name: counts[0]})


def _known(turn: Turn, thing: str) -> bool:
    """Whether the thing is an item or any question's choice of the bot ("Jalapeños",
    "liefern"), or nothing extra ("one plain")."""
    if says_nothing_extra(tokens(thing)):
        return True
    lexicon = lexicon_for(turn.bot)
    known = [lexicon.items(frozenset())]
    known += [lexicon.choices(slot.choices) for slot in turn.bot.slots.values() if slot.choices]
    return any(index.find_all(tokens(thing)) for index in known)


def _say_missing(turn: Turn, thing: str) -> None:
    """What the bot's knowledge says of it ("Pepperoni haben wir nicht – die Diavola …"),
    else `not_on_menu`, with the items alike when there are (`not_on_menu_but`)."""
    entries = lexicon_for(turn.bot).knows(thing)
    for entry in entries:
        turn.say(turn.bot.knowledge[entry].answer)
    alike = _alike(turn, thing)
    if not entries:
        if alike:
            turn.say_named("not_on_menu_but", thing=thing, like=names_of(turn, alike))
        else:
            turn.say_named("not_on_menu", thing=thing)
    note_missing(turn, thing, alike, entries)  # "was kommt dem am nächsten?" (closest.py)


_MOST_ALIKE: Final = 3


def _alike(turn: Turn, thing: str) -> list[str]:
    """The catalog's items whose names share a word with the thing ("Cola light": Cola, Cola
    Zero; "Quattro Stagioni": Quattro Formaggi)."""
    words = set(tokens(thing)) - _NO_GOODS
    phrases = lexicon_for(turn.bot).items(frozenset()).phrases()
    return list(dict.fromkeys(v for key, v in phrases.items() if words & set(key)))[:_MOST_ALIKE]


def _thing(text: str) -> str | None:
    """What the message orders or asks for by a name the catalog may lack; a question may be
    the last sentence after a greeting ("Tach auch! Habt ihr Pommes oder Currywurst?")."""
    found = _ORDERED.match(text[:120]) or _ASKED.match(text[:120])
    if found is None and len(text) <= 240:
        last = (SENTENCES.findall(text) or [""])[-1].strip()
        found = _ASKED.match(last) if last != text[:120] else None  # the same: read above
    if found is None or any(word.lower() in _NO_GOODS for word in found["thing"].split()):
        return None  # "eine große Pizza", "zwei Leute": nothing the menu lacks
    return found.groupdict().get("asked") or found["thing"]
