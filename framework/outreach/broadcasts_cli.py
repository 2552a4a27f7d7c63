"""`theke broadcast`: the business's marketing broadcasts, from the terminal.

    theke broadcast create --text spring_offer [--value discount="20 %" …]
                           [--purpose marketing|notify:<topic>] [--lang de] [--bot NAME]
                           [--segment '{tags: {all: [vegetarian]}, ordered_within_days: 30}'
                            | --segment @segment.yaml | --segment veggies (a saved one)]
                           [--whatsapp-template '{name: spring_offer, category: marketing,
                              languages: {de: de, en: en_US}, parameters: [discount]}'
                            | --whatsapp-template @template.yaml]
    theke broadcast preview ID      how many it would reach now, by channel; its text rendered
    theke broadcast send ID         the running server's workers send it, paced per channel
                     [--at TIME]    … from TIME on ('2026-12-10 09:00' in the bot's time zone,
                                    or with an offset): scheduled; again to move it
    theke broadcast status ID       its counts and results (sent, delivered, read, failed, …)
    theke broadcast pause|resume|cancel ID

It opens the workspace's stores (the same SQLite file or Redis the server uses) and acts as the
admin API does (framework/outreach/broadcasts_web.py): the text and values are checked the same
way, and sending is the server's: `send` marks the broadcast, every worker's loop hands it out.
Stored texts are printed through `printable`; `--json` escapes everything outside ASCII.
"""

from __future__ import annotations

import argparse
import asyncio
import json
from pathlib import Path
from typing import Any

import yaml

from framework.broadcasts.service import Broadcasts
from framework.broadcasts.whatsapp_template import checked_template
from framework.errors import BadRequest, FlowError, ThekeError
from framework.flows import Bot
from framework.flows.language.yaml_loader import load_yaml
from framework.outreach.broadcast_views import WAITING
from framework.outreach.broadcasts_web import checked_broadcast, shown, with_results
from framework.outreach.segment_choice import checked_segment, segment_for
from framework.stores.broadcasts import ACTIONS, Broadcast, BroadcastError, Results
from framework.stores.opening import (
    open_broadcasts,
    open_consents,
    open_contacts,
    open_saved_segments,
)
from framework.stores.saved_segments import SavedSegments
from framework.stores.segments import Segment
from framework.tags import TAG
from framework.terminal import ascii_json, local_time, printable
from framework.workspace import Workspace, served_bot_name, workspace_for_command

__all__ = ["BROADCAST_ACTIONS", "name_values", "run_broadcast", "workspace_bots", "written_yaml"]

BROADCAST_ACTIONS = ("create", "preview", "status", *ACTIONS)
MAX_SEGMENT = 20_000
"""Characters a segment (or its file) may have."""


def run_broadcast(args: argparse.Namespace) -> int:
    workspace = workspace_for_command(args.workspace)
    return asyncio.run(_broadcast(workspace, args))


def workspace_bots(workspace: Workspace) -> dict[str, Bot]:
    from framework.flows.language.reader import load_bot

    return {bot.name: bot for bot in map(load_bot, workspace.bots)}


async def _broadcast(workspace: Workspace, args: argparse.Namespace) -> int:
    store = await open_broadcasts(workspace.store, workspace.root)
    consents = await open_consents(workspace.store, workspace.root)
    contacts = await open_contacts(workspace.store, workspace.root)
    saved = await open_saved_segments(workspace.store, workspace.root)
    bots = workspace_bots(workspace)
    broadcasts = Broadcasts(
        store, consents, bots, contacts=contacts, on_whatsapp=workspace.whatsapp_bots
    )
    try:
        found = await _act(broadcasts, saved, workspace, args)
    except (BadRequest, BroadcastError) as error:
        raise ThekeError(str(error)) from None
    finally:
        await store.close()
        await consents.close()
        await contacts.close()
        await saved.close()
    print(ascii_json(found) if args.json else _details(found))
    return 0


