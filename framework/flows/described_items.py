"""Items described by what is on them instead of named: "ne große Pizza mit Schinken", "a
cheese pizza", "Pizza mit Ananas und Schinken". A description that fits one item is that item
(the ham is no extra on it); one that fits several is asked about ("Pizza mit Schinken: meinst
du Prosciutto, Hawaii oder Capricciosa?"), and the answer may name one or describe it again
("die ganz normale, nur Schinken, ohne Ananas"; "the one with pineapple").

What is on an item comes from the catalog's `contains:` (per language). The order keeps the
described pizza's place: the answer fills it, wherever the conversation is by then.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Final

from babel.lists import format_list

from framework.flows.events import Message
from framework.flows.model import Bot, Item, label_for
from framework.flows.turn import Turn
from framework.flows.understanding.extract import Mention
from framework.flows.understanding.lexicon import lexicon_for
from framework.flows.understanding.normalize import normalize, tokens

__all__ = ["DESCRIBED", "take_described"]

DESCRIBED: Final = "described"
"""A session flag: the items a description fitted and the turn it was read in, until the
answer says which (within a few turns: an old question is not answered by a new order)."""
_ANSWERED_WITHIN: Final = 4
_WITH: Final = r"(?:mit|with|w/)"
_AND: Final = r"(?:\s*,\s*|\s+(?:und|and|&|n)\s+)"
_WITHOUT: Final = frozenset({"ohne", "without", "kein", "keine", "keinen", "no", "not", "nicht"})
_SIMPLEST: Final = frozenset(
    {"nur", "normale", "einfache", "klassische", "klassisch"}
    | {"just", "only", "plain", "simple", "classic", "basic", "ordinary"}
)
"""Words that ask for the plainest of them ("die ganz normale, nur Schinken"); not "einfach"
(a filler: "einfach liefern") nor "normal"/"regular" (a size)."""


@dataclass(frozen=True)
class _Described:
    pattern: re.Pattern[str]
    on: dict[str, frozenset[str]]
    """An ingredient, read in standard words, to the items that have it."""
    kinds: re.Pattern[str]
    """Any of the kind words ("pizza", "pizzen") anywhere: a message without one describes
    nothing (one search instead of a look for each word)..."""
    the_one: re.Pattern[str]
    """... but for "die mit Thunfisch", "the one with ham, mushrooms, artichokes and olives":
    what is on one item only."""


@lru_cache(maxsize=32)  # as many bots as lexicon_for keeps: a reloaded bot frees its old one
def _described(bot: Bot) -> _Described | None:
    """The bot's descriptions: its kind words ("pizza", "pizzas", "pizzen") with "mit"/"with"
    and what its items contain, or that before the kind word ("ham pizza", "Käsepizza")."""
    items = [item for item in bot.catalog.items.values() if item.contains and item.available]
    on: dict[str, set[str]] = {}
    written: set[str] = set()
    for item in items:
        for _lang, words in item.contains:
            for word in words:
                on.setdefault(normalize(word), set()).add(item.id)
                written |= {word, normalize(word)}
    forms = lexicon_for(bot).kind_words
    if not on or not forms:
        return None
    kind = "|".join(re.escape(k) for k in sorted(forms, key=len, reverse=True))
    ingredient = "|".join(re.escape(word) for word in sorted(written, key=len, reverse=True))
    listed = rf"(?:{ingredient})(?:{_AND}(?:{ingredient}))*"
    pattern = re.compile(
        rf"\b(?P<kind>{kind})\s+{_WITH}\s+(?P<on>{listed})\b"
        rf"|\b(?P<before>{listed})[\s-]*(?P<kind2>{kind})\b",
        re.IGNORECASE,
    )
    kinds = re.compile("|".join(re.escape(form) for form in sorted(forms)))
    the_one = re.compile(
        rf"\b(?P<kind>the one|die|der)\s+{_WITH}\s+(?:den\s+|the\s+)?(?P<on>{listed})\b",
        re.IGNORECASE,
    )
    return _Described(pattern, {w: frozenset(ids) for w, ids in on.items()}, kinds, the_one)


def read_descriptions(turn: Turn, text: str) -> str:
    """The message with each description that fits one item replaced by that item's name, and
    one that fits several by the kind alone (the bot asks which, once)."""
    described = _described(turn.bot)
    if described is None:
        return text
    text = described.the_one.sub(lambda found: _the_one(turn, described, found), text[:4096])
    if not described.kinds.search(text.casefold()):
        return text
    return described.pattern.sub(lambda found: _read(turn, described, found), text[:4096])


def _the_one(turn: Turn, described: _Described, found: re.Match[str]) -> str:
    """ "die mit Thunfisch": the one item all of it is on, by name; as said when several are
    ("Salami, die mit Käse" is that Salami with cheese)."""
    fitting = _fitting(described, found["on"])
    if len(fitting) != 1:
        return found.group(0)
    return _name(turn, turn.bot.catalog.items[next(iter(fitting))])


def _read(turn: Turn, described: _Described, found: re.Match[str]) -> str:
    said = found.group(0)
    items = lexicon_for(turn.bot).items(frozenset())
    if items.find_all(tokens(said)):
        return said  # a name the bot knows ("Schinkenpizza", "pizza mit thunfisch")
    before = tokens(found.string[: found.start()])[-4:]
    if any(match.end == len(before) for match in items.find_all(before)):
        return said  # "one Tonno pizza with olives": that pizza, with olives on it
    listed = found["on"] or found["before"]
    fitting = _fitting(described, listed)
    if not fitting:
        return said  # "Pizza mit Zwiebeln": an extra on a pizza yet to be named
    if len(fitting) == 1:
        return _name(turn, turn.bot.catalog.items[next(iter(fitting))])
    in_order = [item for item in turn.bot.catalog.items if item in fitting]
    turn.session["flags"][DESCRIBED] = {"among": in_order, "turn": turn.session["turns"]}
    names = [_name(turn, turn.bot.catalog.items[item]) for item in in_order]
    turn.say_named("which_item", description=said, items=_either(turn, names))
    return found["kind"] or found["kind2"]


def _fitting(described: _Described, listed: str) -> frozenset[str]:
    parts = [normalize(part) for part in re.split(_AND, listed, flags=re.IGNORECASE)]
    sets = [described.on.get(part, frozenset()) for part in parts if part]
    return frozenset.intersection(*sets) if sets else frozenset()


def take_described(turn: Turn, message: Message) -> Message | None:
    """The message to read on, with its descriptions read; None when it answered "which of
    them?" for a described pizza waiting behind another (named now, said back, the open
    question asked again). An answer at the item question itself goes on as that item's name
    ("die mit Ananas, groß": a large Hawaii). A button's payload is read as it is."""
    if message.payload:
        return message
    text = _read_or_answered(turn, message.text)
    if text is None:
        return None
    return message if text == message.text else replace(message, text=text)


