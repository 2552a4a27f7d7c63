"""`theke events list|retry` as a business runs it against its workspace's SQLite file while the
server runs: events a real receiver refused with 410 Gone are listed (without the customer's
data), printed as JSON, sent again one by one or all at once (the next round of the sender
delivers them), and bad keys, an empty outbox and hostile stored text are handled clearly."""

from __future__ import annotations

import asyncio
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from framework.cli import main
from framework.events.emitting import event_id
from framework.events.setup import BusinessEvents, open_events
from framework.stores.outbox import Entry
from framework.workspace import read_workspace
from tests.clocks import Clock
from tests.events.test_receiver import SECRET, Receiver

TILL = Path(__file__).parents[1] / "runtime" / "bots" / "till"
PHONE = "4915112345678"
ADDRESS = "Weserstraße 5, 12047 Berlin"
UNSAFE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e]")
"""What must never reach the terminal raw (a line break between records aside)."""


class Shop:
    """The running deployment's events (opened from flows.yaml as `theke run` opens them), and
    the business's endpoint."""

    def __init__(self, folder: Path, events: BusinessEvents, receiver: Receiver, clock: Clock):
        self.folder, self.events, self.receiver, self.clock = folder, events, receiver, clock

    async def refused(self, count: int) -> list[Entry]:
        """`count` events of one conversation, each answered 410 Gone: the latest first."""
        self.receiver.statuses = [410]
        for number in range(count):
            id = event_id("cli-test", str(number))
            data = {"order": {"number": 1001 + number, "delivery": {"address": ADDRESS}}}
            await self.events.events.emit(
                "till", f"till:whatsapp:{PHONE}", "order.paid", data, id=id
            )
        for _ in range(count):  # one a round: the stream's next is sent once the head is given up
            await self.events.deliver()
            self.clock.now += 60
        found = await self.events.events.outbox.undeliverable()
        assert len(found) == count
        return found

    async def theke(self, *args: str) -> int:
        """The command, on its own thread and event loop as in its own process."""
        return await asyncio.to_thread(main, ["events", *args, "-w", str(self.folder)])


@pytest.fixture
async def shop(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Shop]:
    monkeypatch.setenv("THEKE_EVENTS_SECRET", SECRET)
    clock = Clock(time.time())  # the command requeues at the real time: due at once
    receiver = Receiver(clock)
    await receiver.start()
    (tmp_path / "flows.yaml").write_text(
        f"version: 1\nbots: [{TILL}]\nstore: sqlite:///state.db\n"
        f"events:\n  - {{url: '{receiver.url}', secret: 'env:THEKE_EVENTS_SECRET'}}\n",
        encoding="utf-8",
    )
    workspace, problems = read_workspace(tmp_path)
    assert workspace is not None, problems
    events = await open_events(workspace, clock=clock)
    yield Shop(tmp_path, events, receiver, clock)
    await events.close()
    await receiver.stop()


async def test_list_shows_the_given_up_events_without_the_customers_data(
    shop: Shop, capsys: pytest.CaptureFixture[str]
) -> None:
    latest, earliest = await shop.refused(2)
    assert await shop.theke("list") == 0
    listed = capsys.readouterr().out
    assert listed.index(latest.key) < listed.index(earliest.key)  # the latest first
    assert listed.count("order.paid") == 2
    assert listed.count(f"127.0.0.1:{shop.receiver.port}") == 2
    assert listed.count("1 attempt(s): HTTP 410 Gone") == 2
    for private in (PHONE, "Weserstraße", "cus_", latest.event, '"order"'):
        assert private not in listed
    assert await shop.theke("list", "--limit", "1") == 0
    assert capsys.readouterr().out.split()[0] == latest.key


async def test_list_json_is_every_field_and_the_body_that_will_be_sent(
    shop: Shop, capsys: pytest.CaptureFixture[str]
) -> None:
    latest, earliest = await shop.refused(2)
    assert await shop.theke("list", "--json") == 0
    printed = json.loads(capsys.readouterr().out)
    assert [item["key"] for item in printed] == [latest.key, earliest.key]
    first = printed[0]
    assert set(first) == {
        *("key", "event", "type", "url", "attempts", "error"),
        *("created_at", "given_up_at", "body"),
    }
    assert (first["url"], first["attempts"], first["error"]) == (
        shop.receiver.url,
        1,
        "HTTP 410 Gone",
    )
    assert json.loads(first["body"])["id"] == first["event"] == latest.event


