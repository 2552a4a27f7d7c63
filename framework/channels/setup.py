"""The push channels a workspace configures (`channels.whatsapp`, `channels.telegram`), with
their secrets resolved from the environment. A missing secret is a clear error at start, never a
channel that fails on its first message."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import Any

from framework.channels.telegram import TelegramBot, TelegramChannel, TelegramSettings
from framework.channels.whatsapp import NumberSettings, WhatsAppChannel, WhatsAppSettings
from framework.errors import ThekeError
from framework.secrets import Secret, SecretError, resolve
from framework.workspace import Workspace

__all__ = ["ChannelSetupError", "open_push_channels"]


class ChannelSetupError(ThekeError):
    """A messenger channel that cannot start: a secret not set, a number for an unknown bot."""


def _secret(spec: Mapping[str, Any], name: str, where: str, env: Mapping[str, str]) -> Secret:
    try:
        return resolve(str(spec[name]), env)
    except SecretError as error:
        raise ChannelSetupError(f"channels.{where}.{name}: {error}") from None


def _whatsapp(
    spec: Mapping[str, Any], bots: frozenset[str], env: Mapping[str, str]
) -> WhatsAppSettings:
    numbers = {}
    for number, settings in spec["numbers"].items():
        if settings["bot"] not in bots:
            raise ChannelSetupError(
                f"channels.whatsapp.numbers.{number}: no bot {settings['bot']!r}"
            )
        template = settings.get("template")
        pair = (template["name"], template["language"]) if template else None
        numbers[str(number)] = NumberSettings(settings["bot"], pair)
    return WhatsAppSettings(
        app_secret=_secret(spec, "app_secret", "whatsapp", env),
        verify_token=_secret(spec, "verify_token", "whatsapp", env),
        token=_secret(spec, "token", "whatsapp", env),
        numbers=numbers,
        api_base=spec.get("api_base", "https://graph.facebook.com"),
        per_second=float(spec.get("messages_per_second", 80)),
        recipient_interval=float(spec.get("recipient_interval", 0.25)),
    )


def _telegram(
    spec: Mapping[str, Any], bots: frozenset[str], env: Mapping[str, str]
) -> TelegramSettings:
    accounts = {}
    for bot, settings in spec["bots"].items():
        if bot not in bots:
            raise ChannelSetupError(f"channels.telegram.bots: no bot {bot!r}")
        where = f"telegram.bots.{bot}"
        provider = (
            _secret(settings, "provider_token", where, env)
            if "provider_token" in settings
            else None
        )
        accounts[bot] = TelegramBot(
            _secret(settings, "token", where, env),
            _secret(settings, "secret_token", where, env),
            provider,
        )
    return TelegramSettings(
        bots=accounts,
        api_base=spec.get("api_base", "https://api.telegram.org"),
        per_second=float(spec.get("messages_per_second", 30)),
        chat_interval=float(spec.get("chat_interval", 0.5)),
    )


def open_push_channels(
    workspace: Workspace,
    bots: frozenset[str],
    clock: Callable[[], float],
    environ: Mapping[str, str] | None = None,
) -> dict[str, WhatsAppChannel | TelegramChannel]:
    env = os.environ if environ is None else environ
    channels: dict[str, WhatsAppChannel | TelegramChannel] = {}
    if "whatsapp" in workspace.messengers:
        channels["whatsapp"] = WhatsAppChannel(
            _whatsapp(workspace.messengers["whatsapp"], bots, env), clock
        )
    if "telegram" in workspace.messengers:
        channels["telegram"] = TelegramChannel(
            _telegram(workspace.messengers["telegram"], bots, env), clock
        )
    return channels
