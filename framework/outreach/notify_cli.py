"""`theke notify`: the notify API from the terminal (or the business's cron job).

    theke notify --topic flight:SA1234:2026-12-10 --text flight_delayed \\
                 --value "time=14:35" --value "flight=SA 1234" --key evt-8812 [--bot airline]
    #   Notified 37 conversation(s) holding notify:flight:SA1234:2026-12-10 (key evt-8812)

It is `POST /api/notify` (framework/outreach/web.py) on the workspace's stores: the same checks
of the topic, the text (one of the bot's), the values and the key (`checked_notice`), and the
same service, which puts the notice into the inbox of every conversation holding the consent
`notify:<topic>` — in the store the running server's workers read (SQLite or Redis; with a
memory store the server never sees it). The same key again notifies nobody twice; nobody
without the consent is reached.
"""

from __future__ import annotations

import argparse
import asyncio

from framework.consents.service import Consents
from framework.errors import BadRequest, ThekeError
from framework.outreach.broadcasts_cli import name_values, workspace_bots
from framework.outreach.web import checked_notice
from framework.stores.opening import open_consents, open_store
from framework.terminal import ascii_json, printable
from framework.workspace import Workspace, served_bot_name, workspace_for_command

__all__ = ["run_notify"]


def run_notify(args: argparse.Namespace) -> int:
    workspace = workspace_for_command(args.workspace)
    return asyncio.run(_notify(workspace, args))


async def _notify(workspace: Workspace, args: argparse.Namespace) -> int:
    name = served_bot_name(workspace, args.bot)
    bot = workspace_bots(workspace)[name]
    try:
        topic, text, values, key = checked_notice(
            bot, args.topic, args.text, name_values(args.value), args.key
        )
    except BadRequest as error:
        raise ThekeError(str(error)) from None
    sessions = await open_store(workspace.store, workspace.limits, workspace.root)
    ledger = await open_consents(workspace.store, workspace.root)
    try:
        notified = await Consents(ledger, sessions.enqueue).notify(name, topic, text, values, key)
    finally:
        await ledger.close()
        await sessions.close()
    if args.json:
        print(ascii_json({"notified": notified, "key": key}))
    else:
        print(
            f"Notified {notified} conversation(s) holding notify:{printable(topic)} "
            f"(key {printable(key)})"
        )
    return 0
