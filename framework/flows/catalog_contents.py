"""What is on an item, asked beside or instead of an order ("Is the Tonno with onions?",
"hat die Capricciosa Oliven?", "the Hawaii, is it with ham?"), answered from the catalog: the
item's `contains:` in the customer's language, and what is asked for that it lacks with its
price as an extra. Said through the built-in texts `catalog_contains` and `catalog_lacks`,
which a bot may reword. A question the bot's own knowledge answers is left to it."""

from __future__ import annotations

from collections.abc import Sequence

from babel.lists import format_list

from framework.flows.catalog_answers import choices_named, label_said, money_said
from framework.flows.model import Choice, Item
from framework.flows.turn import Turn
from framework.flows.understanding.lexicon import lexicon_for
from framework.flows.understanding.normalize import normalize, tokens
from framework.flows.understanding.questions import item_questions

__all__ = ["contents_answer"]


def contents_answer(turn: Turn, text: str) -> str | None:
    """The answer to the message's questions about what is on an item, None when it asks
    none that names an item with known contents and something that could be on it."""
    lexicon = lexicon_for(turn.bot)
    answers = [
        answer
        for part in item_questions(text, lexicon.names_items)
        if (answer := _answer(turn, tokens(part))) is not None
    ]
    return "\n".join(answers) or None


def _answer(turn: Turn, words: list[str]) -> str | None:
    catalog, lexicon = turn.bot.catalog, lexicon_for(turn.bot)
    named = {match.value for match in lexicon.items(frozenset()).find_all(words)}
    if len(named) != 1:
        return None
    item = catalog.items[named.pop()]
    contents = _contents(item, turn.lang) or _contents(item, turn.bot.business.language)
    if not contents:
        return None
    extras = [
        choice
        for group in (catalog.groups[name] for name in item.options if name in catalog.groups)
        if group.many
        for choice in choices_named(turn, group, words)
    ]
    on_it = {normalize(word) for word in contents}
    asked_on = [word for word in words if word in on_it]
    lacking = [choice for choice in extras if not _on(choice, on_it)]
    if not (extras or asked_on):
        return None
    name = label_said(turn, item.name)
    listed = _listed(turn, contents)
    if not lacking:
        return turn.text("catalog_contains", item=name, contents=listed)
    priced = _listed(
        turn,
        [
            f"{label_said(turn, choice.name)} ({money_said(turn, _minor(choice))})"
            for choice in lacking
        ],
    )
    return turn.text("catalog_lacks", item=name, contents=listed, extras=priced)


def _listed(turn: Turn, words: Sequence[str]) -> str:
    """ "ham and pineapple", "Schinken, Champignons und Oliven"."""
    return str(format_list(list(words), locale=turn.lang))


def _contents(item: Item, lang: str) -> tuple[str, ...]:
    return next((words for said_in, words in item.contains if said_in == lang), ())


def _on(choice: Choice, on_it: set[str]) -> bool:
    """Whether an extra asked for is already on the item ("mushrooms" on the Capricciosa)."""
    return any(normalize(label) in on_it for label in choice.name.values())


def _minor(choice: Choice) -> int:
    return choice.price.minor if choice.price is not None else 0