async def _act(
    broadcasts: Broadcasts, saved: SavedSegments, workspace: Workspace, args: argparse.Namespace
) -> dict[str, Any]:
    if args.at is not None and args.action != "send":
        raise ThekeError("--at goes with send: `theke broadcast send ID --at '2026-12-10 09:00'`")
    if args.action == "create":
        name = served_bot_name(workspace, args.bot)
        if not args.text:
            raise ThekeError("create needs --text: one of the bot's texts")
        purpose, text, values, lang = checked_broadcast(
            broadcasts.bots[name], args.purpose, args.text, name_values(args.value), args.lang
        )
        segment = await _segment(saved, name, args.segment)
        bot, written = broadcasts.bots[name], args.whatsapp_template
        data = written_yaml(written, "--whatsapp-template") if written else None
        template = checked_template(bot, purpose, values, lang, data)
        made = await broadcasts.create(name, text, values, purpose, lang, segment, template)
        return shown(made)
    if not args.id:
        raise ThekeError(
            f"{args.action} needs the broadcast's id, e.g. `theke broadcast status b…`"
        )
    if args.action == "preview":
        return await broadcasts.preview(args.id)
    if args.action == "status":
        return await with_results(broadcasts, args.id)
    if args.at is not None:
        return shown(await broadcasts.schedule(args.id, args.at))
    return shown(await broadcasts.act(args.id, args.action))


async def _segment(saved: SavedSegments, bot: str, written: str | None) -> Segment:
    """--segment: a saved segment's name (its definition copied), YAML or JSON (JSON is
    YAML), or @FILE holding it."""
    if not written:
        return Segment()
    if TAG.fullmatch(written):
        return await segment_for(saved, bot, written)
    return checked_segment(written_yaml(written, "--segment"))


def written_yaml(written: str, option: str) -> Any:
    """An option's YAML or JSON (JSON is YAML), or @FILE holding it, as data."""
    if written.startswith("@"):
        path = Path(written[1:])
        try:
            if path.stat().st_size > MAX_SEGMENT:
                raise ThekeError(f"{option}: {printable(str(path), 80)} is too long")
            written = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise ThekeError(f"{option}: cannot read {printable(str(path), 80)}: {error}") from None
    if len(written) > MAX_SEGMENT:
        raise ThekeError(f"{option}: at most {MAX_SEGMENT} characters")
    try:
        return load_yaml(written, option)
    except (yaml.YAMLError, FlowError) as error:
        raise ThekeError(f"{option} is no YAML or JSON: {printable(str(error), 200)}") from None


def name_values(pairs: list[str] | None) -> dict[str, str]:
    """`--value name=value` options as the values of a text (a broadcast's, a notice's)."""
    values = {}
    for pair in pairs or ():
        name, is_, value = pair.partition("=")
        if not is_ or not name:
            raise ThekeError(f"--value is name=value, not {printable(pair, 60)}")
        values[name] = value
    return values


def reach_words(found: dict[str, Any]) -> str:
    """A preview's people by channel, and the conversations when they are more (linked
    contacts): `212 people now: telegram 40, whatsapp 172 (215 conversations hold it: …)`."""
    channels = ", ".join(f"{printable(c)} {n}" for c, n in found["channels"].items())
    people = "person" if found["people"] == 1 else "people"
    words = f"{found['people']} {people} now" + (f": {channels}" if channels else "")
    if found["elsewhere"]:
        words += (
            f" ({found['conversations']} conversations; {found['elsewhere']} of them "
            "another conversation of a contact it reaches on the one chosen)"
        )
    return words


def _details(found: dict[str, Any]) -> str:
    if "conversations" in found:
        rows = [
            f"Broadcast {printable(found['id'])} ({printable(found['status'])}) would reach "
            + reach_words(found)
        ]
        if found.get("segment"):
            rows.append(
                f"  segment {json.dumps(found['segment'])} leaves out "
                f"{found['outside_segment']} holder(s); it asks for:"
            )
            said = Segment.parse(found["segment"]).explained()
            rows += [f"    {printable(line, 300)}" for line in said]
        rows += [f"  [{printable(lang)}] {printable(t, 500)}" for lang, t in found["texts"].items()]
        rows += _template_rows(found.get("whatsapp_template") or {})
        return "\n".join(rows)
    results = found.pop("results", None)
    broadcast = Broadcast.from_json(found)
    return "\n".join(
        [*_status(broadcast), *([] if results is None else _results(Results(**results)))]
    )


