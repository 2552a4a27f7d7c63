"""`theke tickets` against the workspace's SQLite file while the server would run: list, show,
reply, note, pending, solve, close; the customer hears the reply and the moves in their
conversation; refusals say why; stored text cannot drive the terminal."""

from __future__ import annotations

import asyncio
import time
import uuid
from pathlib import Path

import pytest

from framework.actions.performing import BotActions
from framework.cli import main
from framework.flows import load_bot
from framework.runtime.turns import Runtime
from framework.stores.records import InboxItem, SessionKey, StoreLimits, iso_time
from framework.stores.sqlite.sessions import SqliteStore
from framework.stores.sqlite.tickets import SqliteTickets
from framework.tickets.service import Tickets
from tests.tickets.test_ticket_step import BOT

KEY = SessionKey("helpdesk", "rest", "ada")


@pytest.fixture
async def workspace(tmp_path: Path) -> Path:
    """A workspace whose customer Ada opened ticket 1001 in a conversation, naming her device
    with an escape sequence in it."""
    bot = tmp_path / "helpdesk"
    bot.mkdir()
    (bot / "bot.yaml").write_text(BOT, encoding="utf-8")
    (tmp_path / "flows.yaml").write_text(
        f"version: 1\nbots: [{bot}]\nstore: sqlite:///state.db\n", encoding="utf-8"
    )
    store = await SqliteStore.open(str(tmp_path / "state.db"), StoreLimits())
    tickets = await SqliteTickets.open(str(tmp_path / "state.db"))
    helpdesk = load_bot(bot)
    actions = {"helpdesk": BotActions.of(helpdesk, tickets=Tickets(tickets))}
    runtime = Runtime(store, {"helpdesk": helpdesk}, actions=actions)
    for text in ("broken", "Laptop \x1b]0;owned\x07", "ada@example.com"):
        await runtime.submit(KEY, InboxItem.message(uuid.uuid4().hex, iso_time(time.time()), text))
    await tickets.close()
    await store.close()
    return tmp_path


async def theke(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """The command as a business runs it (its own event loop, in a thread here)."""
    code = await asyncio.to_thread(main, ["tickets", *args])
    out, err = capsys.readouterr()
    return code, out, err


async def told(folder: Path) -> list[str]:
    """What the server's next tick tells the customer."""
    store = await SqliteStore.open(str(folder / "state.db"), StoreLimits())
    try:
        runtime = Runtime(store, {"helpdesk": load_bot(folder / "helpdesk")})
        await runtime.tick()
        said = [e["text"] for e in await store.log(str(KEY), 0, 50) if e["from"] == "bot"]
        return said[3:]  # after the conversation that opened the ticket
    finally:
        await store.close()


async def test_list_show_reply_and_solve_reach_the_customer(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    w = str(workspace)
    code, out, _ = await theke(capsys, "list", "-w", w)
    assert code == 0 and out.startswith("1001    open")
    assert "\x1b" not in out and "\\x1b]0;owned" in out
    code, out, _ = await theke(
        capsys, "reply", "1001", "Bitte", "Akku", "prüfen", "--agent", "anna", "-w", w
    )
    assert code == 0 and "agent:anna: Bitte Akku prüfen" in out
    code, out, _ = await theke(
        capsys, "note", "1001", "Kunde", "klang", "genervt", "--agent", "anna", "-w", w
    )
    assert "[internal]" in out
    code, out, _ = await theke(capsys, "solve", "1001", "--agent", "anna", "-w", w)
    assert code == 0 and "– solved" in out
    assert await told(workspace) == [
        "News on your ticket 1001:\nBitte Akku prüfen",
        "Your ticket 1001 is solved. If it isn't, just reply here.",
    ]


async def test_refusals_say_why_and_change_nothing(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    w = str(workspace)
    assert (await theke(capsys, "solve", "1001", "--agent", "anna", "-w", w))[0] == 0
    code, _, err = await theke(capsys, "pending", "1001", "--agent", "anna", "-w", w)
    assert code != 0 and "solved" in err and "Traceback" not in err
    code, _, err = await theke(capsys, "reply", "1001", "hallo", "-w", w)
    assert code != 0 and "--agent" in err
    for bad in ("4711", "abc", "9" * 40, "\uff11\uff12"):
        code, _, err = await theke(capsys, "show", bad, "-w", w)
        assert code != 0 and "Traceback" not in err, bad
    code, _, err = await theke(capsys, "list", "--status", "done", "-w", w)
    assert code != 0 and "open, pending, solved, closed" in err
    code, out, _ = await theke(capsys, "show", "1001", "--json", "-w", w)
    assert code == 0 and '"status": "solved"' in out and "\x1b" not in out
