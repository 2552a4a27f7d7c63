"""`theke contacts list|show`: a bot's contacts, as the business reads them.

    theke contacts list [--tag vip …] [--lang de] [--channel whatsapp] [--after KEY]
                        [--limit 50] [--bot NAME] [--json]
    theke contacts show KEY [--json]     tags, answers, language, time zone, last seen, the
                                         channels' windows, the last order and the consents

It opens the workspace's stores (the same SQLite file or Redis the server uses). Stored texts
are printed through `printable`; `--json` escapes everything outside ASCII.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from typing import Any

from framework.contacts.listing import Listed, Wanted, listed
from framework.contacts.showing import WINDOW
from framework.errors import ThekeError
from framework.privacy.data import parsed
from framework.stores.consents import GRANTED
from framework.stores.contact_rules import LANG, check_tag
from framework.stores.contacts import MAX_PAGE, Contact
from framework.stores.opening import open_consents, open_contacts
from framework.terminal import ascii_json, count_option, local_time, printable
from framework.workspace import Workspace, served_bot_name, workspace_for_command

__all__ = ["run_contacts_view"]


def run_contacts_view(args: argparse.Namespace) -> int:
    workspace = workspace_for_command(args.workspace)
    if args.action == "show":
        return asyncio.run(_show(workspace, args))
    return asyncio.run(_list(workspace, args))


def _wanted(args: argparse.Namespace) -> Wanted:
    tags = tuple(check_tag(tag) for tag in args.tag or ())
    if args.lang and not LANG.fullmatch(args.lang):
        raise ThekeError(f"--lang is a language code such as de, not {printable(args.lang, 20)}")
    return Wanted(tags, args.lang or "", args.channel or "")


async def _list(workspace: Workspace, args: argparse.Namespace) -> int:
    bot = served_bot_name(workspace, args.bot)
    wanted = _wanted(args)
    limit = count_option(args.limit, "--limit", MAX_PAGE)
    contacts = await open_contacts(workspace.store, workspace.root)
    try:
        found = await listed(contacts, bot, wanted, args.after or "", limit)
    finally:
        await contacts.close()
    print(ascii_json(_listed_json(found)) if args.json else _listed_text(found))
    return 0


def _listed_json(found: Listed) -> dict[str, Any]:
    return {"contacts": [c.to_json() for c in found.contacts], "after": found.after}


def _listed_text(found: Listed) -> str:
    rows = [
        f"{printable(', '.join(c.conversations), 80)}  {c.lang or '-'}  "
        f"seen {local_time(c.last_seen) if c.last_seen else 'never'}  "
        f"ordered {local_time(c.last_order) if c.last_order else 'never'}  "
        f"tags {', '.join(c.tags) or '-'}"
        for c in found.contacts
    ]
    rows = rows or ["No contact matches."]
    if found.after:
        rows.append(f"More: --after {printable(found.after, 100)}")
    return "\n".join(rows)


async def _show(workspace: Workspace, args: argparse.Namespace) -> int:
    if not args.key:
        raise ThekeError("show needs the conversation: bot:channel:customer")
    bot = parsed(args.key).bot
    contacts = await open_contacts(workspace.store, workspace.root)
    consents = await open_consents(workspace.store, workspace.root)
    try:
        contact = (await contacts.many(bot, [args.key])).get(args.key)
        current = await consents.current(bot, args.key)
    finally:
        await contacts.close()
        await consents.close()
    if contact is None and not current:
        raise ThekeError(f"no contact {printable(args.key, 80)}: it never wrote nor agreed")
    shown = {
        "conversation": args.key,
        "contact": None if contact is None else contact.to_json(),
        "business_timezone": _business_zone(workspace, bot),
        "consents": {purpose: entry.to_json() for purpose, entry in sorted(current.items())},
    }
    print(ascii_json(shown) if args.json else _shown_text(shown, contact, time.time()))
    return 0


def _business_zone(workspace: Workspace, bot: str) -> str:
    from framework.flows.language.reader import load_bot  # only the served bot's

    for path in workspace.bots:
        loaded = load_bot(path)
        if loaded.name == bot:
            return str(loaded.business.timezone)
    raise ThekeError(f"the workspace serves no bot {printable(bot, 64)}")


def _shown_text(shown: dict[str, Any], contact: Contact | None, now: float) -> str:
    rows = [f"Contact {printable(shown['conversation'], 100)}"]
    if contact is None:
        rows.append("  never wrote (no contact yet)")
    else:
        zone = contact.timezone or f"{shown['business_timezone']} (the business's)"
        rows += [
            f"  id {contact.id}, language {contact.lang or '-'}, time zone {zone}",
            "  conversations " + ", ".join(printable(c, 100) for c in contact.conversations),
            f"  tags {', '.join(contact.tags) or '-'}",
            "  answers "
            + (
                ", ".join(
                    f"{name}: {printable(text, 200)}" for name, text in contact.answers.items()
                )
                or "-"
            ),
            f"  first seen {local_time(contact.first_seen)}, last seen "
            + (local_time(contact.last_seen) if contact.last_seen else "never"),
            "  last paid order "
            + (local_time(contact.last_order) if contact.last_order else "none"),
            *(_window(channel, at, now) for channel, at in sorted(contact.inbound.items())),
        ]
    for purpose, entry in shown["consents"].items():
        state = "granted" if entry["state"] == GRANTED else "withdrawn"
        rows.append(
            f"  consent {printable(purpose, 100)}: {state} {local_time(entry['at'])} "
            f"({printable(entry['source'], 60)})"
        )
    return "\n".join(rows)


def _window(channel: str, at: float, now: float) -> str:
    wrote = f"  {printable(channel, 32)}: last wrote {local_time(at)}"
    if channel != "whatsapp":
        return wrote
    state = "open until" if now < at + WINDOW else "closed since"
    return f"{wrote}, 24-hour window {state} {local_time(at + WINDOW)}"
