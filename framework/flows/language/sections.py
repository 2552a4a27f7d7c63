"""Building the business, the catalog and the slots from their (schema-valid) YAML."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, Final, Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from framework.bill import TaxRule
from framework.errors import MoneyError
from framework.flows.language.problems import did_you_mean
from framework.flows.language.yaml_loader import PosDict, position_of
from framework.flows.model import (
    ActionSources,
    Business,
    Catalog,
    Choice,
    ChoiceSet,
    Item,
    Label,
    Position,
    Slot,
    Text,
    Timeouts,
)
from framework.money import Money, currency_digits

__all__ = ["build_business", "build_catalog", "build_slot", "build_timeouts"]

_DAYS: Final = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class Context(Protocol):
    def text(self, value: Any, pos: Position) -> Text | None: ...

    def label(self, value: Any) -> Label: ...

    def problem(self, pos: Position, message: str, hint: str = "") -> None: ...


def build_business(ctx: Context, spec: PosDict) -> Business:
    currency = str(spec["currency"])
    try:
        currency_digits(currency)
    except MoneyError as error:
        ctx.problem(spec.where("currency"), str(error))
        currency = "EUR"
    locale = str(spec["locale"])
    languages = tuple(spec.get("languages") or (locale.split("-")[0],))
    if locale.split("-")[0] not in languages:
        ctx.problem(spec.where("locale"), "the default locale's language is not in languages")
    return Business(
        name=str(spec["name"]),
        locale=locale,
        currency=currency,
        timezone=_timezone(ctx, spec),
        languages=languages,
        description=ctx.label(spec.get("description") or ""),
        hours=_hours(ctx, spec.get("hours") or PosDict()),
        holidays=_holidays(ctx, spec.get("holidays") or []),
        phone=spec.get("phone"),
        address=spec.get("address"),
        tax=_tax(spec.get("tax") or {}),
    )


def _tax(spec: dict[str, Any]) -> TaxRule:
    return TaxRule(Decimal(str(spec.get("rate", 0))), bool(spec.get("included", True)))


def _timezone(ctx: Context, spec: PosDict) -> ZoneInfo:
    try:
        return ZoneInfo(str(spec["timezone"]))
    except (ZoneInfoNotFoundError, ValueError):
        ctx.problem(
            spec.where("timezone"),
            f"unknown time zone {spec['timezone']!r}",
            "use an IANA name such as Europe/Berlin",
        )
        return ZoneInfo("UTC")


def _hours(ctx: Context, spec: PosDict) -> dict[int, tuple[tuple[time, time], ...]]:
    hours: dict[int, tuple[tuple[time, time], ...]] = {}
    for day, ranges in spec.items():
        parsed = []
        for text in ranges:
            start, end = (_clock(part) for part in str(text).split("-"))
            if end <= start:
                ctx.problem(
                    position_of(text, spec.pos),
                    f"{text!r} ends before it starts",
                    "a range past midnight ends at 24:00",
                )
            parsed.append((start, end))
        hours[_DAYS.index(day)] = tuple(sorted(parsed))
    return hours


def _clock(text: str) -> time:
    hour, minute = (int(part) for part in text.split(":"))
    return time.max if hour == 24 else time(hour, minute)


def _holidays(ctx: Context, raw: list[Any]) -> frozenset[date]:
    days = set()
    for text in raw:
        try:
            days.add(date.fromisoformat(str(text)))
        except ValueError:
            ctx.problem(position_of(text, Position("?", 0, 0)), f"{text!r} is not a date")
    return frozenset(days)


def _money(ctx: Context, value: Any, currency: str, pos: Position) -> Money:
    money = Money.parse(Decimal(str(value)), currency)
    if money.amount != Decimal(str(value)):
        ctx.problem(pos, f"{value} has more decimals than {currency} allows")
    return money


def _synonyms(value: Any) -> tuple[str, ...]:
    if isinstance(value, dict):
        return tuple(str(word) for words in value.values() for word in words)
    return tuple(str(word) for word in value or ())


def _by_language(value: Any) -> tuple[tuple[str, tuple[str, ...]], ...]:
    if isinstance(value, dict):
        return tuple((str(lang), tuple(str(w) for w in words)) for lang, words in value.items())
    return (("", tuple(str(word) for word in value)),) if value else ()


def _choice_set(ctx: Context, name: str, spec: PosDict, currency: str) -> ChoiceSet:
    choices = {}
    for choice_id, raw in spec["choices"].items():
        raw = raw or PosDict()
        price = raw.get("price")
        pos = position_of(raw, spec.pos)
        choices[choice_id] = Choice(
            id=choice_id,
            name=ctx.label(raw.get("name", choice_id)),
            price=None if price is None else _money(ctx, price, currency, pos),
            synonyms=_synonyms(raw.get("synonyms")),
            description=ctx.label(raw["description"]) if "description" in raw else None,
        )
    default = spec.get("default")
    if default is not None and default not in choices:
        ctx.problem(
            spec.where("default"),
            f"default {default!r} is not one of the choices",
            did_you_mean(default, choices),
        )
    return ChoiceSet(
        id=name,
        name=ctx.label(spec.get("name", name)),
        choices=choices,
        many=spec.get("pick") == "many",
        max=spec.get("max"),
        default=default,
    )


def build_catalog(ctx: Context, spec: PosDict, currency: str) -> Catalog:
    groups = {
        name: _choice_set(ctx, name, group, currency)
        for name, group in (spec.get("options") or {}).items()
    }
    items = {}
    for item_id, raw in (spec.get("items") or {}).items():
        for group in raw.get("options") or ():
            if group not in groups:
                ctx.problem(
                    position_of(group, raw.pos),
                    f"unknown option group {group!r}",
                    did_you_mean(group, groups),
                )
        items[item_id] = Item(
            id=item_id,
            name=ctx.label(raw["name"]),
            price=_money(ctx, raw["price"], currency, raw.where("price")),
            tags=frozenset(raw.get("tags") or ()),
            options=tuple(raw.get("options") or ()),
            synonyms=_synonyms(raw.get("synonyms")),
            available=bool(raw.get("available", True)),
            description=ctx.label(raw["description"]) if "description" in raw else None,
            image=raw.get("image"),
            tax=Decimal(str(raw["tax"])) if "tax" in raw else None,
            contains=_by_language(raw.get("contains")),
        )
    return Catalog(items=items, groups=groups, tag_words=_tag_words(ctx, spec, items))


def _tag_words(ctx: Context, spec: PosDict, items: dict[str, Item]) -> dict[str, tuple[str, ...]]:
    """The catalog's words for its tags; a tag no item has is a problem."""
    tags = spec.get("tags")
    if not isinstance(tags, PosDict):
        return {}
    known = {tag for item in items.values() for tag in item.tags}
    for tag in tags:
        if tag not in known:
            ctx.problem(tags.where(tag), f"no catalog item has the tag {tag!r}")
    return {str(tag): _synonyms(words) for tag, words in tags.items()}


