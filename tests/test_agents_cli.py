"""`theke agents` against a workspace's SQLite file, as a business sets up its inbox: add (the
password asked twice on the terminal, or piped in with --password-stdin), list, a new
password, disable, enable, remove; refusals say why, without a traceback, and stored text
cannot drive the terminal."""

from __future__ import annotations

import asyncio
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from framework.cli import main
from framework.stores.agents import Agent
from framework.stores.sqlite.agents import SqliteAgents

BOTS = Path(__file__).parent.parent / "bots"
PASSWORD = "correct horse battery staple"
NOW = 1_800_000_000.0


class Terminal(io.StringIO):
    """stdin on a terminal (getpass is replaced: nothing is read from it)."""

    def isatty(self) -> bool:
        return True


@pytest.fixture
def workspace(tmp_path: Path) -> Iterator[Path]:
    (tmp_path / "flows.yaml").write_text(
        f"version: 1\nbots: [{BOTS / 'pc_support'}, {BOTS / 'pizza'}]\nstore: sqlite:///state.db\n",
        encoding="utf-8",
    )
    yield tmp_path


def theke(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    *args: str,
    stdin: str = "",
) -> tuple[int, str, str]:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = main(["agents", *args])
    out, err = capsys.readouterr()
    return code, out, err


def stored(folder: Path, name: str, password: str) -> tuple[Agent | None, Agent | None]:
    """The agent as kept, and what signing in with the password gives."""

    async def read() -> tuple[Agent | None, Agent | None]:
        store = await SqliteAgents.open(folder / "state.db")
        try:
            return await store.get(name), await store.verify(name, password, NOW)
        finally:
            await store.close()

    return asyncio.run(read())


