"""Removing from the order in the customer's words: "die Cola bitte wieder weg", "ohne das
Bier", "take the fanta off", "Ben trinkt keine Cola, streich eine" — a line, some of its
quantity, or an extra of it."""

from __future__ import annotations

import itertools
from typing import Final

from framework.flows.cart import describe_line
from framework.flows.edit_words import (
    ARTICLES,
    NEGATED_AFTER,
    NOT,
    RECOUNTING,
    REMOVING,
    REMOVING_PAIRS,
    SPOKEN_ARTICLES,
    STAYS,
    THAT,
    WHOSE,
    WITHOUT,
    negated_after,
    not_needed,
)
from framework.flows.named_things import (
    Thing,
    choice_name,
    holds,
    line_with,
    many_choice_groups,
)
from framework.flows.session import CartLine
from framework.flows.turn import Turn
from framework.flows.understanding.numbers import word_to_number

__all__ = ["remove"]


def remove(turn: Turn, words: list[str], things: list[Thing]) -> str | None:
    asked = _asks_to_remove(words) or not_needed(words, max((t.end for t in things), default=0))
    if not asked and WITHOUT.isdisjoint(words) and _ANY_NOT.isdisjoint(words):
        return None  # no word of removing, none of "without" or "not": nothing can be a target
    many = many_choice_groups(turn.bot)
    negating = not NEGATED_AFTER.isdisjoint(words)
    targets = [
        t
        for t in things
        if (
            _after_without(words, t)
            or _not_this(words, t, things, many)
            or (negating and negated_after(words, t.end))
        )
        and not _recounted_after(words, things, t)
        and not _of_a_new_item(turn, things, t)
    ]
    if not targets and asked:
        kept = {t.value for t in things if t.group is None and _kept(words, t)}  # "sein Bier
        # trink ich 🍺": the emoji's beer too; not an extra ("spicy enough" is no jalapeño kept)
        targets = [  # "… but keep the waters"; "ein Bier weniger und dafür eine Cola Zero"
            t
            for t in things
            if t.value not in kept
            and not _kept(words, t)
            and not _after(words, t, _WITH)  # "the salami with onions": which salami
            and line_with(turn, t) is not None
        ]
    targets = [t for at, t in enumerate(targets) if not (at and _only_left(words, t))]
    targets = list({t.value: t for t in reversed(targets)}.values())[::-1]  # first of each
    targets = [t for t in targets if not _kept_count(words, t)]
    places = _where_options_go(turn, words, targets, things)
    if places:  # "vier Käse sind genug – macht den extra Käse von der Quattro Formaggi weg"
        at_places = {place.value for place in places}
        targets = [t for t in targets if t.value not in at_places]
    fewer = _how_many_out(words, things, targets[0]) if len(targets) == 1 else None
    came_off = _lines_of_extras(turn, targets, places)
    without = "ohne" if turn.lang == "de" else "without"
    removed = [
        text if counted else f"{without} {text}"
        for t in targets
        if (
            taken := _take_out(
                turn,
                t,
                fewer or _count_before(words, t) or _someones(words, t) or _one_refuses(words, t),
                _place(turn, t, places) or _described_line(turn, words, t, things),
            )
        )
        is not None
        for text, counted in [taken]
    ]
    removed += _put_on_instead(turn, words, things, came_off) if removed else []
    return ", ".join(removed) or None


def _lines_of_extras(
    turn: Turn, targets: list[Thing], places: list[Thing]
) -> list[tuple[Thing, CartLine]]:
    """The extras to go and the line each comes off."""
    many = many_choice_groups(turn.bot)
    found = [(t, _place(turn, t, places) or line_with(turn, t)) for t in targets if t.group in many]
    return [(extra, line) for extra, line in found if line is not None]


_INSTEAD: Final = frozenset({"instead", "stattdessen", "dafuer", "lieber", "rather"})


