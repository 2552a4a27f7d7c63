"""Several pizzas of one kind told apart at the question about their options: "2 Margherita
groß" and then, asked for extras, "eine mit Oliven, eine ohne", "one with olives, one with
onions", "zwei mit Käse, die andere ohne". Each part becomes a line of its own with its count,
the item and what was already said for all of them (the size); none is lost. A count of some
of them alone ("two of them with extra ham" of four) leaves the others without extras, as a
waiter would take it: they stay a line of their own. And the count of
the round kept when its item is named again without a number ("Margheritas ohne")."""

from __future__ import annotations

import re
from typing import Any, Final

from framework.flows.regrouping import regroup
from framework.flows.session import Frame, move_on
from framework.flows.turn import Turn
from framework.flows.understanding.extract import Mention
from framework.flows.understanding.lexicon import lexicon_for
from framework.flows.understanding.normalize import normalize
from framework.flows.understanding.numbers import says_a_number, word_to_number
from framework.flows.understanding.segments import segments

__all__ = ["keep_the_count", "share_out"]

_SENTENCES: Final = re.compile(r"(?<=[.!?])\s+")
_OPENING: Final = re.compile(
    r"^(?:(?:also|so|ok(?:ay)?|dann|then|well|ähm?|äh|um|uh|hang on|wait|oh|ach|moment|warte"
    r"|and|und)\b[,\s]*)+",
    re.I,
)
"""Words that open the telling apart: "Also zwei mit Käse, eine ohne", "hang on, …"."""
_THEIRS: Final = re.compile(
    r"^(?P<who>[\w\s']*?\s)?(?:hers|his|mine|ihre|seine|meine|ihrs|seins|meins)\b\s*(?P<said>.*)$",
    re.IGNORECASE,
)
"""A part that speaks of one person's pizza: "my daughter says hers with extra ham", "meine
Tochter will ihre mit Schinken": one of them."""
_COUNT_WORDS: Final = r"(?:\d{1,2}|eine[nrs]?|eins|ein|one|zwei|two|drei|three|vier|four)"

_PARTS: Final = re.compile(r"\s*(?:[,;]|\b(?:und|and|n|an|&)\b|\+)\s*", re.IGNORECASE)
_UNMARKED: Final = re.compile(
    rf"\s+(?={_COUNT_WORDS}\s|die anderen?\b|the others?\b)", re.IGNORECASE
)
_COUNTED: Final = re.compile(
    rf"^(?:(?P<count>{_COUNT_WORDS})"
    r"|(?P<rest>die anderen?(?: beiden| zwei| drei)?|der rest|den rest|the others?(?: two| three)?"
    r"|the rest|the other one|rest|others|(?:the )?remaining(?: ones?)?|alle anderen|die übrigen"
    r"|all the others?))\b(?:\s+(?:davon|of them))?\s*(?P<said>.*)$",
    re.IGNORECASE,
)
_ON: Final = r"(?:on|onto|auf|aufs)"
_SOME: Final = rf"(?:{_COUNT_WORDS}|die anderen?|the others?|the other one|the rest)"
_OPTIONS_FIRST: Final = re.compile(
    rf"^(?:(?:put|add|pack|mach|tu)\s+)?(?P<said>.+?)\s+{_ON}\s+(?P<some>{_SOME})\b"
    r"(?:\s+(?:davon|of them|of those|of these|von denen|von ihnen|von beiden))?\s*$",
    re.IGNORECASE,
)
_ON_SOME: Final = re.compile(
    rf"^(?:(?:put|add|pack|mach|tu)\s+)?{_ON}\s+(?={_SOME}\b)", re.IGNORECASE
)
"""The options said before the pizzas they go on ("olives on one of them", "put extra cheese
on two", "auf eine davon Oliven"): read count first, as the parts are."""


def _count_first(piece: str) -> str:
    found = _OPTIONS_FIRST.match(piece)
    return f"{found['some']} {found['said']}" if found else _ON_SOME.sub("", piece)


