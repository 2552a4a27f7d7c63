"""`theke contacts`: one customer's data across every store of the workspace.

    theke contacts export KEY [--json]     everything held about them (KEY: bot:channel:customer)
    theke contacts delete KEY --yes        erase them (data.py says what is deleted, what kept)

It opens the workspace's stores (the same SQLite file or Redis the server uses). The export is
JSON with everything outside ASCII escaped (`--json` changes nothing).
"""

from __future__ import annotations

import argparse
import asyncio
import time

from framework.errors import ThekeError
from framework.privacy.data import close_stores, erase, export, open_stores, parsed
from framework.terminal import ascii_json
from framework.workspace import Workspace, workspace_for_command

__all__ = ["CONTACT_ACTIONS", "run_contacts"]

CONTACT_ACTIONS = ("export", "delete")


def run_contacts(args: argparse.Namespace) -> int:
    if not args.key:
        raise ThekeError(f"{args.action} needs the conversation: bot:channel:customer")
    parsed(args.key)
    if args.action == "delete" and not args.yes:
        raise ThekeError("delete erases the customer's data for good: add --yes to do it")
    return asyncio.run(_contacts(workspace_for_command(args.workspace), args))


async def _contacts(workspace: Workspace, args: argparse.Namespace) -> int:
    stores = await open_stores(workspace.store, workspace.limits, workspace.root)
    try:
        if args.action == "export":
            found = await export(stores, args.key)
        else:
            found = await erase(stores, args.key, time.time())
    finally:
        await close_stores(stores)
    print(ascii_json(found))  # escaped: stored texts never steer the terminal
    return 0
