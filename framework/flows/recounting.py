"""New counts in the customer's words: "nur eine Cola", "just one coke", "make the salami
two", "statt der drei Cola bitte nur zwei", and a count without an item ("3 of them, not 2",
"mach 2 draus", "sorry, kind wollte doch 3"), read by framework/flows/editing.py."""

from __future__ import annotations

import itertools
from typing import Final

from framework.flows.cart import describe_line
from framework.flows.edit_words import (
    ADDING,
    ARTICLES,
    CHANGING,
    CORRECTING,
    NOT,
    RECOUNTING,
    REPLACING,
    THAT,
)
from framework.flows.named_things import Thing, count_near, holds, line_with
from framework.flows.session import CartLine
from framework.flows.turn import Turn
from framework.flows.understanding.lexicon import lexicon_for
from framework.flows.understanding.matching import DEFINITE
from framework.flows.understanding.numbers import word_to_number

__all__ = ["recount", "recount_carried", "recount_in_all", "recount_unnamed", "says_a_new_count"]


def recount(turn: Turn, words: list[str], things: list[Thing]) -> str | None:
    items = [t for t in things if t.group is None]
    if not items:
        return None  # only items' lines are recounted
    if len(items) == len(things) and _doubling(words):
        return _doubled(turn, items)  # "twice as many beers", "die Fanta bitte doppelt"
    correcting = words[:1] and words[0] in CORRECTING and not ADDING & set(words)
    made = _made_into(words, things)  # "mach aus der einen Cola lieber drei": three
    made = made or (_instead_of(words, items[0]) if len(items) == 1 else None)
    made = made or (_times_after(words, items[0]) if len(items) == 1 else None)
    if not (RECOUNTING & set(words) or correcting or made or says_a_new_count(words, turn.lang)):
        return None
    said = made or _count_after_recounting(words)  # "statt der drei Cola bitte nur zwei": two
    nears = [count_near(words, thing) if len(items) > 1 else None for thing in items]
    if any(
        near and _right_before(words, thing, near) for thing, near in zip(items, nears, strict=True)
    ):
        said = None  # "the salami large and only two beers": the two are the beers' own
    counted = []
    for thing, near in zip(items, nears, strict=True):  # of several, each its own count
        line = line_with(turn, thing)  # ("only one Salami … three Cokes")
        count = near or said or count_near(words, _with_its_choices(thing, things, line))
        if count is not None and line is not None:
            counted.append((line, count))
    if len(items) == 1 < len(things) and all(line["quantity"] == n for line, n in counted):
        return None  # "make the Hawaii a medium": its size, not its count of one
    for line, count in counted:
        line["quantity"] = count  # the same count again changes nothing, adds nothing
    # "only 2 Funghi and 2 waters": each line
    return ", ".join(describe_line(turn.bot, turn.lang, line) for line, _ in counted) or None


def _with_its_choices(item: Thing, things: list[Thing], line: CartLine | None) -> Thing:
    """The item with the choices of its line said right before it ("mach drei mittlere
    Margherita draus" of two medium ones): its count stands before them. Not a choice the line
    lacks ("drei große" of medium ones changes more than the count)."""
    start = item.start
    for thing in sorted(things, key=lambda t: -t.end):
        if thing.group is not None and thing.end == start and line and holds(line, thing):
            start = thing.start
    return Thing(item.value, item.group, start, item.end)


_TIMES_WORDS: Final = frozenset({"twice"})  # as word_to_number reads it


def _times_after(words: list[str], item: Thing) -> int | None:
    """ "die kleine Margherita bitte zweimal", "the Funghi twice": the line named with its
    article and then a count of times is that many, not that many more ("noch zweimal")."""
    if DEFINITE.isdisjoint(words[max(0, item.start - 3) : item.start]) or ADDING & set(words):
        return None
    after = words[item.end : item.end + 3]
    times = (w for w in after if (w.endswith("mal") and len(w) > 3) or w in _TIMES_WORDS)
    count = word_to_number(next(times, ""))
    return count if count is not None and 0 < count <= 99 else None


_DOUBLE: Final = frozenset(
    {"double", "doppelt", "doppelte", "verdoppeln", "verdopple", "verdoppelt"}
)


def _doubling(words: list[str]) -> bool:
    """ "twice as many beers", "double the Cokes", "die Fanta doppelt" (not "doppelt Käse",
    an extra: the caller names only items)."""
    return bool(_DOUBLE & set(words)) or "twice as many" in " ".join(words)


def _doubled(turn: Turn, items: list[Thing]) -> str | None:
    changed = []
    for thing in items:
        line = line_with(turn, thing)
        if line is not None:
            line["quantity"] *= 2
            changed.append(describe_line(turn.bot, turn.lang, line))
    return ", ".join(changed) or None