def share_out(turn: Turn, frame: Frame, text: str) -> bool:
    """Share the round's count out over the parts the message tells apart: the first part
    is this round's line, the others wait as lines of their own. False (nothing changed)
    unless every part is a count and options that add up to the round's count."""
    ordering = turn.ordering_flow()
    if ordering is None or frame["flow"] != ordering:
        return False
    flow, slots = turn.flow(ordering), turn.session["slots"]
    asked, asks = turn.slot(frame["wait"]), turn.slots(flow.asks)
    item = next((slot for slot in asks if slot.type == "item"), None)
    count = next((slot for slot in asks if slot.role == "quantity"), None)
    if (
        item is None
        or count is None
        or item.name not in slots
        or asked.type
        not in (
            "choice",
            "choices",
        )
    ):
        return False
    total = _said_count(text) or slots.get(count.name)
    options = [slot for slot in asks if slot.type in ("choice", "choices")]
    extras = asked.type == "choices"
    parts = next(  # the sentence that tells them apart: "Moment, Paul will auch. Also zwei …"
        (
            found
            for sentence in reversed(_SENTENCES.split(text))
            if (found := _told_apart(turn, sentence, options, _count(total), extras)) is not None
        ),
        None,
    )
    if parts is None:
        return False
    if sum(n for n, _ in parts) != total:  # they count pizzas already in the cart
        return extras and len(parts) > 1 and regroup(turn, parts, asked.name)
    known = {o.name: slots[o.name] for o in options if o.name in slots}
    lines = [{item.name: slots[item.name], **known, **said, count.name: n} for n, said in parts]
    for line in lines:
        if asked.name not in line and asked.type == "choices":
            line[asked.name] = []  # "eine mit Oliven, eine ohne": the other has none
    first, *others = lines
    for name, value in first.items():
        turn.set_slot(name, value)
    turn.session["pending"][:0] = others
    turn.changed()
    move_on(frame)
    return True


_ROUND_COUNT: Final = re.compile(
    rf"^\W*(?:(?:gut|ok(?:ay)?|also|dann|denn|na|alright|fine|great|cool)\b[,\s]*)*"
    r"(?:(?:nehm(?:e)?|nehmen) (?:ich|wir)|ich nehm(?:e)?|wir nehmen|i ll (?:take|have)|"
    r"we ll (?:take|have)|make (?:it|that)|mach(?:e)?)?\s*"
    rf"(?P<count>{_COUNT_WORDS})\s+(?:davon|of (?:them|those|these)|stück)\W*$",
    re.IGNORECASE,
)
"""A sentence that says how many of the item asked about ("Gut, dann nehme ich zwei davon.",
"I'll take two of those"), read in standard words: the round's count for the telling apart
after it."""


def _said_count(text: str) -> int | None:
    """The round's count a sentence of the message says, when it tells them apart too."""
    sentences = _SENTENCES.split(text.strip())
    for sentence in sentences[:-1] if len(sentences) > 1 else []:
        found = _ROUND_COUNT.match(normalize(sentence))  # "Jut, denn nehm ick zwee davon."
        if found is not None:
            return word_to_number(found["count"].lower())
    return None


def _count(total: Any) -> int:
    return total if isinstance(total, int) else 0


def _told_apart(
    turn: Turn, text: str, options: list[Any], total: int, extras: bool
) -> list[tuple[int, Mention]] | None:
    """The parts as written, or as read in standard words ("Eene mit Zwiebeln druff, die
    andre ohne allet"; read once when they are the same: "keine", "mittel")."""
    standard = normalize(text)
    readings = (text,) if standard == text else (text, standard)
    for reading in readings:
        if (found := _parts(turn, reading, options, total, extras)) is not None:
            return found
    for reading in readings:
        if (found := _some_of_them(turn, reading, options, total)) is not None:
            return found
    return None


