"""Several values in one message: "2 große Salami und eine Cola" → two mentions.

A message is cut into segments at commas and conjunctions; each segment that names a catalog
item starts a mention (item, its options, its quantity). A segment without an item ("…, groß")
adds to the mention before it — or, with "beide", "alle", "both", "each", to every mention
before it ("zwei Funghi und drei Tonno, beide groß"). Within a segment:

- an item named with an article or described without a number means one ("ne Cola",
  "large margherita with mushrooms"); a bare name ("Tonno") leaves the count to ask;
- a choice after "ohne", "kein", "no", "without" is not wanted ("Salami ohne Zwiebeln"), and
  "ohne alles", "keine Extras", "no toppings" answer a many-choice question with none.

Only the slots given (the running flow's) are filled.
"""

from __future__ import annotations

import itertools
import re
from functools import lru_cache
from operator import attrgetter
from typing import Final

from framework.flows.model import Slot
from framework.flows.understanding.combining import (
    EVERY,
    Mention,
    once_each,
    one_each,
    read_parts,
    without_context,
    without_leading_count,
)
from framework.flows.understanding.compounds import compounds_joined
from framework.flows.understanding.group_each import each_of_the_group
from framework.flows.understanding.item_counts import UNSAID, quantity_said
from framework.flows.understanding.language import guess_language
from framework.flows.understanding.lexicon import Lexicon
from framework.flows.understanding.matching import Match, PhraseIndex
from framework.flows.understanding.negation import (
    a_reason,
    not_had,
    taken_back,
)
from framework.flows.understanding.normalize import (
    KEPT_READINGS,
    MAX_CHARS,
    money_as_words,
    tokens,
)
from framework.flows.understanding.nothing_extra import says_nothing_extra
from framework.flows.understanding.numbers import word_to_number
from framework.flows.understanding.other_things import of_something_else, only_told_of
from framework.flows.understanding.own_description import without_what_it_has
from framework.flows.understanding.recounted import count_slots
from framework.flows.understanding.refused import refused
from framework.flows.understanding.renamed import without_renamings
from framework.flows.understanding.same_as import the_same_again
from framework.flows.understanding.second_thoughts import Part, after_second_thoughts
from framework.flows.understanding.segments import (
    SENTENCE_END,
    leads_an_item,
    segments,
)
from framework.flows.understanding.story import without_introduction, without_story
from framework.flows.understanding.summary import without_summed_up

__all__ = [
    "Mention",
    "extract_mentions",
    "kept_mentions",
    "liked",
    "people_called",
    "speaks_for_all",
]

_SENTENCE_END: Final = re.compile(rf"{SENTENCE_END}|\n", re.IGNORECASE)


def speaks_for_all(text: str) -> bool:
    """Whether a message speaks for every item at hand ("beide ohne", "no extras on either")."""
    return bool(EVERY & set(tokens(text[:MAX_CHARS])))


@lru_cache(maxsize=KEPT_READINGS)
def _sentences(text: str) -> tuple[str, ...]:
    """The message's sentences, without the clauses that say what the customer has already
    ("we've got plenty of water", "Getränke haben wir genug"): they order nothing. Kept per
    text: a turn reads its message for several sets of slots."""
    sentences = (
        ",".join(part for part in sentence.split(",") if not _has_already(tokens(part)))
        for sentence in _SENTENCE_END.split(text[:MAX_CHARS])
    )
    return tuple(sentence for sentence in sentences if sentence.strip())


_HAVING: Final = (
    ("we", "ve", "got"),
    ("we", "have", "got"),
    ("we", "got", "plenty"),
    ("we", "have", "plenty"),
    ("we", "have", "enough"),
    ("i", "ve", "got"),
    ("i", "have", "got"),
    ("i", "have", "plenty"),
    ("wir", "haben", "genug"),
    ("wir", "haben", "noch"),
    ("wir", "haben", "schon"),
    ("haben", "wir", "genug"),
    ("haben", "wir", "noch"),
    ("haben", "wir", "schon"),
    ("hab", "ich", "noch"),
    ("hab", "ich", "schon"),
    ("habe", "ich", "noch"),
    ("ich", "hab", "noch"),
    ("ich", "habe", "noch"),
)
"""Word runs that say the customer has something already."""


