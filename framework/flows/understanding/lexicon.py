"""Everything a bot's messages are matched against, indexed once per loaded bot, and what its
messages were read as (`Lexicon.kept`: bounded, gone with the bot)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from functools import lru_cache
from itertools import pairwise
from typing import Any, Final, TypeVar, cast

from framework.flows.model import Bot, ChoiceSet, Slot
from framework.flows.understanding.asked_by_name import asked_by_name
from framework.flows.understanding.catalog_phrases import (
    abbreviations,
    choice_phrases,
    item_phrases,
)
from framework.flows.understanding.matching import Match, PhraseIndex
from framework.flows.understanding.normalize import KEPT_READINGS, tokens
from framework.flows.understanding.other_meanings import (
    INTERJECTIONS,
    NOT_CHOSEN,
    VARIANT_AFTER,
    variants_of,
)
from framework.flows.understanding.phonetics import SoundIndex
from framework.flows.understanding.questions import is_question

__all__ = ["Lexicon", "lexicon_for"]

_COMMAND_SLACK: Final = 2
"""A command may come with this many extra words ("cancel please", "bitte abbrechen")."""
IN_SENTENCES: Final = frozenset({"cancel", "restart", "human", "stop_messages"})
"""Commands also understood inside a longer message ("lass mal, ich will doch nichts mehr",
"I want to talk to a real person", "please stop messaging me") — unless it names a catalog
item ("die Cola stornieren" edits the order) or negates the phrase ("nicht abbrechen")."""
_SENTENCE_WORDS: Final = 30
_CLAUSES: Final = re.compile(r"[,;.!?]+")
_NEGATIONS: Final = frozenset({"nicht", "nie", "kein", "keine", "not", "t", "dont", "never", "no"})
_POINTS_BACK: Final = frozenset({"statt", "anstatt", "anstelle"})
_POINTS_BACK_PAIRS: Final = frozenset({("instead", "of"), ("rather", "than"), ("in", "place")})
"""After a cancel, words that replace something of the order ("scrap that, … instead of the
large one"): the order is changed, not started again."""
_CHANGING_PAIRS: Final = frozenset(
    {("make", "it"), ("make", "that"), ("mach", "es"), ("mach", "das")}
)
"""After a cancel of the last thing said ("scratch that — … so make it two small Margheritas"),
words that change it: not after one of everything ("scrap all that, can we start over? Make it
two small Margheritas")."""
_EVERYTHING: Final = frozenset({"all", "everything", "whole", "alles", "ganze", "ganzen"})
"""Words just before a command phrase that negate it (tokens split "don't" into "don", "t")."""


def _clauses(text: str) -> tuple[list[str], list[int]]:
    """The message's words, and for each the index where its clause starts."""
    words: list[str] = []
    clause_of: list[int] = []
    for clause in _CLAUSES.split(text):
        said = tokens(clause)
        clause_of += [len(words)] * len(said)
        words += said
    return words, clause_of


_FROM_ZERO: Final = frozenset(
    {("from", "zero"), ("from", "scratch"), ("von", "null"), ("bei", "null")}
)
"""After "start again": still the start-over ("start again from zero. One large …")."""


def _as_written(text: str, before: list[str]) -> str | None:
    """The text after the words `before` as the customer wrote it (its punctuation and
    counts: "start over, my roommates want in: 3large salami …"), or None where the written
    last word differs from its reading."""
    last = before[-1]
    found = list(re.finditer(rf"\b{re.escape(last)}\b", text, re.IGNORECASE))
    seen = before.count(last)  # "over the phone … start over: …": the second "over"
    if len(found) < seen:
        return None
    return text[found[seen - 1].end() :].lstrip(" ,;:.!?-–—")


_T = TypeVar("_T")
_UNREAD: Final = object()
_KEPT: Final = 4 * KEPT_READINGS
"""Readings kept per bot: a message is read in several ways (its commands, its knowledge
questions, the items it names, what it says for a set of slots)."""


class Lexicon:
    def __init__(self, bot: Bot) -> None:
        self._bot = bot
        self._items: dict[frozenset[str], PhraseIndex] = {}
        self._choices: dict[str, PhraseIndex] = {}
        self._menu_words: frozenset[str] | None = None
        self.triggers = PhraseIndex(
            (phrase, flow.name)
            for flow in bot.flows.values()
            for phrases in flow.triggers.values()
            for phrase in phrases
        )
        self.commands = PhraseIndex(
            (
                (phrase, command)
                for command, by_language in bot.commands.items()
                for phrases in by_language.values()
                for phrase in phrases
            ),
            fuzzy=False,  # a typo must never cancel an order ("bestellen" ≈ "abbestellen")
            blocked=INTERJECTIONS,
        )

        self.knowledge = PhraseIndex(
            (phrase, entry.id)
            for entry in bot.knowledge.values()
            for phrases in entry.phrases.values()
            for phrase in phrases
        )
        self.language_words = _language_words(bot)
        """Words of the bot's own that only one of its languages uses ("klein", "small")."""
        self._kinds = PhraseIndex(_kind_phrases(bot), fuzzy=False)
        self.kind_words = frozenset(key[0] for key in self._kinds.phrases() if len(key) == 1)
        """What the items are called by their tags, singular and plural ("pizza", "pizzen",
        "pizzas", and the catalog's words for them: "Getränke"): "eine große Pizza" is a
        pizza yet to be named, not another of the last. Words only of a longer phrase are
        none (the "was" and "zu" of "was zu trinken" made "cheese was meant for …" a
        described pizza)."""
        self._kept: dict[tuple[Any, ...], Any] = {}
        self._sounds: SoundIndex | None = None

    def kept(self, key: tuple[Any, ...], read: Callable[..., _T], *args: Any) -> _T:
        """What `read(*args)` gives, read once per key (the reading, its text and whatever else
        it depends on) while the bot is loaded: a turn reads its message in several passes, and
        chats repeat short messages. The caller must not change what it gets. (The arguments
        are passed rather than closed over: no function is made for a reading kept already.)"""
        found = self._kept.get(key, _UNREAD)
        if found is _UNREAD:
            if len(self._kept) >= _KEPT:
                self._kept.clear()
            found = self._kept[key] = read(*args)
        return cast(_T, found)

    def menu_words(self) -> frozenset[str]:
        """The words of the menu's names ("quattro", "formaggi"): no one is called Salami, and
        nothing so named is missing from the menu."""
        if self._menu_words is None:
            phrases = self.items(frozenset()).phrases()
            self._menu_words = frozenset(word for phrase in phrases for word in phrase)
        return self._menu_words

    def choice_words(self) -> frozenset[str]:
        """The catalog's choices named by one word ("klein", "large", "olives")."""
        return self.kept(("choice_words",), self._choice_words)

    def _choice_words(self) -> frozenset[str]:
        groups = self._bot.catalog.groups.values()
        phrases = (phrase for group in groups for phrase in self.choices(group).phrases())
        return frozenset(phrase[0] for phrase in phrases if len(phrase) == 1)

    def items(self, tags: frozenset[str]) -> PhraseIndex:
        """Catalog items carrying any of the tags (all items for no tags)."""
        if tags not in self._items:
            items = [i for i in self._bot.catalog.items.values() if not tags or tags & i.tags]
            phrases = [phrase for item in items for phrase in item_phrases(item)]
            self._items[tags] = PhraseIndex(
                phrases,
                exact=abbreviations(items),
                blocked=variants_of(phrases),
                variants=VARIANT_AFTER,
            )
        return self._items[tags]

    def contents(self, item: str) -> tuple[str, ...]:
        """What the catalog says the item has (`contains:`), in every language."""
        found = self._bot.catalog.items.get(item)
        return () if found is None else tuple(w for _lang, said in found.contains for w in said)

    def takes(self, item: str, slot: Slot) -> bool:
        """Whether the catalog item can have a value of the slot (a size for a pizza, none
        for a beer); True for slots that are no option group, and for no item."""
        found = self._bot.catalog.items.get(item)
        groups = self._bot.catalog.groups
        if found is None or slot.choices is None or slot.choices.id not in groups:
            return True
        return slot.choices.id in found.options

    def kinds_named(self, words: list[str]) -> set[str]:
        """The tags whose items the words speak of ("keine Getränke": drink)."""
        return {match.value for match in self.kinds_found(words)}

    def kinds_found(self, words: list[str]) -> list[Match]:
        """Where the words name a kind of item ("die Pizza": pizza at 1)."""
        return self._kinds.find_all(words)

    def same_kind(self, item: str, other: str) -> bool:
        """Whether two catalog items are of one kind: the same option groups (two pizzas,
        two drinks), so one can stand in for the other."""
        items = self._bot.catalog.items
        return item in items and other in items and items[item].options == items[other].options

    def heard(self, text: str) -> str:
        """A dictated message with the words that sound like the menu's written as them
        (phonetics.py)."""
        if self._sounds is None:
            groups = self._bot.catalog.groups.values()
            indexes = [self.items(frozenset()), *(self.choices(group) for group in groups)]
            self._sounds = SoundIndex(pair for index in indexes for pair in index.phrases().items())
        return self._sounds.heard(text)

    def choices(self, choices: ChoiceSet) -> PhraseIndex:
        if choices.id not in self._choices:
            phrases = list(choice_phrases(choices))
            no_choice = (f"{phrase} {word}" for phrase, _ in phrases for word in NOT_CHOSEN)
            self._choices[choices.id] = PhraseIndex(phrases, blocked=no_choice)
        return self._choices[choices.id]

    def command(self, text: str, own: tuple[PhraseIndex, ...] = ()) -> str | None:
        """A repair command: when the message is (nearly) just the command, or for the
        commands of IN_SENTENCES, when a sentence says it (see there). Never when the
        message names a catalog item, nor where the bot's own phrase says it (a trigger,
        a knowledge phrase, or one of `own`: the open question's choices)."""
        return self.kept(("command", text, own), self._command, text, own)

    def _command(self, text: str, own: tuple[PhraseIndex, ...]) -> str | None:
        words = tokens(text)
        if not words or len(words) > _SENTENCE_WORDS:
            return None
        if self.items(frozenset()).find_all(words):
            # "die Cola stornieren", "no coke": an edit of the order, not a command
            return "restart" if self._restart_after_items(text) else None
        commands = self._unnegated_commands(text)
        if not commands:
            return None  # no command said (the bot's own phrases need not be read then)
        mine = [m for i in (self.triggers, self.knowledge, *own) for m in i.find_all(words)]
        found = [m for m in commands if not _covered(m, mine) and not self._struck(words, m)]
        if not found:
            return None
        if len(found) == 1 and len(words) - (found[0].end - found[0].start) <= _COMMAND_SLACK:
            return found[0].value
        said = [match.value for match in found if match.value in IN_SENTENCES]
        if set(said) == {"cancel", "restart"}:
            return "restart"  # "vergiss alles, ich fang nochmal neu an": cancelled to begin anew
        return said[-1] if said else None  # "… telefonisch bestellt, kannst die löschen"

    def _struck(self, words: list[str], command: Match) -> bool:
        """One of a choice between two named right beside the command: "cancel the delivery",
        "die Lieferung stornieren" strike it (the other is wanted), not the order."""
        for slot in self._bot.slots.values():
            both = slot.either_or()
            if both is None:
                continue
            for choice in self.choices(both).find_all(words):
                after = words[command.end : choice.start]
                before = words[choice.end : command.start]
                if (choice.start >= command.end and set(after) <= _BESIDE_A_COMMAND) or (
                    choice.end <= command.start and set(before) <= _BESIDE_A_COMMAND
                ):
                    return True
        return False

    def says_command(self, text: str, command: str) -> bool:
        """Whether the message says the command anywhere ("Thanks a lot, I'll drop by soon")."""
        said = self.kept(("commands", text[:500]), self._unnegated_commands, text[:500])
        return any(match.value == command for match in said)

    def _restart_after_items(self, text: str) -> bool:
        """A start over said after every item the message names ("und noch ne mittlere
        Salami mit… nee weißt du was, lass uns nochmal ganz von vorne anfangen"): what came
        before it is given up. Items named after it are the new order (`fresh_start`)."""
        words, _ = _clauses(text)
        named = self.items(frozenset()).find_all(words)
        last = max((match.end for match in named), default=0)
        return any(
            match.value == "restart" and match.start >= last
            for match in self._unnegated_commands(text)
        )

    def _unnegated_commands(self, text: str) -> list[Match]:
        """The commands said and not negated in their own clause: "nicht abbrechen" is none,
        "actually no, cancel it" is one (the "no" belongs to the clause before). A phrase may
        run over a comma ("Hört auf, mir zu schreiben"): German sets one before an infinitive."""
        words, clause_of = _clauses(text)
        return [
            match
            for match in self.commands.find_all(words)
            if not _NEGATIONS
            & set(words[max(clause_of[match.start], match.start - 2) : match.start])
        ]

    def knows(self, text: str, answered: frozenset[str] = frozenset()) -> list[str]:
        """The knowledge entries a message asks about, in the order it asks ("ist die scharf?
        und wie lange dauert die Lieferung?"): each once, none for a phrase that is an item's
        name ("Vegetaria" is no question) or says one of the `answered` words."""
        return list(self.kept(("knows", text, answered), self._knows, text, answered))

    def _knows(self, text: str, answered: frozenset[str]) -> list[str]:
        entries: list[str] = []
        question = is_question(text)
        for words in _with_and_without_particles(tokens(text)):
            found = self._asked(words, question)
            entries += [m.value for m in found if not answered & set(words[m.start : m.end])]
        return list(dict.fromkeys(entries))

    def names_items(self, text: str) -> bool:
        """Whether a message names a catalog item: as written, or by words that ask no
        knowledge question ("what vegetarian pizzas do you have?" asks about vegetarian food;
        it orders no Vegetaria, though "vegetarian pizza" is one of its names)."""
        return self.kept(("names_items", text), self._names_items, text)

    def _names_items(self, text: str) -> bool:
        words, question = tokens(text), is_question(text)
        index = self.items(frozenset())
        asked = self._asked(words, question)
        return any(
            self._named(words, m, question)
            or not any(a.start < m.end and m.start < a.end for a in asked)
            for m in index.find_all(words)
        )

    def _named(self, words: list[str], match: Match, question: bool) -> bool:
        """An item's name as written, not one asking a question ("any veggie options?")."""
        written = self.items(frozenset()).written(words, match)
        asking = asked_by_name(words, match, question, self.knowledge, self.choice_words())
        return written and not asking

    def _asked(self, words: list[str], question: bool = False) -> list[Match]:
        """The knowledge phrases said, but none inside an item's name as written ("Vegetaria"
        is no question about vegetarian food) or a longer trigger of the bot's ("wie lange
        habt ihr offen" asks the opening hours, not how long delivery takes)."""
        index = self.items(frozenset())
        own = [m for m in index.find_all(words) if self._named(words, m, question)]
        own += self.triggers.find_all(words)
        return [m for m in self.knowledge.find_all(words) if not _covered(m, own)]

    def fresh_start(self, text: str) -> str | None:
        """What follows a cancel or start-over said before a new order in the same message
        ("alles löschen, neu: 1 große Salami", "scrap that, just two cokes"); None when the
        message is not one."""
        return self.kept(("fresh_start", text), self._fresh_start, text)

    def _fresh_start(self, text: str) -> str | None:
        words = tokens(text)
        said = [
            match
            for match in self.commands.find_all(words)
            if match.value in ("cancel", "restart")
            and not _NEGATIONS & set(words[: match.start][-2:])
        ]
        items = self.items(frozenset()).find_all(words)
        if not said or not items or items[0].start < said[0].end:
            return None
        end = said[0].end + (2 if tuple(words[said[0].end : said[0].end + 2]) in _FROM_ZERO else 0)
        rest = words[end:]
        pairs = set(pairwise(rest))
        if _POINTS_BACK & set(rest) or _POINTS_BACK_PAIRS & pairs:
            return None  # "scrap that, … two small Hawaiis instead of the large one": a change
        everything = any(
            m.value == "restart" or _EVERYTHING & set(words[m.start : m.end]) for m in said
        )
        if not everything and _CHANGING_PAIRS & pairs:
            return None  # "scratch that — … so make it two small Margheritas": a change
        return _as_written(text, words[:end]) or " ".join(rest)

    def triggers_beside_knowledge(self, text: str) -> bool:
        """A clause of the message says a flow's trigger and no knowledge phrase ("der Laptop
        geht nicht an, was kostet eine Reparatur?": the problem, then a question), unlike "ich
        muss den Termin absagen", one clause about one thing."""
        return self.kept(("triggers", text), self._triggers_beside_knowledge, text)

    def _triggers_beside_knowledge(self, text: str) -> bool:
        for clause in _CLAUSES.split(text):
            words = tokens(clause)
            if self.triggers.find_all(words) and not self._asked(words):
                return True
        return False

    def trigger(
        self, text: str, exclude: frozenset[str] = frozenset(), *, written: bool = False
    ) -> str | None:
        """The flow whose trigger phrase the message contains (the longest phrase wins);
        `written`: only phrases as written, no typo's reading (a message that orders items must
        not start another flow because "anderen" looks like "ändern")."""
        key = ("trigger", text, exclude, written)
        return self.kept(key, self._trigger, text, exclude, written)

    def _trigger(self, text: str, exclude: frozenset[str], written: bool) -> str | None:
        words = tokens(text)
        matches = [
            m
            for m in self.triggers.find_all(words)
            if m.value not in exclude and (not written or self.triggers.written(words, m))
        ]
        return max(matches, key=_length).value if matches else None


def _labels(bot: Bot) -> Iterator[tuple[str, str]]:
    """(language, phrase) of every name, trigger and command phrase the bot has per language."""
    for item in bot.catalog.items.values():
        yield from item.name.items()
    groups = list(bot.catalog.groups.values())
    for choices in groups:
        for choice in choices.choices.values():
            yield from choice.name.items()
    for slot in bot.slots.values():  # a slot's own choices named in one word ("Delivery")
        if slot.choices is not None and slot.choices not in groups:
            for choice in slot.choices.choices.values():
                yield from ((lang, p) for lang, p in choice.name.items() if " " not in p.strip())
    for flow in bot.flows.values():
        yield from ((lang, p) for lang, phrases in flow.triggers.items() for p in phrases)
    for by_language in bot.commands.values():
        yield from ((lang, p) for lang, phrases in by_language.items() for p in phrases)


def _kind_forms(tag: str) -> frozenset[str]:
    """A tag as a word for its items, singular and plural ("pizza", "pizzas", "pizzen")."""
    return frozenset((tag, f"{tag}s", f"{tag}en", f"{tag.removesuffix('a')}en"))


def _kind_phrases(bot: Bot) -> Iterator[tuple[str, str]]:
    tags = {tag for item in bot.catalog.items.values() for tag in item.tags}
    for tag in sorted(tags):
        yield from ((form, tag) for form in sorted(_kind_forms(tag)))
        yield from ((word, tag) for word in bot.catalog.tag_words.get(tag, ()))


def _language_words(bot: Bot) -> dict[str, frozenset[str]]:
    found: dict[str, set[str]] = {lang: set() for lang in bot.business.languages}
    for lang, phrase in _labels(bot):
        if lang in found:
            found[lang].update(phrase.casefold().split())
    shared = {
        word
        for lang, words in found.items()
        for other, more in found.items()
        if other != lang
        for word in words & more
    }
    return {lang: frozenset(words - shared) for lang, words in found.items()}


_PARTICLES: Final = frozenset(
    {"denn", "eigentlich", "eigtl", "mal", "nochmal", "ueberhaupt", "eben", "halt", "genau"}
    | {"bitte", "so", "actually", "exactly", "again", "please", "just"}
)
"""Words a question says between the words of a phrase ("was ist *denn* auf der
Capricciosa", "what's *actually* on it"), read both with and without them."""


def _with_and_without_particles(words: list[str]) -> list[list[str]]:
    plain = [word for word in words if word not in _PARTICLES]
    return [words, plain] if len(plain) < len(words) else [words]


_BESIDE_A_COMMAND: Final = frozenset({"the", "die", "der", "das", "my", "meine", "bitte", "please"})
"""Words between a command and the choice it strikes ("cancel the delivery please")."""


def _covered(command: Match, own: list[Match]) -> bool:
    """A bot's own phrase at least as long overlaps the command's ("didn't help", "Termin
    stornieren"), an item's name or a longer trigger a knowledge phrase ("Vegetaria" ≈
    "vegetarian"; "wie lange habt ihr offen"): the bot's own longer words win."""
    return any(
        m.start < command.end and command.start < m.end and _length(m) >= _length(command)
        for m in own
    )


def _length(match: Match) -> int:
    return match.end - match.start


@lru_cache(maxsize=32)
def lexicon_for(bot: Bot) -> Lexicon:
    return Lexicon(bot)
