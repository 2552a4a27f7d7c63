"""Where a bot's own phrase says a built-in command phrase: `theke check` warns about each.

The bot's words win in their context (a choice while its question is open, a trigger, a
knowledge phrase: see `Lexicon.command`), so a customer who writes "human" to a question with
the option `human` chooses it instead of asking for a person. The warning makes that a
decision of the author, naming both phrases.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

from framework.flows.model import Bot, ChoiceSet, Position
from framework.flows.understanding.lexicon import lexicon_for
from framework.flows.understanding.normalize import tokens

__all__ = ["OVERLAP_HINT", "command_overlaps"]

OVERLAP_HINT: Final = (
    "intended? Then leave it; otherwise rename the phrase, or give the command other "
    "phrases in `commands:`"
)


def _choice_phrases(choices: ChoiceSet) -> Iterator[tuple[str, str]]:
    for choice in choices.choices.values():
        yield choice.id, choice.id.replace("_", " ")
        for phrase in (*choice.name.values(), *choice.synonyms):
            yield choice.id, phrase


def _own_phrases(bot: Bot) -> Iterator[tuple[Position, str, str]]:
    """(where, what the phrase is, the phrase) of every choice, trigger and knowledge phrase."""
    for slot in bot.slots.values():
        if slot.choices is not None:
            for choice, phrase in _choice_phrases(slot.choices):
                yield slot.pos, f"the choice {choice!r} of slot {slot.name!r}", phrase
    for flow in bot.flows.values():
        for phrases in flow.triggers.values():
            for phrase in phrases:
                yield flow.pos, f"the trigger of flow {flow.name!r}", phrase
    for entry in bot.knowledge.values():
        for phrases in entry.phrases.values():
            for phrase in phrases:
                yield entry.answer.pos, f"the knowledge phrase of {entry.id!r}", phrase


def command_overlaps(bot: Bot) -> Iterator[tuple[Position, str]]:
    """A warning for each own phrase that contains a built-in command phrase."""
    commands = lexicon_for(bot).commands
    seen: set[tuple[str, str]] = set()
    for pos, what, phrase in _own_phrases(bot):
        words = tokens(phrase)
        for match in commands.find_all(words):
            said = _as_written(bot, match.value, words[match.start : match.end])
            if (phrase, said) in seen:
                continue
            seen.add((phrase, said))
            yield (
                pos,
                (
                    f"{what}, {phrase!r}, says the built-in {match.value!r} command phrase "
                    f"{said!r}: the bot's phrase wins there"
                ),
            )


def _as_written(bot: Bot, command: str, words: list[str]) -> str:
    """The command phrase as the bot's commands spell it ("löschen", not "loeschen")."""
    for phrases in bot.commands[command].values():
        for phrase in phrases:
            if tokens(phrase) == words:
                return phrase
    return " ".join(words)
