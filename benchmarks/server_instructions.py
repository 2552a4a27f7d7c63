"""The server's turns under callgrind: instructions per REST turn of `theke run` (or the bare
aiohttp handler), counted the same on a busy machine, where load.py's CPU per turn is not.

    .venv/bin/python benchmarks/server_instructions.py [--store memory|sqlite|redis|bare]
        [--customers 50] [--orders 4] [--keep callgrind.out] [--compiled]

Starts the server under valgrind with instrumentation off, warms it up with 20 orders (10
customers), turns instrumentation on (`callgrind_control -i on`), runs `customers` × `orders`
pizza orders at once (nine turns each, every reply checked as load.py checks it), dumps the
counts and prints the instructions of that window divided by its turns: HTTP, middleware,
channel, runtime, engine, store client and garbage collection alike (Redis's own work is in
the Redis server, not here). Needs valgrind; about a minute on a quiet machine. `--keep`
copies the window's dump for `callgrind_annotate`; `--compiled` serves on the compiled engine
(`make fast`), as load.py's does.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import aiohttp
from load import (
    BARE,
    COMPILED,
    NOW,
    REDIS_URL,
    ROOT,
    WEBHOOK,
    free_port,
    redis_flush,
    write_workspace,
    wrong,
)
from pizza_order import ORDER

STARTUP = 300.0
"""Seconds the server may take to listen under valgrind (a loaded machine: minutes)."""


def command(store: str, folder: Path, port: int, compiled: bool) -> list[str]:
    if store == "bare":
        return [sys.executable, str(BARE), "--port", str(port)]
    url = {"memory": "memory://", "sqlite": f"sqlite:///{folder}/state.db"}.get(store, REDIS_URL)
    workspace = write_workspace(folder, url)
    # -P, so that PYTHONPATH's build/compiled comes before ./framework
    python = [sys.executable, "-P"] if compiled else [sys.executable]
    return [*python, "-m", "framework.cli", "run", str(workspace), "--port", str(port)]


def wait_listening(port: int, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + STARTUP
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server exited with status {server.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=5):
                return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"the server did not listen within {STARTUP:.0f} s")


async def orders(port: int, customers: int, each: int, run: str) -> int:
    """Every customer's orders, one after another; how many turns went wrong."""
    url = f"http://127.0.0.1:{port}{WEBHOOK}"
    timeout = aiohttp.ClientTimeout(total=600)
    failed = 0
    async with aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=customers), timeout=timeout
    ) as http:

        async def customer(n: int) -> None:
            nonlocal failed
            for number in range(each):
                sender = f"{run}-c{n}-{number}"
                for turn, text in enumerate(ORDER):
                    body = {"sender": sender, "message": text, "message_id": f"{sender}-{turn}"}
                    async with http.post(url, json=body) as response:
                        replies = json.loads(await response.read())
                    if response.status != 200 or wrong(replies, sender, turn == len(ORDER) - 1):
                        failed += 1

        await asyncio.gather(*(customer(n) for n in range(customers)))
    return failed


def callgrind(pid: int, *command: str) -> None:
    subprocess.run(["callgrind_control", *command, str(pid)], check=True, capture_output=True)


def total(dump: Path) -> int:
    for line in dump.read_text().splitlines():
        if line.startswith("summary:"):
            return int(line.split()[1])
    raise SystemExit(f"no summary in {dump}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--store", choices=("memory", "sqlite", "redis", "bare"), default="memory")
    parser.add_argument("--customers", type=int, default=50)
    parser.add_argument("--orders", type=int, default=4, help="orders of each customer")
    parser.add_argument("--keep", type=Path, help="copy the window's callgrind dump here")
    parser.add_argument(
        "--compiled", action="store_true", help="serve on the compiled engine (make fast)"
    )
    args = parser.parse_args()
    if args.compiled and not (COMPILED / "framework").is_dir():
        parser.error(f"no compiled engine in {COMPILED}: run `make fast` first")
    if args.store == "redis":
        redis_flush(REDIS_URL)
    with tempfile.TemporaryDirectory(prefix="theke-instructions-") as name:
        folder, port = Path(name), free_port()
        out = folder / "callgrind.out"
        valgrind = ["valgrind", "--tool=callgrind", "--instr-atstart=no"]
        valgrind.append(f"--callgrind-out-file={out}")
        arguments = command(args.store, folder, port, args.compiled)
        if args.store != "bare":
            arguments += ["--now", NOW]
        env = {**os.environ, "PYTHONPATH": str(COMPILED)} if args.compiled else None
        server = subprocess.Popen(
            [*valgrind, *arguments], cwd=ROOT, env=env, stderr=subprocess.DEVNULL
        )
        try:
            wait_listening(port, server)
            asyncio.run(orders(port, 10, 2, "warm"))
            callgrind(server.pid, "-i", "on")
            failed = asyncio.run(orders(port, args.customers, args.orders, "measured"))
            callgrind(server.pid, "-d")
        finally:
            server.terminate()
            server.wait(timeout=120)
            if args.store == "redis":
                redis_flush(REDIS_URL)
        turns = args.customers * args.orders * len(ORDER)
        measured = total(Path(f"{out}.1"))
        if args.keep:
            shutil.copyfile(f"{out}.1", args.keep)
    print(f"{args.store}: {turns} turns, {measured // turns:,} instructions a turn")
    if failed:
        print(f"{failed} turns answered wrongly", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
