"""`theke events`: business events the business's endpoints never took, from the terminal.

    theke events list [--limit 20] [--json]     the given-up events, latest first
    theke events retry KEY... | --all            send them again (at the end of their stream)

It opens the workspace's outbox (the same SQLite file or Redis the server uses); the running
server's sender picks requeued events up within a second.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from datetime import datetime

from framework.errors import ThekeError
from framework.events.web import RETRY_ALL, entry_json
from framework.stores.opening import open_outbox
from framework.stores.outbox import Entry, Outbox
from framework.terminal import printable
from framework.workspace import Workspace, workspace_for_command

__all__ = ["run_events"]


def run_events(args: argparse.Namespace) -> int:
    workspace = workspace_for_command(args.workspace)
    return asyncio.run(_events(workspace, args))


async def _events(workspace: Workspace, args: argparse.Namespace) -> int:
    outbox = await open_outbox(workspace.store, workspace.root)
    try:
        if args.action == "list":
            if not 1 <= args.limit <= RETRY_ALL:
                raise ThekeError(f"--limit is a number from 1 to {RETRY_ALL}")
            _print(await outbox.undeliverable(args.limit), args.json)
            return 0
        if args.all == bool(args.keys):
            raise ThekeError("name the events to retry by key, or --all (not both)")
        if args.all:
            return await _retry(outbox, [e.key for e in await outbox.undeliverable(RETRY_ALL)])
        return await _retry(outbox, list(dict.fromkeys(args.keys)))
    finally:
        await outbox.close()


async def _retry(outbox: Outbox, keys: list[str]) -> int:
    """One key at a time, so that a key that names no given-up event is named back."""
    now, unknown = time.time(), []
    for key in keys:
        if not await outbox.requeue([key], now):
            unknown.append(key)
    if not keys:
        print("no undeliverable events")
    elif len(unknown) < len(keys):
        print(f"{len(keys) - len(unknown)} event(s) will be sent again")
    if unknown:
        raise ThekeError(
            f"no undeliverable event has the key(s) {', '.join(unknown)}"
            " (`theke events list` shows the keys)"
        )
    return 0


def _print(found: list[Entry], as_json: bool) -> None:
    if as_json:
        print(json.dumps([entry_json(entry) for entry in found], indent=2, ensure_ascii=True))
        return
    if not found:
        print("no undeliverable events")
    for entry in found:
        when = datetime.fromtimestamp(entry.done_at).astimezone().strftime("%Y-%m-%d %H:%M")
        print(
            f"{printable(entry.key, 64)}  {when}  {printable(entry.type):<28} "
            f"{printable(entry.url, 60)}\n"
            f"    {entry.attempts} attempt(s): {printable(entry.error, 200)}"
        )
