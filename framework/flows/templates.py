"""Texts are Jinja2 templates, rendered in a sandbox with Babel filters.

Only the bot author's texts are ever compiled as templates. What a customer types reaches a
template as data (a slot value), never as template source, so `{{ 7*7 }}` typed into a chat
stays literally that.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date, datetime, time
from decimal import Decimal
from functools import lru_cache
from typing import Any, Final, cast
from urllib.parse import quote

import jinja2
from babel.core import Locale, UnknownLocaleError
from babel.dates import format_date, format_datetime, format_time
from babel.numbers import format_decimal
from jinja2 import meta, nodes
from jinja2.runtime import Context
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.utils import missing

from framework.errors import FlowError
from framework.money import Money, format_money

__all__ = ["ABSENT", "BUILTIN_FILTERS", "Layers", "Template", "TemplateError", "babel_locale"]


class TemplateError(FlowError):
    """A text that does not compile or fails to render."""


ABSENT: Any = missing
"""What looking up a name that a turn does not have gives (Jinja's own sentinel)."""


@lru_cache(maxsize=64)
def babel_locale(tag: str) -> Locale:
    try:
        return Locale.parse(tag.replace("-", "_"))
    except (ValueError, UnknownLocaleError):
        return Locale.parse("en")


def _locale_of(context: Any) -> str:
    return str(context.get("locale") or "en")


@jinja2.pass_context
def _money(context: Any, value: Any) -> str:
    if isinstance(value, Money):
        return format_money(value, _locale_of(context))
    if value is None or value == "":
        return ""
    currency = str(context.get("currency") or "EUR")
    return format_money(Money.parse(value, currency), _locale_of(context))


@jinja2.pass_context
def _number(context: Any, value: Any) -> str:
    if value is None or value == "":
        return ""
    return str(format_decimal(Decimal(str(value)), locale=babel_locale(_locale_of(context))))


@jinja2.pass_context
def _date(context: Any, value: Any, style: str = "medium") -> str:
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    if not isinstance(value, date):
        return ""
    return str(format_date(value, format=style, locale=babel_locale(_locale_of(context))))


@jinja2.pass_context
def _time(context: Any, value: Any, style: str = "short") -> str:
    if isinstance(value, str):
        value = time.fromisoformat(value)
    if isinstance(value, datetime):
        value = value.timetz()
    if not isinstance(value, time):
        return ""
    return str(format_time(value, format=style, locale=babel_locale(_locale_of(context))))


@jinja2.pass_context
def _datetime(context: Any, value: Any, style: str = "medium") -> str:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if not isinstance(value, datetime):
        return ""
    locale = babel_locale(_locale_of(context))
    return str(format_datetime(value, format=style, tzinfo=value.tzinfo, locale=locale))


def _summary(cart: Any) -> str:
    """`{{ cart | summary }}`: the cart's lines, fees and total, as the cart view renders it."""
    render = getattr(cart, "summary", None)
    return str(render()) if callable(render) else ""


@jinja2.pass_context
def _finalize(context: Any, value: Any) -> Any:
    """`{{ cart.total }}` without a filter still prints as money in the customer's locale."""
    if isinstance(value, Money):
        return format_money(value, _locale_of(context))
    if isinstance(value, Decimal):
        return _number(context, value)
    return value


class _Context(Context):
    """Looks a name up once: Jinja's own context asks whether the names have it, then for its
    value, each time through every layer (the turn's scope, the template's globals)."""

    def resolve_or_missing(self, key: str) -> Any:
        if key in self.vars:  # set inside the text ({% set %}, loops)
            return self.vars[key]
        return self.parent.get(key, ABSENT)


_ENVIRONMENT = ImmutableSandboxedEnvironment(
    autoescape=False, keep_trailing_newline=False, finalize=_finalize
)
_ENVIRONMENT.context_class = _Context


def _url_part(value: Any) -> str:
    """A value as one part of a URL: every character that could end or change the part
    (`/`, `?`, `&`, `#`, spaces) percent-encoded."""
    return quote(str(value), safe="")


def _tag_part(value: Any) -> str:
    """A value as part of a contact's tag (a `tag:` step's template): a choice or an item by
    its id, the same in every language, not by its name."""
    return str(getattr(value, "id", value))


_ENVIRONMENT.filters.update(
    money=_money,
    number=_number,
    date=_date,
    time=_time,
    datetime=_datetime,
    summary=_summary,
    url_part=_url_part,
    tag_part=_tag_part,
)
BUILTIN_FILTERS: Final = frozenset(_ENVIRONMENT.filters)


class Layers(Mapping[str, Any]):
    """Names looked up in the first mapping that has them; nothing is copied."""

    __slots__ = ("_layers",)

    def __init__(self, *layers: Mapping[str, Any]) -> None:
        self._layers = layers

    def __getitem__(self, name: str) -> Any:
        for layer in self._layers:
            if name in layer:
                return layer[name]
        raise KeyError(name)

    def get(self, name: str, default: Any = None) -> Any:
        for layer in self._layers:
            value = layer.get(name, ABSENT)
            if value is not ABSENT:
                return value
        return default

    def __contains__(self, name: object) -> bool:
        return any(name in layer for layer in self._layers)

    def __iter__(self) -> Iterator[str]:
        return iter(dict.fromkeys(name for layer in self._layers for name in layer))

    def __len__(self) -> int:
        return sum(1 for _ in self)


class Template:
    """One compiled text. Plain strings skip Jinja entirely, which keeps turns fast."""

    __slots__ = ("_compiled", "_globals", "names", "source", "text_refs")

    def __init__(self, source: str) -> None:
        self.source = source
        self._compiled: jinja2.Template | None = None
        self._globals: Mapping[str, Any] | None = None
        """Jinja's globals (`range`, `namespace`, …) when the text reads one of them."""
        self.names: frozenset[str] = frozenset()
        self.text_refs: frozenset[str] = frozenset()
        if "{" in source:
            try:
                tree = _ENVIRONMENT.parse(source)
                self.names = frozenset(meta.find_undeclared_variables(tree))
                self.text_refs = frozenset(
                    node.attr
                    for node in tree.find_all(nodes.Getattr)
                    if isinstance(node.node, nodes.Name) and node.node.name == "texts"
                )
                self._compiled = _ENVIRONMENT.from_string(tree)
                # Jinja keeps a template's globals as a ChainMap over the environment's, which
                # every render copied into a set (Context.globals_keys) and looked names up in
                # map by map; the environment's globals never change, so one dict is the same.
                self._compiled.globals = dict(self._compiled.globals)
                if self.names & self._compiled.globals.keys():
                    self._globals = self._compiled.globals
            except jinja2.TemplateSyntaxError as error:
                raise TemplateError(f"line {error.lineno} of the text: {error.message}") from None

    @property
    def is_plain(self) -> bool:
        """No Jinja syntax at all: rendering would return the source unchanged."""
        return self._compiled is None

    def render(self, context: Mapping[str, Any]) -> str:
        if self._compiled is None:
            return self.source
        compiled = self._compiled
        try:
            # shared: Jinja reads the names where they are instead of copying them into a dict
            layered = context if self._globals is None else Layers(context, self._globals)
            names = cast(dict[str, Any], layered)
            # made here rather than by `compiled.new_context`, which also copies the globals'
            # names into a set that only imports of other templates read
            made = _Context(_ENVIRONMENT, names, compiled.name, compiled.blocks)
            rendered = "".join(compiled.root_render_func(made))
            return rendered.strip()
        except (jinja2.TemplateError, ArithmeticError, TypeError, ValueError) as error:
            raise TemplateError(f"the text {self.source[:60]!r} failed: {error}") from None
