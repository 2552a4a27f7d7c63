"""Consents given elsewhere into the ledger: imported with their evidence (`theke consents
import`, `POST /admin/consents/import`) or posted by a web form (`POST /api/consents/form`).

On every ledger (memory, SQLite, Redis, Redis Cluster: the consent contract's fixtures): a row
is granted with its words, time and source; a second run imports nothing twice; a customer who
withdrew after the row's time is not granted again; rows without words or evidence, with times
in the future, broken or hostile are refused with the reason and the good rows beside them are
kept. The command reads CSV and JSON lines, huge files a line at a time."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from framework.cli import main
from framework.consents import importing
from framework.consents.importing import import_rows
from framework.stores.consents import GRANTED, MARKETING, WITHDRAWN, Consent, ConsentStore
from framework.stores.opening import open_consents
from tests.consents.cafe import ADMIN, AUTH, BOT, NOW, ledger, serve_cafe
from tests.stores.test_consent_store import consents, opener

__all__ = ["consents", "opener"]  # the contract suite's fixtures: memory, sqlite, redis, cluster

SHOWN = "Darf Café Kranz dir per WhatsApp Angebote schicken? Abmelden mit STOP."
EVIDENCE = "shop checkout box, export 2026-03"
ADA = "cafe:whatsapp:491701234567"


def row(**changes: Any) -> dict[str, Any]:
    fields = {
        "channel": "whatsapp",
        "address": "+49 170 1234567",
        "purpose": MARKETING,
        "text": SHOWN,
        "at": "2026-03-02T10:15:00+01:00",
        "evidence": EVIDENCE,
        "lang": "de",
    }
    return {**fields, **changes}


async def taken(ledger: ConsentStore, *rows: dict[str, Any]) -> dict[str, Any]:
    return importing.Report.to_json(await import_rows(ledger, "cafe", enumerate(rows, 1), NOW))


async def test_a_row_is_granted_with_its_words_time_and_evidence_once(
    consents: ConsentStore,
) -> None:
    assert (await taken(consents, row()))["imported"] == 1
    [granted] = await consents.history("cafe", ADA)
    assert (granted.state, granted.text, granted.channel, granted.lang) == (
        GRANTED,
        SHOWN,
        "whatsapp",
        "de",
    )
    assert (granted.source, granted.at) == (f"import:{EVIDENCE}", 1772442900.0)
    assert [h.conversation for h in await consents.holders("cafe", MARKETING)] == [ADA]
    again = await taken(consents, row(), row(address="491701234567"))
    assert (again["imported"], again["already"]) == (0, 2)  # the same number, written otherwise
    assert len(await consents.history("cafe", ADA)) == 1


async def test_a_customer_who_withdrew_later_is_not_granted_again(consents: ConsentStore) -> None:
    stop = Consent("cafe", ADA, MARKETING, WITHDRAWN, "STOP", "whatsapp", "stop", 1772500000.0)
    await consents.record(stop)
    report = await taken(consents, row(), row(at="2026-03-10T09:00:00Z"))
    assert (report["imported"], report["refused"]) == (1, 1)  # the later one: after the STOP
    [refused] = report["rows"]
    assert refused["row"] == 1 and "withdrew marketing on 2026-03-03" in refused["reason"]
    assert [e.state for e in await consents.history("cafe", ADA)] == [WITHDRAWN, GRANTED]


async def test_a_later_grant_leaves_the_row_nothing_to_do(consents: ConsentStore) -> None:
    later = Consent("cafe", ADA, MARKETING, GRANTED, SHOWN, "whatsapp", "flow:o", 1780000000.0)
    await consents.record(later)
    assert (await taken(consents, row()))["held"] == 1
    assert await consents.history("cafe", ADA) == [later]


@pytest.mark.parametrize(
    ("bad", "said"),
    [
        (row(text=""), "text: missing"),
        (row(text="   "), "text: the words the customer was shown"),
        (row(evidence=""), "evidence: missing"),
        (row(evidence="line one\nline two"), "evidence: where and how"),
        (row(at="2027-06-01T10:00:00+02:00"), "is in the future"),
        (row(at=1e12), "at: when they agreed"),
        (row(at="2026-03-02 10:15"), "with its offset"),
        (row(at="yesterday"), "at: an ISO time"),
        (row(channel="sms"), "channel: one of whatsapp, telegram, web, rest"),
        (row(address="0170 123"), "address: a phone number with its country code"),
        (row(channel="telegram", address="@ada"), "address: a Telegram chat id"),
        (row(purpose="werbung"), "purpose: 'werbung' is not a purpose"),
        (row(text="x" * 5000), "text has 5000 characters, more than the 4096 a row may hold"),
        (row(text=["list"]), "text must be text, not list"),
        (row(lang="deutsch!"), "lang: a language code"),
        (row(address="49170\ud8001234"), "address: a phone number"),
    ],
)
async def test_bad_rows_are_refused_with_the_reason_and_the_good_kept(
    consents: ConsentStore, bad: dict[str, Any], said: str
) -> None:
    report = await taken(consents, bad, row(address="4915112345678"))
    assert (report["imported"], report["refused"]) == (1, 1)
    assert said in report["rows"][0]["reason"]
    assert not await consents.history("cafe", ADA)


# -- the command ------------------------------------------------------------------------


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    (tmp_path / "cafe").mkdir()
    (tmp_path / "cafe" / "bot.yaml").write_text(BOT, encoding="utf-8")
    (tmp_path / "flows.yaml").write_text(
        "version: 1\nbots: [cafe]\nstore: sqlite:///state.db\n", encoding="utf-8"
    )
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], root: Path, *args: str) -> tuple[int, str, str]:
    code = main(["consents", "import", *args, "-w", str(root)])
    out, err = capsys.readouterr()
    return code, out, err


def history(root: Path, key: str = ADA) -> list[Consent]:
    async def read() -> list[Consent]:
        ledger = await open_consents(f"sqlite:///{root / 'state.db'}")
        try:
            return await ledger.history("cafe", key)
        finally:
            await ledger.close()

    return asyncio.run(read())


def test_a_csv_file_is_imported_once_and_its_refusals_listed(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = [
        "\ufeffchannel,address,purpose,text,at,evidence,lang",
        f'whatsapp,+49 170 1234567,marketing,"{SHOWN}",2026-03-02T10:15:00+01:00,"{EVIDENCE}",de',
        f'telegram,88231,notify:news,"Café Kranz: Kuchen-News?",2026-03-03T08:00:00Z,"{EVIDENCE}",',
        f'whatsapp,4917099,marketing,"{SHOWN}",2099-01-01T00:00:00Z,"{EVIDENCE}",de',
        "whatsapp,4917088,marketing,,2026-03-02T10:15:00Z,form,de",
        "only,three,fields",
    ]
    file = workspace / "consents.csv"
    file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, out, err = run(capsys, workspace, str(file))
    assert code == 1 and err == ""  # rows were refused: the exit says so
    assert out.splitlines()[0] == "consents.csv: 2 imported, 0 already, 0 held, 3 refused"
    assert "row 3 refused: at: 2099-01-01T00:00:00+00:00 is in the future" in out
    assert "row 4 refused: text: missing" in out and "row 5 refused: 3 fields" in out
    assert [e.source for e in history(workspace)] == [f"import:{EVIDENCE}"]
    code, out, _ = run(capsys, workspace, str(file), "--json")
    assert (json.loads(out)["imported"], json.loads(out)["already"]) == (0, 2)


def test_json_lines_broken_hostile_and_huge(
    workspace: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(importing, "MAX_ROWS", 4)
    lines = [
        json.dumps(row()),
        "{not json",
        json.dumps(["a", "list"]),
        json.dumps(row(text="x" * 30_000)),  # a line over the limit
        json.dumps(row(address="4915112345678")),
        json.dumps(row(address="4915112345679")),  # after the fourth row: not read
    ]
    file = workspace / "consents.ndjson"
    file.write_text("\n".join(lines), encoding="utf-8")
    code, out, _ = run(capsys, workspace, str(file), "--json")
    report = json.loads(out)
    assert code == 1 and (report["imported"], report["refused"]) == (1, 3)
    assert report["stopped_before"] == 5
    assert [r["reason"][:24] for r in report["rows"]] == [
        "not JSON: a line holds o",
        "not a JSON object",
        "a line of more than 2000",
    ]
    assert len(history(workspace)) == 1


@pytest.mark.parametrize(
    ("name", "content", "said"),
    [
        ("consents.txt", b"x", "--format csv|jsonl"),
        ("consents.csv", b"\xff\xfe\x00garbage", "is no UTF-8 text"),
        ("consents.csv", b"name,phone\nada,1\n", "the header names no channel"),
    ],
)
def test_files_that_cannot_be_read_say_why(
    workspace: Path, capsys: pytest.CaptureFixture[str], name: str, content: bytes, said: str
) -> None:
    (workspace / name).write_bytes(content)
    code, out, err = run(capsys, workspace, str(workspace / name))
    assert code == 1 and said in out + err and "Traceback" not in err
    assert history(workspace) == []


def test_a_missing_file_says_so(workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, workspace, str(workspace / "nowhere.csv"))
    assert code == 1 and "cannot read" in err


# -- over HTTP --------------------------------------------------------------------------


async def test_the_admin_api_imports_and_a_web_form_grants(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("THEKE_ADMIN_KEY", ADMIN)
    async with serve_cafe(tmp_path, {}) as cafe:
        body = {"bot": "cafe", "rows": [row(), row(at="2099-01-01T00:00:00Z"), "hostile"]}
        response = await cafe.post("/admin/consents/import", json=body)
        assert response.status == 403  # the admin key is needed
        response = await cafe.post("/admin/consents/import", json=body, headers=AUTH)
        report = await response.json()
        assert (response.status, report["imported"], report["refused"]) == (200, 1, 2)
        response = await cafe.post("/admin/consents/import", json={"rows": []}, headers=AUTH)
        assert response.status == 400
        form = {"bot": "cafe", "form": "newsletter", **row(address="88231", channel="telegram")}
        del form["evidence"], form["at"]  # a form's tick: now
        response = await cafe.post("/api/consents/form", json=form, headers=AUTH)
        assert (response.status, await response.json()) == (201, {"outcome": "imported"})
        [entry] = await ledger(cafe).history("cafe", "cafe:telegram:88231")
        assert (entry.source, entry.at) == ("web_form:newsletter", NOW)
        response = await cafe.post("/api/consents/form", json=form, headers=AUTH)
        assert (response.status, await response.json()) == (200, {"outcome": "already"})
        response = await cafe.post(
            "/api/consents/form", json={**form, "form": "../x"}, headers=AUTH
        )
        assert response.status == 400 and "form: 1 to 60" in await response.text()