_HAVING_FIRST: Final = frozenset(run[0] for run in _HAVING)
"""The words such a run begins with: a clause without any says nothing of the kind (most)."""


def _has_already(words: list[str]) -> bool:
    if _HAVING_FIRST.isdisjoint(words):
        return False
    runs = {tuple(words[i : i + 3]) for i in range(len(words))}
    return not runs.isdisjoint(_HAVING)


def _mention(words: list[str], slots: list[Slot], lexicon: Lexicon) -> tuple[Mention, bool]:
    """The values one segment names, and whether it names an item."""
    mention: Mention = {}
    used: set[int] = set()
    has_item = plural = False
    for slot in slots:
        if slot.type == "item" and not has_item:
            index = lexicon.items(slot.tags)
            found = after_second_thoughts(index.find_all(words), words)
            found = [m for m in found if not _said_of_someone(words, m.start)]
            found = [m for m in found if not only_told_of(words, m.start, m.end)]  # "viel Wasser"
            if found:
                mention[slot.name] = found[0].value
                used.update(range(found[0].start, found[0].end))
                has_item = True
                plural = _plural(words, found[0], index)
    for slot in slots:
        if slot.type in ("choice", "choices") and slot.choices is not None:
            _choices(mention, slot, lexicon.choices(slot.choices), words, used)
    quantity = next((slot for slot in slots if slot.role == "quantity"), None)
    if quantity is not None:
        described = has_item and len(mention) > 1  # the item came with a size or an option
        number = quantity_said(words, used, described, has_item)
        if number in (None, 1) and plural and all(word_to_number(w) is None for w in words):
            number = UNSAID  # "Salamis, große": several, but how many is asked
        if number is not None:
            mention[quantity.name] = number
    return mention, has_item


def _plural(words: list[str], match: Match, index: PhraseIndex) -> bool:
    """Whether the item is named in a plural the index does not have ("Salamis", "large
    Hawaiis"): its name with an "s"."""
    said = words[match.end - 1]
    return said.endswith("s") and not index.written(words, match) and len(said) > 3


def _choices(
    mention: Mention, slot: Slot, index: PhraseIndex, words: list[str], used: set[int]
) -> None:
    many = slot.type == "choices"  # extras can be refused by what follows; a device cannot
    found = [m for m in index.find_all(words) if m.start not in used]
    found = [m for m in found if not (many and (liked(words, m) or _IF & set(words[:2])))]
    used.update(i for match in found for i in range(match.start, match.end))
    wanted = [
        m
        for m in found
        if not refused(words, m.start)
        and not people_called(words, m.start, m.end)  # "die Kleinen teilen sich …"
        and not of_something_else(words, m.end)  # "I had a big lunch"
        and not a_reason(words, m.start, m.end, many)
    ]
    wanted = taken_back(words, wanted) if many else wanted
    values = list(dict.fromkeys(match.value for match in wanted)) or _the_other(slot, words, found)
    if values:
        mention[slot.name] = values if slot.type == "choices" else values[0]
    elif slot.type == "choices" and (found or says_nothing_extra(words)):
        mention[slot.name] = []  # "ohne Zwiebeln", "ohne alles": nothing of these


def _the_other(slot: Slot, words: list[str], found: list[Match]) -> list[str]:
    """Of a choice between two, the one left when the other is said not to be wanted
    ("keine Lieferung", "scratch the delivery": pickup)."""
    other = slot.the_other({match.value for match in found if refused(words, match.start)})
    return [] if other is None else [other]


_IF: Final = frozenset({"wenn", "falls", "if", "sofern"})
"""Opening a part that names an extra as a condition ("Wenn da Schinken dabei ist, …"): no
extra ordered."""
_ANYTHING: Final = frozenset({"anything", "something", "everything", "alles", "etwas", "was"})


