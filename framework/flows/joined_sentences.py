"""Sentences that say one change, read as one: one that ends with "not" and an item, and the
next one that names what comes instead ("nicht Cola. Zwei Wasser, bitte.", "Ah non, pardon —
not Colas. Two Cola Zero"); one that ends with "not" and an extra, and the next one that says
"rather" ("sorry – nicht Pilze. Lieber Zwiebeln auf die Prosciutto."); one that takes a thing
off, and the next one that begins with "rather" ("die Jalapeños wieder runter, die Diavola ist
scharf genug. Lieber Schinken drauf."); a change, and the next one that only says which line
("he wants his large after all. The plain one."); one that refuses an item, and the next one
that says what becomes of it ("She does not want Fanta. Please change one of the Fantas to a
water."). What is said after "not X" only to say why ("… nicht, meine Kollegin mag keinen
Fisch.") is set aside, so that what comes instead joins the "not"."""

from __future__ import annotations

from typing import Final

from framework.flows.edit_words import ARTICLES, RATHER, REMOVING
from framework.flows.named_things import many_choice_groups, named_things
from framework.flows.turn import Turn
from framework.flows.understanding.matching import DEFINITE
from framework.flows.understanding.negation import PLAIN_NOT
from framework.flows.understanding.normalize import tokens
from framework.flows.understanding.numbers import word_to_number
from framework.flows.understanding.refused import refused
from framework.flows.understanding.segments import WITH_OR_WITHOUT

__all__ = ["one_change_joined"]


def one_change_joined(turn: Turn, sentences: list[str]) -> list[str]:
    """The sentences, each joined to the one before when the two say one change."""
    joined: list[str] = []
    reasons: list[str] = []  # after "not X.", what names nothing ("In the hotel they give fish
    # every morning."), set aside so that "Instead please one medium Quattro Formaggi." joins it
    for sentence in sentences:
        words = tokens(sentence)
        said_not = bool(joined) and _ends_said_not(turn, tokens(joined[-1]))
        if said_not and _only_why(turn, words):
            reasons.append(sentence)
            continue
        if joined and (
            said_not
            or (_ends_said_not(turn, tokens(joined[-1]), extra=True) and _rather_in(sentence))
            or (_takes_off(turn, tokens(joined[-1])) and _rather_first(words))
            or _points_at_a_line(words)
            or _refused_then_edited(turn, tokens(joined[-1]), words)
        ):
            joined[-1] = f"{joined[-1]}, {sentence}"
        else:
            said, why = _said_and_why(turn, sentence)
            joined.append(said)
            reasons += why
    return [*joined, *reasons]


def _said_and_why(turn: Turn, sentence: str) -> tuple[str, list[str]]:
    """A sentence that says "not" of an item, without the clauses after it that only say why
    ("die Tonno nicht, meine Kollegin mag keinen Fisch": the reason set aside)."""
    clauses = sentence.split(",")
    for at in range(1, len(clauses)):
        head, rest = ",".join(clauses[:at]), clauses[at:]
        if _ends_said_not(turn, tokens(head)):
            if all(_only_why(turn, tokens(clause)) for clause in rest):
                return head, rest
            break
    return sentence, []


def _only_why(turn: Turn, words: list[str]) -> bool:
    """A sentence that names nothing of the menu and no count ("a" aside): said why, no
    change ("She had a big lunch.")."""
    return not any(named_things(turn.bot, words)) and all(
        word_to_number(word) in (None, 1) for word in words
    )


def _ends_said_not(turn: Turn, words: list[str], extra: bool = False) -> bool:
    """Whether the sentence names one thing, an item (or an extra), last, with "nicht"/"not"
    before it, or one item with "nicht" right after it ("die Tonno (doch) nicht, meine Kollegin
    mag keinen Fisch", Low German "de Tonno nich")."""
    things = list(named_things(turn.bot, words))
    if len(things) == 1 and things[0].group is None:
        after = [w for w in words[things[0].end : things[0].end + 2] if w != "doch"]
        if after[:1] and after[0] in PLAIN_NOT - {"not"}:
            return True
    if len(things) != 1 or things[0].end != len(words):
        return False
    if things[0].group is not None and not (
        extra and things[0].group in many_choice_groups(turn.bot)
    ):
        return False
    before = [
        w for w in words[: things[0].start] if w not in ARTICLES and word_to_number(w) is None
    ]  # "nicht zwei Fanta. Eine Fanta und eine Cola Zero."
    return bool(before) and before[-1] in PLAIN_NOT


def _takes_off(turn: Turn, words: list[str]) -> bool:
    """Whether the sentence takes a thing off ("die Jalapeños mach wieder runter")."""
    return any(
        not REMOVING.isdisjoint(words[thing.end : thing.end + 3])
        for thing in named_things(turn.bot, words)
    )


def _rather_first(words: list[str]) -> bool:
    """ "Lieber Schinken drauf.", "Rather ham.", "Instead olives, please."."""
    return bool(words) and words[0] in _RATHER_FIRST


_RATHER_FIRST: Final = RATHER | {"stattdessen", "instead"}


def _rather_in(sentence: str) -> bool:
    """ "Lieber Zwiebeln auf die Prosciutto.", "Onions on it instead.", "Change the mushrooms
    for onions on the Prosciutto." (after "not mushrooms.")."""
    return not (_RATHER_FIRST | _SWAPPING).isdisjoint(tokens(sentence))


_SWAPPING: Final = frozenset(
    {"change", "swap", "switch", "replace", "tausch", "tausche", "tauscht", "ersetz", "ersetze"}
)


def _refused_then_edited(turn: Turn, before: list[str], words: list[str]) -> bool:
    """ "She does not want Fanta. Please change one of the Fantas to a water.", "er will doch
    kein Hawaii. Macht eine große Prosciutto draus.": the item one sentence refuses, and the
    next that says what becomes of it (of one of them, or of it)."""
    said = list(named_things(turn.bot, before))
    if len(said) != 1 or said[0].group is not None or not refused(before, said[0].start):
        return False
    named = [thing.value for thing in named_things(turn.bot, words)]
    return said[0].value in named or (bool(named) and not _OUT_OF_IT.isdisjoint(words))


_OUT_OF_IT: Final = frozenset({"draus", "daraus"})


def _points_at_a_line(words: list[str]) -> bool:
    """ "The plain one.", "the one with mushrooms", "die ohne Extras": which line the change
    before is about, nothing more."""
    if not 1 < len(words) <= _POINTER_WORDS or words[0] not in DEFINITE:
        return False
    return words[-1] in _ONE or words[1] in _ONE or words[1] in WITH_OR_WITHOUT


_POINTER_WORDS: Final = 5
_ONE: Final = frozenset({"one", "ones"})