_SOME_OF_THEM: Final = re.compile(
    rf"\b(?:{_ON}\s+|(?:for|für)\s+)?(?P<count>{_COUNT_WORDS})\s+"
    r"(?:of them|of those|of these|of the two|davon|von denen|von ihnen|von beiden)\b",
    re.IGNORECASE,
)
_OTHERS: Final = re.compile(r"\b(?:others?|rest|anderen?|andere[rs]|übrigen)\b", re.IGNORECASE)


def _some_of_them(
    turn: Turn, text: str, options: list[Any], total: int
) -> list[tuple[int, Mention]] | None:
    """One part named with its options, however the sentence is built ("put olives and onions
    on one of them", "one of them large", "eine davon mit Oliven und Zwiebeln"): the others
    stay as they were — without extras, or asked for the choice."""
    found = list(_SOME_OF_THEM.finditer(text))
    if len(found) != 1 or _OTHERS.search(text):
        return None
    count = word_to_number(found[0]["count"].lower()) or 0
    said: Mention = {}
    for mention in turn.mentions(f"{text[: found[0].start()]} {text[found[0].end() :]}", options):
        said.update(mention)
    return [(count, said), (total - count, {})] if 0 < count < total and said else None


def _parts(
    turn: Turn, text: str, options: list[Any], total: int, extras: bool
) -> list[tuple[int, Mention]] | None:
    """(count, options) of each part, or None when the message is no such telling apart.
    `extras`: the question is about extras, which the others may go without."""
    text = _OPENING.sub("", text.strip().rstrip(".!"))
    pieces = [_count_first(piece) for piece in _PARTS.split(text) if piece]
    if len(pieces) == 1:  # "eine mit Oliven eine ohne": a count starts the next part
        pieces = _UNMARKED.split(pieces[0])
    if not (1 if extras else 2) <= len(pieces) <= max(total, 2 if extras else 0):
        return None
    parts: list[tuple[int, Mention]] = []
    for piece in pieces:
        found = _COUNTED.match(piece) or _THEIRS.match(piece)
        if found is None or (
            found.groupdict().get("who") and turn.kept_mentions(found["who"], options)
        ):
            return None  # "Anna mit Oliven meine ohne": two people's pizzas, not one of them
        said: Mention = {}
        for mention in turn.mentions(found["said"], options) if found["said"] else []:
            said.update(mention)
        groups = found.groupdict()
        if groups.get("rest"):
            number = total - sum(n for n, _ in parts)
        else:  # "hers with extra ham": one
            number = (word_to_number(groups["count"].lower()) or 0) if groups.get("count") else 1
        if number < 1 or not said:
            return None  # "one for me, one for my wife" tells no options apart
        parts.append((number, said))
    counted = sum(n for n, _ in parts)
    if len(parts) == 1 and extras and 0 < counted < total:
        return [*parts, (total - counted, {})]  # "two of them with ham": the others plain
    return parts if counted == total or (extras and len(parts) > 1) else None


def keep_the_count(turn: Turn, mention: Mention, text: str) -> None:
    """ "Margheritas ohne" at the extras of the two Margheritas being ordered: the same item
    named again without a number keeps its count (a mention without one counts one)."""
    slots = turn.session["slots"]
    named = [n for n in mention if turn.slot(n).type == "item"]
    for name in list(mention):
        slot = turn.slot(name)
        if slot.role != "quantity" or name not in slots or _counted(turn, mention, text):
            continue
        if all(slots.get(n) in (None, mention[n]) for n in named):
            del mention[name]  # "zwei kleine Pizzen" — "Margherita. Und drei Wasser": two


def _counted(turn: Turn, mention: Mention, text: str) -> bool:
    """Whether the part of the message that names the mention's item says a number."""
    items = {str(v) for n, v in mention.items() if turn.slot(n).type == "item"}
    index = lexicon_for(turn.bot).items(frozenset())
    for words in segments(text):
        if items & {m.value for m in index.find_all(words)}:
            return says_a_number(" ".join(words))
    return says_a_number(text)