def _put_on_instead(
    turn: Turn, words: list[str], things: list[Thing], came_off: list[tuple[Thing, CartLine]]
) -> list[str]:
    """Extras of the same group said after the one taken off, with "instead" ("scrap the
    onions on the Vegetaria, put olives on it instead", "die Zwiebeln weg, dafür Oliven",
    "doch keine Oliven, mach lieber Zwiebeln drauf"): they go on the line it came off."""
    if len(came_off) != 1 or _INSTEAD.isdisjoint(words):
        return []
    (extra, line), options = came_off[0], turn.bot.catalog.items[came_off[0][1]["item"]].options
    new = [t for t in things if t.group == extra.group and t.start > extra.end]
    new = [t for t in new if t.value != extra.value and str(t.group) in options]
    if not new:
        return []
    chosen = line["options"].get(str(extra.group), [])
    line["options"][str(extra.group)] = list(dict.fromkeys([*chosen, *(t.value for t in new)]))
    turn.cart.reprice(line)
    return [describe_line(turn.bot, turn.lang, line)]


def _where_options_go(
    turn: Turn, words: list[str], targets: list[Thing], things: list[Thing]
) -> list[Thing]:
    """The items named as where extras come off ("take the onions off the Salami", "keine
    Zwiebeln auf der Salami"): their lines lose the extras, they stay — also when no line has
    the extras (then nothing comes off, and the Salami is never taken out for them)."""
    many = many_choice_groups(turn.bot)
    extras = [t for t in targets if t.group in many]
    named = [t for t in things if t.group in many]
    none_has_them = bool(named) and all(line_with(turn, extra) is None for extra in named)
    return [
        item
        for item in things
        if item.group is None
        and _after(words, item, _ON, SPOKEN_ARTICLES)
        and (line := line_with(turn, item)) is not None
        and (none_has_them or any(holds(line, extra) for extra in extras))
    ]


_WITH: Final = frozenset({"with", "mit", "w"})
_ON = frozenset({"off", "on", "from", "von", "vo", "auf", "vom", "runter", "weg", "bei", "beim"})
_ON |= {"up", "op", "uf", "uff", "vun", "vum"}
"""Before an item (articles between) that the extras come off: "off the Salami", "auf der",
"bei der Capricciosa die Oliven weg"; Low German "up de", Kölsch "op dr", Swiss "uf", Hessian
"uff" ("de Zwiebeln up de Vegetaria laat mal weg"), Erzgebirge "vun dr Funghi"."""


def _after(
    words: list[str], thing: Thing, before: frozenset[str], between: frozenset[str] = ARTICLES
) -> bool:
    """Whether a word of `before` comes right before the thing, words of `between` aside."""
    index = thing.start - 1
    while index >= 0 and words[index] in between:
        index -= 1
    return index >= 0 and words[index] in before


def _place(turn: Turn, extra: Thing, places: list[Thing]) -> CartLine | None:
    """The line of the item named as where the extra comes off, if one holds it."""
    lines = [line_with(turn, item) for item in places]
    return next((line for line in lines if line is not None and holds(line, extra)), None)


_KEEP = frozenset({"keep", "behalten", "behalte", "share", "teilen", "teile", "teilt"})
_KEEP |= {"stick", "sticks", "sticking"}
"""Before a thing that stays: "but keep the waters", "she'll just share my water", "she's
sticking to beer"."""


_ENOUGH: Final = frozenset({"reicht", "genuegt", "langt", "enough"}) | (STAYS - {"keep"})
"""After a thing that stays ("das Bier reicht", "the beer stays"); "keep" after it begins what
is kept next ("The Coke. Keep the water.")."""


