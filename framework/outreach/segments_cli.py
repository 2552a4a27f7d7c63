"""`theke segments`: a bot's segments kept by name, from the terminal.

    theke segments list [--bot NAME] [--json]        the bot's saved segments, by name
    theke segments show NAME                         one: its definition, in words too
    theke segments save NAME --definition '{tags: {any: [vegetarian]}, no_order_days: 30}'
                        [--description "Meat-free eaters"]      (or --definition @segment.yaml)
    theke segments delete NAME                       broadcasts made with it keep their copy
    theke segments preview NAME [--purpose marketing|notify:<topic>]
                                                     how many holders it admits now, by channel

It opens the workspace's stores (the same SQLite file or Redis the server uses) and checks as
the admin API does (framework/outreach/segments_web.py); `theke broadcast create --segment
NAME` copies a saved one into a broadcast. Stored texts are printed through `printable`;
`--json` escapes everything outside ASCII.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from typing import Any

from framework.broadcasts.service import Broadcasts
from framework.errors import BadRequest, ThekeError
from framework.outreach.broadcasts_cli import reach_words, workspace_bots, written_yaml
from framework.outreach.segment_choice import audience
from framework.outreach.segments_web import described
from framework.stores.opening import (
    open_broadcasts,
    open_consents,
    open_contacts,
    open_saved_segments,
)
from framework.stores.saved_segments import SavedSegment, SavedSegments, check_name, saved
from framework.terminal import ascii_json, local_time, printable
from framework.workspace import Workspace, served_bot_name, workspace_for_command

__all__ = ["run_segments"]


def run_segments(args: argparse.Namespace) -> int:
    workspace = workspace_for_command(args.workspace)
    return asyncio.run(_segments(workspace, args))


async def _segments(workspace: Workspace, args: argparse.Namespace) -> int:
    bot = served_bot_name(workspace, args.bot)
    if args.action != "list" and not args.name:
        raise ThekeError(f"{args.action} needs the segment's name, e.g. `theke segments show vip`")
    if args.definition is not None and args.action != "save":
        raise ThekeError("--definition goes with save: `theke segments save NAME --definition …`")
    store = await open_saved_segments(workspace.store, workspace.root)
    try:
        found = await _act(store, workspace, bot, args)
    except BadRequest as error:
        raise ThekeError(str(error)) from None
    finally:
        await store.close()
    print(ascii_json(found) if args.json else _text(args.action, found))
    return 0


async def _act(
    store: SavedSegments, workspace: Workspace, bot: str, args: argparse.Namespace
) -> Any:
    if args.action == "list":
        return {"bot": bot, "segments": [described(s) for s in await store.of_bot(bot)]}
    name = check_name(args.name)
    if args.action == "save":
        if args.definition is None:
            raise ThekeError("save needs --definition: YAML or JSON, or @FILE ({} is everyone)")
        data = written_yaml(args.definition, "--definition")
        return described(await store.save(saved(bot, name, data, args.description, time.time())))
    if args.action == "delete":
        if not await store.delete(bot, name):
            raise ThekeError(f"the bot {bot} has no saved segment {name!r}")
        return {"bot": bot, "name": name, "deleted": True}
    found = await store.get(bot, name)
    if found is None:
        raise ThekeError(f"the bot {bot} has no saved segment {name!r} (theke segments list)")
    if args.action == "show":
        return described(found)
    return await _preview(workspace, found, args.purpose)


async def _preview(workspace: Workspace, found: SavedSegment, purpose: str) -> dict[str, Any]:
    store = await open_broadcasts(workspace.store, workspace.root)
    consents = await open_consents(workspace.store, workspace.root)
    contacts = await open_contacts(workspace.store, workspace.root)
    try:
        bots = workspace_bots(workspace)
        return await audience(Broadcasts(store, consents, bots, contacts=contacts), found, purpose)
    finally:
        await store.close()
        await consents.close()
        await contacts.close()


def _text(action: str, found: dict[str, Any]) -> str:
    if action == "list":
        rows = [f"Saved segments of {printable(found['bot'])}: {len(found['segments'])}"]
        for one in found["segments"]:
            rows.append(f"  {printable(one['name'])}  {printable(one['description'], 200)}")
            rows += [f"    {printable(line, 300)}" for line in one["explained"] or ["everyone"]]
        return "\n".join(rows)
    if action == "delete":
        return f"Deleted the segment {printable(found['name'])} of {printable(found['bot'])}."
    if action == "preview":
        return _preview_text(found)
    return "\n".join(
        [
            f"Segment {printable(found['name'])} of {printable(found['bot'])}"
            + (f" – {printable(found['description'], 200)}" if found["description"] else ""),
            f"  {json.dumps(found['definition'])}",
            f"  made {local_time(found['created_at'])}, changed {local_time(found['updated_at'])}",
            "  it asks for:",
            *(
                f"    {printable(line, 300)}"
                for line in found["explained"] or ["nothing: everyone"]
            ),
        ]
    )


def _preview_text(found: dict[str, Any]) -> str:
    return "\n".join(
        [
            f"Segment {printable(found['name'])} of holders of {printable(found['purpose'])} "
            f"reaches {reach_words(found)}",
            f"  it leaves out {found['outside_segment']} holder(s); it asks for:",
            *(
                f"    {printable(line, 300)}"
                for line in found["explained"] or ["nothing: everyone"]
            ),
        ]
    )
