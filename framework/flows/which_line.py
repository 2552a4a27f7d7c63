"""Which line a change is about, when the message does not name it: "actually make it large"
after two pizzas of one message, "mach die große doch lieber mittel" with two large ones — the
bot asks which (never guesses), and the next message may say it ("both of them", "the
Prosciutto"); with one such line, that line."""

from __future__ import annotations

import re
from typing import Final

from framework.flows.cart import describe_line
from framework.flows.edit_words import ARTICLES, CHANGING, RATHER, REMOVING, THAT
from framework.flows.named_things import Thing, many_choice_groups, named_things
from framework.flows.session import CartLine
from framework.flows.turn import Turn
from framework.flows.understanding.combining import EVERY
from framework.flows.understanding.lexicon import lexicon_for
from framework.flows.understanding.matching import DEFINITE
from framework.flows.understanding.negation import negated, rejects
from framework.flows.understanding.normalize import tokens
from framework.flows.understanding.segments import SENTENCE_END

__all__ = [
    "WHICH_LINE",
    "ask_which_of",
    "ask_whose",
    "asks_which_fewer",
    "asks_which_of_choice",
    "asks_which_of_kind",
    "asks_which_one",
    "last_said_taking",
    "one_of_them",
    "the_one_of_choice",
    "which_one_answered",
]


_ONE_OF_THEM: Final = (
    ("one", "of", "them"),
    ("one", "of", "those"),
    ("one", "of", "these"),
    ("one", "of", "the", "two"),
    ("eine", "davon"),
    ("einer", "davon"),
    ("einen", "davon"),
    ("eine", "von", "beiden"),
    ("einer", "von", "beiden"),
    ("die", "eine"),
    ("der", "einen"),
    ("bei", "einer"),
    ("auf", "einer"),
    ("on", "one"),
)
"""Words that point at one of several lines without saying which ("put olives on one of
them", "mach auf die eine noch Käse"); the answer to "which?" takes their place."""


_BY_FIRST: dict[str, list[tuple[str, ...]]] = {}
for _pointer in _ONE_OF_THEM:
    _BY_FIRST.setdefault(_pointer[0], []).append(_pointer)


def one_of_them(words: list[str]) -> tuple[int, int] | None:
    """Where the words point at one of several lines: (start, end), or None (the first
    pointer of the list wins where several stand: "one of them" before "on one")."""
    found = [
        (_ONE_OF_THEM.index(pointer), start, start + len(pointer))
        for start, word in enumerate(words)
        for pointer in _BY_FIRST.get(word, ())
        if tuple(words[start : start + len(pointer)]) == pointer
    ]
    return min(found)[1:] if found else None


def asks_which_one(turn: Turn, words: list[str], things: list[Thing]) -> bool:
    """ "Actually make it large" after "a Prosciutto small and a Capricciosa small", "put
    olives on one of them" after two pizzas: two lines of the last message could be meant, so
    the bot asks which (True) instead of guessing."""
    if not things or any(t.group is None for t in things) or EVERY & set(words):
        return False  # an item named says which line ("make that 2 beers, not 4"), "both" all
    before = set(words[: things[0].start])
    pointing = len(things) == 1 and CHANGING & before and THAT & before
    if not pointing and one_of_them(words) is None:
        return False
    candidates = _could_be_meant(turn, words, things, last_said_taking(turn, str(things[0].group)))
    if len(candidates) < 2:
        return False
    _ask_which(turn, words, candidates)
    return True


_FEWER: Final = frozenset({"weniger", "fewer", "less"})
_OF_THOSE: Final = frozenset({"davon", "them", "those", "these"})


def asks_which_fewer(turn: Turn, words: list[str], things: list[Thing]) -> bool:
    """ "Ach, eins davon weniger" after "zwei Margherita und zwei Cola Zero": either could
    be meant, so the bot asks which (True) instead of taking one off the last."""
    if things or not (_FEWER & set(words) and _OF_THOSE & set(words)):
        return False
    lines = turn.session["cart"]["lines"]
    newest = max(lines, key=lambda line: line["id"])
    several = [
        line for line in lines if line.get("said") == newest.get("said") and line["quantity"] > 1
    ]
    if len(several) < 2:
        return False
    _ask_which(turn, words, several)
    return True


def asks_which_of_kind(turn: Turn, words: list[str], things: list[Thing]) -> bool:
    """ "Take the drink off" with a Coke and a water in the order: which drink? (True) — not
    every drink, nor a guess; "the drinks" are all of them (removing_kinds.py)."""
    if things or not REMOVING & set(words):
        return False
    lexicon, items = lexicon_for(turn.bot), turn.bot.catalog.items
    for kind in lexicon.kinds_found(words):
        the = kind.start > 0 and words[kind.start - 1] in DEFINITE
        if not the or not _singular(words[kind.start], lexicon.kind_words):
            continue
        lines = [
            line for line in turn.session["cart"]["lines"] if kind.value in items[line["item"]].tags
        ]
        if len(lines) > 1:
            _ask_which(turn, words, lines)
            return True
    return False


def _singular(word: str, kinds: frozenset[str]) -> bool:
    """Whether a kind word is the singular ("drink", "Getränk", "Pizza"; not "drinks",
    "Getränke", "Pizzen")."""
    stems = (word[:-1] if word[-1:] in "se" else "", word[:-2] + "a" if word.endswith("en") else "")
    return not any(stem in kinds for stem in stems if stem)


