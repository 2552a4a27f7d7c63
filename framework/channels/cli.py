"""`theke channels`: what a messenger needs to know about this server.

    theke channels telegram set-webhook --url https://bot.example.com

registers `https://bot.example.com/webhooks/telegram/<bot>` with each Telegram bot of the
workspace, with the bot's secret token (setWebhook). WhatsApp's webhook is set in Meta's app
dashboard (docs/channels.md).
"""

from __future__ import annotations

import argparse
import asyncio
import time

from framework.channels.setup import open_channel
from framework.channels.telegram import TelegramChannel
from framework.errors import ThekeError
from framework.flows import load_bot
from framework.runtime.sending import SendFailure
from framework.workspace import workspace_for_command

__all__ = ["run_channels"]


def run_channels(args: argparse.Namespace) -> int:
    workspace = workspace_for_command(args.workspace)
    bots = frozenset(load_bot(path).name for path in workspace.bots)
    channel = open_channel(workspace, "telegram", bots, time.time)
    assert isinstance(channel, TelegramChannel)
    return asyncio.run(_set_webhooks(channel, args.url))


async def _set_webhooks(channel: TelegramChannel, url: str) -> int:
    try:
        for bot in channel.settings.bots:
            await channel.set_webhook(bot, url)
            print(f"{bot}: {url.rstrip('/')}/webhooks/telegram/{bot}")
    except (SendFailure, ValueError) as error:
        raise ThekeError(f"setWebhook failed: {error}") from None
    finally:
        await channel.close()
    return 0