def _slot_choices(
    ctx: Context, name: str, spec: PosDict, catalog: Catalog, currency: str
) -> ChoiceSet | None:
    options = spec.get("options")
    if options is None:
        if spec["type"] in ("choice", "choices"):
            ctx.problem(
                spec.pos,
                f"the {spec['type']} slot {name!r} needs options",
                "name an option group of the catalog or list the choices",
            )
        return None
    if isinstance(options, str):
        group = catalog.groups.get(options)
        if group is None:
            ctx.problem(
                position_of(options, spec.pos),
                f"unknown option group {options!r}",
                did_you_mean(options, catalog.groups),
            )
        return group
    if isinstance(options, list):
        options = PosDict({str(choice): None for choice in options})
        options.pos = spec.pos
    wrapped = PosDict({"choices": options, "pick": "many" if spec["type"] == "choices" else "one"})
    wrapped.pos, wrapped.key_pos = spec.pos, {}
    return _choice_set(ctx, name, wrapped, currency)


def build_slot(ctx: Context, name: str, spec: PosDict, catalog: Catalog, currency: str) -> Slot:
    if "type" not in spec:
        ctx.problem(spec.pos, f"the slot {name!r} needs a type", "e.g. type: text")
        typed = PosDict(spec, type="text")
        typed.pos, typed.key_pos = spec.pos, spec.key_pos
        spec = typed
    pattern = spec.get("pattern")
    if pattern is not None:
        try:
            re.compile(pattern)
        except re.error as error:
            ctx.problem(spec.where("pattern"), f"the pattern does not compile: {error}")
            pattern = None
    tags = frozenset(spec.get("tags") or ())
    unknown_tags = tags - {tag for item in catalog.items.values() for tag in item.tags}
    if unknown_tags:
        ctx.problem(spec.where("tags"), f"no catalog item has the tags {sorted(unknown_tags)}")
    return Slot(
        name=name,
        type=str(spec["type"]),
        pos=spec.pos,
        prompt=ctx.text(spec.get("prompt"), spec.pos),
        reprompt=ctx.text(spec.get("reprompt"), spec.pos),
        min=_decimal(spec.get("min")),
        max=_decimal(spec.get("max")),
        min_length=spec.get("min_length"),
        max_length=spec.get("max_length"),
        pattern=pattern,
        choices=_slot_choices(ctx, name, spec, catalog, currency),
        tags=tags,
        remember=bool(spec.get("remember", False)),
        role=spec.get("role"),
        past=bool(spec.get("past", False)),
        region=spec.get("region"),
    )


def _decimal(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


_UNITS: Final = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


def duration(text: Any) -> timedelta:
    """'30s', '10m', '2h', '1d' (the schema checked the form)."""
    return timedelta(**{_UNITS[str(text)[-1]]: int(str(text)[:-1])})


def build_action_sources(ctx: Context, folder: Path, spec: PosDict | None) -> ActionSources:
    """The bot's `actions:`; a Python file `actions.py` in the bot folder is found without."""
    spec = spec or PosDict()
    sources = ActionSources(
        timeout=duration(spec["timeout"]) if "timeout" in spec else ActionSources().timeout
    )
    python = folder / str(spec.get("python", "actions.py"))
    if "python" in spec and not python.is_file():
        ctx.problem(spec.pos, f"actions.python: no file {python.name!r} in the bot folder")
    rasa = folder / str(spec["rasa"]) if "rasa" in spec else None
    if rasa is not None and not (rasa.is_file() or (rasa / "__init__.py").is_file()):
        ctx.problem(spec.pos, f"actions.rasa: no file or package {rasa.name!r} in the bot folder")
        rasa = None
    server = spec.get("rasa_server") or {}
    return replace(
        sources,
        python=python if python.is_file() else None,
        rasa=rasa,
        rasa_server=server.get("url"),
        rasa_server_actions=tuple(str(name) for name in server.get("actions", ())),
        rasa_server_token=server.get("token"),
    )


def build_timeouts(ctx: Context, spec: PosDict | None) -> Timeouts:
    if not spec:
        return Timeouts()
    default = Timeouts()
    reminder = spec.get("reminder", True)
    timeouts = Timeouts(
        reminder=None
        if reminder is False
        else (default.reminder if reminder is True else duration(reminder)),
        expire=duration(spec["expire"]) if "expire" in spec else default.expire,
    )
    if timeouts.reminder is not None and timeouts.reminder >= timeouts.expire:
        ctx.problem(spec.pos, "the reminder must come before the conversation expires")
    return timeouts
