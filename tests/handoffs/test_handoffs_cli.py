"""`theke handoffs` against the workspace's SQLite file while the server would run: the queue,
claiming (a second agent is refused, naming the holder), writing to the customer, handing
back; refusals say why."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

import pytest

from framework.cli import main
from framework.flows import load_bot
from framework.handoffs.service import Handoffs
from framework.runtime.turns import Runtime
from framework.stores.records import InboxItem, SessionKey, StoreLimits, iso_time
from framework.stores.sqlite.handoffs import SqliteHandoffs
from framework.stores.sqlite.sessions import SqliteStore
from tests.handoffs.test_handoff_served import BOT

KEY = SessionKey("shop", "rest", "ada")
MONDAY_NOON = 1796036400.0


async def runtime_of(folder: Path) -> tuple[Runtime, SqliteStore, SqliteHandoffs]:
    store = await SqliteStore.open(str(folder / "state.db"), StoreLimits())
    handoffs = await SqliteHandoffs.open(str(folder / "state.db"))
    bots = {"shop": load_bot(folder / "shop")}
    clock = lambda: MONDAY_NOON  # noqa: E731  (the shop is open)
    runtime = Runtime(store, bots, handoffs=Handoffs(handoffs, store.enqueue, clock), clock=clock)
    return runtime, store, handoffs


@pytest.fixture
async def workspace(tmp_path: Path) -> Path:
    """Ada asked for a person in a conversation with the shop."""
    (tmp_path / "shop").mkdir()
    (tmp_path / "shop" / "bot.yaml").write_text(BOT, encoding="utf-8")
    (tmp_path / "flows.yaml").write_text(
        f"version: 1\nbots: [{tmp_path / 'shop'}]\nstore: sqlite:///state.db\n", encoding="utf-8"
    )
    runtime, store, handoffs = await runtime_of(tmp_path)
    for text in ("order", "I want to talk to a person"):
        item = InboxItem.message(uuid.uuid4().hex, iso_time(MONDAY_NOON), text)
        await runtime.submit(KEY, item)
    await store.close()
    await handoffs.close()
    return tmp_path


async def theke(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = await asyncio.to_thread(main, ["handoffs", *args])
    out, err = capsys.readouterr()
    return code, out, err


async def heard(folder: Path) -> list[str]:
    runtime, store, handoffs = await runtime_of(folder)
    try:
        for _ in range(5):
            await runtime.tick()
        return [e["text"] for e in await store.log(str(KEY), 0, 50) if e["from"] == "bot"]
    finally:
        await store.close()
        await handoffs.close()


async def test_an_agent_claims_writes_and_hands_back(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    w, session = str(workspace), str(KEY)
    code, out, _ = await theke(capsys, "list", "-w", w)
    assert code == 0 and out.startswith("queued") and session in out
    assert (await theke(capsys, "claim", session, "--agent", "anna", "-w", w))[0] == 0
    code, _, err = await theke(capsys, "claim", session, "--agent", "ben", "-w", w)
    assert code != 0 and "anna" in err and "Traceback" not in err
    code, _, err = await theke(capsys, "say", session, "Hallo", "--agent", "ben", "-w", w)
    assert code != 0 and "claim it first" in err
    await theke(
        capsys, "say", session, "Hi", "Ada,", "how", "can", "I", "help?", "--agent", "anna", "-w", w
    )
    code, _, err = await theke(capsys, "set", session, "size", "--agent", "anna", "-w", w)
    assert code != 0 and "slot=value" in err
    assert (await theke(capsys, "set", session, "size=large", "--agent", "anna", "-w", w))[0] == 0
    assert (await theke(capsys, "return", session, "--agent", "anna", "-w", w))[0] == 0
    said = await heard(workspace)
    assert said[-4:] == [
        "anna is with you now.",
        "Hi Ada, how can I help?",
        "You're back with the bot.",
        "Size large it is.",
    ]
    code, out, _ = await theke(capsys, "list", "-w", w)
    assert out.strip() == "nobody waits for a person"


async def test_refusals(workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    w = str(workspace)
    code, _, err = await theke(capsys, "claim", "--agent", "anna", "-w", w)
    assert code != 0 and "conversation" in err
    code, _, err = await theke(capsys, "claim", str(KEY), "-w", w)
    assert code != 0 and "--agent" in err
    code, _, err = await theke(capsys, "claim", "shop:rest:nobody", "--agent", "anna", "-w", w)
    assert code != 0 and "Traceback" not in err
    code, _, err = await theke(capsys, "claim", str(KEY), "--agent", "\x1b[31m", "-w", w)
    assert code != 0 and "Traceback" not in err and "\x1b" not in err