def _count_after_recounting(words: list[str]) -> int | None:
    """The count right after "nur", "make" …, or after "make that"/"make it" ("make that three
    medium Margheritas with olives": three, however many words describe the item); not after
    a "nur" denied ("zwei mittlere Funghi, nicht nur eine": the old count)."""
    after = [
        at + 2 if words[at + 1] in THAT else at + 1
        for at in range(len(words) - 1)
        if words[at] in RECOUNTING and not (at and words[at - 1] in _NOT_ONLY)
    ]
    counts = [word_to_number(words[at]) for at in after if at < len(words)]
    return next((n for n in counts if n is not None and 0 < n <= 99), None)


_NOT_ONLY: Final = frozenset({"nicht", "not"})


def _right_before(words: list[str], thing: Thing, count: int) -> bool:
    """Whether the count stands right before the item, after a word of recounting ("only two
    beers"): the count of that item alone."""
    at = thing.start - 1
    return at >= 1 and word_to_number(words[at]) == count and words[at - 1] in RECOUNTING


_SO: Final = frozenset({"so", "therefore", "deshalb", "daher", "darum"})


def recount_in_all(turn: Turn, words: list[str], things: list[Thing]) -> str | None:
    """ "noch ein Bier. Also 4", "one more beer, so 4 in total", "another coke, that makes
    three": one more of a line and the count the customer says it comes to — that count is
    the line's, whatever the cart held (one more on top of it would be a count nobody said)."""
    items = [t for t in things if t.group is None]
    if len(items) != 1 or len(things) != 1 or not _ONE_MORE & set(words[: items[0].start]):
        return None
    total = _total_after(words[items[0].end :])
    line = line_with(turn, items[0])
    if total is None or line is None or line["quantity"] == total:
        return None
    before = describe_line(turn.bot, turn.lang, line)
    line["quantity"] = total
    return f"{before} → {describe_line(turn.bot, turn.lang, line)}"


_IN_ALL = frozenset({"so", "also", "macht", "makes", "sind", "insgesamt", "zusammen"})
_IN_ALL |= {"total", "altogether", "gesamt"}
_ONE_MORE: Final = (ADDING - _IN_ALL - {"auch", "mehr"}) | {"nochn", "nocheinmal"}
"""The words of adding that say one more of it ("noch ein Bier", "another Fanta"); German
"also" sums up here."""


def _total_after(words: list[str]) -> int | None:
    """The one number after a word that sums up ("also 4", "that makes three", "4 in total"),
    with nothing else counted there."""
    numbers = [(at, n) for at, w in enumerate(words) if (n := word_to_number(w)) is not None]
    if len(numbers) != 1 or not _IN_ALL & set(words):
        return None
    at, number = numbers[0]
    summed = _IN_ALL & set(words[max(0, at - 3) : at + 3])
    return number if summed and 0 < number <= 99 else None


def _so_many(words: list[str], lang: str) -> bool:
    """ "Raj doesn't drink, so seven beers and a Cola Zero", "wir sind zu fünft, also fünf
    Bier": a count that follows from what was said before it is the item's new count, not
    more of it (German "also" is "so"; English "also" adds), unless words of adding follow
    ("so two more": more; "die Kumpels kommen noch, also vier Bier": four)."""
    so, adding = (_SO | _GERMAN_SO, ADDING - _GERMAN_SO) if lang == "de" else (_SO, ADDING)
    return any(
        word in so and _a_count(after) and not adding & set(words[at:])
        for at, (word, after) in enumerate(itertools.pairwise(words[1:]), start=1)
    )


def _a_count(word: str) -> bool:
    """A count that follows from a reason: a number, not the article "a", "eine" ("mein
    Bruder kommt noch, also eine große Salami und ein Bier" lists his order)."""
    number = word_to_number(word)
    return number is not None and (number > 1 or word.isdigit())


_GERMAN_SO: Final = frozenset({"also"})


def says_a_new_count(words: list[str], lang: str) -> bool:
    """Whether the words give an item its new count by what they say around it ("so five
    beers", "also fünf Bier", "sechs Bier statt fünf"), not by a word of recounting."""
    return _so_many(words, lang) or _not_so_many(words) or _so_many_then(words) or _enough(words)


_ENOUGH: Final = frozenset(
    {"reicht", "reichen", "genuegt", "genuegen", "langt", "langen", "enough", "plenty"}
)


def _enough(words: list[str]) -> bool:
    """ "zwei Bier reichen", "two beers are enough", "one beer's plenty", "two will do": that
    many, not more."""
    said = " ".join(words)
    counted = any(word_to_number(word) is not None for word in words)
    return counted and (bool(_ENOUGH & set(words)) or " will do" in f" {said}")


