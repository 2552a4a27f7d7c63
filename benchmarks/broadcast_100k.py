"""A marketing broadcast to 100,000 WhatsApp contacts sent by real `theke run` workers through
a fake Graph API server over HTTP, with one worker killed (SIGKILL) midway.

    .venv/bin/python benchmarks/broadcast_100k.py                   # 100,000 contacts, SQLite
    .venv/bin/python benchmarks/broadcast_100k.py --store redis     # the same on Redis (db 13)
    .venv/bin/python benchmarks/broadcast_100k.py --store redis --redis redis://127.0.0.1:6379/11
    .venv/bin/python benchmarks/broadcast_100k.py --quick           # 600 contacts (~17 s)

What runs: every contact wrote to the shop on WhatsApp two days ago (seeded through the
runtime, so each conversation knows its address and the 24-hour window is closed: the notice
goes out as the broadcast's approved marketing template, `shop_offer`); 90 % agreed to
marketing, 5 % were never asked, 5 % agreed and said STOP. The broadcast is made and sent
through the broadcast service, then `theke run` workers (`python -m framework.cli run`) send
it: their `look_after_broadcasts` loop hands the notices out, their runtime turns each into the
template and posts it to the fake (benchmarks/fake_graph.py: the tests' fake of Meta's Graph
API as a process, checking the documented request format, answering with message ids, refusing
every recipient whose number is divisible by 200 with 131049 and any send over 80 a second per
number with 130429, as Meta does, and writing every send with its time to a file; for every
message it accepts it posts the `sent` and then the `delivered` status webhook, signed and
batched, to the workers' /webhooks/whatsapp, retried with backoff until one of them takes it,
as Meta does: benchmarks/fake_statuses.py). Once 30 % of the holders were sent to, the first
worker is killed with SIGKILL; on SQLite (one process per file) a second worker is started
then, on Redis it runs beside the first from the start (`--second before|after` to choose).

Measured: the sends per second, the most sends to one phone number id in any one-second
window, each worker's peak RSS (VmHWM from /proc, read just before it is killed or stopped)
and its RSS as the broadcast goes, the benchmark's own peak RSS, the time in all; the status
webhooks the workers took (waited for at the end, at most STATUS_WAIT), retried, and how late.

Exit 1 when a holder got nothing, a holder got the broadcast twice other than at the kill (a
send whose answer the killed worker never committed is sent again: delivery is at least once,
runtime/delivery.py; those are counted and reported, not hidden), somebody without consent got
anything, a 131049 recipient was tried more than once (backs off, never loops), a window held
more sends than the number's `messages_per_second`, more unique recipients were reached than
the daily limit, a status webhook was not taken by the end, the broadcast's results do not
count every recipient accepted as sent once and none still held for quality assessment (every
50th recipient's send is answered so, and sent after: fake_graph.py `--hold-every`), or the
broadcast did not end `done` with nothing left in any inbox.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from framework.broadcasts.service import Broadcasts
from framework.channels.base import CollectingChannel
from framework.flows import load_bot
from framework.runtime.in_flight import SETTLE
from framework.runtime.turns import Runtime
from framework.stores.consents import GRANTED, MARKETING, Consent
from framework.stores.opening import (
    StoreURL,
    open_broadcasts,
    open_consents,
    open_reach,
    open_store,
)
from framework.stores.records import InboxItem, SessionKey, StoreLimits, iso_time
from framework.stores.whatsapp_templates import WhatsAppTemplate

ROOT = Path(__file__).resolve().parent.parent
THEKE_RUN = (sys.executable, "-m", "framework.cli", "run")
FAKE_GRAPH = (sys.executable, str(ROOT / "benchmarks" / "fake_graph.py"))
BOT, NUMBER, TOKEN = "shop", "106540352242922", "EAAGfakeAccessTokenForTests"
"""The fake's phone number id and access token (tests/fakes/graph_api.py)."""
LIMIT = 80
"""Meta's throughput per phone number id: the most sends the fake may see in any second."""
IN_FLIGHT = 1.0
"""Seconds after the kill a request the killed worker sent may still reach the fake."""
REFUSE_EVERY = 200
"""The fake refuses recipients whose number is divisible by this with 131049."""
HELD, THROTTLED = "131049", "130429"
REFUSALS = (HELD, THROTTLED)
HOLD_EVERY = 50
"""The fake answers template sends to recipients whose number leaves 1 divided by this with
`message_status` `held_for_quality_assessment` (their statuses follow later, as any other's)."""
FAKE_ANSWERS = (
    *("--refuse-every", str(REFUSE_EVERY), "--hold-every", str(HOLD_EVERY)),
    *("--throughput", str(LIMIT)),
)
"""The fake's refusals: the per-user marketing limit, and a send over the number's LIMIT; and
the sends it holds for quality assessment."""
SECRET = "fake-app-secret"
"""The workers' WhatsApp app secret: the fake signs its status webhooks with it."""
STATUSES = 2
"""Status webhooks the fake sends for each message it accepts: sent, delivered."""
STATUS_WAIT = 60.0
"""Seconds the benchmark waits at the end for the fake to deliver every status."""
TURNS_WAIT = 10.0
"""Seconds it waits then for the workers' turns of the last statuses they took."""
QUICK_SETTLE = 8
"""`server.settle` of --quick (SETTLE, 30 s, otherwise): the fake's statuses come within
1.3 s, or after a retry or two (1 s, then 2 s: fake_statuses.py) when one was posted to the
killed worker, so the marked messages nobody sent wait 8 s instead of the 30 s tail."""
REDIS = "redis://127.0.0.1:6379/13"
SHOWN = "Darf Laden Lina dir hier Angebote schicken? Abmelden mit STOP."
TWO_DAYS = 2 * 86400.0
STALL = 150.0
"""Seconds without a send after which the run ends (a broadcast lease is 60 s)."""
BOT_YAML = """\
name: shop
business:
  name: Laden Lina
  locale: de-DE
  languages: [de]
  currency: EUR
  timezone: Europe/Berlin
broadcasts:
  daily_limit: {daily_limit}
texts:
  offer:
    de: "Frühlingsangebot bei Laden Lina: 20 % auf alles! Abmelden mit STOP."
flows:
  start:
    steps:
      - say: "Hallo!"
"""
WORKSPACE = """\
version: 1
bots:
  - {bot}
store: {store}
server: {{host: 127.0.0.1, lease: 5s, settle: {settle}s}}
log: {{level: warning}}
channels:
  whatsapp:
    app_secret: env:BENCH_WA_SECRET
    verify_token: env:BENCH_WA_VERIFY
    token: env:BENCH_WA_TOKEN
    api_base: {graph}
    messages_per_second: {rate}
    numbers:
      "{number}": {{bot: shop, template: {{name: shop_offer, language: de}}}}
"""


