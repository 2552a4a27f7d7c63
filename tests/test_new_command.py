"""`theke new`: a bot to start from that checks, passes its own tests and answers."""

from __future__ import annotations

from pathlib import Path

import pytest

from framework.cli import main
from framework.flows import load_bot


def test_a_new_bot_checks_and_passes_its_tests(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "my-shop"
    assert main(["new", str(folder)]) == 0
    assert "wrote" in capsys.readouterr().out
    assert load_bot(folder).name == "my_shop"
    assert main(["check", str(folder)]) == 0
    assert main(["test", str(folder)]) == 0
    assert "passed, 0 failed" in capsys.readouterr().out


def test_it_never_writes_over_a_folder_with_something_in_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "shop").mkdir()
    (tmp_path / "shop" / "notes.txt").write_text("mine", encoding="utf-8")
    assert main(["new", str(tmp_path / "shop")]) == 1
    assert "not empty" in capsys.readouterr().err
    assert sorted(p.name for p in (tmp_path / "shop").iterdir()) == ["notes.txt"]


def test_an_unknown_kind_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["new", str(tmp_path / "x"), "--kind", "spaceship"]) == 1
    assert "no bot of the kind 'spaceship'" in capsys.readouterr().err
