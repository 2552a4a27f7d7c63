"""`theke broadcast` on a workspace's SQLite file: a draft made, previewed, sent (marked: the
server's loop sends it), paused, resumed and cancelled as the admin API does; refusals say why
without a traceback."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from framework.cli import main
from framework.stores.consents import GRANTED, MARKETING, Consent
from framework.stores.opening import open_consents
from tests.broadcasts.test_broadcasts_served import BOT, NOW, OFFER


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    (tmp_path / "shop").mkdir()
    (tmp_path / "shop" / "bot.yaml").write_text(BOT, encoding="utf-8")
    (tmp_path / "flows.yaml").write_text(
        "version: 1\nbots: [shop]\nstore: sqlite:///state.db\n", encoding="utf-8"
    )

    async def grant() -> None:
        ledger = await open_consents(f"sqlite:///{tmp_path / 'state.db'}")
        for who, channel in (("ada", "whatsapp"), ("ben", "telegram"), ("cem", "whatsapp")):
            key = f"shop:{channel}:{who}"
            await ledger.record(
                Consent("shop", key, MARKETING, GRANTED, "Angebote?", channel, "flow:o", NOW, "de")
            )
        await ledger.close()

    asyncio.run(grant())
    return tmp_path


def theke(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["broadcast", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_a_broadcast_made_previewed_and_moved_from_the_terminal(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    w = str(workspace)
    code, out, err = theke(
        capsys, "create", "-w", w, "--text", "spring_offer", "--value", "discount=20 %", "--json"
    )
    assert code == 0, err
    made = json.loads(out)
    assert (made["status"], made["values"]) == ("draft", {"discount": "20 %"})
    code, out, _ = theke(capsys, "preview", made["id"], "-w", w)
    assert code == 0 and "would reach 3 people now: telegram 1, whatsapp 2" in out
    assert OFFER in out
    for action, status in [("send", "sending"), ("pause", "paused"), ("resume", "sending")]:
        code, out, _ = theke(capsys, action, made["id"], "-w", w)
        assert code == 0 and f"– {status}" in out
    code, out, _ = theke(capsys, "status", made["id"], "-w", w, "--json")
    assert json.loads(out)["started_at"] > 0
    assert theke(capsys, "cancel", made["id"], "-w", w)[0] == 0
    code, _, err = theke(capsys, "send", made["id"], "-w", w)
    assert code == 1 and "a cancelled broadcast cannot send" in err


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["create", "--text", "nothing"], "text: one of the bot's texts"),
        (["create"], "create needs --text"),
        (["create", "--text", "spring_offer", "--value", "novalue"], "--value is name=value"),
        (["create", "--text", "spring_offer", "--purpose", "all"], "purpose: marketing or"),
        (["create", "--text", "spring_offer", "--lang", "??"], "lang: a language code"),
        (["status"], "status needs the broadcast's id"),
        (["status", "nobody"], "no broadcast 'nobody'"),
        (["send", "no such; id"], "no broadcast"),
        (["status", "b1", "--at", "2026-12-10 09:00"], "--at goes with send"),
        (["send", "nobody", "--at", "2026-12-10 09:00"], "no broadcast 'nobody'"),
    ],
)
def test_refusals_say_why_without_a_traceback(
    workspace: Path, capsys: pytest.CaptureFixture[str], args: list[str], said: str
) -> None:
    code, _, err = theke(capsys, *args, "-w", str(workspace))
    assert code == 1 and said in err and "Traceback" not in err


def test_a_broadcast_scheduled_moved_and_sent_now_from_the_terminal(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    w = str(workspace)
    code, out, err = theke(capsys, "create", "-w", w, "--text", "spring_offer", "--json")
    assert code == 0, err
    made = json.loads(out)["id"]
    tomorrow = datetime.now(ZoneInfo("Europe/Berlin")) + timedelta(days=1)
    nine = tomorrow.replace(hour=9, minute=0, second=0, microsecond=0)
    code, out, err = theke(capsys, "send", made, "-w", w, "--at", f"{nine:%Y-%m-%d %H:%M}")
    assert code == 0, err
    assert "– scheduled" in out and "sent not yet (scheduled for" in out
    code, out, _ = theke(capsys, "status", made, "-w", w, "--json")
    assert json.loads(out)["starts_at"] == nine.timestamp()  # 9:00 in the bot's time zone
    for at, said in [
        (f"{nine - timedelta(days=2):%Y-%m-%d %H:%M}", "is past"),
        (f"{nine + timedelta(days=95):%Y-%m-%d}T09:00+01:00", "more than 90 days ahead"),
        ("next friday", "a date with a time"),
    ]:
        code, _, err = theke(capsys, "send", made, "-w", w, "--at", at)
        assert code == 1 and said in err and "Traceback" not in err
    code, out, _ = theke(capsys, "status", made, "-w", w, "--json")
    assert json.loads(out)["starts_at"] == nine.timestamp()  # refused: nothing changed
    code, out, _ = theke(capsys, "send", made, "-w", w)
    assert code == 0 and "– sending" in out