_TAKE_OVER: Final = frozenset(
    {"trink", "trinke", "ess", "esse", "nehm", "nehme", "krieg", "kriege", "übernehm"}
    | {"übernehme", "uebernehm", "uebernehme"}
)
"""Verbs of the speaker taking someone's over, before "ich" ("sein Bier trink ich")."""
_TAKE_OVER_EN: Final = frozenset({"drink", "have", "take", "finish"})
_HAVING: Final = frozenset(
    {"have", "drink", "drinks", "nimmt", "trinkt", "trinken", "behaelt", "share", "shares"}
    | {"nick", "pinch", "steal", "teilt", "teilen", "klaut"}
)
"""Before a thing someone goes on having ("he'll just have the beer", "er trinkt das Bier",
"wir trinken beide Bier") or sharing ("she'll just nick some o' my Cola")."""
_DENIED: Final = NOT | {"t", "dont", "never", "nie", "nichts", "nothing"}
_WHO_HAS = frozenset({"he", "she", "they", "we", "i", "ll", "will", "just", "only", "er", "sie"})
_WHO_HAS |= {"ich", "wir", "nur", "einfach", "dann", "then", "both", "beide", "all", "alle"}
"""Right before the verb of having: who has it, or "just" ("we'll both drink beer")."""


def _of_a_new_item(turn: Turn, things: list[Thing], choice: Thing) -> bool:
    """A choice taken off right after an item the cart does not have describes that new item
    ("scrap the funghi, make it a large capricciosa no ham"), not a line of the cart."""
    items = [t for t in things if t.group is None and t.end <= choice.start]
    return choice.group is not None and bool(items) and line_with(turn, items[-1]) is None


def _kept(words: list[str], thing: Thing) -> bool:
    """ "remove his pizza, but keep all three waters", "die Cola lass weg, das Bier reicht",
    "the beer stays", "he'll just have the beer": not to go ("lass … weg" removes); nor what
    the speaker takes over ("… Kalle ist eingepennt, sein Bier trink ich", "I'll drink his
    beer")."""
    before, after = words[max(0, thing.start - 4) : thing.start], words[thing.end : thing.end + 3]
    taken_over = after[:2] in ([verb, "ich"] for verb in _TAKE_OVER) or (
        len(before) >= 2 and before[-2] in _TAKE_OVER_EN and before[-1] in ("his", "her", "their")
    )
    left = (  # "but leave his beer"; not "leave the beer off", nor "leave out the Fanta"
        "leave" in before and _OFF.isdisjoint(after) and _OFF.isdisjoint(before)
    )
    return bool(
        _KEEP & set(before) or _ENOUGH & set(after) or taken_over or left or _had(words, thing)
    )


_OFF: Final = frozenset({"off", "out", "aside", "weg"})


def _had(words: list[str], thing: Thing) -> bool:
    """ "take off the Fanta — he'll just have the beer", "sie trinkt einfach das Wasser": what
    someone goes on having stays (not "take the drink off the Coke": no one has it)."""
    before = words[max(0, thing.start - 7) : thing.start]
    having = [at for at, word in enumerate(before) if word in _HAVING]
    if not having or not _DENIED.isdisjoint(before):
        return False
    said = [word for word in before[: having[0]] if word not in _ONLY]  # "she'll only have
    return bool(said) and said[-1] in _WHO_HAS  # a sup of my beer"


def _only_left(words: list[str], thing: Thing) -> bool:
    """ "take the jalapeños off — just the olives": after what goes, what is left (not "take
    off just the olives", where it is the one thing that goes)."""
    return not _ONLY.isdisjoint(words[max(0, thing.start - 2) : thing.start])


_ONLY: Final = frozenset({"just", "only", "nur"})
_BETWEEN: Final = ARTICLES | {"extra", "zusaetzlich", "zusaetzliche", "zusaetzlichen", "additional"}
"""Words between "ohne" and what goes: "ohne die extra Oliven", "without the additional ham"."""


_NOT: Final = frozenset({"not", "nicht", "hold"})
"""Right before an extra, what goes: "on the Margherita, not olives", and the kitchen's "hold
the extra cheese on that Tonno" (only an extra: "hold the order" keeps the order)."""
_ANY_NOT: Final = _NOT | NEGATED_AFTER


def _not_this(words: list[str], thing: Thing, things: list[Thing], many: frozenset[str]) -> bool:
    """ "on the Margherita, not olives", "hold the onions": "not" right before an extra is
    "without" — unless another of its kind follows ("not onion lah, olives": a swap)."""
    if thing.group not in many or not _after(words, thing, _NOT, _BETWEEN):
        return False
    return not any(
        other.group == thing.group and other.start > thing.end and not _kept(words, other)
        for other in things  # "hold the extra cheese, keep the onions": no swap
    )


