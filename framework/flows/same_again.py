"""The same again: "meine Frau will the same, aber mit Oliven", "noch so eine", "dasselbe
nochmal, aber groß", "same for my brother" — another of the line ordered last, with what the
message changes of it, as a waiter takes it (not an edit of the first one)."""

from __future__ import annotations

import re
from typing import Final, cast

from framework.flows.bot_slots import item_slots
from framework.flows.cart import describe_line
from framework.flows.edit_words import CHANGE_OF_MIND, RECOUNTING, STAYS
from framework.flows.people import LAST_PERSON, ME, SHARED_BY, person_named
from framework.flows.session import CartLine
from framework.flows.staying import without_staying_clauses
from framework.flows.turn import Turn
from framework.flows.understanding.extract import Mention
from framework.flows.understanding.lexicon import lexicon_for
from framework.flows.understanding.normalize import tokens
from framework.flows.understanding.numbers import word_to_number
from framework.flows.which_line import ask_which_of

__all__ = ["give_the_copies", "same_again"]

_SAME: Final = re.compile(
    r"\b(?:the same(?: again| thing| one)?|same again|same for|dasselbe|das ?selbe|"
    r"(?:das|die|den|der) gleiche|die ?selbe|den ?selben|noch so (?:eine?[nms]?|was)|"
    r"auch so (?:eine?[nms]?|was)|genau so (?:eine?[nms]?|was)|"
    r"(?:noch )?(?:eine?[nms]?|einmal) (?:genau ?so|genauso|ganz genauso)|"
    r"(?:noch )?eine?[nms]? (?:genau )?gleiche[nms]?|"
    r"(?:another|one more)(?: one)? (?:just |exactly )?like (?:that|this|it)|"
    r"one more of (?:the same|that|those)|(?:another|one more) same|another one|"
    r"noch (?:eine?[nms]?|eins) davon|davon (?:bitte )?noch (?:eine?[nms]?|eins))\b"
    r"(?!\s+(?:address|adresse|anschrift|ort|place|time|zeit|uhrzeit|day|tag|name|number"
    r"|nummer|telefon|phone|as last time|wie letztes mal|wie immer))",
    re.IGNORECASE,
)
"""Never "die gleiche Adresse", "the same time as last time": only another of the pizza."""


def same_again(turn: Turn, text: str) -> bool:
    """Order another of the newest line, changed as the message says; False (nothing
    changed) when the message asks for no such thing."""
    ordering = turn.ordering_flow()
    lines = turn.session["cart"]["lines"]
    frame = turn.frame
    if ordering is None or not lines or (frame is not None and frame["flow"] != ordering):
        return False  # at the address or the confirmation "the same" is about those
    found = _said_again(text[:500])
    phrase = found or _said_again(" ".join(tokens(text[:500])))  # "noch so eene"
    if phrase is None:
        return False
    like = _LIKE.match(text[found.end() : found.end() + 60]) if found else None
    kind = _kind_said(text[phrase.end() : phrase.end() + 20]) if found else None
    before = text[: found.start()] if found else " ".join(tokens(text[:500]))[: phrase.start()]
    if _recounted(turn, before):
        return False  # the count said first is the edit; "same again" describes the one more
    after = re.split(r"[.,;!?]", text[found.end() : found.end() + 30])[0] if found else ""
    last = _of_kind(turn, _lines_meant(turn, text, like, phrase.group(), before, after), kind)
    if not last:
        return False  # "das Gleiche wie seine Schwester": whose is not known, nothing copied
    if _asked_which(turn, last, phrase.group()):
        return True  # "davon noch eins" after a Tonno and a Cola Zero: which?
    if like is not None:
        _instead_of_their_own(turn, text, last)
    parts = _each_of_them(text)  # "Mein Bruder nimmt das Gleiche. Und mein Vater auch, …"
    wanted = [_copies(turn, ordering, part, last, kind, like is None) for part in parts]
    if any(copies is None for copies in wanted):
        return False
    turn.session["pending"].extend(m for copies in wanted for m in copies or [])
    if len(parts) == 1:
        _note_whose(turn, text, last)
    turn.repeat(ordering, frozenset())
    return True


def _recounted(turn: Turn, before: str) -> bool:
    """ "Och, make that three Margheritas — Dougie's coming along too. Same again, with ham": a
    new count of an item said before "same again" (no copy of every line)."""
    words = tokens(before)
    counted = any(
        word in RECOUNTING and any(word_to_number(w) for w in words[at + 1 : at + 3])
        for at, word in enumerate(words)
    )
    return counted and bool(lexicon_for(turn.bot).items(frozenset()).find_all(words))