def test_agents_are_added_listed_given_a_new_password_and_removed(
    workspace: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    w = str(workspace)
    code, out, err = theke(
        capsys,
        monkeypatch,
        *("add", "anna", "--display", "Anna S.", "--bots", "pc_support,pizza", "--admin"),
        *("--password-stdin", "-w", w),
        stdin=f"{PASSWORD}\n",
    )
    assert (code, err) == (0, "")
    assert out == "added anna (admin, pc_support, pizza)\n"
    kept, signed_in = stored(workspace, "ANNA", PASSWORD)
    assert kept == signed_in and kept is not None
    assert (kept.display, kept.bots, kept.role) == ("Anna S.", ("pc_support", "pizza"), "admin")
    assert (
        theke(capsys, monkeypatch, "add", "bob", "--password-stdin", "-w", w, stdin=PASSWORD)[0]
        == 0
    )
    code, out, _ = theke(capsys, monkeypatch, "list", "-w", w)
    lines = out.splitlines()
    assert code == 0 and len(lines) == 2
    assert (
        lines[0].startswith("anna")
        and "Anna S." in lines[0]
        and "admin, pc_support, pizza" in lines[0]
    )
    assert lines[1].startswith("bob") and lines[1].endswith("agent, all bots")
    code, out, _ = theke(capsys, monkeypatch, "list", "--json", "-w", w)
    listed = json.loads(out)
    assert [agent["name"] for agent in listed] == ["anna", "bob"]
    assert "scrypt" not in out and "password" not in out and PASSWORD not in out
    new = "another long passphrase"
    code, out, _ = theke(
        capsys, monkeypatch, "password", "Anna", "--password-stdin", "-w", w, stdin=f"{new}\r\n"
    )
    assert (
        code == 0 and out.startswith("new password for anna") and "every session of it ended" in out
    )
    assert stored(workspace, "anna", PASSWORD)[1] is None
    assert stored(workspace, "anna", new)[1] is not None
    code, out, _ = theke(capsys, monkeypatch, "remove", "ANNA", "-w", w)
    assert code == 0 and out.startswith("removed anna")
    assert stored(workspace, "anna", new) == (None, None)
    code, out, _ = theke(capsys, monkeypatch, "list", "--json", "-w", w)
    assert [agent["name"] for agent in json.loads(out)] == ["bob"]


def test_the_password_is_asked_twice_on_the_terminal(
    workspace: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    w, typed = str(workspace), iter([PASSWORD, PASSWORD, PASSWORD, "a typo in the second"])
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(typed))
    monkeypatch.setattr("sys.stdin", Terminal())
    assert main(["agents", "add", "anna", "-w", w]) == 0
    assert stored(workspace, "anna", PASSWORD)[1] is not None
    assert main(["agents", "password", "anna", "-w", w]) == 1
    _, err = capsys.readouterr()
    assert "the two passwords differ; nothing was changed" in err and "Traceback" not in err
    assert PASSWORD not in err
    assert stored(workspace, "anna", PASSWORD)[1] is not None


def test_disabled_agents_cannot_sign_in(
    workspace: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    w = str(workspace)
    theke(capsys, monkeypatch, "add", "anna", "--password-stdin", "-w", w, stdin=PASSWORD)
    code, out, _ = theke(capsys, monkeypatch, "disable", "anna", "-w", w)
    assert code == 0 and out == "disabled anna (agent, all bots, disabled)\n"
    assert stored(workspace, "anna", PASSWORD)[1] is None
    assert theke(capsys, monkeypatch, "list", "-w", w)[1].rstrip().endswith("disabled")
    assert theke(capsys, monkeypatch, "enable", "anna", "-w", w)[0] == 0
    assert stored(workspace, "anna", PASSWORD)[1] is not None


@pytest.mark.parametrize(
    ("args", "stdin", "refusal"),
    [
        (["add", "anna", "--password-stdin"], "too short", "has 9 characters; use 12 to 1024"),
        (["add", "anna", "--password-stdin"], "x" * 5000, "has 5000 characters; use 12 to 1024"),
        (["add", "anna"], PASSWORD, "no terminal to ask the password on; pipe it in"),
        (["add", "--password-stdin"], PASSWORD, "add needs the agent's name"),
        (["remove", "nobody"], "", "there is no agent 'nobody'"),
        (["password", "nobody", "--password-stdin"], PASSWORD, "there is no agent 'nobody'"),
        (["disable", "nobody"], "", "there is no agent 'nobody'"),
        (["add", "\x1b[31manna", "--password-stdin"], PASSWORD, "is not an agent's name"),
        (["add", "anna", "--bots", "pizza,shop", "--password-stdin"], PASSWORD, "names shop,"),
        (["add", "anna", "--bots", "\x1b]0;x\x07", "--password-stdin"], PASSWORD, "does not"),
        (["add", "anna", "--display", "d" * 101, "--password-stdin"], PASSWORD, "than the 100"),
    ],
)
def test_refusals_say_why_without_a_traceback(
    workspace: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
    stdin: str,
    refusal: str,
) -> None:
    code, out, err = theke(capsys, monkeypatch, *args, "-w", str(workspace), stdin=stdin)
    assert code == 1 and out == "" and refusal in err
    assert "Traceback" not in err and "\x1b" not in err and "\x07" not in err
    assert stdin not in err or not stdin
    assert json.loads(theke(capsys, monkeypatch, "list", "--json", "-w", str(workspace))[1]) == []


def test_a_taken_name_is_refused_before_the_password_is_asked(
    workspace: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    w = str(workspace)
    theke(capsys, monkeypatch, "add", "anna", "--password-stdin", "-w", w, stdin=PASSWORD)
    monkeypatch.setattr("sys.stdin", Terminal())
    monkeypatch.setattr("getpass.getpass", lambda prompt: pytest.fail(f"asked {prompt}"))
    assert main(["agents", "add", "ANNA", "-w", w]) == 1
    _, err = capsys.readouterr()
    assert "there is an agent 'ANNA' already" in err and "Traceback" not in err
    assert main(["agents", "password", "nobody", "-w", w]) == 1
    assert "there is no agent 'nobody'" in capsys.readouterr()[1]


def test_stored_text_cannot_drive_the_terminal(
    workspace: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    w, display = str(workspace), "Anna \x1b]0;owned\x07\u202e"
    args = ("add", "anna", "--display", display, "--password-stdin", "-w", w)
    assert theke(capsys, monkeypatch, *args, stdin=PASSWORD)[0] == 0
    for listing in (["list"], ["list", "--json"]):
        code, out, _ = theke(capsys, monkeypatch, *listing, "-w", w)
        assert code == 0 and "\x1b" not in out and "\x07" not in out and "\u202e" not in out
    assert json.loads(out)[0]["display"] == display


def test_a_workspace_in_memory_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "flows.yaml").write_text(
        f"version: 1\nbots: [{BOTS / 'pizza'}]\nstore: memory://\n", encoding="utf-8"
    )
    code, _, err = theke(capsys, monkeypatch, "list", "-w", str(tmp_path))
    assert code == 1 and "gone when this command ends" in err and "Traceback" not in err
