"""Load benchmark: the complete pizza order over REST, end to end, against `theke run`.

    .venv/bin/python benchmarks/load.py [--customers 50] [--duration 20] [--warmup 3]
        [--only bare,memory,sqlite,redis1,redis2,redis2-2cores] [--redis redis://127.0.0.1:6379/14]
        [--py-spy DIR | --cprofile DIR] [--quick] [--compiled [BUILD]] [--varied]

N simulated customers (one coroutine each, one aiohttp ClientSession with a keep-alive pool of
N connections) each run the pizza order of `benchmarks/engine.py` (nine turns) as often as the
measured window allows, with a fresh sender for every order and a unique message_id for every
message. An order whose replies are wrong (the last one, the link of the pay step, must name
the total, 42,50 €) counts as an error, like a non-200 answer or a timeout. A configuration with
an error, or without a complete order, makes the script exit with status 1 after the table.
`--quick` (for CI) runs 10 customers for 2 s after 0.3 s on bare, SQLite and Redis with one
and two workers (memory and the two-core row differ from those only by a URL or a pinning).

`--varied`: the customers send instead the messages of the chats under tests/understanding/
(thousands of distinct messages; each customer takes the next chat of its own share in turn), so
that what the engine keeps per message text helps no more than it helps real customers, who
each write something new. Each turn must then be answered with 200 and a list of replies for
its sender (none checked for a total); a chat counts as an order when all its turns are.

Every configuration gets its own server, started here and stopped afterwards: the bare aiohttp
handler of `benchmarks/bare_server.py` (the ceiling for one aiohttp turn), `theke run` on the
memory store (runtime, engine and HTTP without a store's cost), on SQLite, on Redis with one
worker and on Redis with two workers. The servers run pinned to core
0 (`taskset -c 0`; the two workers too, for the one-core figures, and once more on cores 0-1),
this generator pinned to core 1. Redis is whatever server the URL names (not pinned here); its
database is flushed before and after each run, so give it one that holds nothing else.

Beside latency and throughput it reports the CPU time of the server processes per turn (from
/proc, so it does not depend on whether the generator kept the server busy), the generator's
own CPU use (near 100 % means the numbers are the generator's, not the server's), and the size
of a pizza session as JSON after the order (waiting for its payment).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import json
import os
import pstats
import random
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import aiohttp
from pizza_order import ORDER, TOTAL

Chat = tuple[str, ...]
"""The messages of one customer's conversation, sent one after the other."""

ROOT = Path(__file__).resolve().parent.parent
COMPILED = ROOT / "build" / "compiled"
"""The compiled engine (`make fast`), used by `--compiled`."""
BOT = ROOT / "bots" / "pizza"
BARE = ROOT / "benchmarks" / "bare_server.py"
NOW = "2026-11-27T19:00+01:00"
REDIS_URL = "redis://127.0.0.1:6379/14"
WEBHOOK = "/webhooks/rest/webhook"
GENERATOR_CORE = 1
REQUEST_TIMEOUT = 10.0
TICKS = os.sysconf("SC_CLK_TCK")
HEADERS = {"Content-Type": "application/json"}
SATURATED = 0.9
"""Generator CPU (share of its core) from which its own speed may be what was measured."""
BUSY_ELSEWHERE = 0.25
"""CPU used outside the benchmark's processes (share of a core) from which it warns."""


@dataclass(frozen=True)
class Config:
    name: str
    label: str
    store: str | None = None  # None: the bare aiohttp handler
    workers: int = 1
    cores: str = "0"


CONFIGS = {
    config.name: config
    for config in (
        Config("bare", "bare aiohttp handler"),
        Config("memory", "memory, 1 worker", "memory"),
        Config("sqlite", "SQLite, 1 worker", "sqlite"),
        Config("redis1", "Redis, 1 worker", "redis"),
        Config("redis2", "Redis, 2 workers", "redis", workers=2),
        Config("redis2-2cores", "Redis, 2 workers", "redis", workers=2, cores="0,1"),
    )
}
QUICK = ("bare", "sqlite", "redis1", "redis2")
"""The configurations of `--quick`: every kind of server, each started once."""


# -- processes -----------------------------------------------------------------------------