OFFER_TEMPLATE = WhatsAppTemplate("shop_offer", "marketing", {"de": "de"})
"""The approved marketing template the offer goes out as outside the 24-hour window (a
marketing notice never goes as the number's generic utility template)."""


def phone(number: int) -> str:
    return f"49170{number:07d}"


def kind_of(number: int) -> str:
    """granted (90 %), never (asked: 5 %) or stopped (agreed, then STOP: 5 %)."""
    return {9: "never", 19: "stopped"}.get(number % 20, "granted")


# --- seeding --------------------------------------------------------------------------------


async def seed(url: str, folder: Path, count: int) -> str:
    """Every contact wrote two days ago; the ledger as kind_of says; a broadcast sending. Its id."""
    bot = load_bot(folder / BOT)
    then = time.time() - TWO_DAYS
    sessions = await open_store(url, StoreLimits(), folder)
    ledger = await open_consents(url, folder)
    collecting = CollectingChannel(name="whatsapp", window=86400.0)
    runtime = Runtime(sessions, {BOT: bot}, clock=lambda: then, channels={"whatsapp": collecting})

    async def contact(number: int) -> None:
        wa_id, key = phone(number), SessionKey(BOT, "whatsapp", phone(number))
        meta = {"address": {"to": wa_id}}
        item = InboxItem.message(f"wamid.seed{number}", iso_time(then), "Hallo", None, meta)
        await runtime.submit(key, item)
        if kind_of(number) == "never":
            return
        said = Consent(BOT, str(key), MARKETING, GRANTED, SHOWN, "whatsapp", "flow:x", then, "de")
        await ledger.record(said)
        if kind_of(number) == "stopped":
            await ledger.withdraw_all(BOT, str(key), "STOP", "whatsapp", "stop", then + 60)

    for start in range(0, count, 200):
        await asyncio.gather(*(contact(n) for n in range(start, min(start + 200, count))))
        collecting.sent.clear()
    while await runtime.tick(then):  # the replies' deliveries another turn's timers fired
        collecting.sent.clear()
    store = await open_broadcasts(url, folder)
    broadcasts = Broadcasts(store, ledger, {BOT: bot})
    made = await broadcasts.create(BOT, "offer", {}, whatsapp_template=OFFER_TEMPLATE)
    await broadcasts.act(made.id, "send")
    for opened in (store, ledger, sessions):
        await opened.close()
    return made.id