def _said_again(text: str) -> re.Match[str] | None:
    """The first "the same" that asks for another, not one that says a thing stays ("mine
    stays the same", "meine bleibt die gleiche")."""
    for found in _SAME.finditer(text):
        before = text[: found.start()].split()[-1:]
        if not before or before[0].lower() not in _STAYING:
            return found
    return None


_STAYING: Final = STAYS | {"is"}


def _copies(
    turn: Turn, ordering: str, text: str, last: list[CartLine], kind: str | None, more: bool
) -> list[Mention] | None:
    """The lines as mentions to order again, changed as the text says; None when the text
    orders something of its own ("the same as the Salami, a Diavola") or a line cannot be
    copied. `kind`: the copy is of one kind ("the same pizza"), and other items said are
    ordered beside it ("…, and a water instead of the beer"). `more`: another one ("noch so
    eine"), not someone's like another's ("Leo wants the same as Mia. So two small plain
    Margheritas, no Salami": in place of his own)."""
    mentions = [_copy(turn, line, counted=len(last) > 1) for line in last]
    if None in mentions:
        return None
    copied = {line["item"] for line in last}
    others: list[Mention] = []
    said_all = turn.mentions(without_staying_clauses(text), turn.slots(turn.flow(ordering).asks))
    spelled = not more and any(_spelled_out(said, mentions) for said in said_all)
    for said in said_all:
        if _names_only(said, copied) or (more and _the_copy_in_all(said, mentions, last)):
            continue  # "…, Pizza und Bier", "die Tonno": what is copied, said again
        if spelled and _spelled_out(said, mentions):
            continue  # "das Gleiche für ihn wie für mich, also eine große Salami mit Zwiebeln"
        if not item_slots(turn.bot).isdisjoint(said):
            if not (kind or spelled or (more and _of_another_kind(turn, said, copied))):
                return None
            others.append(said)
            continue
        for mention in mentions:
            _change(turn, cast(Mention, mention), said, text)
    return [*cast(list[Mention], mentions), *others]


def _spelled_out(said: Mention, copies: list[Mention | None]) -> bool:
    """Whether a mention is one of the copies said out in full, one of it (what "the same as
    me" means, said after it); then the other items said with it are ordered too ("… und ein
    Bier")."""
    return any(
        copy is not None
        and all(said.get(name) == value for name, value in copy.items() if name in said)
        and set(said) >= {name for name, value in copy.items() if not isinstance(value, int)}
        and all(not isinstance(v, int) or v == 1 for v in said.values())
        for copy in copies
    )


_KINDS = {"pizza": "pizza", "pizzas": "pizza", "drink": "drink", "drinks": "drink"}
_KINDS |= {"getraenk": "drink", "getraenke": "drink", "pizzen": "pizza"}


def _kind_said(after: str) -> str | None:
    """The kind right after "the same" ("the same pizza", "die gleiche Pizza"), a tag."""
    words = tokens(after)
    return _KINDS.get(words[0]) if words else None


def _of_kind(turn: Turn, lines: list[CartLine], kind: str | None) -> list[CartLine]:
    items = turn.bot.catalog.items
    return lines if kind is None else [line for line in lines if kind in items[line["item"]].tags]


_SENTENCES: Final = re.compile(r"(?<=[.!?])\s+")
_TOO: Final = frozenset({"auch", "too", "ebenso", "genauso"})
"""Not "also": German "so" ("Also das Ganze zweimal" says the copy again)."""


def _each_of_them(text: str) -> list[str]:
    """The sentences that each want a copy: the one of "the same" and those after it that
    say "auch", "too" of someone ("Mein Bruder nimmt das Gleiche. Und mein Vater auch, aber in
    mittel.": two copies, the second medium); the whole message when there are none."""
    sentences = [sentence for sentence in _SENTENCES.split(text) if sentence.strip()]
    first = next((i for i, sentence in enumerate(sentences) if _SAME.search(sentence)), None)
    if first is None or first == len(sentences) - 1:
        return [text]
    later = sentences[first + 1 :]
    if not all(_TOO & set(tokens(sentence)) for sentence in later):
        return [text]
    return [" ".join(sentences[: first + 1]), *later]


_ONE: Final = frozenset({"one", "eine", "einen", "eins", "ein", "eines"})
"""In the words of the same again: one more of a single line ("noch so eine", "one more of
those"), not of everything ordered last ("the same again")."""


def _names_only(said: Mention, items: set[str]) -> bool:
    """A mention that only names one of the items copied ("die Tonno"), nothing new of it."""
    named = any(isinstance(value, str) and value in items for value in said.values())
    return named and all(
        isinstance(v, int) or (isinstance(v, str) and v in items) for v in said.values()
    )