def _could_be_meant(
    turn: Turn, words: list[str], things: list[Thing], lines: list[CartLine]
) -> list[CartLine]:
    """The lines an extra's change can be about: those that have it when it goes ("bei der
    einen doch keine Jalapeños" — only one has them: that one), those without it when it
    comes; for a single choice (a size), all of them."""
    group = str(things[0].group)
    if group not in many_choice_groups(turn.bot):
        return lines
    wanted = {t.value for t in things}
    going = bool(REMOVING & set(words)) or any(negated(words, t.start) for t in things)
    return [line for line in lines if going == bool(wanted & set(line["options"].get(group, [])))]


def _ask_which(turn: Turn, words: list[str], lines: list[CartLine]) -> None:
    ask_which_of(turn, words, [describe_line(turn.bot, turn.lang, line) for line in lines])
    turn.reask()


def ask_which_of(turn: Turn, words: list[str], named: list[str]) -> None:
    """Ask which of the things named the change (`words`) is about; the next message may
    say it."""
    turn.say_named("which_line", lines=", ".join(named))
    _remember_change(turn, words)


def ask_whose(turn: Turn, words: list[str], people: list[str]) -> None:
    """Ask whose lines the change (`words`) is about; the next message may say it."""
    turn.say_named("whose_line", people=", ".join(people))
    _remember_change(turn, words, whose=True)


def _remember_change(turn: Turn, words: list[str], *, whose: bool = False) -> None:
    asked = {"change": " ".join(words), "turn": turn.session["turns"]}
    turn.session["flags"][WHICH_LINE] = {**asked, "whose": True} if whose else asked


_SHOULD: Final = frozenset({"soll", "sollte", "should", "muss", "must", "bitte", "please", "doch"})
"""A change said as a wish without its verb: "die große soll klein", "the large one should be
small", "die große bitte doch klein"."""


def _choice_pointed_at(
    turn: Turn, words: list[str], things: list[Thing]
) -> tuple[Thing, list[CartLine]] | None:
    """ "mach die große doch lieber mittel", "make the large one medium": no item named, a
    choice after "the" points at the lines that have it, and another of its group is wanted
    instead; (the new choice, those lines), or None."""
    if len(things) > 2 and rejects(words[things[1].end :]):
        things = things[:2]  # "die große soll klein — die schafft nie im Leben eine große"
    if len(things) != 2 or any(t.group is None for t in things):
        return None
    old, new = things
    if old.group != new.group or old.group in many_choice_groups(turn.bot):
        return None
    if (
        old.start == 0
        or words[old.start - 1] not in ARTICLES
        or not (CHANGING | RATHER | _SHOULD) & set(words)
    ):
        return None
    lines = turn.session["cart"]["lines"]
    return new, [line for line in lines if line["options"].get(str(old.group)) == [old.value]]


def the_one_of_choice(turn: Turn, words: list[str], things: list[Thing]) -> str | None:
    pointed = _choice_pointed_at(turn, words, things)
    if pointed is None or len(pointed[1]) != 1:
        return None
    new, (line,) = pointed
    before = describe_line(turn.bot, turn.lang, line)
    line["options"][str(new.group)] = [new.value]
    turn.cart.reprice(line)
    return f"{before} → {describe_line(turn.bot, turn.lang, line)}"


def asks_which_of_choice(turn: Turn, words: list[str], things: list[Thing]) -> bool:
    """ "Mach die große doch lieber mittel" with two large pizzas: the bot asks which."""
    pointed = _choice_pointed_at(turn, words, things)
    if pointed is None or len(pointed[1]) < 2:
        return False
    _ask_which(turn, words, pointed[1])
    return True


WHICH_LINE: Final = "which_line"
"""A session flag: the change whose line the bot asked about ("make it large" — which one?),
and the turn it asked in; the next message may say which ("both of them", "the Prosciutto")."""
_SHORT_ANSWER: Final = 6
_SENTENCE: Final = re.compile(SENTENCE_END, re.IGNORECASE)


def which_one_answered(turn: Turn, text: str) -> str:
    """The message with the change it answers, when it answers "which one?" right after the
    question ("both of them" → "make it large both of them"); else the message."""
    asked = turn.session["flags"].pop(WHICH_LINE, None)
    if asked is None or asked["turn"] != turn.session["turns"] - 1:
        return text
    words = tokens(text)
    first = _SENTENCE.split(text)[0].strip(" .!?")  # "Marie. Anna bleibt ohne.": Marie
    if asked.get("whose") and len(tokens(first)) <= _SHORT_ANSWER:
        return f"{first} {asked['change']}"  # "Für wen genau?" — "Marie": Marie's
    names_a_line = EVERY & set(words) or any(t.group is None for t in named_things(turn.bot, words))
    if not names_a_line or len(words) > _SHORT_ANSWER:
        return text
    change = asked["change"].split()
    pointer = one_of_them(change)
    if pointer is None:
        return f"{asked['change']} {text}"
    start, end = pointer  # "mach auf die eine noch Käse" — "die Salami": on the Salami
    return " ".join([*change[:start], *words, *change[end:]])


def last_said_taking(turn: Turn, group: str) -> list[CartLine]:
    """The lines of the message that ordered last which take a choice of the group."""
    lines = turn.session["cart"]["lines"]
    newest = max(lines, key=lambda line: line["id"])
    items = turn.bot.catalog.items
    return [
        line
        for line in lines
        if line.get("said") == newest.get("said") and group in items[line["item"]].options
    ]
