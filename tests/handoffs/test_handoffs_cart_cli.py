"""`theke handoffs cart` against the workspace's SQLite file: the cart as it is now with its
numbered lines, an item added with options and quantity, a line's quantity, a line removed;
back with the bot the customer's summary shows it. Refusals say why and send nothing."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from framework.flows import load_bot
from framework.handoffs.service import Handoffs
from framework.runtime.turns import Runtime
from framework.stores.records import InboxItem, SessionKey, StoreLimits, iso_time
from framework.stores.sqlite.handoffs import SqliteHandoffs
from framework.stores.sqlite.sessions import SqliteStore
from tests.clocks import FRIDAY_EVENING
from tests.handoffs.test_handoffs_cli import theke

PIZZA = Path(__file__).resolve().parents[2] / "bots" / "pizza"
KEY = SessionKey("pizza", "rest", "ada")


async def runtime_of(folder: Path) -> tuple[Runtime, SqliteStore, SqliteHandoffs]:
    store = await SqliteStore.open(str(folder / "state.db"), StoreLimits())
    handoffs = await SqliteHandoffs.open(str(folder / "state.db"))
    clock = lambda: FRIDAY_EVENING  # noqa: E731  (the pizzeria is open)
    bots = {"pizza": load_bot(PIZZA)}
    runtime = Runtime(store, bots, handoffs=Handoffs(handoffs, store.enqueue, clock), clock=clock)
    return runtime, store, handoffs


async def bot_said(folder: Path, *texts: str) -> list[str]:
    """The customer's messages (and what waits in the inbox) run; all the bot said."""
    runtime, store, handoffs = await runtime_of(folder)
    try:
        for text in texts:
            item = InboxItem.message(uuid.uuid4().hex, iso_time(FRIDAY_EVENING), text)
            await runtime.submit(KEY, item)
        await runtime.tick()
        return [e["text"] for e in await store.log(str(KEY), 0, 50) if e["from"] == "bot"]
    finally:
        await store.close()
        await handoffs.close()


@pytest.fixture
async def workspace(tmp_path: Path) -> Path:
    """Ada ordered two large salami and asked for a person."""
    (tmp_path / "flows.yaml").write_text(
        f"version: 1\nbots: [{PIZZA}]\nstore: sqlite:///state.db\n", encoding="utf-8"
    )
    await bot_said(tmp_path, "2 große Salami ohne extras", "Mitarbeiter")
    return tmp_path


async def test_the_agent_changes_the_cart_from_the_terminal(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    w, session, anna = str(workspace), str(KEY), ("--agent", "anna", "-w", str(workspace))
    assert (await theke(capsys, "claim", session, *anna))[0] == 0
    code, out, _ = await theke(capsys, "cart", session, "-w", w)
    assert (code, out) == (0, "  1  2× Salami (Groß)  25,00\xa0€\n")
    code, out, _ = await theke(
        capsys, "cart", session, "add", "margherita", "small", "ham", "2", *anna
    )
    assert (code, out) == (0, "2× Margherita (Klein, Schinken) added as line 2\n")
    await bot_said(workspace)  # the server applies it
    code, out, _ = await theke(capsys, "cart", session, "add", "cola", *anna)
    assert (code, out) == (0, "1× Cola 0,33 l added as line 3\n")
    await bot_said(workspace)
    assert (await theke(capsys, "cart", session, "quantity", "1", "1", *anna))[0] == 0
    assert (await theke(capsys, "cart", session, "remove", "3", *anna))[0] == 0
    assert (await theke(capsys, "return", session, *anna))[0] == 0
    said = await bot_said(workspace)
    assert said[-2:] == [
        "Du schreibst wieder mit dem Bot.",
        "1× Salami (Groß) – 12,50\xa0€\n2× Margherita (Klein, Schinken) – 20,00\xa0€\n"
        "Summe: 32,50\xa0€\n\nNoch etwas dazu?",
    ]


async def test_refusals_say_why(workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    session, anna = str(KEY), ("--agent", "anna", "-w", str(workspace))
    code, _, err = await theke(capsys, "cart", session, "add", "cola", *anna)
    assert code != 0 and "anna does not hold this conversation" in err
    assert (await theke(capsys, "claim", session, *anna))[0] == 0
    for words, reason in [
        (["add", "salamy"], "'salamy' is not an item of the catalog (did you mean 'salami'?)"),
        (["add", "cola", "2", "3"], "cart takes `add ITEM [OPTION…] [QUANTITY]`"),
        (["remove", "5"], "the cart has no line 5 (its lines: 1)"),
        (["frobnicate", "1"], "cart takes `add ITEM"),
    ]:
        code, _, err = await theke(capsys, "cart", session, *words, *anna)
        assert code != 0 and reason in err and "Traceback" not in err, (words, err)
    code, _, err = await theke(capsys, "cart", session, "add", "cola", "-w", str(workspace))
    assert code != 0 and "--agent" in err
    assert (await theke(capsys, "return", session, *anna))[0] == 0
    said = await bot_said(workspace)
    assert said[-1] == "2× Salami (Groß) – 25,00\xa0€\nSumme: 25,00\xa0€\n\nNoch etwas dazu?"
