"""`theke notify` on the SQLite file a running server uses: the notice reaches each
conversation holding the topic's consent once (the same key again notifies nobody twice), none
that said STOP or never agreed, through the server's own workers; broken and hostile input is
refused with the reason, without a traceback, and nothing is handed out."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from framework.cli import main
from framework.stores.opening import open_store
from framework.workspace import Workspace
from tests.consents.cafe import ADMIN, BOT, CAKE, serve_cafe
from tests.served import say, times_told

WORKSPACE = "version: 1\nbots: [cafe]\nstore: sqlite:///state.db\n"


def notify(capsys: pytest.CaptureFixture[str], root: Path, *args: str) -> tuple[int, str, str]:
    code = main(["notify", "-w", str(root), *args])
    out, err = capsys.readouterr()
    return code, out, err


async def test_the_notice_reaches_each_holder_once_through_the_running_server(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("THEKE_ADMIN_KEY", ADMIN)
    (tmp_path / "flows.yaml").write_text(WORKSPACE, encoding="utf-8")
    async with serve_cafe(tmp_path, {}) as cafe:
        await say(cafe, "ada", "neuigkeiten")
        await say(cafe, "ben", "neuigkeiten")
        await say(cafe, "ben", "STOP")
        await say(cafe, "cem", "angebote")  # marketing only: no news
        args = ("--topic", "news", "--text", "fresh_cake", "--key", "evt-1")
        code, out, err = await asyncio.to_thread(notify, capsys, tmp_path, *args)
        assert (code, err) == (0, "")
        assert out.strip() == "Notified 1 conversation(s) holding notify:news (key evt-1)"
        assert await times_told(cafe, "ada", CAKE, 1) == 1
        assert [await times_told(cafe, who, CAKE) for who in ("ben", "cem")] == [0, 0]
        await asyncio.to_thread(notify, capsys, tmp_path, *args)  # the event delivered twice
        assert await times_told(cafe, "ada", CAKE) == 1
        again = ("--topic", "news", "--text", "fresh_cake", "--key", "evt-2", "--json")
        code, out, _ = await asyncio.to_thread(notify, capsys, tmp_path, *again)
        answer = {"notified": 1, "already": 0, "waiting": 0, "key": "evt-2"}
        assert (code, json.loads(out)) == (0, answer)
        assert await times_told(cafe, "ada", CAKE, 2) == 2


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    (tmp_path / "cafe").mkdir()
    (tmp_path / "cafe" / "bot.yaml").write_text(BOT, encoding="utf-8")
    (tmp_path / "flows.yaml").write_text(WORKSPACE, encoding="utf-8")
    return tmp_path


GOOD = {"--topic": "news", "--text": "fresh_cake", "--key": "evt-1"}


@pytest.mark.parametrize(
    ("changed", "values", "said"),
    [
        ({"--text": "nothing_of_ours"}, [], "text: one of the bot's texts"),
        ({"--topic": "flight SA 1234"}, [], "topic: 1 to 200 letters"),
        ({"--topic": "../../etc/passwd"}, [], "topic: 1 to 200 letters"),
        ({"--topic": "x" * 201}, [], "topic: 1 to 200 letters"),
        ({"--topic": "news\n"}, [], "topic: 1 to 200 letters"),
        ({"--key": ""}, [], "key: 1 to 200 letters"),
        ({"--key": "evt 1; DROP TABLE consents"}, [], "key: 1 to 200 letters"),
        ({"--key": "k" * 201}, [], "key: 1 to 200 letters"),
        ({}, ["time"], "--value is name=value"),
        ({}, ["=14:35"], "--value is name=value"),
        ({}, [f"v{n}=x" for n in range(21)], "values: an object of at most 20 names"),
        ({}, ["time=" + "9" * 501], "values: names of at most 64 and values of at most 500"),
        ({"--bot": "nobody"}, [], "--bot is one of: cafe"),
    ],
)
def test_broken_and_hostile_input_is_refused_and_nothing_goes_out(
    workspace: Path,
    capsys: pytest.CaptureFixture[str],
    changed: dict[str, str],
    values: list[str],
    said: str,
) -> None:
    args = [part for name, value in {**GOOD, **changed}.items() for part in (name, value)]
    args += [part for value in values for part in ("--value", value)]
    code, out, err = notify(capsys, workspace, *args)
    assert (code, out) == (1, "")
    assert said in err and "Traceback" not in err
    assert asyncio.run(_waiting(workspace)) == []


async def _waiting(root: Path) -> list[str]:
    """The conversations with something in their inbox."""
    settings = Workspace(root=root, bots=(root / "cafe",), store="sqlite:///state.db")
    sessions = await open_store(settings.store, settings.limits, root)
    try:
        return await sessions.pending()
    finally:
        await sessions.close()


def test_a_notice_without_its_key_is_refused_by_the_parser(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        notify(capsys, workspace, "--topic", "news", "--text", "fresh_cake")
    assert exited.value.code == 2
    assert "--key" in capsys.readouterr().err