def liked(words: list[str], match: Match) -> bool:
    """An extra named as what someone likes, not as what they order: "she loves anything
    spicy", "er mag alles Scharfe" (not "möchte was liefern lassen": a choice of delivery);
    "eine große Diavola, ich mag scharf", "I like it spicy": a taste said at the part's end
    (not "ich mag Oliven drauf")."""
    before = words[max(0, match.start - 2) : match.start]
    if before[-1:] and before[-1] in _ANYTHING:
        return True
    liked_it = len(before) == 2 and before[0] in _LIKING and before[1] in _IT  # "like it spicy"
    liking = (bool(before) and before[-1] in _LIKING) or liked_it
    return liking and set(words[match.end :]) <= _TASTE_TAIL


_LIKING: Final = frozenset({"mag", "mog", "like", "likes", "love", "loves", "liebe", "liebt"})
_IT: Final = frozenset({"it", "es", "s", "sie", "them", "ihn"})
_TASTE_TAIL: Final = frozenset(
    {"gern", "gerne", "so", "sehr", "very", "much", "really", "too", "auch"}
)


_WHAT_PEOPLE_DO: Final = frozenset(
    {"teilen", "kriegen", "kriegt", "bekommen", "bekommt", "wollen", "will", "nehmen", "nimmt"}
    | {"essen", "isst", "moechten", "moechte", "share", "want", "wants", "eat", "eats"}
)
_THE_PEOPLE: Final = frozenset({"die", "der", "the", "zwei", "drei", "beiden", "two", "both"})


_FOR: Final = frozenset({"fuer", "for"})
_THE_ONE: Final = frozenset({"die", "den", "der", "dem", "meine", "meinen", "unsere", "unseren"})
_THE_ONE_EN: Final = frozenset({"the", "my", "our"})


def people_called(words: list[str], start: int, end: int) -> bool:
    """A size word that people are called by: "die Kleinen teilen sich ne mittlere", "die
    zwei Großen kriegen …" (an article or a count before it, a verb of having after it); or
    the one an item is for: "für die Kleine ne mittlere Funghi", "for the little one a
    medium Salami" ("for", an article, the word, then a count or an article of the item)."""
    before, after = words[start - 1 : start], words[end : end + 1]
    if before and before[0] in _THE_PEOPLE and after and after[0] in _WHAT_PEOPLE_DO:
        return True
    if start < 2 or words[start - 2] not in _FOR or words[start - 1] not in _THE_ONE | _THE_ONE_EN:
        return False
    if words[start - 1] in _THE_ONE_EN:  # "for the little one a …", not "for the small Salami"
        after = words[end + 1 : end + 2] if words[end : end + 1] == ["one"] else []
    return bool(after) and leads_an_item(after[0])


_BEING: Final = frozenset(
    {("i", "m"), ("i", "am"), ("ich", "bin"), ("we", "re"), ("we", "are"), ("wir", "sind")}
)
"""Before an item's name, what the speakers are ("I'm veggie"), never what they order ("mine
is a Funghi" names the order: no pronoun and being only)."""


def _said_of_someone(words: list[str], start: int) -> bool:
    """ "I'm veggie", "ich bin Veggie": what a person is, not an order of that item."""
    return tuple(words[max(0, start - 2) : start]) in _BEING


_NAME: Final = attrgetter("name")


def extract_mentions(
    text: str, slots: list[Slot], lexicon: Lexicon, group: int | None = None
) -> list[Mention]:
    """Mentions in message order; empty when the flow has no catalog or choice slots. `group`:
    how many people an earlier message said are ordering, for "jeder eine Cola" now.

    A turn reads one message for several sets of slots, several times: the result is kept
    per (text, slots, group) in the lexicon, and each caller gets its own copy to change."""
    found = kept_mentions(text, slots, lexicon, group)
    return [{k: list(v) if isinstance(v, list) else v for k, v in m.items()} for m in found]