def _so_many_then(words: list[str]) -> bool:
    """ "… — Sam has to work late. And four Fantas then.": a count drawn from what was said,
    the item's new count (not with words of adding: "two more then")."""
    return (
        len(words) > 2
        and words[-1] == "then"
        and any(word_to_number(word) is not None for word in words[:-1])
        and not ADDING & set(words)
    )


def _not_so_many(words: list[str]) -> bool:
    """ "So two salami, not three", "zwei Cola, nicht drei", "sechs Bier statt fünf", "six
    beers instead of five": the count said first is the new one, the one after "not" (or
    "instead of" with nothing named after it) the old."""
    for index, word in enumerate(words):
        at = index + 2 if words[index + 1 : index + 2] in (["of"], ["than"]) else index + 1
        if at >= len(words) or word_to_number(words[at]) is None:
            continue
        if not any(word_to_number(before) is not None for before in words[:index]):
            continue
        if word in NOT or (word in REPLACING and set(words[at + 1 :]) <= _CLOSING):
            return True
    return False


_CLOSING = frozenset({"bitte", "please", "pls", "then", "dann", "danke", "thanks"})
_CLOSING |= {"sonst", "alles", "gleich", "rest", "otherwise", "everything", "else", "same", "the"}
"""Words that may close "sechs Bier statt fünf, bitte" after the old count ("3x Cola Zero
statt 2x, sonst alles gleich")."""


_OUT_OF: Final = frozenset({"aus", "make", "mach", "mache", "macht", "machen"})


def _made_into(words: list[str], things: list[Thing]) -> int | None:
    """The count one item is made into, said after it ("mach aus der einen Cola lieber drei",
    "make the one coke three", "macht aus der einen kleinen Margherita zwei"): a word of
    making before the item, one number after it and nothing else named after it; None
    otherwise."""
    items = [t for t in things if t.group is None]
    if len(items) != 1 or not _OUT_OF & set(words[: items[0].start]):
        return None
    if any(t.start > items[0].start for t in things if t.group is not None):
        return None  # "… zwei, eine mit Oliven": more than its count
    said, before = words[items[0].end :], words[: min(t.start for t in things)]
    if _new_count_before(before):
        return None  # "mach drei Diavola draus, der Uwe will auch eine": the count before it
    if (NOT | REPLACING) & set(said):
        return None  # "make it two Fantas, not three": three is the old count
    after = [n for w in said if (n := word_to_number(w)) is not None]
    near = [n for w in said[:_NEAR] if (n := word_to_number(w)) is not None]
    if len(after) > 1 and near:  # "… aus der einen Cola mal drei, der Kollege trinkt auch eine"
        after = near[:1]
    return after[0] if len(after) == 1 and 0 < after[0] <= 99 else None


_NEAR: Final = 3
"""Words after the item in which the count it is made into stands ("mal drei", "doch lieber
drei"); a number further on belongs to the reason that follows."""


def _new_count_before(before: list[str]) -> bool:
    """A count right before the item that is not its old one ("mach drei Diavola draus",
    "make that three Salamis"; not "aus der einen Cola", "the one coke")."""
    if not before or word_to_number(before[-1]) is None:
        return False
    return len(before) < 2 or before[-2] not in ARTICLES | {"aus", "einen", "one"}


def _instead_of(words: list[str], item: Thing) -> int | None:
    """The count said before "statt" and the old count right before the item ("drei statt
    zwei Cola", "three instead of two cokes"): the first."""
    before = words[max(0, item.start - 5) : item.start]
    for at in range(len(before) - 2):
        new, old = word_to_number(before[at]), word_to_number(before[-1])
        between = before[at + 1 : -1]
        if new and old and between and between[0] in REPLACING | NOT and 0 < new <= 99:
            return new if set(between[1:]) <= {"of", "der", "den", "die"} else None
    return None


_SECOND: Final = frozenset({"doch", "lieber", "actually", "rather"})
"""With a lone number and one line in the cart: its new count ("sorry, kind wollte doch 3")."""


_ARTICLE_ONLY: Final = frozenset({"a", "an"})
"""An article that counts nothing when no item is named: "Make it a pickup instead"."""
_NO_COUNT_AFTER: Final = [
    [w] for w in ("more", "mehr", "thing", "sache", "frage", "question", "uhr")
]
"""After a number that counts no pizza: "actually, one more thing", "doch lieber 2 Uhr"."""


def _one_line_asked(turn: Turn) -> bool:
    """One line in the cart, and the order is what is asked about (not the address: "I'm on
    your street actually, number 3")."""
    frame = turn.frame
    ordering = frame is not None and frame["flow"] == turn.ordering_flow()
    return ordering and len(turn.session["cart"]["lines"]) == 1


_BEFORE_PRONOUN: Final = frozenset(
    {"the", "this", "that", "my", "your", "his", "her", "our", "older", "younger", "little"}
    | {"big", "small", "other", "another", "each", "every", "which", "no", "die", "der", "meine"}
)


