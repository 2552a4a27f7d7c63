"""The workspace file `flows.yaml`: which bots a deployment serves, and how.

`theke run` reads it from the current folder; `theke run bots/pizza` serves one bot on the
defaults. Secrets are only `env:NAME` references (see `framework.secrets`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from framework.errors import ThekeError
from framework.flows.language.problems import Problem, did_you_mean
from framework.flows.language.yaml_loader import PosDict, load_yaml, position_of
from framework.flows.model import Position
from framework.secrets import SECRET_KEY, SecretError, is_reference, resolve
from framework.stores.records import StoreLimits

__all__ = ["DEFAULT_STORE", "PaymentSettings", "Workspace", "read_workspace"]

DEFAULT_STORE = "sqlite:///.theke/state.db"
_SIZES = {"B": 1, "KB": 1024, "MB": 1024 * 1024}
_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


@dataclass(frozen=True)
class PaymentSettings:
    """`payments:` of flows.yaml; the keys stay references until the server resolves them."""

    provider: str = "auto"
    api_key: str = "env:STRIPE_API_KEY"
    webhook_secret: str = "env:STRIPE_WEBHOOK_SECRET"
    api_base: str | None = None
    reconcile: float = 15.0
    """How often (seconds) open payment requests and unannounced order news are looked at."""


@dataclass(frozen=True)
class Workspace:
    root: Path
    bots: tuple[Path, ...]
    host: str = "127.0.0.1"
    port: int = 8080
    store: str = DEFAULT_STORE
    limits: StoreLimits = field(default_factory=StoreLimits)
    max_body: int = 64 * 1024
    header_timeout: float = 10.0
    """Seconds for a request's line and headers to arrive, and an idle connection's life."""
    body_timeout: float = 30.0
    """Seconds for a request's body to arrive."""
    messages_per_minute: int = 30
    burst: int = 60
    new_per_address: int = 30
    """New conversations a minute from one client address (REST, the web chat)."""
    new_per_bot: int = 600
    """New conversations a minute of one bot on one channel (REST, the web chat)."""
    channels: Mapping[str, Mapping[str, Any]] = field(
        default_factory=lambda: {"rest": {}, "web": {}}
    )
    """The enabled channels and their settings as written (secrets still env: references);
    channels/setup.py opens them."""
    lease: float = 5.0
    settle: float | None = None
    """Seconds a dead worker's messages in flight wait for the messenger's reports before they
    are sent again; None: runtime/in_flight.py's SETTLE (30 s). Short only where the reports
    come at once (a benchmark's fake)."""
    log_level: str = "info"
    debug: bool = False
    file: str | None = None
    public_url: str | None = None
    payments: PaymentSettings = field(default_factory=lambda: PaymentSettings())
    admin_key: str = "env:THEKE_ADMIN_KEY"
    """The reference of the admin API key; the API is off while it does not resolve."""
    allowed_origins: tuple[str, ...] = ()
    """Origins besides the chat page's own (and public_url's) whose pages may open the chat."""
    frame_ancestors: tuple[str, ...] = ()
    """Origins that may show the pages in a frame; none by default."""
    metrics: str = "admin"
    """`admin`: /metrics needs the admin key; `host:port`: served there alone, without a key."""
    events: tuple[Mapping[str, Any], ...] = ()
    """`events:` as written: the business's subscriptions (framework/events/subscriptions.py
    resolves their secrets)."""

    @property
    def base_url(self) -> str:
        return self.public_url or f"http://{self.host}:{self.port}"

    @property
    def whatsapp_bots(self) -> frozenset[str]:
        """The bots a WhatsApp number of `channels` serves, as written."""
        numbers = self.channels.get("whatsapp", {}).get("numbers") or {}
        return frozenset(str(number.get("bot")) for number in numbers.values())

    def with_overrides(self, **changes: Any) -> Workspace:
        return replace(self, **{k: v for k, v in changes.items() if v is not None})


@cache
def _validator() -> jsonschema.protocols.Validator:
    text = resources.files("framework").joinpath("workspace.schema.json").read_text("utf-8")
    schema = json.loads(text)
    validator: jsonschema.protocols.Validator = jsonschema.Draft202012Validator(schema)
    return validator


def read_workspace(path: str | Path | None = None) -> tuple[Workspace | None, list[Problem]]:
    """A workspace from flows.yaml, or a one-bot workspace for a bot folder."""
    target = Path(path) if path is not None else Path.cwd()
    if target.is_dir() and (target / "bot.yaml").is_file():
        return Workspace(root=Path.cwd(), bots=(target,)), []
    file = target / "flows.yaml" if target.is_dir() else target
    where = Position(str(file), 1, 1)
    try:
        data = load_yaml(file.read_text(encoding="utf-8"), str(file))
    except OSError as error:
        reason = "no bot.yaml or flows.yaml here" if not target.exists() else error.strerror
        return None, [
            Problem(
                where,
                f"cannot read the workspace: {reason}",
                "run theke in a folder with flows.yaml, or name a bot folder",
            )
        ]
    except (UnicodeDecodeError, yaml.YAMLError) as error:
        return None, [Problem(where, f"the workspace is not valid YAML: {error}")]
    if not isinstance(data, PosDict):
        return None, [Problem(where, "flows.yaml must be a mapping (bots:, server:, store: ...)")]
    problems = _schema_problems(data, where) + _secret_problems(data, where)
    if problems:
        return None, problems
    return _build(file, data, problems), problems