def kept_mentions(
    text: str, slots: list[Slot], lexicon: Lexicon, group: int | None = None
) -> list[Mention]:
    """The mentions as kept, for a caller that only reads them (and must not change them)."""
    key = ("mentions", text, tuple(map(_NAME, slots)), group)
    return lexicon.kept(key, _extract, text, slots, lexicon, group)


_CHANGING: Final = frozenset(
    {"make", "mach", "mache", "change", "swap", "tausch", "tausche", "turn", "replace"}
    | {"ersetze", "ersetz", "statt", "anstatt", "instead", "rather", "lieber", "aus", "into"}
)
_LIST_GAP: Final = 3
"""Words at most between two items of a list said without separators ("salami groß funghi")."""
_TOPPING_BEFORE: Final = frozenset({"mit", "with", "ohne", "without", "extra", "auf", "on", "w"})
"""Before an item's name that describes the one before ("Margherita mit Salami")."""


def _at_each_item(words: list[str], lexicon: Lexicon, sizes: list[PhraseIndex]) -> list[list[str]]:
    """A part that names several items without a separator ("2 salami 1 cola", "2 medium
    salami n a coke", "large salami large funghi") is a part per item, each with the counts
    and sizes before it: none is lost."""
    found = lexicon.items(frozenset()).find_all(words)
    if len(found) < 2 or _CHANGING & set(words):
        return [words]  # "make one of the Salamis a Diavola": a change, read as one
    sizes_at = {i for index in sizes for m in index.find_all(words) for i in range(m.start, m.end)}
    leading = sizes_at if any(i < found[0].start for i in sizes_at) else set()
    cuts: list[int] = []  # "2x margherita mittel 1x diavola": sizes follow their items there
    for before, match in itertools.pairwise(found):
        cut = match.start
        while cut > before.end and (cut - 1 in leading or leads_an_item(words[cut - 1])):
            cut -= 1
        same = match.value == before.value and cut == match.start
        sized = bool(sizes_at & set(range(cut, match.start)))  # "… on en klein Salami"
        if same or (words[cut - 1] in _TOPPING_BEFORE and not sized):
            continue  # "Tonno mit Thunfisch", "Margherita mit Salami": one pizza
        if cut == match.start and not set(range(before.end, cut)) <= sizes_at:
            continue  # "zum Auffüllen meiner Gelnägel": one thing, not a list
        if len(_between_items(words[before.end : cut], lexicon)) > _LIST_GAP:
            continue  # "a salami but actually my friend is vegetarian so a funghi": a story
        cuts.append(cut)
    bounds = [0, *cuts, len(words)]
    return [words[start:end] for start, end in itertools.pairwise(bounds) if start < end]


def _between_items(words: list[str], lexicon: Lexicon) -> list[str]:
    """The words between two items but those describing the first ("a small Salami with no
    extras then a medium Margherita": "then")."""
    choices = lexicon.choice_words()
    return [word for word in words if word not in _DESCRIBING and word not in choices]


_DESCRIBING: Final = _TOPPING_BEFORE | frozenset({"no", "keine", "extras", "alles", "anything"})
"""Words of an item's options after it ("mit Oliven", "with no extras", "ohne alles")."""


_REFUSING: Final = frozenset({"kein", "keine", "keinen", "keiner", "keins", "no", "nicht", "not"})
_THE: Final = frozenset({"die", "der", "das", "den", "the", "any", "more", "mehr"})


def _without_refused(sentences: list[list[Part]], lexicon: Lexicon) -> list[list[Part]]:
    """ "Eine große Salami, keine Cola", "a salami and no coke", "… eine Vegetaria … also keine
    Vegetaria": an item said not to be wanted is no order, nor is its mention before; one
    named again after the refusal is ("4 Bier. Nee, Lisa trinkt kein Bier – also 3 Bier")."""
    refused_at: dict[str, int] = {}
    at = 0
    for parts in sentences:
        for index, (words, _mention, _has_item) in enumerate(parts):
            later = [word for part in parts[index + 1 :] for word in part[0]]
            refused_at.update((item, at) for item in _refused_items(words, later, lexicon))
            at += 1
    if not refused_at:
        return sentences
    items = lexicon.items(frozenset())
    kept: list[list[Part]] = []
    at = 0
    for parts in sentences:
        kept.append([])
        for part in parts:
            named = {m.value for m in items.find_all(part[0])}
            if all(at > refused_at.get(item, -1) for item in named):
                kept[-1].append(part)
            at += 1
    return kept


