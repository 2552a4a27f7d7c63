"""pytest collects `<bot>/tests/*.yaml` conversation tests: one test item per conversation."""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from framework.flows.language.reader import load_bot
from framework.flows.model import Bot
from framework.testing.conversations import (
    ConversationFailure,
    ConversationTest,
    load_tests,
    run_test,
)


@cache
def _bot(folder: Path) -> Bot:
    return load_bot(folder)


def pytest_collect_file(parent: pytest.Collector, file_path: Path) -> pytest.Collector | None:
    is_conversation = (
        file_path.suffix == ".yaml"
        and file_path.parent.name == "tests"
        and (file_path.parent.parent / "bot.yaml").is_file()
    )
    return ConversationFile.from_parent(parent, path=file_path) if is_conversation else None


class ConversationFile(pytest.File):
    def collect(self) -> Iterator[pytest.Item]:
        for test in load_tests(self.path):
            yield ConversationItem.from_parent(self, name=test.name, test=test)


class ConversationItem(pytest.Item):
    def __init__(self, *, test: ConversationTest, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.test = test

    def runtest(self) -> None:
        run_test(_bot(self.path.parent.parent), self.test)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, ConversationFailure):
            return str(excinfo.value)
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, 0, f"conversation: {self.name}"
