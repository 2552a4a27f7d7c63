"""What the help desk's password_check action takes for a password (bots/pc_support/actions.py)."""

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest


def _actions() -> ModuleType:
    path = Path(__file__).parent.parent / "actions.py"
    spec = importlib.util.spec_from_file_location("pc_support_actions", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


looks_like_password = _actions().looks_like_password


@pytest.mark.parametrize(
    "text",
    [
        "nein, mein Passwort ist Sommer2024",
        "Kennwort lautet hund123",
        "pw: katze",
        "my password is hunter2",
        "nope – Tr0ub4dor88",
        "Sommer2024!",
    ],
)
def test_a_password_is_seen(text: str) -> None:
    assert looks_like_password(text)


@pytest.mark.parametrize(
    "text",
    [
        "nein",
        "mein Passwort ist falsch",
        "das Passwort ist immer noch falsch",
        "my password is still wrong",
        "meine Adresse ist max.Muster2@gmx.de",
        "https://example.com/Hilfe2024",
        "der Drucker ist ein HP 2710e",
    ],
)
def test_an_answer_is_no_password(text: str) -> None:
    assert not looks_like_password(text)