def _stat(pid: int) -> list[str] | None:
    """/proc/<pid>/stat after the command name: state, ppid, pgrp, session, ..."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text.rsplit(")", 1)[1].split()


def process_cpu(pid: int) -> float:
    """User + system CPU seconds of one process (all its threads, not its children)."""
    fields = _stat(pid)
    return (int(fields[11]) + int(fields[12])) / TICKS if fields else 0.0


def session_cpu(session: int, kernel_only: bool = False) -> float:
    """CPU seconds of every live process in a session (a server and the workers it started):
    user + system, or system (the kernel working for it: syscalls) only."""
    total = 0.0
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            fields = _stat(int(entry.name))
            if fields and int(fields[3]) == session:
                total += (int(fields[12]) + (0 if kernel_only else int(fields[11]))) / TICKS
    return total


def machine_cpu(line: str = "cpu", interrupts: bool | None = None) -> float:
    """CPU seconds the machine (`cpu`) or one core (`cpu0`) spent busy, from /proc/stat:
    everything, or only serving interrupts (True; the loopback's packets are mostly handled
    there), or all but that (False)."""
    for row in Path("/proc/stat").read_text().splitlines():
        name, *fields = row.split()
        if name == line:
            user, nice, system, _idle, _iowait, irq, softirq, steal = map(int, fields[:8])
            tasks, serving = user + nice + system + steal, irq + softirq
            busy = {None: tasks + serving, True: serving, False: tasks}[interrupts]
            return busy / TICKS
    return 0.0


def listeners(port: int) -> int:
    """Sockets listening on `port` (one per worker with SO_REUSEPORT)."""
    wanted = f":{port:04X}"
    count = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError):
            for line in Path(table).read_text().splitlines()[1:]:
                parts = line.split()
                count += parts[1].endswith(wanted) and parts[3] == "0A"
    return count


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def write_workspace(folder: Path, store: str) -> Path:
    """A flows.yaml for the run: the pizza bot, no rate limit to speak of, the given store."""
    file = folder / "flows.yaml"
    file.write_text(
        "version: 1\n"
        f"bots:\n  - {json.dumps(str(BOT))}\n"
        "server:\n  host: 127.0.0.1\n"
        f"store: {json.dumps(store)}\n"
        # The schema's maximum rate is 100,000 a minute per conversation: far above 9 an order.
        "limits:\n  burst: 100000\n  messages_per_minute: 100000\n"
        # Every customer is new and comes from 127.0.0.1: admission as wide as the schema lets.
        "  new_conversations: {per_address: 100000, per_bot: 1000000}\n",
        encoding="utf-8",
    )
    return file


class Server:
    """One configuration's server: started pinned, ready when every worker listens."""

    def __init__(
        self,
        config: Config,
        folder: Path,
        redis_url: str,
        cprofile: Path | None,
        compiled: Path | None = None,
    ):
        self.config = config
        self.compiled = compiled
        self.folder = folder
        self.port = free_port()
        self.log = folder / f"{config.name}.log"
        self.command = [
            "taskset",
            "-c",
            config.cores,
            *self._python(cprofile),
            *self._args(redis_url),
        ]
        self.process: subprocess.Popen[bytes] | None = None

    def _python(self, cprofile: Path | None) -> list[str]:
        # --compiled: -P, so that PYTHONPATH's build comes before ./framework
        python = [sys.executable, "-P"] if self.compiled else [sys.executable]
        if cprofile is None:
            return python
        return [*python, "-m", "cProfile", "-o", str(cprofile)]

    def _args(self, redis_url: str) -> list[str]:
        if self.config.store is None:
            return [str(BARE), "--port", str(self.port)]
        store = {
            "memory": "memory://",
            "sqlite": f"sqlite:///{self.folder}/state.db",
            "redis": redis_url,
        }[self.config.store]
        flows = write_workspace(self.folder, store)
        args = ["-m", "framework.cli", "run", str(flows), "--port", str(self.port), "--now", NOW]
        return args + (["--workers", str(self.config.workers)] if self.config.workers > 1 else [])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        # cwd: the repository, so that `-m framework.cli` imports the package from there
        # (a stale editable install can make `framework` a namespace package elsewhere).
        with self.log.open("wb") as log:
            env = {**os.environ, "PYTHONPATH": str(self.compiled)} if self.compiled else None
            self.process = subprocess.Popen(
                self.command,
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + 60
        while not self._ready():
            if self.process.poll() is not None or time.monotonic() > deadline:
                tail = self.log.read_text(errors="replace")[-2000:]
                raise RuntimeError(f"{self.config.name}: the server did not start\n{tail}")
            time.sleep(0.1)

    def _ready(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.url}/health", timeout=1) as response:
                healthy = response.status == 200
        except OSError:
            return False
        return healthy and listeners(self.port) >= self.config.workers

    def cpu(self) -> float:
        return session_cpu(self.process.pid) if self.process else 0.0

    def kernel_cpu(self) -> float:
        return session_cpu(self.process.pid, kernel_only=True) if self.process else 0.0

    def stop(self) -> None:
        """SIGTERM (a graceful stop), then SIGKILL for whatever of its session is left."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                print(f"{self.config.name}: no graceful stop in 20 s, killed", file=sys.stderr)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)  # its own session: only its processes
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=5)


def redis_flush(url: str) -> int | None:
    """Empty the benchmark's database; the pid of redis-server, when it runs on this machine."""
    import redis

    client = redis.Redis.from_url(url)
    try:
        client.flushdb()
        pid = int(client.info("server")["process_id"])
    finally:
        client.close()
    return pid if Path(f"/proc/{pid}/stat").exists() else None


# -- the simulated customers ---------------------------------------------------------------


@dataclass
class Tally:
    start: float
    end: float
    customers: int = 1
    latencies: list[float] = field(default_factory=list)
    by_message: dict[int, list[float]] = field(default_factory=dict)
    """The latencies of each message of the order (0: the first)."""
    errors: Counter[str] = field(default_factory=Counter)
    warmup_errors: int = 0
    orders: int = 0
    cpu: dict[str, float] = field(default_factory=dict)

    def counts(self, moment: float) -> bool:
        return self.start <= moment <= self.end

    def error(self, kind: str, moment: float) -> None:
        if self.counts(moment):
            self.errors[kind] += 1
        elif moment < self.start:
            self.warmup_errors += 1


def wrong(replies: Any, sender: str, last: bool, varied: bool = False) -> bool:
    """A turn's replies: a non-empty list for this sender; the last one names the total. A
    varied chat's turn: a list for this sender (its texts are not known here)."""
    if not isinstance(replies, list) or not (replies or varied):
        return True
    if any(not isinstance(r, dict) or r.get("recipient_id") != sender for r in replies):
        return True
    return last and not varied and not any(TOTAL in str(r.get("text")) for r in replies)


async def post(http: aiohttp.ClientSession, url: str, body: bytes) -> tuple[str | None, Any]:
    """(failure, replies): failure is None, or what went wrong with the request."""
    try:
        async with http.post(url, data=body, headers=HEADERS) as response:
            payload = await response.read()
            if response.status != 200:
                return f"HTTP {response.status}", None
    except TimeoutError:
        return "timeout", None
    except aiohttp.ClientError as error:
        return type(error).__name__, None
    try:
        return None, json.loads(payload)
    except ValueError:
        return "wrong reply", None


async def order(
    http: aiohttp.ClientSession, url: str, sender: str, tally: Tally, chat: Chat = ORDER
) -> None:
    finished = 0.0
    varied = chat is not ORDER
    for turn, text in enumerate(chat):
        if time.perf_counter() >= tally.end:
            return  # cut short by the end of the run: neither an order nor an error
        message = {"sender": sender, "message": text, "message_id": f"{sender}-{turn}"}
        body = json.dumps(message).encode()
        started = time.perf_counter()
        failure, replies = await post(http, url, body)
        finished = time.perf_counter()
        if failure is None and wrong(replies, sender, turn == len(chat) - 1, varied):
            failure = "wrong reply"
        if failure is not None:
            tally.error(failure, finished)
            return
        if tally.counts(finished):
            tally.latencies.append(finished - started)
            tally.by_message.setdefault(turn, []).append(finished - started)
    if tally.counts(finished):
        tally.orders += 1


async def customer(
    http: aiohttp.ClientSession, url: str, name: str, tally: Tally, chats: list[Chat], k: int
) -> None:
    """Orders one after another; customer k of n takes chats k, k + n, k + 2n, …"""
    number = 0
    while time.perf_counter() < tally.end:
        chat = chats[(k + number * tally.customers) % len(chats)]
        number += 1
        await order(http, url, f"{name}-{number}", tally, chat)


async def window(
    tally: Tally, probes: dict[str, Callable[[], float]], at_start: Callable[[], None]
) -> None:
    """CPU seconds of each probe over the measured window (with the wall time as "wall")."""
    await asyncio.sleep(max(0.0, tally.start - time.perf_counter()))
    at_start()
    before = {name: probe() for name, probe in probes.items()}
    began = time.perf_counter()
    await asyncio.sleep(max(0.0, tally.end - time.perf_counter()))
    tally.cpu = {name: probe() - before[name] for name, probe in probes.items()}
    tally.cpu["wall"] = time.perf_counter() - began


def generator_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def drive(
    url: str,
    customers: int,
    warmup: float,
    duration: float,
    probes: dict[str, Callable[[], float]],
    at_start: Callable[[], None] = lambda: None,
    chats: list[Chat] | None = None,
) -> Tally:
    connector = aiohttp.TCPConnector(limit=customers, keepalive_timeout=60)
    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as http:
        begin = time.perf_counter()
        tally = Tally(begin + warmup, begin + warmup + duration, customers)
        run = uuid.uuid4().hex[:8]
        measuring = asyncio.create_task(window(tally, probes, at_start))
        await asyncio.gather(
            *(
                customer(http, url + WEBHOOK, f"{run}-c{n}", tally, chats or [ORDER], n)
                for n in range(customers)
            )
        )
        await measuring
    return tally


# -- results -------------------------------------------------------------------------------


@dataclass
class Result:
    config: Config
    duration: float
    tally: Tally
    profile: str = ""

    @property
    def turns(self) -> int:
        return len(self.tally.latencies)

    @property
    def rate(self) -> float:
        return self.turns / self.duration

    def percentile(self, share: float, latencies: list[float] | None = None) -> float:
        ordered = sorted(self.tally.latencies if latencies is None else latencies)
        ordered = ordered or [float("nan")]
        return ordered[min(len(ordered) - 1, int(len(ordered) * share))] * 1000

    def by_message(self) -> str:
        """p50/p99 ms of each message of the order: the pay step's is the last."""
        return ", ".join(
            f"{turn + 1}: {self.percentile(0.5, found):.0f}/{self.percentile(0.99, found):.0f}"
            for turn, found in sorted(self.tally.by_message.items())
        )

    def per_turn(self, probe: str) -> float | None:
        """CPU microseconds per turn of a probe (server, redis), None when not measured."""
        if probe not in self.tally.cpu or not self.turns:
            return None
        return self.tally.cpu[probe] / self.turns * 1e6

    def share(self, probe: str) -> float:
        return self.tally.cpu.get(probe, 0.0) / (self.tally.cpu.get("wall") or 1.0)

    @property
    def elsewhere(self) -> float:
        """Busy CPU (share of one core) in processes other than the server, Redis and the
        generator (interrupts left out: the loopback's packets are handled there)."""
        ours = sum(self.share(probe) for probe in ("server", "redis", "generator"))
        return max(0.0, self.share("machine") - ours)  # ticks are coarse: never below zero

    @property
    def errors(self) -> int:
        return sum(self.tally.errors.values())


def _number(value: float | None, digits: int = 0) -> str:
    return "–" if value is None else f"{value:,.{digits}f}"


def table(results: list[Result]) -> str:
    bare = next((r for r in results if r.config.store is None), None)
    bare_cpu = bare.per_turn("server") if bare else None
    lines = [
        "| configuration | server cores | turns/s | p50 ms | p90 ms | p99 ms | errors "
        "| server CPU µs/turn | × bare (CPU/turn) | × bare (turns/s) | Redis CPU µs/turn "
        "| server CPU | generator CPU |",
        "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for r in results:
        cpu = r.per_turn("server")
        lines.append(
            f"| {r.config.label} | {r.config.cores.replace(',', '-')} | {r.rate:,.0f} "
            f"| {r.percentile(0.5):.1f} | {r.percentile(0.9):.1f} | {r.percentile(0.99):.1f} "
            f"| {r.errors} | {_number(cpu)} "
            f"| {_number(cpu / bare_cpu if cpu and bare_cpu else None, 1)} "
            f"| {_number(bare.rate / r.rate if bare and r.rate else None, 1)} "
            f"| {_number(r.per_turn('redis'))} "
            f"| {r.share('server'):.0%} | {r.share('generator'):.0%} |"
        )
    return "\n".join(lines)


def notes(results: list[Result]) -> list[str]:
    said = []
    for r in results:
        name = r.config.name
        said.append(
            f"{name}: {r.turns:,} turns, {r.tally.orders:,} complete orders in the window; "
            f"the server's CPU {r.share('server_kernel') / (r.share('server') or 1):.0%} in the "
            f"kernel; interrupts {r.share('interrupts'):.0%} of a core; other processes "
            f"{r.elsewhere:.0%}; cores busy: "
            + ", ".join(f"{p} {r.share(p):.0%}" for p in r.tally.cpu if p.startswith("core"))
        )
        said.append(f"{name}: p50/p99 ms by message of the order: {r.by_message()}")
        if r.tally.errors:
            said.append(f"{name}: errors {dict(r.tally.errors)}")
        if r.tally.warmup_errors:
            said.append(f"{name}: {r.tally.warmup_errors} error(s) during the warm-up")
        if r.elsewhere >= BUSY_ELSEWHERE:
            said.append(
                f"{name}: other processes used {r.elsewhere:.0%} of a core during the run: "
                "the figures may be low — run it on a quiet machine"
            )
        if r.share("generator") >= SATURATED:
            said.append(
                f"{name}: the generator used {r.share('generator'):.0%} of its core — it may "
                "be what limited this configuration"
            )
    return said


def session_sizes() -> tuple[int, int]:
    """Bytes of json.dumps(session): after the order (waiting for its payment), and the
    largest on the way."""
    from datetime import datetime

    from framework.flows import Message, load_bot, new_session, step

    bot = load_bot(BOT)
    moment = datetime.fromisoformat(NOW)
    session = new_session(bot)
    largest = 0
    for text in ORDER:
        session = step(bot, session, Message(text, moment)).session
        largest = max(largest, len(json.dumps(session)))
    return len(json.dumps(session)), largest


# -- profiles ------------------------------------------------------------------------------


def collapse(raw: Path, top: int = 15) -> str:
    """Top functions by self and cumulative samples from py-spy's raw (collapsed) stacks."""
    own: Counter[str] = Counter()
    total: Counter[str] = Counter()
    roots: Counter[str] = Counter()
    root_of: dict[str, str] = {}
    for line in raw.read_text(errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        frames = [re.sub(r":\d+\)$", ")", f) for f in stack.split(";")]
        frames = [f for f in frames if not f.startswith(("process ", "thread "))]
        if not frames or not count.isdigit():
            continue
        own[frames[-1]] += int(count)
        roots[frames[0]] += int(count)
        for frame in set(frames):
            total[frame] += int(count)
            root_of.setdefault(frame, frames[0])
    samples = sum(own.values()) or 1
    # The trunk of each thread (runpy, run_app, the event loop; the pool's worker) is in
    # (nearly) every one of its stacks: left out, what remains says where the time goes.
    below = Counter({f: n for f, n in total.items() if n < 0.95 * roots[root_of[f]]})
    out = [
        f"{samples} samples of active threads (share of them below; the event loop trunk left out)"
    ]
    for title, counter, count in (("self", own, top), ("cumulative", below, top + 10)):
        out.append(f"  by {title}:")
        out += [f"    {n / samples:6.1%}  {frame}" for frame, n in counter.most_common(count)]
    return "\n".join(out)


def cprofile_summary(file: Path, top: int = 15) -> str:
    text = io.StringIO()
    stats = pstats.Stats(str(file), stream=text).strip_dirs()
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)
    return text.getvalue()


class PySpy:
    """py-spy recording the server over the measured window (sampling; it stays running)."""

    def __init__(self, folder: Path | None, name: str, duration: float):
        self.binary = shutil.which("py-spy") if folder else None
        if folder and not self.binary:
            raise SystemExit("--py-spy needs py-spy on PATH (pip install py-spy)")
        self.output = folder / f"{name}.txt" if folder else None
        self.duration = duration
        self.process: subprocess.Popen[bytes] | None = None
        self.pid = 0

    def start(self) -> None:
        if self.binary and self.output and self.pid:
            command = [self.binary, "record", "--pid", str(self.pid), "--format", "raw"]
            command += ["--output", str(self.output), "--duration", f"{self.duration:.0f}"]
            command += ["--rate", "200", "--nonblocking", "--subprocesses"]
            self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL)

    def finish(self) -> str:
        if self.process is None or self.output is None:
            return ""
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.terminate()
            self.process.wait()
        return collapse(self.output) if self.output.exists() else "py-spy wrote nothing"


# -- a run ---------------------------------------------------------------------------------


def measure(config: Config, args: argparse.Namespace, folder: Path) -> Result:
    cprofile = None
    if args.cprofile and config.workers == 1:
        cprofile = args.cprofile.resolve() / f"{config.name}.prof"
    redis_pid = redis_flush(args.redis) if config.store == "redis" else None
    server = Server(config, folder, args.redis, cprofile, compiled=args.compiled)
    spy = PySpy(args.py_spy, config.name, args.duration)
    probes: dict[str, Callable[[], float]] = {
        "generator": generator_cpu,
        "server": server.cpu,
        "server_kernel": server.kernel_cpu,
        "machine": partial(machine_cpu, interrupts=False),
        "interrupts": partial(machine_cpu, interrupts=True),
        **{f"core {n}": partial(machine_cpu, f"cpu{n}") for n in range(os.cpu_count() or 1)},
    }
    if redis_pid is not None:
        probes["redis"] = lambda: process_cpu(redis_pid)
    try:
        server.start()
        spy.pid = server.process.pid if server.process else 0
        tally = asyncio.run(
            drive(
                server.url,
                args.customers,
                args.warmup,
                args.duration,
                probes,
                spy.start,
                args.chats,
            )
        )
    finally:
        server.stop()
        if config.store == "redis":
            redis_flush(args.redis)
    result = Result(config, args.duration, tally, spy.finish())
    if cprofile and cprofile.exists():
        result.profile = cprofile_summary(cprofile)
    return result


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--customers", type=int, default=50, help="concurrent customers")
    parser.add_argument("--duration", type=float, default=20.0, help="measured seconds")
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds before measuring")
    parser.add_argument("--only", help="configurations, with commas (default: all)")
    parser.add_argument("--redis", default=REDIS_URL, help="Redis URL (its db is flushed)")
    parser.add_argument(
        "--quick", action="store_true", help=f"CI: 10 customers, 2 s after 0.3 s, {QUICK}"
    )
    parser.add_argument(
        "--compiled",
        nargs="?",
        type=Path,
        const=COMPILED,
        metavar="BUILD",
        help=f"servers on the compiled engine (make fast: {COMPILED.relative_to(ROOT)})",
    )
    parser.add_argument(
        "--varied", action="store_true", help="the chats of tests/understanding, not the order"
    )
    profilers = parser.add_mutually_exclusive_group()
    profilers.add_argument("--py-spy", type=Path, metavar="DIR", help="record the servers")
    profilers.add_argument(
        "--cprofile", type=Path, metavar="DIR", help="run 1-worker servers under cProfile (slow)"
    )
    args = parser.parse_args(argv)
    if args.compiled and not (args.compiled / "framework").is_dir():
        parser.error(f"no compiled engine in {args.compiled}: run `make fast` first")
    args.compiled = args.compiled and args.compiled.resolve()
    if args.quick:
        args.customers, args.duration, args.warmup = 10, 2.0, 0.3
    args.only = args.only or ",".join(QUICK if args.quick else CONFIGS)
    unknown = set(args.only.split(",")) - set(CONFIGS)
    if unknown:
        parser.error(f"unknown configuration(s) {sorted(unknown)}: choose from {list(CONFIGS)}")
    args.configs = [CONFIGS[name] for name in args.only.split(",")]
    args.chats = understanding_chats() if args.varied else None
    return args


def understanding_chats() -> list[Chat]:
    """The customers' messages of every chat under tests/understanding/, in the order of
    `engine.py --varied` (shuffled the same way every run, so that no customer plays one
    set after the other)."""
    from engine import customers

    chats = [tuple(texts) for _now, texts in customers() if texts]
    random.Random(0).shuffle(chats)
    return chats


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    for folder in (args.py_spy, args.cprofile):
        if folder:
            folder.mkdir(parents=True, exist_ok=True)
    if len(os.sched_getaffinity(0)) > 1:
        os.sched_setaffinity(0, {GENERATOR_CORE})
    else:
        print("one core only: the generator shares it with the server", file=sys.stderr)
    results = []
    with tempfile.TemporaryDirectory(prefix="theke-load-") as temp:
        for config in args.configs:
            folder = Path(temp) / config.name
            folder.mkdir()
            print(f"{config.name}: {args.warmup:g} s warm-up, {args.duration:g} s measured …")
            results.append(measure(config, args, folder))
    final, largest = session_sizes()
    print(f"\n{args.customers} customers, {args.duration:g} s measured after {args.warmup:g} s\n")
    print(table(results))
    print()
    print("\n".join(f"- {note}" for note in notes(results)))
    print(
        f"- session after the order, waiting for its payment: {final} bytes of JSON "
        f"(largest on the way: {largest})"
    )
    for result in results:
        if result.profile:
            print(f"\n## profile of {result.config.name}\n{result.profile}")
    broken = [r.config.name for r in results if r.errors or not r.tally.orders]
    if broken:
        print(f"errors, or no complete order, in: {', '.join(broken)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