async def test_retry_one_key_sends_exactly_that_one_in_the_next_round(
    shop: Shop, capsys: pytest.CaptureFixture[str]
) -> None:
    latest, middle, earliest = await shop.refused(3)
    assert await shop.theke("retry", middle.key) == 0
    assert capsys.readouterr().out == "1 event(s) will be sent again\n"
    assert await shop.theke("list") == 0
    listed = capsys.readouterr().out
    assert latest.key in listed and earliest.key in listed and middle.key not in listed
    shop.receiver.statuses = [200]
    assert await shop.events.deliver() == 1
    assert shop.receiver.ids() == [middle.event]
    assert await shop.events.deliver() == 0
    assert len(await shop.events.events.outbox.undeliverable()) == 2


async def test_retry_all_sends_every_one_again_in_order(
    shop: Shop, capsys: pytest.CaptureFixture[str]
) -> None:
    refused = await shop.refused(3)
    assert await shop.theke("retry", "--all") == 0
    assert capsys.readouterr().out == "3 event(s) will be sent again\n"
    shop.receiver.statuses = [200]
    for _ in range(3):  # one conversation: one event a round
        assert await shop.events.deliver() == 1
    assert sorted(shop.receiver.ids()) == sorted(entry.event for entry in refused)
    assert await shop.theke("list") == 0
    assert capsys.readouterr().out == "no undeliverable events\n"


async def test_keys_that_name_no_given_up_event_are_a_clear_error(
    shop: Shop, capsys: pytest.CaptureFixture[str]
) -> None:
    latest, earliest = await shop.refused(2)
    assert await shop.theke("retry", "nope") == 1
    out, err = capsys.readouterr()
    assert out == "" and "no undeliverable event has the key(s) nope" in err
    assert await shop.theke("retry", latest.key, "nope", latest.key) == 1
    out, err = capsys.readouterr()
    assert out == "1 event(s) will be sent again\n"  # the one that was given up, once
    assert "key(s) nope (" in err and latest.key not in err
    assert await shop.theke("retry", latest.key) == 1  # pending again: nothing to retry
    assert latest.key in capsys.readouterr().err
    for wrong in [(), (earliest.key, "--all")]:
        assert await shop.theke("retry", *wrong) == 1
        assert "by key, or --all (not both)" in capsys.readouterr().err
    for limit in ("0", "501"):
        assert await shop.theke("list", "--limit", limit) == 1
        assert "--limit is a number from 1 to 500" in capsys.readouterr().err
    assert [e.key for e in await shop.events.events.outbox.undeliverable()] == [earliest.key]


async def test_an_empty_outbox_says_so(shop: Shop, capsys: pytest.CaptureFixture[str]) -> None:
    assert await shop.theke("list") == 0
    assert capsys.readouterr().out == "no undeliverable events\n"
    assert await shop.theke("list", "--json") == 0
    assert json.loads(capsys.readouterr().out) == []
    assert await shop.theke("retry", "--all") == 0
    assert capsys.readouterr().out == "no undeliverable events\n"


async def process(*args: str) -> subprocess.CompletedProcess[bytes]:
    """`theke events ...`, the installed command in a process of its own."""
    command = [str(Path(sys.executable).with_name("theke")), "events", *args]
    env = os.environ | {"PYTHONIOENCODING": "utf-8"}
    return await asyncio.to_thread(subprocess.run, command, capture_output=True, env=env)


HOSTILE = "\x1b]0;pwned\x07\x1b[2J\x9b31m\r\u202eevil\u2028\n\x00\x7f"


async def test_hostile_stored_text_reaches_the_terminal_escaped(shop: Shop) -> None:
    """Real `theke` processes: the bytes on stdout carry no control character of the text."""
    outbox = shop.events.events.outbox
    entry = Entry(
        key=f"k{HOSTILE}",
        stream="s",
        url=f"https://shop.example/{HOSTILE}",
        event="evt_1",
        type=f"order.{HOSTILE}",
        body=json.dumps({"id": "evt_1", "text": HOSTILE}),
        created_at=shop.clock.now,
    )
    await outbox.add([entry], shop.clock.now)
    [claimed] = await outbox.claim(shop.clock.now, 60, 10, "token")
    assert await outbox.give_up(claimed, shop.clock.now, f"HTTP 400 {HOSTILE}")
    listed = await process("list", "-w", str(shop.folder))
    assert listed.returncode == 0, listed.stderr
    text = listed.stdout.decode("utf-8")
    assert len(text.splitlines()) == 2 and not UNSAFE.search(text), text
    escaped = "\\x1b]0;pwned\\x07\\x1b[2J\\x9b31m\\x0d\\u202eevil\\u2028\\x0a\\x00\\x7f"
    assert text.count(escaped) == 4  # the key, the type, the URL and the error
    as_json = await process("list", "-w", str(shop.folder), "--json")
    assert as_json.returncode == 0 and as_json.stdout.isascii()
    [printed] = json.loads(as_json.stdout)
    assert (printed["key"], printed["type"], printed["error"]) == (
        entry.key,
        entry.type,
        f"HTTP 400 {HOSTILE}",
    )