def _refused_items(words: list[str], later: list[str], lexicon: Lexicon) -> set[str]:
    """The items a part refuses; `later`: the words of the sentence's parts after it."""
    found = lexicon.items(frozenset()).find_all(words)
    refused = set()
    for match in found:
        before = [w for w in words[max(0, match.start - 3) : match.start] if w not in _THE]
        given_up = _wish_given_up(words[: match.start], [*words[match.end :], *later])
        if (before and before[-1] in _REFUSING) or given_up or not_had(words, match.start):
            refused.add(match.value)  # "keine Cola", "Ana doesn't drink Coke"
    return refused


_WISHED: Final = frozenset({"wanted", "wollte", "wollten", "haette", "haetten"})
_BUT: Final = frozenset({"but", "aber"})
_SOMEONE: Final = frozenset({"he", "she", "i", "we", "they", "it", "er", "sie", "ich", "wir", "es"})


def _wish_given_up(before: list[str], after: list[str]) -> bool:
    """ "Kenji wanted a beer but he's driving", "er wollte ein Bier, aber er muss fahren": a
    wish told as past, and a "but" with a reason after it (not "wanted a Salami but with
    extra cheese")."""
    if not _WISHED & set(before):
        return False
    return any(
        w in _BUT and after[i + 1 : i + 2] and after[i + 1] in _SOMEONE for i, w in enumerate(after)
    )


_EXCEPT: Final = frozenset({"ausser", "except", "excepting", "besides"})


def _but_for(words: list[str], lexicon: Lexicon) -> list[str]:
    """A part without what it excepts when that names an item: "jeweils ohne weitere Extras
    außer bei der Hawaii" speaks for the others (the Hawaii was ordered with its own extras),
    and is no new Hawaii; "ohne Extras außer Käse" keeps the cheese."""
    for index, word in enumerate(words):
        if word in _EXCEPT and lexicon.items(frozenset()).find_all(words[index + 1 :]):
            return words[:index]
    return words


def _short_answer(parts: list[Part]) -> bool:
    """A sentence before the first item that answers with options ("Medium, no extras. Plus a
    beer"), not a story ("Kleine Feier, es kommen 6 Kinder."): a few words, a choice, no count."""
    words = sum(len(part[0]) for part in parts)
    values = [name for _w, mention, _i in parts for name in mention]
    return (
        words <= 4
        and bool(values)
        and all(not isinstance(m.get(n), int) for _w, m, _i in parts for n in m)
    )


def _more_after_values(parts: list[Part]) -> bool:
    """Values, then items said as more ("ohne Extras und noch eine mittlere Margherita"): the
    values answer for the item asked about, as a sentence of their own does."""
    first = next((at for at, (_w, _m, has_item) in enumerate(parts) if has_item), 0)
    return first > 0 and bool(parts[first][0]) and parts[first][0][0] in _FURTHER