def _status(broadcast: Broadcast) -> list[str]:
    """Every figure of the admin API's status, named as it names them."""
    started = local_time(broadcast.started_at) if broadcast.started_at else "not yet"
    if broadcast.starts_at:
        started = f"{started} (scheduled for {local_time(broadcast.starts_at)})"
    done = f", done {local_time(broadcast.finished_at)}" if broadcast.finished_at else ""
    waiting = printable(broadcast.waiting) if broadcast.waiting else "no"
    if broadcast.waiting in WAITING:
        waiting += f" – {WAITING[broadcast.waiting].removeprefix('Waiting: ')}"
    return [
        f"Broadcast {printable(broadcast.id)} of {printable(broadcast.bot)} – "
        f"{printable(broadcast.status)}",
        f"  {printable(broadcast.purpose)}: text {printable(broadcast.text)}"
        + (f", only {printable(broadcast.lang)}" if broadcast.lang else ""),
        f"  created {local_time(broadcast.created_at)}, sent {started}{done}",
        f"  waiting: {waiting}",
        f"  queued {broadcast.queued}"
        + (f", after {printable(broadcast.cursor, 80)}" if broadcast.cursor else ""),
        f"  passed over: language (skipped) {broadcast.skipped}, frequency cap (capped) "
        f"{broadcast.capped}, 131049 hold (held_back) {broadcast.held_back}, "
        f"outside the segment (outside) {broadcast.outside}, "
        f"another conversation of their contact (elsewhere) {broadcast.elsewhere}",
        *([f"  segment {json.dumps(broadcast.segment)}"] if broadcast.segment else []),
        *_template_of(broadcast),
    ]


def _template_of(broadcast: Broadcast) -> list[str]:
    template = broadcast.whatsapp_template
    if not template:
        return []
    codes = ", ".join(f"{printable(k)} {printable(v)}" for k, v in template["languages"].items())
    return [
        f"  WhatsApp template {printable(template['name'], 100)} "
        f"({printable(template['category'])}; {codes})"
    ]


def _template_rows(templates: dict[str, Any]) -> list[str]:
    """The preview's WhatsApp template per language: its name, Meta's code, its body, its
    header and buttons."""
    return [
        f"  WhatsApp [{printable(lang)}]: template {printable(t['name'], 100)} "
        f"({printable(t['language'])}, {printable(t['category'])})"
        + _template_header(t.get("header"))
        + "".join(f", {{{{{n}}}}} {printable(p, 100)}" for n, p in enumerate(t["parameters"], 1))
        + "".join(_template_button(n, b) for n, b in enumerate(t.get("buttons") or []))
        for lang, t in templates.items()
    ]


def _template_header(header: dict[str, str] | None) -> str:
    if not header:
        return ""
    shown = header.get("text") or header.get("link", "")
    named = f" {printable(header['filename'], 100)}" if header.get("filename") else ""
    return f", header {printable(header['type'])} {printable(shown, 200)}{named}"


def _template_button(index: int, button: dict[str, str]) -> str:
    shown = button.get("payload") or button.get("text", "")
    return f", button {index} {printable(button['type'])} {printable(shown, 100)}"


def _results(results: Results) -> list[str]:
    failed = ", ".join(f"{printable(reason)} {n}" for reason, n in results.failed.items())
    return [
        f"  sent {results.sent}, delivered {results.delivered}, read {results.read}, "
        f"replies {results.replies}, opted out {results.opt_outs}",
        f"  failed {sum(results.failed.values())}" + (f": {failed}" if failed else ""),
        f"  held by WhatsApp until a status comes: held_for_quality_assessment "
        f"{results.held_for_quality_assessment}, paused {results.paused}",
    ]
