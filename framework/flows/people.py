"""Who in a group gets which line: "Für mich eine große Salami, meine Frau nimmt eine kleine
Margherita", "Tom wants a large Diavola, Lisa a medium Funghi". Each line ordered for someone
keeps them (`person`), so that "Tom doch lieber mittel", "Jonas kommt doch nicht, seine Pizza
fällt weg" or "scrap Lisa's drink" change that person's lines and nobody else's.

A person is recognised by how people say it: "für Tom", "for Lisa", "Tom nimmt …", "Lisa wants
…", "meine Frau", "the kids", "für mich" / "I'll have" (the customer). Names are capitalised
words that name nothing on the menu. What a message says for whom waits in the session
(`PEOPLE`) until its lines are in the cart: a line the bot asked about first is still theirs.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, Final

from framework.flows.cart import describe_line
from framework.flows.edit_words import BUT, RATHER, REPLACING, STAYS
from framework.flows.joint_people import joint_people, one_each, ours
from framework.flows.label_people import (
    CLAUSES,
    for_at_end,
    is_label,
    joins_the_order,
    not_coming,
    ordered_in,
    pronoun_person,
    said_mine,
)
from framework.flows.one_of_the_group import (
    SHARED_BY,
    give_back_unchanged,
    one_of_a_pair,
    one_of_the_group,
    one_of_theirs,
)
from framework.flows.person_extras import (
    extras_named,
    options_had,
    some_had,
    with_extras,
    without_extras,
)
from framework.flows.person_swaps import swap_theirs
from framework.flows.refusals import refuses, refuses_them
from framework.flows.session import SPEAKER, CartLine, copy_lines
from framework.flows.shared_lines import one_of_shared, one_of_the_shared
from framework.flows.sharing import shared_instead
from framework.flows.turn import GROUP, Turn
from framework.flows.understanding.genders import gender_of, pronoun_gender
from framework.flows.understanding.group_each import group_size
from framework.flows.understanding.lexicon import Lexicon, lexicon_for
from framework.flows.understanding.negation import a_reason
from framework.flows.understanding.normalize import KEPT_READINGS, tokens
from framework.flows.understanding.not_names import NAME, NOT_NAMES, not_a_name

__all__ = [
    "LAST_PERSON",
    "ME",
    "PEOPLE",
    "SHARED_BY",
    "edit_for_person",
    "names_a_newcomer",
    "names_someone",
    "note_people",
    "people_in_the_cart",
    "person_named",
]

_INSTEAD: Final = BUT | RATHER | {"dafuer", "stattdessen", "instead", "statt", "anstatt"}
"""Words that make a "no" and another extra a swap ("keine Oliven, lieber extra Käse")."""

PEOPLE: Final = "people"
"""A session flag: [item, person] pairs said, waiting for their cart lines."""
LAST_PERSON: Final = "last_person"
"""A session flag: the person named last ("seine Pizza", "her drink")."""
ME: Final = SPEAKER
_KEPT: Final = 20

_FOR_SOMEONE: Final = re.compile(
    r"\b(?:[Ff]ür|[Ff]uer|[Ff]or)(?:'?n)? "  # "für'n Rudi", "fürn Xaver": für den
    r"(?:(?:den|die|meinen|meine|mein|unseren|unsere|my|our) )?"
    rf"(?P<p>{NAME}|mich|mi(?!\s+[A-ZÄÖÜ])|me)\b"  # "für mi", not Swiss "für mi Partnerin"
)
_FOR_SOMEONE_LOWER: Final = re.compile(
    r"\b(?:für|fuer|for)(?:'?n)? (?:(?:den|die|der|my|our) )?(?P<p>[a-zäöüß]+)\b"
)
"""A name in lowercase after "für": only a common first name or a role counts ("für die
mandy", not "für den abend")."""
_SOMEONE_TAKES: Final = re.compile(
    rf"\b(?P<p>{NAME})(?:'s)? (?:nimmt|will|möchte|moechte|hätte|kriegt|bekommt|isst|trinkt|"
    r"mag|wants|would|gets|takes|is having|has|'ll|'d|likes)\b"
)
_ROLES: Final = re.compile(
    r"\b(?P<p>meine frau|mein mann|meine freundin|mein freund|die kinder|die kleinen|oma|opa|"
    r"mama|papa|mein sohn|meine tochter|die jungs|die mädels|die mädchen|my wife|my husband|"
    r"die zwillinge|the twins|meine (?:kinder|töchter|söhne|eltern|schwiegereltern)|"
    r"my (?:kids|children|daughters|sons|parents|in-laws)|"
    r"my girlfriend|my boyfriend|my son|my daughter|the kids|the boys|the girls|grandma|"
    r"grandpa|mum|mom|dad|my (?:friend|colleague|buddy|mate|partner|brother|sister|flatmate|boss"
    r"|(?:grand)?mother|(?:grand)?father|uncle|aunt|auntie|cousin|niece|nephew|neighbou?r"
    r"|(?:mother|father|sister|brother|son|daughter)-in-law)|"
    r"mini? (?:fründ|maa|brüeder|partner)|mini? (?:fründin|frau|schwöschter|partnerin)|"
    r"mein(?:en|em)? (?:freund|kumpel|kollegen?|bruder|nachbarn?|chef|vater|schwiegervater|onkel"
    r"|cousin|neffen?|enkel|schwager|großvater)|meine[rm]? (?:freundin|kollegin|schwester"
    r"|nachbarin|mutter|schwiegermutter|tante|cousine|nichte|enkelin|schwägerin|großmutter))\b",
    re.IGNORECASE,
)
_SELF: Final = re.compile(
    r"\b(?:für mich|fuer mich|for me|ich nehme|ich hätte|ich will|ich möchte|i'll have|i'd like|"
    r"ich (?:eine|einen|ein|ne|nen|nehm)|"
    r"i'll take|i want|and me|und ich)\b",
    re.IGNORECASE,
)
_NAME_AFTER: Final = re.compile(rf"\s+(?P<p>{NAME})\b")
_WE_DO: Final = r"(?i:hätten|hättn|haetten|ham|hamm|san|sind|möchten|moechten|wollen|nehmen|nehma)"
"""Verbs of "we": before them Bavarian, Austrian "Mia", "Mir" is "wir", no one's name ("Mia
hätten gern drei kleine Margherita")."""
_NAME_FIRST: Final = re.compile(
    r"^\s*(?:(?:und|and|dann|then|plus|also)\s+)?(?:(?:[Dd]er|[Dd]a|[Dd]e|[Dd]r)\s+)?"
    rf"(?P<p>{NAME})(?:'s)?\s(?!{_WE_DO}\b)"
)
"""A clause that starts with a name: "Sabine eine mittlere Vegetaria", "Lisa a medium Funghi",
"Da Kurt kimmt aa no" (an article before a name in southern German)."""
_LABEL: Final = re.compile(rf"\b({NAME}|Me|Ich):\s")
"""A name as a label: "Jake: large Hawaii", "Me: medium Margherita"."""


@lru_cache(maxsize=KEPT_READINGS)
def _unlabelled(text: str) -> str:
    """ "Jake: large Hawaii" as "Jake large Hawaii", so the clause keeps its person."""
    return _LABEL.sub(r"\1 ", text)


@lru_cache(maxsize=KEPT_READINGS)
def _person_of(clause: str, lexicon: Lexicon) -> str | None:
    menu = lexicon.menu_words()
    role = _ROLES.search(clause)
    if role:
        after = _NAME_AFTER.match(clause, role.end())  # "meinen Kumpel Timo": Timo
        given = after["p"].lower() if after is not None else ""
        return given if given and given not in NOT_NAMES | menu else role.group("p").lower()
    for pattern in (_FOR_SOMEONE, _SOMEONE_TAKES, _NAME_FIRST):
        for found in pattern.finditer(clause):
            name = found.group("p")
            if name.lower() in ("mich", "mi", "me"):
                return ME
            if not not_a_name(name) and name.lower() not in menu:
                if pattern is _NAME_FIRST and name.lower() in lexicon.choice_words():
                    continue  # "Medium Diavola and a beer for me": a size, not Medium
                return name.lower()
    alone = clause.strip()  # "Orla, the younger one, wants ham on hers": a known first name
    if re.fullmatch(NAME, alone) and gender_of(alone.lower()) is not None:
        return alone.lower()
    for found in _FOR_SOMEONE_LOWER.finditer(clause):  # "für die mandy" typed in lowercase
        name = found.group("p")
        if name not in NOT_NAMES and name not in menu and gender_of(name) is not None:
            return name
    return ME if _SELF.search(clause) else None


def people_in_the_cart(turn: Turn) -> set[str]:
    """Whom the cart's lines are for, one by one ("finn", "leo" of "finn+leo"), not ME."""
    lines = turn.session["cart"]["lines"]
    named = {member for line in lines for member in line.get("person", "").split(SHARED_BY)}
    return {member for member in named if member and member != ME}


def names_someone(turn: Turn, clause: str) -> bool:
    """Whether a clause orders for someone ("for my wife", "Tom nimmt …", "für mich")."""
    return person_named(turn, clause) is not None


def person_named(turn: Turn, clause: str) -> str | None:
    """Whom a clause orders for ("my colleague", "tom", `ME`), or None."""
    return _person_of(_unlabelled(clause), lexicon_for(turn.bot))


def note_people(turn: Turn, text: str) -> None:
    """Remember whom the message orders for and how many they are, and give this turn's new
    lines their person."""
    lexicon = lexicon_for(turn.bot)
    flags = turn.session["flags"]
    size = group_size(text)
    if size is not None:
        flags[GROUP] = size
    said: list[list[str]] = flags.get(PEOPLE) or []
    if lexicon.items(frozenset()).find_all(tokens(text)):  # naming no item, it orders for no one
        said += _ordered_for(text, lexicon, flags)
    now = turn.session["turns"]
    lines = [
        line
        for line in turn.session["cart"]["lines"]
        if "person" not in line and line.get("said") == now
    ]
    for line in lines:  # "Finn a medium Funghi, Leo a medium Funghi too": 2×, theirs
        found = [pair for pair in said if pair[0] == line["item"]][: line["quantity"]]
        if found:
            line["person"] = SHARED_BY.join(dict.fromkeys(pair[1] for pair in found))
            said[:] = [pair for pair in said if pair not in found]
    if said:
        flags[PEOPLE] = said[-_KEPT:]
    else:
        flags.pop(PEOPLE, None)


def _ordered_for(text: str, lexicon: Lexicon, flags: dict[str, Any]) -> list[list[str]]:
    """Each item the message orders for someone, with whom ([item, person]); the last person
    noted in the flags."""
    said: list[list[str]] = []
    joint = joint_people(text, lexicon.menu_words())
    before: list[str] = []  # the items of the clause before: "zwei Tonno — eine für mich …"
    named_here: list[str] = []
    label = None  # "For me, one large Prosciutto": the person of the clause before
    unclaimed: list[str] = []  # "a Diavola and a beer for me": the Diavola is mine too
    parts = CLAUSES.split(_unlabelled(text))
    for clause, joined in zip(parts[::2], [None, *parts[1::2]], strict=True):
        unclaimed = unclaimed if joined else []
        person = _person_of(clause, lexicon) or pronoun_person(clause, named_here)
        if person in joint and one_each(clause):
            person = joint[person]  # "für Jule und Sarah je eine", "für mich und Korbinian"
        named = ordered_in(clause, lexicon)
        items = named or (before[-1:] if _a_share(clause) else [])
        before = named or before
        person = ours(text, person, joint) or (label if items else None)  # "Für mich und …"
        named_here += [person] if person not in (None, ME) else []
        label = person if not items and is_label(clause) else None
        if person is None or not items:
            unclaimed += items
            continue
        flags[LAST_PERSON] = person
        mine = unclaimed if unclaimed and for_at_end(clause) else []
        said += [[item, person] for item in mine + items]
        unclaimed = []
    return said


_SHARE: Final = frozenset({"eine", "einen", "einer", "one"})
_SHARE_WORDS: Final = 6


def _a_share(clause: str) -> bool:
    """ "eine für Anna", "one for my grandmother": one of the item named just before."""
    words = tokens(clause)
    return 0 < len(words) <= _SHARE_WORDS and words[0] in _SHARE


_GONE: Final = frozenset(
    {
        *("weg", "raus", "streich", "streiche", "streichen", "fällt", "faellt", "fallen"),
        *("scrap", "drop", "remove", "cancel", "out", "bailed", "bail", "off", "scratch"),
    }
)
_THEIR: Final = frozenset({"seine", "seinen", "ihre", "ihren", "his", "her", "hers"})
_DRINK_WORDS: Final = frozenset({"getränk", "getraenk", "getränke", "getraenke", "drink", "drinks"})
_PIZZA_WORDS: Final = frozenset({"pizza", "pizzen", "pizzas"})


def edit_for_person(turn: Turn, text: str) -> str | None:
    """ "Jonas kommt doch nicht", "scrap Lisa's drink", "Tom doch lieber mittel": the change
    to that person's lines, said back; None when the message names no one who has lines."""
    lines = turn.session["cart"]["lines"]
    people = {line["person"] for line in lines if "person" in line}
    words = tokens(text)
    if not people:
        return _theirs_of_a_pair(turn, text, words)
    members = {member for person in people for member in person.split(SHARED_BY)}
    person = _named(words, members) or (ME if ME in members and said_mine(words) else None)
    if person is not None:
        turn.session["flags"][LAST_PERSON] = person  # "… Bernd muss los. Seine Diavola …"
    elif not _someone_else(turn, text, people):
        person = _their(turn, words, members)  # "seine Pizza": the one named last
    else:
        return _of_a_group(turn, text, words)  # "my son does not like olives" of the kids'

    if person is None:
        return None
    kept = copy_lines(lines)
    if person not in people:  # "Sarah will ihre doch ohne Oliven"
        change = _edit_theirs(turn, text, words, person) if one_of_theirs(turn, person) else None
        if change is None:
            lines[:] = kept
        give_back_unchanged(turn, kept, person)  # "der kriegt kein Bier": his Salami stays
    else:
        change = _edit_theirs(turn, text, words, person)
    return None if lines == kept else change  # "für eahm a große Salami, wia beim Xaver"


def _first_named(turn: Turn, text: str) -> str | None:
    """The first person but the speaker a clause of the message names."""
    clauses = CLAUSES.split(_unlabelled(text))[::2]
    said = (_person_of(clause, lexicon_for(turn.bot)) for clause in clauses)
    return next((who for who in said if who not in (None, ME)), None)


def _theirs_of_a_pair(turn: Turn, text: str, words: list[str]) -> str | None:
    """ "Two large Margheritas with mushrooms" — "my girlfriend wants hers with jalapeños as
    well — mine stays the same": her one of the two, with the extras said for it."""
    if _THEIR.isdisjoint(words) or not extras_named(turn, words):
        return None
    person = _first_named(turn, text)
    lines = turn.session["cart"]["lines"]
    kept = copy_lines(lines)
    if person is None or not one_of_a_pair(turn, person):
        return None
    theirs = [line for line in lines if line.get("person") == person]
    change = with_extras(turn, theirs, extras_named(turn, words))
    if change is None:
        lines[:] = kept
    return change


def _of_a_group(turn: Turn, text: str, words: list[str]) -> str | None:
    """The change for someone named who is one of a group's line ("my son" of "the kids"):
    their one split off and changed; nothing when that is not clear."""
    person = _first_named(turn, text)  # "Orla, the younger one, wants ham on hers"
    lines = turn.session["cart"]["lines"]
    kept = copy_lines(lines)
    named = {m.value for m in lexicon_for(turn.bot).items(frozenset()).find_all(words)}
    if person is None or joins_the_order(text) or not one_of_the_group(turn, person, named):
        return None
    turn.session["flags"][LAST_PERSON] = person
    change = _edit_theirs(turn, text, words, person)
    if change is None:
        lines[:] = kept
    return change


def _edit_theirs(turn: Turn, text: str, words: list[str], person: str) -> str | None:
    theirs = [line for line in turn.session["cart"]["lines"] if line.get("person") == person]
    swapped = swap_theirs(turn, words, theirs)  # "make hers a Margherita"
    if swapped:
        return swapped
    kind = _kind(turn, words, theirs)
    said = set(words)
    options = extras_named(turn, words)
    if _INSTEAD & said and refuses(words) and some_had(kind, options):
        return with_extras(turn, kind, options, swapping=True)  # "doch keine Jalapeños, sondern …"
    if options and _takes_off(text, words, kind, options):  # "meine Frau will doch keine
        # Pilze", "bei Timo die Jalapeños weg" (not his pizza), "hers without olives, medium"
        taken = (without_extras(turn, kind, options), _restyle(turn, words, kind))
        return ", ".join(change for change in taken if change) or None
    if not_coming(text) or _GONE & said or refuses_them(turn, words):
        if kind and _THEIR & said and all(line["quantity"] > 1 for line in kind):
            return ", ".join(one_of_shared(turn, line) for line in kind)  # "seine Cola" of 4
        if not kind:
            return one_of_the_shared(turn, words)
        changes = (_remove(turn, kind), one_of_the_shared(turn, words, owned=True))
        return ", ".join(change for change in changes if change) or None
    restyled = shared_instead(turn, words, kind, lambda: _restyle(turn, words, kind))
    restyled = restyled or _restyle(turn, words, kind)  # "the twins share a medium one"
    swapping = bool(REPLACING & set(words))  # "statt extra Käse lieber Zwiebeln auf seine"
    extended = with_extras(turn, kind, extras_named(turn, words), swapping)  # "Chloe adds olives"
    return ", ".join(change for change in (restyled, extended) if change) or None


def _takes_off(
    text: str, words: list[str], lines: list[CartLine], options: dict[str, set[str]]
) -> bool:
    """Whether the extras named are to come off the person's lines: refused, or said to go
    ("weg", "off") while the lines have them and the person stays; never when the message
    says to keep them ("his own should be medium, not large. Keep the onions and ham on it")."""
    if not STAYS.isdisjoint(words):
        return False
    if refuses(words):
        return _GONE.isdisjoint(words)
    named = set().union(*options.values())
    gone = not _GONE.isdisjoint(words) and named <= options_had(lines, options)
    return gone and not not_coming(text)


_OWNS: Final = ("mein", "meine", "meinen", "meiner", "meinem", "my")
_OWN: Final = re.compile(rf"^(?:{'|'.join(_OWNS)})\s+")


def _named(words: list[str], people: set[str]) -> str | None:
    """A person with lines, named in the message ("Tom", "Toms", "meine Frau"); of several,
    the one named first (the longer name where two start there: "meine frau" before "frau")."""
    said = f" {' '.join(words)} "
    found = {}
    for person in people - {ME}:
        name = " ".join(tokens(person))
        role = _OWN.sub("", name)  # "meine schwiegermutter" said "von meiner Schwiegermutter"
        declined = [said.find(f" {own} {role} ") for own in _OWNS] if role != name else []
        stem = said.find(f" {name[:-1]} ") if name[-1:] in ("m", "n") and len(name) > 3 else -1
        at = min(  # "Toms", and Bavarian "für mein Buam" said "der Bua"
            (
                i
                for i in (said.find(f" {name} "), said.find(f" {name}s "), stem, *declined)
                if i >= 0
            ),
            default=-1,
        )
        if at >= 0:
            found[person] = (at, -len(name), person)
    return min(found, key=found.__getitem__) if found else None  # the one named first


def names_a_newcomer(turn: Turn, text: str) -> bool:
    """Whether a message of a group's order names someone who has no line yet ("Kurt kommt
    auch noch, für ihn eine mittlere Tonno" when Schorsch has one): what it orders is theirs,
    not the order said again."""
    people = people_in_the_cart(turn)
    if not people:
        return False
    lexicon = lexicon_for(turn.bot)
    for clause in CLAUSES.split(_unlabelled(text))[::2]:
        person = _person_of(clause, lexicon)
        if person in people or person in (None, ME):
            continue
        if gender_of(person) or _ROLES.search(clause) or _FOR_SOMEONE.search(clause):
            return True  # a role, a known first name, "für …": not "Richtig so?"
        if _FOR_THEM.search(text):
            return True  # "Dave is joining us, so … for him"
    return False


_FOR_THEM: Final = re.compile(
    r"\b(?:für|fuer|for) (?:ihn|ihm|eahm|sie|him|her|them)\b", re.IGNORECASE
)


def _someone_else(turn: Turn, text: str, people: set[str]) -> bool:
    """Whether the message names a person without lines ("Jonas hat abgesagt, seine Pizza
    fällt weg" when Jonas's pizza is nobody's): then "seine" is not the person named last."""
    lexicon = lexicon_for(turn.bot)
    named = {_person_of(c, lexicon) for c in CLAUSES.split(_unlabelled(text))[::2]}
    return bool(named - people - {None, ME})


def _their(turn: Turn, words: list[str], people: set[str]) -> str | None:
    """The person named last, for "seine", "her" (never the speaker: "my wife and I …" —
    "no olives on hers" is not mine); the one person of the pronoun's gender when the one
    named last is not ("Mach ihre mittel, und bei ihm die Jalapeños weg" of Timo and Jenny)."""
    last = turn.session["flags"].get(LAST_PERSON)
    gender = pronoun_gender(words)
    named = last in people and last != ME and gender_of(str(last)) in (None, gender)
    if gender is not None and not named:
        alike = [person for person in people - {ME} if gender_of(person) == gender]
        return alike[0] if len(alike) == 1 else None
    return str(last) if _THEIR & set(words) and last in people and last != ME else None


def _kind(turn: Turn, words: list[str], theirs: list[CartLine]) -> list[CartLine]:
    """Of their lines, those the message means: a drink, the pizza, an item named, or all."""
    items = turn.bot.catalog.items
    named = {m.value for m in lexicon_for(turn.bot).items(frozenset()).find_all(words)}
    mine = [line for line in theirs if line["item"] in named]
    if mine and _PIZZA_WORDS & set(words):  # "seine Pizza und sein Bier": both
        return [line for line in theirs if line in mine or "pizza" in items[line["item"]].tags]
    if mine or (named and not (_DRINK_WORDS | _PIZZA_WORDS) & set(words)):
        return mine  # "seine Pizza fällt weg und eine Cola Zero auch": his pizza, not a cola
    if _DRINK_WORDS & set(words):
        return [line for line in theirs if "pizza" not in items[line["item"]].tags]
    if _PIZZA_WORDS & set(words):
        return [line for line in theirs if "pizza" in items[line["item"]].tags]
    return theirs


def _remove(turn: Turn, gone: list[CartLine]) -> str | None:
    if not gone:
        return None
    described = [describe_line(turn.bot, turn.lang, line) for line in gone]
    for line in gone:
        turn.session["cart"]["lines"].remove(line)
    word = "ohne" if turn.lang == "de" else "without"
    return ", ".join(f"{word} {text}" for text in described)


def _restyle(turn: Turn, words: list[str], lines: list[CartLine]) -> str | None:
    """A size (or another one-pick choice) named for the person: their lines that can have it
    get it."""
    lexicon, groups = lexicon_for(turn.bot), turn.bot.catalog.groups
    changes: dict[str, str] = {}
    for group in groups.values():
        found = [
            m
            for m in lexicon.choices(group).find_all(words)
            if not a_reason(words, m.start, m.end, False)  # "large is too much, … small"
        ]
        if found and not group.many:
            changes[group.id] = found[0].value
    changed = []
    for line in lines:
        options = turn.bot.catalog.items[line["item"]].options
        fitting = {g: v for g, v in changes.items() if g in options}
        if not fitting:
            continue
        before = describe_line(turn.bot, turn.lang, line)
        for group_id, value in fitting.items():
            line["options"][group_id] = [value]
        turn.cart.reprice(line)
        changed.append(f"{before} → {describe_line(turn.bot, turn.lang, line)}")
    return ", ".join(changed) or None