def _extract(text: str, slots: list[Slot], lexicon: Lexicon, group: int | None) -> list[Mention]:
    """Sentence by sentence: a story before the order ("Kleine Geburtstagsfeier, es kommen 6
    Kinder.") names no order, and a count alone after it ("Danke euch 2!") none either."""
    if not any(slot.type in ("item", "choice", "choices") for slot in slots):
        return []
    text = compounds_joined(money_as_words(text), lexicon)
    sizes = [lexicon.choices(s.choices) for s in slots if s.type == "choice" and s.choices]
    sentences = [
        [
            (words, *_mention(words, slots, lexicon))
            for segment in segments(sentence)
            for piece in _at_each_item(segment, lexicon, sizes)
            if (words := _but_for(without_introduction(piece, lexicon), lexicon))
        ]
        for sentence in _sentences(text)
    ]
    sentences = without_renamings(_without_refused(sentences, lexicon), lexicon)
    asks = text.rstrip().endswith("?")
    sentences = without_story(sentences, lexicon, asks=asks)  # "I make water puppets. I want …"
    sentences = without_summed_up(sentences, lexicon)  # "… a Fanta. So … and a Fanta for her"
    the_same_again(sentences, count_slots(slots))
    each_of_the_group(text, sentences, slots, group)
    ordering = [any(has_item for _w, _m, has_item in parts) for parts in sentences]
    first = ordering.index(True) if True in ordering else 0
    mentions: list[Mention] = []
    answers = list(filter(_short_answer, sentences[:first]))  # "Mit Oliven, bitte. Und …"
    for parts in [*answers, *sentences[first:]]:
        read_parts(parts, mentions, slots, lexicon)
    apart = bool(answers) or (bool(sentences) and _more_after_values(sentences[first]))
    leading = without_leading_count(mentions, slots, lexicon.takes, apart=apart)
    counted = once_each(one_each(without_context(leading, count_slots(slots)), slots))
    described = without_what_it_has(counted, text, slots, lexicon)  # "eine scharfe Diavola"
    return _last_said_wins(text, described, count_slots(slots))


_CORRECTED: Final = re.compile(
    r"\b(?:sorry|oops|ups|i meant|ich meinte|wait|warte|make it|mach es|mach das|actually"
    r"|(?:no|nein|nee|ne)[,.!]?\s+(?:\d+|eine?|zwei|drei|vier|fünf|one|two|three|four|five)\b"
    r"|ach (?:nee|nein|ne)\b|\b(?:reicht|reichen|will do|is enough|are enough)"
    r"|(?:(?<=[,;—–-])|(?<=[,;—–-]\s))(?:no|nein|nee|ne|na)\s*[,.!—–-])"
)
"""A correction of what was just said: "sorry", "3 fantas no 2 fantas", "Ach nee, … zwei Cola
reichen", "drei Bier — nein, der Junge kriegt ein Wasser, also zwei Bier und ein Wasser" (a
"no" of its own between two parts) ("no other extras" and a list naming the same pizza for
two people are none). Searched in the lower-cased message: without IGNORECASE, each of its
alternatives is skipped at a letter that does not begin it (twice as fast)."""


@lru_cache(maxsize=KEPT_READINGS)
def _corrects(text: str) -> bool:
    """Whether the message says _CORRECTED (asked once per message, not per set of slots)."""
    return _CORRECTED.search(text.lower()) is not None


_FURTHER: Final = frozenset({"noch", "another", "more", "also", "auch", "plus", "weitere"})
"""Words that say the item is wanted once more ("2 Cola und noch 2 Cola"); not "extra", which
is an option's ("extra cheese")."""
_GERMAN_OR_ENGLISH: Final = ("de", "en")


def _last_said_wins(text: str, mentions: list[Mention], counts: set[str]) -> list[Mention]:
    """ "3 fantas no 2 fantas. MAX STOP IT. sorry. 2 fantas": the same item said again after
    a correction is the same order with its last count, never one more (it was 7 Fantas).
    Not when the message says it wants more ("2 Cola und noch 2 Cola"; German "also" is
    "so": "… nein, der Junge kriegt ein Wasser, also zwei Bier und ein Wasser")."""
    further = _FURTHER & set(tokens(text))
    if further == {"also"} and guess_language(text, _GERMAN_OR_ENGLISH) == "de":
        further = frozenset()
    if not _corrects(text) or further:
        return mentions
    kept: list[Mention] = []
    for mention in mentions:
        same = {k: v for k, v in mention.items() if k not in counts}
        kept = [m for m in kept if {k: v for k, v in m.items() if k not in counts} != same]
        kept.append(mention)
    return kept