def _the_copy_in_all(said: Mention, copies: list[Mention | None], last: list[CartLine]) -> bool:
    """The copy said again with the count it makes in all ("noch eine genau gleiche dazu, also
    zwei große Prosciutto mit Champignons"), or that count alone ("noch so eine, dann sind es
    zwei"): no further ones."""
    counts = {value for value in said.values() if isinstance(value, int)}
    values = {name: value for name, value in said.items() if not isinstance(value, int)}
    for copy, line in zip(copies, last, strict=True):
        in_all = line["quantity"] + 1
        if not values and counts == {in_all}:
            return True
        same = copy is not None and all(copy.get(name) == v for name, v in values.items())
        if same and line["item"] in values.values() and counts <= {1, in_all}:
            return True
    return False


def _of_another_kind(turn: Turn, said: Mention, copied: set[str]) -> bool:
    """An item of another kind than every one copied (two beers beside another pizza: "noch so
    eine, und zwei Bier"), which cannot be a change of the copy ("the same, but a Diavola")."""
    items = turn.bot.catalog.items
    tags = {tag for item in copied for tag in items[item].tags}
    named = [value for value in said.values() if isinstance(value, str) and value in items]
    return bool(named) and all(tags.isdisjoint(items[item].tags) for item in named)


def _lines_meant(
    turn: Turn, text: str, like: re.Match[str] | None, said: str, before: str, after: str
) -> list[CartLine]:
    """The lines to copy: those of the person named after "the same as", else those ordered
    last (those of them the message names, after "noch so eine", after an item or before
    one: "Make it two Margherita, the same, small with olives" copies no water, nor "my
    colleague wants the same Margherita" the Vegetaria)."""
    lines = turn.session["cart"]["lines"]
    if like is not None:
        return _theirs(like.group(1), person_named(turn, text), lines)
    last = _ordered_last(lines)
    by_an_item = any(turn.names_for_order(s) for s in (_SENTENCES.split(before)[-1], after))
    return _the_one_named(turn, text, last) if by_an_item or _ONE & set(tokens(said)) else last


def _the_one_named(turn: Turn, text: str, last: list[CartLine]) -> list[CartLine]:
    """Of the lines ordered last, those whose item the message names (the answer to
    "which?"), or all of them."""
    named = {v for said in turn.names_for_order(text) for v in said.values() if isinstance(v, str)}
    return [line for line in last if line["item"] in named] or last


def _asked_which(turn: Turn, last: list[CartLine], said: str) -> bool:
    """Several different things ordered last and one more of "them": which, asked (True)."""
    if _ONE.isdisjoint(tokens(said)) or len({line["item"] for line in last}) < 2:
        return False
    one_more = ["noch", "so", "eine"] if turn.lang == "de" else ["one", "more", "of", "those"]
    ask_which_of(turn, one_more, [describe_line(turn.bot, turn.lang, line) for line in last])
    turn.reask()
    return True


COPIES_FOR: Final = "copies_for"
"""A session flag: the person the same again was ordered for, and the lines copied (their
items and counts), until the copies are in the cart (`give_the_copies`)."""


def _note_whose(turn: Turn, text: str, copied: list[CartLine]) -> None:
    """ "Same again for my colleague": the copies are his, a line of their own."""
    person = person_named(turn, text)
    if person is not None and person != ME:
        items = [[line["item"], line["quantity"] if len(copied) > 1 else 1] for line in copied]
        turn.session["flags"][COPIES_FOR] = {"person": person, "items": items}


def give_the_copies(turn: Turn) -> None:
    """The copies ordered for someone: that person's lines, or their one of the line the copy
    joined (people.py splits it off when it is changed: "Same again for my colleague" —
    "Actually his without the jalapeños": only his)."""
    copies = turn.session["flags"].pop(COPIES_FOR, None)
    if not isinstance(copies, dict):
        return
    cart, now = turn.session["cart"], turn.session["turns"]
    for item, count in copies["items"]:
        added = [
            line
            for line in cart["lines"]
            if line["item"] == item and line.get("said") == now and "person" not in line
        ]
        own = next((line for line in added if line["quantity"] == count), None)
        if own is not None:  # "… but large": a line of its own
            own["person"] = copies["person"]
        elif added and added[0]["quantity"] == 2 and count == 1:  # joined the customer's one
            added[0]["person"] = SHARED_BY.join((ME, copies["person"]))
    turn.session["flags"][LAST_PERSON] = copies["person"]


