"""flows.yaml: what a deployment serves; secrets only as env: references."""

from __future__ import annotations

from pathlib import Path

import pytest

from framework.cli import main
from framework.secrets import Secret, SecretError, resolve
from framework.stores.opening import StoreURL
from framework.stores.session_store import StoreError
from framework.workspace import read_workspace

ROOT = Path(__file__).parent.parent


def write(tmp_path: Path, text: str) -> Path:
    (tmp_path / "flows.yaml").write_text(text, encoding="utf-8")
    return tmp_path / "flows.yaml"


def test_the_shipped_workspace_serves_the_four_bots() -> None:
    workspace, problems = read_workspace(ROOT)
    assert problems == []
    assert workspace is not None
    shipped = ("pizza", "pc_support", "nail_studio", "airline")
    assert workspace.bots == tuple(ROOT / "bots" / name for name in shipped)
    assert workspace.store == "sqlite:///.theke/state.db"
    assert StoreURL.parse(workspace.store, workspace.root).path == ROOT / ".theke" / "state.db"
    assert (workspace.host, workspace.port) == ("127.0.0.1", 8080)


def test_settings_are_read_with_their_units(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "bots: [bots/a]\nserver: {port: 9000, lease: 2s, settle: 5s}\nstore: memory://\n"
        "sessions: {keep: 2d, remember: 90d, history: 2h}\n"
        "limits: {max_body: 1MB, messages_per_minute: 10, burst: 5}\n"
        "channels: {web: {enabled: false}}\nlog: {level: warning}\n",
    )
    workspace, problems = read_workspace(path)
    assert problems == [] and workspace is not None
    assert workspace.port == 9000 and workspace.lease == 2.0 and workspace.settle == 5.0
    assert workspace.limits.session_ttl == 2 * 86400
    assert workspace.limits.profile_ttl == 90 * 86400
    assert workspace.limits.history_ttl == 2 * 3600
    assert workspace.max_body == 1024 * 1024
    assert (workspace.messages_per_minute, workspace.burst) == (10, 5)
    assert set(workspace.channels) == {"rest"}
    assert workspace.log_level == "warning"


def test_a_bot_folder_is_a_one_bot_workspace() -> None:
    workspace, problems = read_workspace(ROOT / "bots" / "pizza")
    assert problems == [] and workspace is not None
    assert workspace.bots == (ROOT / "bots" / "pizza",)


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("bots: [a]\nstore: redis://:hunter2@db:6379/0\n", 2, "a secret is written"),
        ("bots: [a]\nchannels:\n  rest: {token: abc123}\n", 3, "a secret is written"),
        ("bots: [a]\nsevrer: {port: 1}\n", 2, "'sevrer' was unexpected"),
        ("bots: [a]\nserver: {port: 99999}\n", 2, "99999"),
        ("bots: []\n", 1, "should be non-empty"),
        ("store: postgres://x\nbots: [a]\n", 1, "does not match"),
    ],
)
def test_problems_are_located(tmp_path: Path, text: str, line: int, message: str) -> None:
    workspace, problems = read_workspace(write(tmp_path, text))
    assert workspace is None
    assert any(message in p.message and p.pos.line == line for p in problems), problems


def test_the_store_can_come_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("THEKE_TEST_STORE", "redis://127.0.0.1:6379/3")
    workspace, _ = read_workspace(write(tmp_path, "bots: [a]\nstore: env:THEKE_TEST_STORE\n"))
    assert workspace is not None and workspace.store == "redis://127.0.0.1:6379/3"
    monkeypatch.delenv("THEKE_TEST_STORE")
    workspace, problems = read_workspace(
        write(tmp_path, "bots: [a]\nstore: env:THEKE_TEST_STORE\n")
    )
    assert workspace is None
    assert "THEKE_TEST_STORE is not set" in problems[0].message


def test_secrets_never_print() -> None:
    secret = resolve("env:SECRET_FOR_TEST", {"SECRET_FOR_TEST": "hunter2"})
    assert secret.reveal() == "hunter2"
    assert "hunter2" not in repr(secret) and "hunter2" not in str(secret)
    assert "hunter2" not in f"{secret} {[secret]} { ({'k': secret}) }"
    assert isinstance(secret, Secret)
    with pytest.raises(SecretError):
        resolve("hunter2", {})


def test_check_without_a_path_checks_the_workspace_and_its_bots(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    bot = tmp_path / "bots" / "tiny"
    bot.mkdir(parents=True)
    (bot / "bot.yaml").write_text("name: tiny\nbusiness: {name: T}\n", encoding="utf-8")
    write(tmp_path, "bots: [bots/tiny]\n")
    monkeypatch.chdir(tmp_path)
    assert main(["check"]) == 1
    assert "bot.yaml:2:" in capsys.readouterr().out


def test_a_redis_url_may_name_the_key_prefix_of_its_deployment() -> None:
    shared = StoreURL.parse("redis://10.0.0.5:6379/2?prefix=shop-b&socket_timeout=3")
    assert (shared.url, shared.prefix) == ("redis://10.0.0.5:6379/2?socket_timeout=3", "shop-b")
    assert StoreURL.parse("redis+cluster://a:7000,b:7001").prefix == "theke"
    for bad in ["?prefix=", "?prefix=a:b", "?prefix=x&prefix=y", "?prefix=" + "p" * 41]:
        with pytest.raises(StoreError, match="prefix"):
            StoreURL.parse(f"redis://localhost{bad}")