def _schema_problems(data: PosDict, where: Position) -> list[Problem]:
    problems = []
    for error in _validator().iter_errors(data):
        parent: Any = None
        node: Any = data
        for part in error.absolute_path:
            parent, node = node, node[part]
        at = position_of(node, where)
        if isinstance(parent, PosDict) and error.absolute_path:
            at = parent.where(str(error.absolute_path[-1]))  # scalars carry no position
        hint = ""
        schema: Any = error.schema
        if error.validator == "additionalProperties" and isinstance(node, PosDict):
            allowed = schema.get("properties", {})
            extra = [key for key in node if key not in allowed]
            if extra:
                hint, at = did_you_mean(extra[0], allowed), node.where(extra[0])
        path = ".".join(map(str, error.absolute_path)) or "flows.yaml"
        problems.append(Problem(at, f"{path}: {error.message}", hint))
    return problems


def _secret_problems(data: Any, where: Position, key: str = "") -> list[Problem]:
    """Anything named like a secret, or a URL with a password, must be an env: reference."""
    if isinstance(data, dict):
        return [p for k, v in data.items() for p in _secret_problems(v, where, str(k))]
    if isinstance(data, list):
        return [p for v in data for p in _secret_problems(v, where, key)]
    if not isinstance(data, str) or is_reference(data):
        return []
    inline_password = "://" in data and "@" in data.split("://", 1)[1].split("/", 1)[0]
    if SECRET_KEY.search(key) or inline_password:
        return [
            Problem(
                position_of(data, where),
                f"{key}: a secret is written into flows.yaml",
                "write env:NAME and set NAME in the environment",
            )
        ]
    return []


def _duration(text: str) -> float:
    return float(int(text[:-1]) * _SECONDS[text[-1]])


def _build(file: Path, data: PosDict, problems: list[Problem]) -> Workspace | None:
    root = file.parent
    server, sessions, limits = (data.get(k) or {} for k in ("server", "sessions", "limits"))
    store = str(data.get("store", DEFAULT_STORE))
    if store.startswith("env:"):
        try:
            store = resolve(store).reveal()
        except SecretError as error:
            problems.append(Problem(position_of(data["store"], data.pos), f"store: {error}"))
            return None
    channels = data.get("channels") or {}
    base = StoreLimits()
    return Workspace(
        root=root,
        bots=tuple(root / str(bot) for bot in data["bots"]),
        host=str(server.get("host", "127.0.0.1")),
        port=int(server.get("port", 8080)),
        lease=_duration(server["lease"]) if "lease" in server else 5.0,
        settle=_duration(server["settle"]) if "settle" in server else None,
        store=store,
        limits=replace(
            base,
            session_ttl=_duration(sessions["keep"]) if "keep" in sessions else base.session_ttl,
            profile_ttl=(
                _duration(sessions["remember"]) if "remember" in sessions else base.profile_ttl
            ),
            history_ttl=(
                _duration(sessions["history"]) if "history" in sessions else base.history_ttl
            ),
        ),
        max_body=_size(str(limits.get("max_body", "64KB"))),
        header_timeout=_duration(limits["header_timeout"]) if "header_timeout" in limits else 10.0,
        body_timeout=_duration(limits["body_timeout"]) if "body_timeout" in limits else 30.0,
        messages_per_minute=int(limits.get("messages_per_minute", 30)),
        burst=int(limits.get("burst", 60)),
        new_per_address=int((limits.get("new_conversations") or {}).get("per_address", 30)),
        new_per_bot=int((limits.get("new_conversations") or {}).get("per_bot", 600)),
        channels=_enabled_channels(channels),
        log_level=str((data.get("log") or {}).get("level", "info")),
        debug=bool((data.get("log") or {}).get("debug", False)),
        file=str(file),
        public_url=server.get("public_url"),
        payments=_payments(data.get("payments") or {}),
        admin_key=str((data.get("admin") or {}).get("api_key", "env:THEKE_ADMIN_KEY")),
        allowed_origins=tuple(map(str, server.get("allowed_origins", ()))),
        frame_ancestors=tuple(map(str, server.get("frame_ancestors", ()))),
        metrics=str(server.get("metrics", "admin")),
        events=tuple(_plain(spec) for spec in data.get("events") or ()),
    )


def _enabled_channels(written: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    """REST and the web chat are on unless switched off; the messengers when written."""
    specs = {"rest": {}, "web": {}} | {name: _plain(spec or {}) for name, spec in written.items()}
    return {name: spec for name, spec in specs.items() if spec.get("enabled", True)}


def _plain(value: Any) -> Any:
    """A YAML mapping (with positions) as plain dicts and lists."""
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


def _payments(spec: dict[str, Any]) -> PaymentSettings:
    stripe = spec.get("stripe") or {}
    base = PaymentSettings()
    return PaymentSettings(
        provider=str(spec.get("provider", "auto")),
        api_key=str(stripe.get("api_key", base.api_key)),
        webhook_secret=str(stripe.get("webhook_secret", base.webhook_secret)),
        api_base=stripe.get("api_base"),
        reconcile=_duration(spec["reconcile"]) if "reconcile" in spec else base.reconcile,
    )


def _size(text: str) -> int:
    number = text.rstrip("KMB")
    return int(number) * _SIZES[text[len(number) :]]


def workspace_for_command(path: str | None) -> Workspace:
    """The workspace a command acts on (flows.yaml or its folder, default here); ThekeError
    naming every problem when it cannot be read."""
    workspace, problems = read_workspace(path)
    if workspace is None:
        raise ThekeError("; ".join(map(str, problems)) or "no workspace")
    return workspace


def served_bot_name(workspace: Workspace, name: str | None) -> str:
    """The bot a command means: the one named, or the only one the workspace serves."""
    from framework.flows.language.reader import load_bot  # the workspace alone loads no bot

    names = sorted(load_bot(path).name for path in workspace.bots)
    if name is None and len(names) == 1:
        return names[0]
    if name not in names:
        raise ThekeError(f"--bot is one of: {', '.join(names)}")
    return name