def _after_without(words: list[str], thing: Thing) -> bool:
    return _after(words, thing, WITHOUT, _BETWEEN)


def _recounted_after(words: list[str], things: list[Thing], target: Thing) -> bool:
    """ "ihr Sohn darf keine Fanta – mach bitte 5 Fanta", "no beer for Tom, so just 2 beers":
    the item said again after it with its new count is a recount, not a removal."""
    later = [t for t in things if t.value == target.value and t.start > target.end]
    return any(
        RECOUNTING & set(words[target.end : t.start])
        and any(word_to_number(word) for word in words[max(target.end, t.start - 2) : t.start])
        for t in later
    )


def _asks_to_remove(words: list[str]) -> bool:
    pairs = REMOVING_PAIRS.intersection(itertools.pairwise(words))
    if pairs == {("after", "all")} and not _PUTTING.isdisjoint(words):
        pairs = frozenset()  # "put some extra cheese on that Margherita after all": on, not off
    return not REMOVING.isdisjoint(words) or bool(pairs)


_PUTTING: Final = frozenset({"put", "add", "throw", "chuck", "stick", "drauf", "dazu"})


def _kept_count(words: list[str], thing: Thing) -> bool:
    """ "… seine Diavola fällt weg, und dann nur vier Wasser": the count said with "nur"
    before the item is what stays (a recount), not what goes."""
    before = words[max(0, thing.start - 3) : thing.start]
    if len(before) < 2 or word_to_number(before[-1]) is None:
        return False
    pointing = len(before) == 3 and before[0] in RECOUNTING and before[1] in _THAT_OR_SO
    return before[-2] in RECOUNTING or pointing  # "… after all — make it three Cokes"


_THAT_OR_SO: Final = THAT | {"also", "so", "dann", "then", "bitte", "please", "doch"}
"""Between a word of recounting and its count: "make it three", "mach also drei"."""


def _how_many_out(words: list[str], things: list[Thing], target: Thing) -> int | None:
    """The one count a removal names that belongs to no other item ("Ben trinkt keine Cola,
    streich eine", "take one coke off", "trinkt kein Bier, also ein Bier weniger"); None when
    it names none or several, or says all of it goes ("die Cola könnt ihr ganz streichen, wir
    haben noch eine Kiste Wasser")."""
    if not _ALL_OF_IT.isdisjoint(words):
        return None
    taken = {i for thing in things for i in range(thing.start, thing.end)}
    before_others = {thing.start - 1 for thing in things if thing.value != target.value}
    counts = [
        number
        for index, word in enumerate(words)
        if index not in taken and index not in before_others
        if (number := word_to_number(word)) is not None and 0 < number <= 99
        if not _an_article_of_another(words, index, taken)
    ]
    return counts[0] if len(counts) == 1 else None


def _an_article_of_another(words: list[str], index: int, taken: set[int]) -> bool:
    """Whether the "one" at `index` is the article of a word the menu does not name ("– hann
    mir an Silvester versproche", "we made a promise"): it counts that, not what goes ("streich
    eine davon", "eine weniger" count it)."""
    after = words[index + 1] if index + 1 < len(words) else ""
    return (
        words[index] in _ARTICLES_OF_ONE
        and after.isalpha()
        and index + 1 not in taken
        and after not in _COUNT_AFTER
    )


_ARTICLES_OF_ONE: Final = frozenset({"a", "an", "ein", "eine", "einen", "einem", "einer"})
_COUNT_AFTER: Final = frozenset(
    {"davon", "weniger", "less", "fewer", "off", "weg", "raus", "out", "of", "bitte", "please"}
)
"""After the count of what goes: "eine davon", "one less", "take one off", "eine bitte weg"."""


_ALL_OF_IT: Final = frozenset({"ganz", "komplett", "completely", "entirely", "altogether"})
_OF_THE: Final = ARTICLES | {"of", "von", "those", "these"}


