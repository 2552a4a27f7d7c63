"""`theke notify`: the notify API from the terminal (or the business's cron job).

    theke notify --topic flight:SA1234:2026-12-10 --text flight_delayed \\
                 --value "time=14:35" --value "flight=SA 1234" --key evt-8812 [--bot airline] \\
                 [--whatsapp-template @flight_delay.yaml]
    #   Notified 37 conversation(s) holding notify:flight:SA1234:2026-12-10 (key evt-8812)
    #     2 reached by this key before; 5 WhatsApp customer(s) wait for the daily limit: run it
    #     again later

It is `POST /api/notify` (framework/outreach/web.py) on the workspace's stores: the same checks
of the topic, the text (one of the bot's), the values and the key (`checked_notice`), and the
same service (framework/broadcasts/notifying.py), which puts the notice into the inbox of one
conversation of every contact holding the consent `notify:<topic>` — in the store the running
server's workers read (SQLite or Redis; with a memory store the server never sees it). The same
key again, for 30 days, notifies nobody twice; nobody without the consent is reached.
"""

from __future__ import annotations

import argparse
import asyncio
from typing import Any

from framework.broadcasts.notifying import Notified, Notifier
from framework.errors import BadRequest, ThekeError
from framework.flows import Bot
from framework.outreach.broadcasts_cli import name_values, workspace_bots, written_yaml
from framework.outreach.web import checked_notice, notice_template, notified_json
from framework.stores.opening import open_consents, open_contacts, open_reach, open_store
from framework.terminal import ascii_json, printable
from framework.workspace import Workspace, served_bot_name, workspace_for_command

__all__ = ["run_notify"]


def run_notify(args: argparse.Namespace) -> int:
    workspace = workspace_for_command(args.workspace)
    return asyncio.run(_notify(workspace, args))


async def _notify(workspace: Workspace, args: argparse.Namespace) -> int:
    name = served_bot_name(workspace, args.bot)
    bot = workspace_bots(workspace)[name]
    written = args.whatsapp_template
    try:
        topic, text, values, key = checked_notice(
            bot, args.topic, args.text, name_values(args.value), args.key
        )
        data = written_yaml(written, "--whatsapp-template") if written else None
        more = notice_template(bot, topic, values, data)
    except BadRequest as error:
        raise ThekeError(str(error)) from None
    notified = await _notified(workspace, bot, name, (topic, text, values, key), more)
    if args.json:
        print(ascii_json(notified_json(notified, key)))
        return 0
    print(
        f"Notified {notified.notified} conversation(s) holding notify:{printable(topic)} "
        f"(key {printable(key)})"
    )
    if notified.already or notified.waiting:
        print(
            f"  {notified.already} reached by this key before; {notified.waiting} WhatsApp "
            "customer(s) wait for the daily limit: run it again later"
        )
    return 0


async def _notified(
    workspace: Workspace,
    bot: Bot,
    name: str,
    notice: tuple[str, str, dict[str, str], str],
    more: dict[str, Any],
) -> Notified:
    where, root = workspace.store, workspace.root
    sessions = await open_store(where, workspace.limits, root)
    ledger, reach = await open_consents(where, root), await open_reach(where, root)
    contacts = await open_contacts(where, root)
    notifier = Notifier(
        ledger, sessions.enqueue, reach, contacts, {name: bot}, fresh=workspace.limits.result_ttl
    )
    try:
        return await notifier.notify(name, *notice, **more)
    finally:
        for store in (contacts, reach, ledger, sessions):
            await store.close()