def _a_pronoun(words: list[str], index: int) -> bool:
    """ "my older one", "die eine": "one" that stands for someone or something, no count."""
    return (
        words[index] in ("one", "eine", "einer")
        and index > 0
        and (words[index - 1] in _BEFORE_PRONOUN)
    )


def _of_those(words: list[str], at: int) -> bool:
    """ "two of those", "zwei davon", "zwei Stück" with no item named: that many of the last
    line."""
    after = words[at + 1 : at + 3]
    return after[:1] in (["davon"], ["stueck"]) or (
        after[:1] == ["of"] and after[1:] in (["those"], ["them"])
    )


def recount_unnamed(turn: Turn, words: list[str]) -> str | None:
    """A new count without an item: "3 of them, not 2", "drei statt zwei" (the one line with
    the old count gets the new one; none or several: no edit), "mach 2 draus", "make it two"
    (the line ordered last)."""
    numbers = [
        (i, n)
        for i, w in enumerate(words)
        if (n := word_to_number(w))
        and 0 < n <= 99
        and not _a_pronoun(words, i)
        and w not in _ARTICLE_ONLY
        and words[i + 1 : i + 2] not in _NO_COUNT_AFTER
    ]
    lines = turn.session["cart"]["lines"]
    pointed = CHANGING & set(words) and THAT & set(words)
    of_those = len(numbers) == 1 and _of_those(words, numbers[0][0])  # "he wants two of those"
    if len(numbers) == 1 and (
        pointed or of_those or (_SECOND & set(words) and _one_line_asked(turn))
    ):
        last = max(lines, key=lambda line: line["id"])  # "mach 2 draus", "kind wollte doch 3"
        if last["quantity"] == numbers[0][1]:
            return None
        before = describe_line(turn.bot, turn.lang, last)
        last["quantity"] = numbers[0][1]
        return f"{before} → {describe_line(turn.bot, turn.lang, last)}"
    if len(numbers) == 1 and _DRINKS & set(words) and _ONLY & set(words):
        return _drinks_only(turn, numbers[0][1])  # "mein Mann trinkt nur eins"
    if len(numbers) != 2 or not (NOT | REPLACING) & set(words):
        return None
    (first_at, first), (second_at, second) = numbers
    pivot = next(i for i, w in enumerate(words) if w in NOT | REPLACING)
    new, old = (first, second) if first_at < pivot < second_at else (second, first)
    lines = [line for line in turn.session["cart"]["lines"] if line["quantity"] == old]
    if len(lines) != 1 or new == old:
        return None
    before = describe_line(turn.bot, turn.lang, lines[0])
    lines[0]["quantity"] = new
    return f"{before} → {describe_line(turn.bot, turn.lang, lines[0])}"


_DRINKS: Final = frozenset({"trinkt", "trinke", "trinken", "drinks", "drink", "drinking"})
_ONLY: Final = frozenset({"nur", "only", "just", "bloss"})
_DRINK_KIND: Final = ["getraenk", "drink"]


def _drinks_only(turn: Turn, count: int) -> str | None:
    """ "Und mein Mann trinkt nur eins, er fährt noch": the one drink line of more than that
    gets the count; none or several: no edit."""
    tags = {kind.value for kind in lexicon_for(turn.bot).kinds_found(_DRINK_KIND)}
    items = turn.bot.catalog.items
    lines = [
        line
        for line in turn.session["cart"]["lines"]
        if tags & items[line["item"]].tags and line["quantity"] > count
    ]
    if len(lines) != 1:
        return None
    before = describe_line(turn.bot, turn.lang, lines[0])
    lines[0]["quantity"] = count
    return f"{before} → {describe_line(turn.bot, turn.lang, lines[0])}"


_AND_THEN: Final = frozenset({"and", "und", "plus", "also", "then", "dann"})


def recount_carried(
    turn: Turn, words: list[str], things: list[Thing], before: list[str]
) -> str | None:
    """ "Make that three Funghis. And three Cokes so.": a sentence of "and", a count of two or
    more and items of the cart only, after a sentence that recounted, is a new count too (not
    more of them, and never nothing)."""
    items = [t for t in things if t.group is None]
    if not items or len(items) != len(things) or not words or words[0] not in _AND_THEN:
        return None
    if not (RECOUNTING & set(before) or (before[:1] and before[0] in CORRECTING)):
        return None
    counts = [count_near(words, thing) or 0 for thing in items]
    lines = [line_with(turn, thing) for thing in items]
    if min(counts) < 2 or None in lines:
        return None
    changed = []
    for count, line in zip(counts, lines, strict=True):
        if line is not None:
            line["quantity"] = count
            changed.append(describe_line(turn.bot, turn.lang, line))
    return ", ".join(changed)
