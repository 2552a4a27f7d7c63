"""The channels a workspace configures, opened from one table: channel name → its opener.

Each opener gets the channel's section of `channels:` as written and makes the channel, with
its secrets resolved from the environment. A missing secret is a clear error at start, never a
channel that fails on its first message. A new channel is a module of its own and a line in
`OPENERS` (and its settings in workspace.schema.json).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from framework.channels.base import Channel
from framework.channels.callback import CallbackChannel
from framework.channels.rest import RestChannel
from framework.channels.telegram import TelegramBot, TelegramChannel, TelegramSettings
from framework.channels.webchat.handlers import WebChatChannel
from framework.channels.whatsapp import NumberSettings, WhatsAppChannel, WhatsAppSettings
from framework.channels.whatsapp_numbers import display_digits
from framework.edge.rest_auth import RestAuth
from framework.errors import ThekeError
from framework.secrets import Secret, SecretError, resolve
from framework.stores.opening import open_send_slots
from framework.stores.template_states import TemplateStates
from framework.workspace import Workspace

__all__ = ["OPENERS", "ChannelSetupError", "Opening", "open_channel", "open_channels"]


class ChannelSetupError(ThekeError):
    """A messenger channel that cannot start: a secret not set, a number for an unknown bot."""


@dataclass(frozen=True)
class Opening:
    """What an opener is given: the channel's settings as written, and its surroundings."""

    spec: Mapping[str, Any]
    bots: frozenset[str]
    clock: Callable[[], float]
    env: Mapping[str, str]
    store: str = "memory://"
    """The deployment's store URL: where a messenger's senders keep their sending schedule,
    shared by the workers (framework/stores/send_slots.py)."""
    templates: TemplateStates | None = None
    """What Meta said of the WhatsApp templates, shared with the broadcasts (None: kept by
    nobody)."""


Opener = Callable[[Opening], Channel]


def _secret(spec: Mapping[str, Any], name: str, where: str, env: Mapping[str, str]) -> Secret:
    try:
        return resolve(str(spec[name]), env)
    except SecretError as error:
        raise ChannelSetupError(f"channels.{where}.{name}: {error}") from None


def _whatsapp(opening: Opening) -> WhatsAppChannel:
    spec, bots, env = opening.spec, opening.bots, opening.env
    numbers = {}
    for number, settings in spec["numbers"].items():
        if settings["bot"] not in bots:
            raise ChannelSetupError(
                f"channels.whatsapp.numbers.{number}: no bot {settings['bot']!r}"
            )
        template = settings.get("template")
        pair = (template["name"], template["language"]) if template else None
        groups = bool(settings.get("groups", False))
        display = display_digits(str(settings.get("display_phone_number", "")))
        numbers[str(number)] = NumberSettings(settings["bot"], pair, groups, display)
    settings = WhatsAppSettings(
        app_secret=_secret(spec, "app_secret", "whatsapp", env),
        verify_token=_secret(spec, "verify_token", "whatsapp", env),
        token=_secret(spec, "token", "whatsapp", env),
        numbers=numbers,
        api_base=spec.get("api_base", "https://graph.facebook.com"),
        per_second=float(spec.get("messages_per_second", 80)),
        recipient_interval=float(spec.get("recipient_interval", 0.25)),
        slots=open_send_slots(opening.store),
        templates=opening.templates,
    )
    return WhatsAppChannel(settings, opening.clock)


def _telegram(opening: Opening) -> TelegramChannel:
    spec, bots, env = opening.spec, opening.bots, opening.env
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
    settings = TelegramSettings(
        bots=accounts,
        api_base=spec.get("api_base", "https://api.telegram.org"),
        per_second=float(spec.get("messages_per_second", 30)),
        chat_interval=float(spec.get("chat_interval", 0.5)),
        slots=open_send_slots(opening.store),
    )
    return TelegramChannel(settings, opening.clock)


def _rest_auth(opening: Opening, where: str) -> RestAuth:
    """The credentials a REST-shaped channel checks (edge/rest_auth.py), when set."""
    spec, env = opening.spec, opening.env
    secrets = {
        name: _secret(spec, name, where, env) if name in spec else None
        for name in ("auth_token", "jwt_secret")
    }
    return RestAuth(secrets["auth_token"], secrets["jwt_secret"])


def _rest(opening: Opening) -> RestChannel:
    return RestChannel(single_bot=len(opening.bots) == 1, auth=_rest_auth(opening, "rest"))


def _callback(opening: Opening) -> CallbackChannel:
    url = str(opening.spec.get("url", ""))
    if not url.startswith(("http://", "https://")):
        raise ChannelSetupError("channels.callback.url: the business's URL for bot messages")
    auth = _rest_auth(opening, "callback")
    retry = float(opening.spec.get("retry_after", 5.0))
    return CallbackChannel(url, auth, single_bot=len(opening.bots) == 1, retry_after=retry)


OPENERS: Mapping[str, Opener] = {
    "rest": _rest,
    "web": lambda opening: WebChatChannel(),
    "whatsapp": _whatsapp,
    "telegram": _telegram,
    "callback": _callback,
}


def open_channels(
    workspace: Workspace,
    bots: frozenset[str],
    clock: Callable[[], float],
    environ: Mapping[str, str] | None = None,
    templates: TemplateStates | None = None,
) -> dict[str, Channel]:
    """Every channel the workspace enables, by name (`templates`: the deployment's template
    states, which WhatsApp keeps)."""
    return {
        name: open_channel(workspace, name, bots, clock, environ, templates)
        for name in workspace.channels
    }


def open_channel(
    workspace: Workspace,
    name: str,
    bots: frozenset[str],
    clock: Callable[[], float],
    environ: Mapping[str, str] | None = None,
    templates: TemplateStates | None = None,
) -> Channel:
    if name not in workspace.channels:
        raise ChannelSetupError(f"the workspace has no channels.{name}")
    env = os.environ if environ is None else environ
    opening = Opening(workspace.channels[name], bots, clock, env, workspace.store, templates)
    return OPENERS[name](opening)