async def final_state(url: str, folder: Path, broadcast_id: str) -> tuple[dict[str, object], int]:
    """The broadcast as saved, and how many conversations still have items waiting (the last
    statuses' turns given up to TURNS_WAIT seconds after the workers took their webhooks)."""
    store, sessions = (
        await open_broadcasts(url, folder),
        await open_store(url, StoreLimits(), folder),
    )
    reach = await open_reach(url, folder)
    try:
        for _ in range(int(TURNS_WAIT / 0.25)):
            if not (pending := len(await sessions.pending())):
                break
            await asyncio.sleep(0.25)
        found = await store.get(broadcast_id)
        assert found is not None
        results = await store.results(broadcast_id)
        counts = {
            "status": found.status,
            "queued": found.queued,
            "capped": found.capped,
            "held_back": found.held_back,
            "waiting": found.waiting,
            "sent": results.sent,
            "held_for_quality_assessment": results.held_for_quality_assessment,
        }
        return counts, pending
    finally:
        for opened in (store, sessions, reach):
            await opened.close()


async def forget_redis(url: str) -> None:
    from redis.asyncio import Redis

    where = StoreURL.parse(url)
    prefix = url.rsplit("prefix=", 1)[1]
    client = Redis.from_url(where.url.split("?")[0])
    async for key in client.scan_iter(match=f"{prefix}:*", count=1000):
        await client.delete(key)
    await client.aclose()


# --- processes ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def memory_of(pid: int) -> tuple[float, float]:
    """(RSS, peak RSS) of a process in MiB, from /proc; zeros once it is gone."""
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError:
        return 0.0, 0.0
    values = {line.split(":")[0]: line.split()[1] for line in lines if line.startswith("Vm")}
    return int(values.get("VmRSS", 0)) / 1024, int(values.get("VmHWM", 0)) / 1024


class Worker:
    """One `theke run` process; its RSS sampled as it goes."""

    def __init__(self, name: str, workspace: Path, env: dict[str, str], port: int) -> None:
        self.name, self.port = name, port
        self.log = workspace.parent / f"{name}.log"
        with self.log.open("wb") as output:
            self.process = subprocess.Popen(
                [*THEKE_RUN, str(workspace), "--port", str(self.port)],
                env=env,
                cwd=ROOT,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        self.started = time.time()
        self.rss: list[tuple[int, float]] = []
        """(sends seen by the fake, RSS MiB) samples."""
        self.peak = 0.0
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(self.log.read_text(errors="replace"))
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"{name} did not start within 30 s")

    def sample(self, sends: int) -> None:
        rss, peak = memory_of(self.process.pid)
        if rss:
            self.rss.append((sends, rss))
            self.peak = max(self.peak, peak)

    def kill(self, sends: int) -> float:
        self.sample(sends)
        self.process.send_signal(signal.SIGKILL)
        at = time.time()
        self.process.wait(timeout=10)
        return at

    def stop(self, sends: int) -> None:
        self.sample(sends)
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def worker_ports() -> tuple[int, int]:
    """Ports for worker-1 and worker-2, chosen before either starts: the fake posts statuses
    to both from the start (to worker-2 on SQLite only once it runs, after the kill)."""
    first = free_port()
    while (second := free_port()) == first:
        pass
    return first, second


