"""The runtime asks an action once per request, on every store: a turn replayed after its
worker died before the commit takes the answer the first run kept; an answer that cannot be
read back, or a store that fails, is handled as docs/actions-exactly-once.md says."""

from __future__ import annotations

import asyncio
import logging

import pytest

from framework.action_calls import ActionContext, ActionError, ActionOutcome
from framework.actions.performing import BotActions
from framework.flows import Bot, load_bot
from framework.runtime.turns import Runtime
from framework.stores.memory.sessions import MemoryStore
from framework.stores.records import InboxItem, SessionKey
from framework.stores.session_store import Store, StoreError
from tests.runtime.processes import BOTS

KEY = SessionKey("ledger", "rest", "ada")


class Ledger:
    """The ledger bot's `note`, counting its calls in memory."""

    def __init__(self, fail: bool = False) -> None:
        self.calls: list[str] = []
        self.fail = fail

    def names(self) -> frozenset[str]:
        return frozenset({"note"})

    async def run(self, context: ActionContext) -> ActionOutcome:
        self.calls.append(context.request_id)
        if self.fail:
            raise ActionError("the ledger is full")
        return ActionOutcome(slots={"line": len(self.calls)})

    async def close(self) -> None:
        return None


class Crash(Exception):
    """The worker dies (in a test: the turn stops where the fault is injected)."""


def crash_after_engine(stage: str) -> None:
    if stage == "after_engine":
        raise Crash


@pytest.fixture(scope="module")
def bot() -> Bot:
    return load_bot(BOTS / "ledger")


def runtime(store: Store, bot: Bot, ledger: Ledger, crash: bool = False) -> Runtime:
    fault = crash_after_engine if crash else None
    actions = {bot.name: BotActions([ledger])}
    return Runtime(store, {bot.name: bot}, lease=0.3, fault=fault, actions=actions)


def note(number: int = 1) -> InboxItem:
    return InboxItem.message(f"m{number}", "2026-11-27T18:00:00+00:00", "note")


async def replies(runtime: Runtime, item: InboxItem) -> list[str]:
    return [entry["text"] for entry in await runtime.submit(KEY, item) if entry["from"] == "bot"]


async def crashed_turn(store: Store, bot: Bot, ledger: Ledger) -> None:
    """m1's turn runs its action and dies before the commit; its lease runs out."""
    with pytest.raises(Crash):
        await runtime(store, bot, ledger, crash=True).submit(KEY, note())
    assert len(ledger.calls) == 1
    await asyncio.sleep(0.4)


async def test_a_replayed_turn_takes_the_kept_answer(store: Store, bot: Bot) -> None:
    ledger = Ledger()
    await crashed_turn(store, bot, ledger)
    assert await replies(runtime(store, bot, ledger), note()) == ["noted as line 1"]
    assert len(ledger.calls) == 1
    assert await replies(runtime(store, bot, ledger), note(2)) == ["noted as line 2"]
    assert len(set(ledger.calls)) == 2  # each request its own id


async def test_a_kept_failure_is_replayed_as_a_failure(store: Store, bot: Bot) -> None:
    ledger = Ledger(fail=True)
    await crashed_turn(store, bot, ledger)
    ledger.fail = False  # it would work now, but the turn is the one that already ran
    said = await replies(runtime(store, bot, ledger), note())
    assert said[0] == "the ledger failed"  # (the flow goes on after its on_error block)
    assert len(ledger.calls) == 1


async def test_an_unreadable_kept_answer_lets_the_action_run_again(
    store: Store, bot: Bot, caplog: pytest.LogCaptureFixture
) -> None:
    ledger = Ledger()
    await crashed_turn(store, bot, ledger)
    await store.keep_answer(str(KEY), ledger.calls[0], '{"v": 1, "action": "note", "now": 5}')
    with caplog.at_level(logging.WARNING, "theke.actions"):
        assert await replies(runtime(store, bot, ledger), note()) == ["noted as line 2"]
    assert len(ledger.calls) == 2  # at least once: the answer could not be told
    assert "kept action answer unreadable" in caplog.text


class Unkept(MemoryStore):
    """A store that cannot keep answers."""

    async def keep_answer(self, key: str, request_id: str, answer: str) -> None:
        raise StoreError("the store is down; try again")


class Unread(MemoryStore):
    """A store that cannot say which answers it kept."""

    async def kept_answer(self, key: str, request_id: str) -> str | None:
        raise StoreError("the store is down; try again")


async def test_an_answer_that_cannot_be_kept_is_still_used(
    bot: Bot, caplog: pytest.LogCaptureFixture
) -> None:
    ledger = Ledger()
    with caplog.at_level(logging.WARNING, "theke.actions"):
        assert await replies(runtime(Unkept(), bot, ledger), note()) == ["noted as line 1"]
    assert len(ledger.calls) == 1
    assert "action answer not kept" in caplog.text


async def test_an_action_is_not_called_when_the_store_cannot_say_it_ran(bot: Bot) -> None:
    ledger = Ledger()
    said = await replies(runtime(Unread(), bot, ledger), note())
    assert said[0] == "the ledger failed"
    assert ledger.calls == []