_RELATIVES: Final = frozenset(
    {"sister", "brother", "wife", "husband", "friend", "mum", "mom", "dad", "cousin", "son"}
    | {"daughter", "schwester", "bruder", "frau", "mann", "freund", "freundin", "mutter"}
    | {"mama", "papa", "vater", "cousine", "sohn", "tochter", "kumpel"}
)
"""After "the same as his …", a relative: the one other person with lines, where there is one."""
_LIKE: Final = re.compile(
    r"\s*(?:(?:for|für|fuer)\s+(?:him|her|them|ihn|sie|ihm)\s+)?"  # "same again for him as …"
    r"(?:(?:pizza|pizzas|pizzen|drink|getränk)\s+)?(?:wie|as|like)\s+(?:(?:für|fuer|for)\s+)?"
    r"([\w' ]+)",
    re.IGNORECASE,
)
"""After "the same": whose ("das Gleiche wie für Fabian", "the same as Ivy")."""


def _theirs(said: str, subject: str | None, lines: list[CartLine]) -> list[CartLine]:
    """The lines of the person named after "the same as" (their name or one of a shared
    line's names), or of the one person with lines besides the speaker and `subject` after
    "his sister", "meine Frau"; none when the words name no one with lines."""
    words = set(said.lower().replace("'s", " ").split())
    words |= {ME} if words & _SPEAKER else set()  # "the same as for me", "wie für mich"
    named = [
        line for line in lines if "person" in line and words & set(line["person"].split(SHARED_BY))
    ]
    if named or _RELATIVES.isdisjoint(words):
        return named
    others = {line["person"] for line in lines if "person" in line} - {ME, subject}
    if len(others) != 1:
        return []  # "das Gleiche wie seine Schwester" with two others or more: whose?
    return [line for line in lines if line.get("person") in others]  # the one other person


_SPEAKER: Final = frozenset({"me", "mich", "mir", "mi", "myself"})
_MIND_CHANGED: Final = CHANGE_OF_MIND | {"anders", "changed"}


def _instead_of_their_own(turn: Turn, text: str, copied: list[CartLine]) -> None:
    """ "Actually Archie wants the same as Ivy": Archie's own lines go, the copy is his."""
    person = person_named(turn, text)
    words = set(tokens(text))
    if person is None or person == ME or _MIND_CHANGED.isdisjoint(words):
        return
    lines = turn.session["cart"]["lines"]
    theirs = [line for line in lines if line.get("person") == person and line not in copied]
    for line in theirs:
        lines.remove(line)


def _ordered_last(lines: list[CartLine]) -> list[CartLine]:
    """The lines of the order said last ("a Diavola with cheese and a beer" — "the same for
    my friend": both), in their order."""
    newest = max(lines, key=lambda line: line["id"])
    said = newest.get("said")
    return [line for line in lines if said is not None and line.get("said") == said] or [newest]


def _copy(turn: Turn, line: CartLine, counted: bool) -> Mention | None:
    """The line as the mention that would order it again: one of it, or as many as the line
    holds when it is one of several ordered together (`counted`)."""
    source = line.get("source") or {}
    item, count = source.get("item"), source.get("quantity")
    if not item:
        return None
    mention: Mention = {item: line["item"]}
    for name in source.get("options", ()):
        choices = turn.slot(name).choices
        chosen = line["options"].get(choices.id, []) if choices is not None else []
        if turn.slot(name).type == "choices":
            mention[name] = chosen
        elif chosen:
            mention[name] = chosen[0]
    if count:  # a line of two for "ich+fabian": Fabian's one of it
        shared = len(str(line.get("person", "")).split(SHARED_BY))
        mention[count] = max(1, line["quantity"] // shared) if counted else 1
    return mention


_WHOLE_TWICE: Final = re.compile(
    r"\b(?:das ganze|alles|everything|the lot|the whole(?: thing| order)?|all of it)\s+"
    r"(?:(?:nochmal|also|again|bitte|please)\s+)?(?:zweimal|2x|x2|twice|doppelt|two times)\b",
    re.IGNORECASE,
)
"""The copy said again as a count of the whole: "Also das Ganze zweimal" (one copy, not two)."""


def _change(turn: Turn, mention: Mention, said: Mention, text: str) -> None:
    """ "aber mit Oliven" adds an extra, "aber groß" sets the size, "ohne Extras" none (on
    the lines that have such a choice: no size for the beer)."""
    whole_twice = _WHOLE_TWICE.search(text) is not None
    for name, value in said.items():
        if name not in mention or (whole_twice and turn.slot(name).role == "quantity"):
            continue
        known = mention.get(name)
        if turn.slot(name).type == "choices" and isinstance(known, list) and value:
            mention[name] = list(dict.fromkeys(known + list(value)))
        else:
            mention[name] = value