def hook_url(port: int) -> str:
    return f"http://127.0.0.1:{port}/webhooks/whatsapp"


def start_graph(record: Path, ports: tuple[int, int]) -> tuple[subprocess.Popen[str], str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    hooks = [arg for port in ports for arg in ("--webhook", hook_url(port))]
    process = subprocess.Popen(
        [*FAKE_GRAPH, "--record", str(record), *FAKE_ANSWERS, "--app-secret", SECRET, *hooks],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    url = process.stdout.readline().strip()
    if not url.startswith("http"):
        raise RuntimeError("the fake Graph API did not start")
    return process, url


# --- what the fake saw ----------------------------------------------------------------------


@dataclass
class Send:
    at: float
    number: str
    status: int
    to: str
    outcome: str


@dataclass
class Hook:
    """One try of a status webhook (fake_statuses.py)."""

    at: float
    answer: str
    """The HTTP status, or the error met instead (ClientConnectorError, TimeoutError …)."""
    tries: int
    sent: int
    delivered: int
    due: float
    """When its oldest status was due."""
    size: int
    url: str

    @property
    def ok(self) -> bool:
        return self.answer.isdigit() and 200 <= int(self.answer) < 300


@dataclass
class Record:
    """The fake's file, read as it grows."""

    path: Path
    sends: list[Send] = field(default_factory=list)
    stalls: list[tuple[float, float]] = field(default_factory=list)
    """(unix time, milliseconds) the fake's own event loop was late (fake_graph.py)."""
    hooks: list[Hook] = field(default_factory=list)
    overflow: int = 0
    """Statuses the fake dropped: more than its queue holds were waiting."""
    _offset: int = 0

    def read(self) -> int:
        if not self.path.exists():
            return 0
        with self.path.open("rb") as file:
            file.seek(self._offset)
            chunk = file.read()
        complete = chunk[: chunk.rfind(b"\n") + 1]
        self._offset += len(complete)
        for line in complete.decode().splitlines():
            at, number, rest = line.split(" ", 2)
            if number == "stall":
                self.stalls.append((float(at), float(rest)))
            elif number == "overflow":
                self.overflow += int(rest)
            elif number == "webhook":
                answer, tries, sent, delivered, due, size, url = rest.split(" ", 6)
                numbers = int(tries), int(sent), int(delivered)
                self.hooks.append(Hook(float(at), answer, *numbers, float(due), int(size), url))
            else:
                status, to, outcome, _callback = rest.split(" ", 3)
                self.sends.append(Send(float(at), number, int(status), to, outcome))
        return len(self.sends)

    def statuses_due(self) -> int:
        return STATUSES * sum(1 for send in self.sends if send.status == 200)

    def statuses_taken(self) -> int:
        return sum(hook.sent + hook.delivered for hook in self.hooks if hook.ok)


STALL_MS = 20
"""fake_graph.py writes down a stall of its event loop longer than this."""


def bursts(times: list[float]) -> list[float]:
    """Where runs of three or more sends start, each under 1 ms after the one before: sends
    that went, or were read by the fake, all at once after a wait (paced, they are 12.5 ms
    apart)."""
    starts, run, first = [], 1, times[0] if times else 0.0
    for before, at in itertools.pairwise(times):
        run, first = (run + 1, first) if at - before < 0.001 else (1, at)
        if run == 3:
            starts.append(first)
    return starts


def busiest_second(times: list[float]) -> tuple[int, float, int]:
    """The most sends in any window [t, t + 1 s), where it starts, and how many of the sends
    start a window holding more than LIMIT."""
    times = sorted(times)
    most, start, over, last = 0, 0.0, 0, 0
    for first, at in enumerate(times):
        while last < len(times) and times[last] - at < 1.0:
            last += 1
        if last - first > most:
            most, start = last - first, at
        over += last - first > LIMIT
    return most, start, over


# --- the run --------------------------------------------------------------------------------


@dataclass
class Settings:
    count: int
    store: str
    second: str
    kill_at: float
    daily_limit: int
    rate: float
    """The number's messages_per_second in the workers' workspace."""
    keep: Path | None = None
    """Where to copy the fake's record and the workers' logs."""
    settle: int = int(SETTLE)
    """The workers' `server.settle`: how long the messages the killed worker had marked but not
    sent wait for statuses that never come."""
    redis: str = REDIS
    """The Redis database of `--store redis` (another database where something else, such as
    a profiling harness, empties database 13 meanwhile)."""


def expected(count: int) -> tuple[set[str], set[str], set[str]]:
    """The holders, the refused among them, and everybody else."""
    holders = {phone(n) for n in range(count) if kind_of(n) == "granted"}
    refused = {p for p in holders if int(p) % REFUSE_EVERY == 0}
    return holders, refused, {phone(n) for n in range(count)} - holders


def run(settings: Settings) -> int:
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="broadcast100k-") as name:
        folder = Path(name)
        (folder / BOT).mkdir()
        (folder / BOT / "bot.yaml").write_text(
            BOT_YAML.format(daily_limit=settings.daily_limit), encoding="utf-8"
        )
        if settings.store == "sqlite":
            url = f"sqlite:///{folder / 'state.db'}"
        else:
            url = f"{settings.redis}?prefix=bench100k-{uuid.uuid4().hex[:8]}"
        record = Record(folder / "sends.txt")
        ports = worker_ports()
        graph, graph_url = start_graph(record.path, ports)
        try:
            return asyncio.run(run_with(settings, folder, url, graph_url, ports, record, started))
        finally:
            if settings.keep is not None:
                settings.keep.mkdir(parents=True, exist_ok=True)
                for kept in (*folder.glob("*.log"), record.path):
                    shutil.copy(kept, settings.keep / kept.name)
            graph.send_signal(signal.SIGTERM)
            graph.wait(timeout=10)
            if settings.store == "redis":
                asyncio.run(forget_redis(url))


async def run_with(
    settings: Settings,
    folder: Path,
    url: str,
    graph_url: str,
    ports: tuple[int, int],
    record: Record,
    started: float,
) -> int:
    workspace = folder / "flows.yaml"
    workspace.write_text(
        WORKSPACE.format(
            bot=folder / BOT,
            store=url,
            graph=graph_url,
            rate=settings.rate,
            number=NUMBER,
            settle=settings.settle,
        ),
        encoding="utf-8",
    )
    begun = time.perf_counter()
    broadcast_id = await seed(url, folder, settings.count)
    holders, refused, others = expected(settings.count)
    print(
        f"seeded {settings.count:,} WhatsApp conversations on {settings.store}: "
        f"{len(holders):,} holders ({len(refused)} of them refused by the fake with 131049), "
        f"{len(others):,} without consent — {time.perf_counter() - begun:.1f} s"
    )
    env = {
        **os.environ,
        "BENCH_WA_SECRET": SECRET,
        "BENCH_WA_VERIFY": "verify",
        "BENCH_WA_TOKEN": TOKEN,
        "PYTHONUNBUFFERED": "1",
        "PYTHONPATH": str(ROOT),  # the workers run the tree the benchmark runs
    }
    sending = time.time()
    first = Worker("worker-1", workspace, env, ports[0])
    workers = [first]
    if settings.second == "before":
        workers.append(Worker("worker-2", workspace, env, ports[1]))
    killed_at, last_change, seen = 0.0, time.monotonic(), 0
    while True:
        await asyncio.sleep(0.25)
        now_seen = record.read()
        for worker in workers:
            worker.sample(now_seen)
        if now_seen != seen:
            seen, last_change = now_seen, time.monotonic()
        if not killed_at and seen >= settings.kill_at * len(holders):
            killed_at = first.kill(seen)
            print(f"SIGKILL worker-1 after {seen:,} sends ({time.time() - sending:.1f} s)")
            if settings.second == "after":
                workers.append(Worker("worker-2", workspace, env, ports[1]))
        reached = len({send.to for send in record.sends})
        quiet = time.monotonic() - last_change
        if (reached >= len(holders) and quiet > 2.0) or quiet > STALL:
            break
    sent_for = time.time() - sending
    waited = await wait_for_statuses(record)
    for worker in workers[1:] if killed_at else workers:  # a run that stalled before the kill
        worker.stop(seen)
    record.read()
    state, pending = await final_state(url, folder, broadcast_id)
    outcome = Outcome(
        settings, record, workers, killed_at, sending, sent_for, state, pending, waited
    )
    return report(outcome, started)


async def wait_for_statuses(record: Record) -> float:
    """Seconds until the workers took every status the fake owes (at most STATUS_WAIT)."""
    begun = time.monotonic()
    while time.monotonic() - begun < STATUS_WAIT:
        record.read()
        if record.statuses_taken() + record.overflow >= record.statuses_due():
            break
        await asyncio.sleep(0.25)
    return time.monotonic() - begun


@dataclass
class Outcome:
    """What a run left: the fake's record, the workers, when worker-1 was killed, the store."""

    settings: Settings
    record: Record
    workers: list[Worker]
    killed_at: float
    sending: float
    sent_for: float
    state: dict[str, object]
    pending: int
    waited: float
    """Seconds the run waited after the last send for the status webhooks."""

    def tries(self) -> dict[str, list[Send]]:
        """Each recipient's sends the fake took or refused for good (not over the throughput:
        those are sent again later), in order."""
        tries: defaultdict[str, list[Send]] = defaultdict(list)
        for send in self.record.sends:
            if send.outcome != THROTTLED:
                tries[send.to].append(send)
        return tries

    def at_kill(self) -> set[str]:
        """Recipients sent to twice: once by the killed worker, once after the kill. The fake
        stamps a request when it takes it, so one the killed worker had in flight can be
        stamped up to IN_FLIGHT after the kill; its second send cannot come before the
        session's lease ran out."""
        return {
            to
            for to, sends in self.tries().items()
            if len(sends) == 2
            and sends[0].at <= self.killed_at + IN_FLIGHT
            and sends[1].at >= sends[0].at + IN_FLIGHT
        }

    def busiest(self) -> dict[str, tuple[int, float, int]]:
        by_number: defaultdict[str, list[float]] = defaultdict(list)
        for send in self.record.sends:
            by_number[send.number].append(send.at)
        return {number: busiest_second(times) for number, times in by_number.items()}


def problems(outcome: Outcome) -> list[str]:
    """What went wrong, each in a sentence; none when the broadcast went out as it must."""
    holders, refused, others = expected(outcome.settings.count)
    tries = outcome.tries()
    found = []
    wrong = [s for s in outcome.record.sends if s.status != 200 and s.outcome not in REFUSALS]
    if wrong:
        found.append(f"{len(wrong)} sends the fake refused otherwise, e.g. {wrong[0]}")
    if missing := holders - set(tries):
        found.append(f"{len(missing)} holders got nothing, e.g. {sorted(missing)[:3]}")
    if unwanted := others & set(tries):
        found.append(f"{len(unwanted)} without consent got it, e.g. {sorted(unwanted)[:3]}")
    if twice := {to for to, sends in tries.items() if len(sends) > 1} - outcome.at_kill():
        found.append(f"{len(twice)} holders got it twice not at the kill: {sorted(twice)[:3]}")
    if looped := {to for to in refused if len(tries.get(to, [])) > 1}:
        found.append(f"{len(looped)} refused with 131049 were tried again")
    for number, (most, at, over) in outcome.busiest().items():
        if most > LIMIT:
            found.append(
                f"{most} sends to {number} within one second from {at - outcome.sending:.1f} s "
                f"(Meta's limit {LIMIT}; {over} sends began a second holding more)"
            )
    if len(tries) > outcome.settings.daily_limit:
        found.append(f"{len(tries)} recipients, over the daily limit")
    found += status_problems(outcome)
    if outcome.state["status"] != "done" or outcome.pending:
        found.append(f"the broadcast ended {outcome.state}, {outcome.pending} inboxes waiting")
    return found


def status_problems(outcome: Outcome) -> list[str]:
    """Statuses the fake dropped, or the workers had not taken when the run stopped waiting;
    results that do not count each recipient accepted sent, once all statuses came."""
    record, found = outcome.record, []
    accepted = {s.to for s in record.sends if s.status == 200}
    if (outcome.state["sent"], outcome.state["held_for_quality_assessment"]) != (len(accepted), 0):
        found.append(
            f"the results say sent {outcome.state['sent']}, held for quality assessment "
            f"{outcome.state['held_for_quality_assessment']}: {len(accepted)} recipients were "
            "accepted, every status came (a held message is sent once its status comes)"
        )
    if record.overflow:
        found.append(f"the fake dropped {record.overflow} statuses: too many were waiting")
    if (taken := record.statuses_taken()) < (owed := record.statuses_due() - record.overflow):
        found.append(
            f"{owed - taken} of {owed} statuses not taken by the workers "
            f"{outcome.waited:.0f} s after the last send"
        )
    return found


def steady_rate(times: list[float]) -> float:
    """Sends per second between the 40th and the 90th percent of the sends (after the kill)."""
    if len(times) < 20:
        return 0.0
    low, high = int(len(times) * 0.4), int(len(times) * 0.9)
    return (high - low) / max(times[high] - times[low], 1e-9)


def show(outcome: Outcome) -> None:
    sends, settings, sending = outcome.record.sends, outcome.settings, outcome.sending
    _holders, refused, _others = expected(settings.count)
    times = sorted(s.at for s in sends)
    span = times[-1] - times[0] if len(times) > 1 else 0.0
    accepted = len({s.to for s in sends if s.status == 200})
    held = sum(1 for s in sends if s.outcome == HELD)
    throttled = [s for s in sends if s.outcome == THROTTLED]
    print(
        f"sent: {len(sends):,} requests to the fake in {span:.1f} s "
        f"({len(sends) / max(span, 1e-9):.1f}/s; {steady_rate(times):.1f}/s after the kill) — "
        f"{accepted:,} recipients accepted "
        f"({sum(int(to) % HOLD_EVERY == 1 for to in {s.to for s in sends if s.status == 200})} "
        f"of them held for quality assessment), {held} refused with 131049 "
        f"({len(refused)} expected), {len(throttled)} refused with 130429 (over {LIMIT}/s; "
        f"{len({s.to for s in throttled})} recipients, sent again later)"
    )
    for number, (most, at, over) in outcome.busiest().items():
        print(
            f"busiest second of {number}: {most} sends (from {at - sending:.1f} s; "
            f"messages_per_second {settings.rate:g}, Meta's limit {LIMIT}); "
            f"{over} sends began a second holding more than {LIMIT}"
        )
    starts = bursts(times)
    stalls = outcome.record.stalls
    after = sum(
        1 for at in starts if any(end - ms / 1000 <= at <= end + 0.01 for end, ms in stalls)
    )
    print(
        f"bursts (3 or more sends each under 1 ms after the last): {len(starts):,}, "
        f"{after:,} of them as the fake's own loop ended a stall ({len(stalls):,} stalls "
        f"over {STALL_MS} ms, the longest {max((ms for _, ms in stalls), default=0):.0f} ms)"
    )
    print(f"unique recipients {len(outcome.tries()):,} (daily limit {settings.daily_limit:,})")
    killed = outcome.killed_at
    in_flight = sum(1 for t in times if killed - 0.1 <= t <= killed)
    twice = sorted(outcome.at_kill())
    print(
        f"killed worker-1 at {killed - sending:.1f} s; sends in its last 100 ms: {in_flight}; "
        f"sent twice across the kill: {len(twice)} {twice[:5]}"
    )
    for worker in outcome.workers:
        samples = worker.rss[:: max(1, len(worker.rss) // 6)] + worker.rss[-1:]
        shown = ", ".join(f"{rss:.0f} MiB at {seen:,}" for seen, rss in samples)
        print(f"{worker.name}: peak RSS {worker.peak:.0f} MiB; RSS by sends seen: {shown}")
    show_statuses(outcome)
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"the benchmark's own peak RSS {own:.0f} MiB")
    print(f"broadcast {outcome.state}; inboxes with items waiting: {outcome.pending}")


def show_statuses(outcome: Outcome) -> None:
    """The status webhooks: how many the workers took, how many only when retried, how late
    (from when the oldest status of a webhook was due to when a worker answered 2xx)."""
    record = outcome.record
    taken = [hook for hook in record.hooks if hook.ok]
    failed = Counter(
        f"HTTP {hook.answer}" if hook.answer.isdigit() else hook.answer
        for hook in record.hooks
        if not hook.ok
    )
    late = sorted(hook.at - hook.due for hook in taken) or [0.0]
    sent = sum(hook.sent for hook in taken)
    delivered = sum(hook.delivered for hook in taken)
    most = max((hook.sent + hook.delivered for hook in taken), default=0)
    largest = max((hook.size for hook in taken), default=0)
    why = ", ".join(f"{n} {reason}" for reason, n in failed.most_common()) or "none"
    print(
        f"status webhooks: {sent + delivered:,} of {record.statuses_due():,} statuses taken by "
        f"the workers ({sent:,} sent, {delivered:,} delivered) in {len(taken):,} webhooks "
        f"(at most {most} statuses, {largest / 1024:.1f} KB), {sum(h.tries > 1 for h in taken)} "
        f"of them taken only when retried (failed tries: {why}); taken "
        f"{late[len(late) // 2]:.2f} s after due (median), at most {late[-1]:.1f} s; "
        f"waited {outcome.waited:.1f} s for them after the last send"
    )


def report(outcome: Outcome, started: float) -> int:
    show(outcome)
    print(f"in all {time.perf_counter() - started:.1f} s (sending {outcome.sent_for:.1f} s)")
    found = problems(outcome)
    for problem in found:
        print(f"WRONG: {problem}", file=sys.stderr)
    if found:
        return 1
    twice = len(outcome.at_kill())
    duplicates = f", {twice} sent twice at the kill (at least once)" if twice else ""
    print(
        f"every holder got it once{duplicates}, nobody else; "
        f"131049 never retried; within {LIMIT}/s and the daily limit; "
        f"every status webhook taken ({outcome.record.statuses_taken():,} statuses)"
    )
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="600 contacts")
    parser.add_argument("--count", type=int, default=None, help="contacts (default 100,000)")
    parser.add_argument("--store", choices=("sqlite", "redis"), default="sqlite")
    parser.add_argument(
        "--second",
        choices=("before", "after"),
        default=None,
        help="start the second worker with the first or after the kill "
        "(default: after on SQLite, before on Redis)",
    )
    parser.add_argument("--kill-at", type=float, default=0.3, help="share of holders sent to")
    parser.add_argument("--daily-limit", type=int, default=None)
    parser.add_argument(
        "--rate",
        type=float,
        default=None,
        help="the number's messages_per_second (default 80: Meta's limit, Theke's default)",
    )
    parser.add_argument("--keep", type=Path, help="copy the sends and worker logs here")
    parser.add_argument("--redis", default=REDIS, help=f"the database of --store redis ({REDIS})")
    parser.add_argument(
        "--settle",
        type=int,
        default=None,
        help="seconds the killed worker's marked messages wait for their statuses "
        f"(server.settle; default {SETTLE:g}, with --quick {QUICK_SETTLE})",
    )
    args = parser.parse_args()
    count = args.count or (600 if args.quick else 100_000)
    rate = args.rate or float(LIMIT)
    second = args.second or ("after" if args.store == "sqlite" else "before")
    if args.store == "sqlite" and second == "before":
        parser.error("SQLite serves one process: --second after")
    limit = args.daily_limit or (2_000 if count <= 2_000 else 100_000)
    settle = args.settle or (QUICK_SETTLE if args.quick else int(SETTLE))
    return run(
        Settings(
            count,
            args.store,
            second,
            args.kill_at,
            limit,
            rate,
            args.keep,
            settle=settle,
            redis=args.redis,
        )
    )


if __name__ == "__main__":
    sys.exit(main())
