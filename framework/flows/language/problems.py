"""Problems found in a bot definition, each pointing at file:line:column with a hint."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass

from framework.errors import FlowError
from framework.flows.model import Position

__all__ = ["BotDefinitionError", "Problem", "did_you_mean"]


@dataclass(frozen=True, slots=True)
class Problem:
    pos: Position
    message: str
    hint: str = ""
    warning: bool = False

    def __str__(self) -> str:
        kind = "warning" if self.warning else "error"
        hint = f" ({self.hint})" if self.hint else ""
        return f"{self.pos}: {kind}: {self.message}{hint}"


class BotDefinitionError(FlowError):
    """A bot that cannot be loaded; `problems` lists every error found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        errors = [str(problem) for problem in problems if not problem.warning]
        super().__init__("the bot has errors:\n" + "\n".join(errors))


def did_you_mean(name: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
    return f"did you mean {close[0]!r}?" if close else ""