def _read_or_answered(turn: Turn, text: str) -> str | None:
    asked = turn.session["flags"].get(DESCRIBED) or {"among": [], "turn": 0}
    recent = turn.session["turns"] - asked["turn"] <= _ANSWERED_WITHIN
    among: list[str] = asked["among"] if recent else []
    chosen = _chosen(turn, among, text) if among else None
    if chosen is None:
        return read_descriptions(turn, text)
    turn.session["flags"].pop(DESCRIBED, None)
    name = _name(turn, turn.bot.catalog.items[chosen])
    waiting = _nameless(turn)
    if _item_asked(turn) or waiting is None:
        return _as_named(turn, among, chosen, text)
    item_slot, count_slot, mention = waiting
    mention[item_slot] = chosen
    if count_slot is not None:
        mention.setdefault(count_slot, 1)  # "ne große Pizza mit Schinken": one
    turn.changed()
    turn.say_named("described_chosen", thing=name)
    turn.reask()
    return None


def _as_named(turn: Turn, among: list[str], chosen: str, text: str) -> str:
    """The answer as the item's name and what else it says: "oh the four cheese one, no
    extras" names it already; "die mit Ananas, groß" is "Hawaii groß" (the pineapple that
    told it apart is no extra on it); the other sentences stay as written ("… Und für mich
    eine Vegetaria.")."""
    items = lexicon_for(turn.bot).items(frozenset())
    telling = {
        w
        for item in among
        for word in _contains(turn.bot.catalog.items[item])
        for w in word.split()
    }
    sentences = _SENTENCE.findall(text)
    for at, sentence in enumerate(sentences):
        words = tokens(sentence)
        if chosen in {m.value for m in items.find_all(words)}:
            return text
        if _described_as(turn, among, words) == chosen:
            rest = " ".join(word for word in words if word not in telling)
            sentences[at] = f"{_name(turn, turn.bot.catalog.items[chosen])} {rest}"
            return ".".join(sentences)
    return text


def _item_asked(turn: Turn) -> bool:
    frame = turn.frame
    asked = frame.get("wait") if frame is not None else None
    return asked is not None and turn.slot(asked).type == "item"


def _nameless(turn: Turn) -> tuple[str, str | None, Mention] | None:
    """The described pizza waiting behind the one asked about: the ordering flow's item slot,
    its count slot and the pizza's mention."""
    ordering = turn.ordering_flow()
    if ordering is None:
        return None
    asks = turn.slots(turn.flow(ordering).asks)
    items = [slot.name for slot in asks if slot.type == "item"]
    count = next((slot.name for slot in asks if slot.role == "quantity"), None)
    for mention in turn.session["pending"]:
        if items and not set(items) & set(mention):
            return items[0], count, mention
    return None


_SENTENCE: Final = re.compile(r"[^.!?]+")


def _chosen(turn: Turn, among: list[str], text: str) -> str | None:
    """The one of them a sentence of the message names or describes, or None ("Ah, die mit
    den vier Käsesorten. Und für mich eine Vegetaria": the first sentence)."""
    for sentence in _SENTENCE.findall(text):
        words = tokens(sentence)
        named = {m.value for m in lexicon_for(turn.bot).items(frozenset()).find_all(words)}
        if named:
            if len(named) == 1 and named <= set(among):
                return next(iter(named))
            continue  # another item ordered beside the answer
        chosen = _described_as(turn, among, words)
        if chosen is not None:
            return chosen
    return None


def _described_as(turn: Turn, among: list[str], words: list[str]) -> str | None:
    """The one of them the words describe: by what it has or lacks, or as the plainest."""
    catalog = turn.bot.catalog.items
    said = f" {' '.join(words)} "
    left = list(among)
    for item in among:
        for word in _contains(catalog[item]):
            at = said.find(f" {word} ")
            if at < 0:
                continue
            before = said[:at].split()[-2:]
            negated = bool(_WITHOUT & set(before))
            keep = [i for i in left if (word in _contains(catalog[i])) != negated]
            left = keep or left
    if len(left) > 1 and _SIMPLEST & set(words):
        left = [min(left, key=lambda i: (len(_contains(catalog[i])), catalog[i].price.minor))]
    return left[0] if len(left) == 1 else None


def _contains(item: Item) -> frozenset[str]:
    return frozenset(normalize(word) for _lang, words in item.contains for word in words)


def _name(turn: Turn, item: Item) -> str:
    return label_for(item.name, turn.lang, turn.bot.business.language)


def _either(turn: Turn, names: list[str]) -> str:
    return str(format_list(names, style="or", locale=turn.lang))