def _count_before(words: list[str], thing: Thing) -> int | None:
    """The count said right before one of several things to go ("drop the Margherita and one
    of the Cokes", "nimm die Funghi und eine Cola raus"): that many of it, not the line."""
    index = thing.start - 1
    while index >= 0 and words[index] in _OF_THE:
        index -= 1
    number = word_to_number(words[index]) if index >= 0 else None
    return number if number is not None and 0 < number <= 99 else None


_OF_SOMEONE: Final = frozenset({"von", "of", "for", "fuer"})


def _someones(words: list[str], thing: Thing) -> int | None:
    """One, for someone's of the item ("das Bier von Jonas", "Lisa's beer", "Tom sein Bier")
    when no count is said: their one of a line several share, not the line."""
    before = [word for word in words[: thing.start] if word not in ARTICLES][-2:]
    whose = bool(before) and before[-1] in WHOSE
    if whose and before[-1] == "s" and len(before) == 2 and before[0] in _CONTRACTED:
        whose = False  # "it's the beer that goes": is, not whose
    after = words[thing.end : thing.end + 2]
    named_after = len(after) == 2 and after[0] in _OF_SOMEONE and after[1] not in ARTICLES
    return 1 if whose or named_after else None


def _one_refuses(words: list[str], thing: Thing) -> int | None:
    """One, when one person says they want none of the item ("meine Freundin will doch keine
    Cola", "er mag keinen Salat"): their one of a line several share; not "wir wollen doch
    keine Cola", nor "doch keine Cola", which take the line."""
    before = [word for word in words[: thing.start] if word not in ARTICLES]
    if len(before) < 2 or before[-1] not in _NONE_OF or not _ONE_WANTS & set(before):
        return None
    return 1


_NONE_OF: Final = frozenset({"kein", "keine", "keinen"})
_ONE_WANTS: Final = frozenset({"will", "mag", "moechte", "trinkt", "isst", "nimmt", "braucht"})
"""A verb of wanting in the singular: one person's (the plural "wollen", "moechten" is all)."""


_CONTRACTED: Final = frozenset({"it", "that", "what", "let", "he", "she", "there", "here", "who"})
"""Words whose "'s" is "is" or "us", not whose: "it's the beer", "let's drop the cola"."""


def _described_line(
    turn: Turn, words: list[str], item: Thing, things: list[Thing]
) -> CartLine | None:
    """Of several lines of the item, the one its extras said with "mit"/"with" describe ("die
    Margherita mit Schinken streichen" of a plain one and one with ham: the one with ham)."""
    if item.group is not None or item.end >= len(words) or words[item.end] not in _WITH:
        return None
    extras = [t for t in things if t.group is not None and item.end < t.start <= item.end + 4]
    lines = [
        line
        for line in turn.session["cart"]["lines"]
        if line["item"] == item.value and extras and all(holds(line, e) for e in extras)
    ]
    return lines[-1] if lines else None


def _take_out(
    turn: Turn, thing: Thing, fewer: int | None, line: CartLine | None
) -> tuple[str, bool] | None:
    """The line of `thing` out of the cart, or `fewer` of it when it has more than that (an
    extra: off `line`, or the newest line with it): what went, and whether it was a recount
    ("4× Cola → 3× Cola") rather than a removal."""
    line = line or line_with(turn, thing)
    if line is None:
        return None
    if thing.group is None and fewer is not None and fewer < line["quantity"]:
        before = describe_line(turn.bot, turn.lang, line)
        line["quantity"] -= fewer
        return f"{before} → {describe_line(turn.bot, turn.lang, line)}", True
    if thing.group is None:
        turn.session["cart"]["lines"].remove(line)
        return describe_line(turn.bot, turn.lang, line), False
    if thing.group not in many_choice_groups(turn.bot):
        return None  # a size cannot be taken out, only changed
    line["options"][thing.group] = [c for c in line["options"][thing.group] if c != thing.value]
    turn.cart.reprice(line)
    return choice_name(turn, thing), False
