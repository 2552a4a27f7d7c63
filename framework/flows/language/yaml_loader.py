"""YAML → plain data that remembers where every value came from.

Flow files are read with a YAML 1.2-like core schema: only `true`/`false` are booleans (a
choice called `no` stays a string), `11:30` stays a string (no sexagesimal numbers), and every
decimal is read as `Decimal` so that `8.50` never becomes a binary float.
Mappings, sequences and strings carry their position so that errors point at file:line:col.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any, Final

import yaml

from framework.flows.model import Position

__all__ = ["PosDict", "PosList", "PosStr", "Position", "load_yaml", "position_of"]


class PosDict(dict[str, Any]):
    """A mapping with the position of itself and of each of its keys."""

    pos: Position
    key_pos: dict[str, Position]

    def where(self, key: str) -> Position:
        """Where a key was written, or the mapping itself for keys Theke filled in."""
        return self.key_pos.get(key, self.pos)


class PosList(list[Any]):
    pos: Position


class PosStr(str):
    pos: Position


class _Resolver(yaml.resolver.BaseResolver):
    pass


_Resolver.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|false|True|False|TRUE|FALSE)$"), list("tTfF")
)
_Resolver.add_implicit_resolver(
    "tag:yaml.org,2002:int", re.compile(r"^[-+]?[0-9]+$"), list("-+0123456789")
)
_Resolver.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?|[0-9]+[eE][-+]?[0-9]+)$"),
    list("-+0123456789."),
)
_Resolver.add_implicit_resolver(
    "tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""]
)


class _Loader(
    yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser, yaml.composer.Composer, _Resolver
):
    def __init__(self, stream: str, name: str) -> None:
        yaml.reader.Reader.__init__(self, stream)
        self.name = name  # marks in error messages name the file
        yaml.scanner.Scanner.__init__(self)
        yaml.parser.Parser.__init__(self)
        yaml.composer.Composer.__init__(self)
        _Resolver.__init__(self)


_CORE_TAGS: Final = frozenset(
    f"tag:yaml.org,2002:{name}" for name in ("bool", "int", "float", "null", "str", "seq", "map")
)
MAX_DEPTH: Final = 100
MAX_VALUES: Final = 200_000
"""A bot file is small; more values than this means aliases multiplying (a YAML bomb)."""


def _refuse(node: yaml.Node, problem: str) -> yaml.MarkedYAMLError:
    return yaml.MarkedYAMLError(problem=problem, problem_mark=node.start_mark)


class _Converter:
    """Composed YAML nodes → plain data with positions, within a budget of values."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.budget = MAX_VALUES

    def position(self, node: yaml.Node) -> Position:
        mark = node.start_mark
        return Position(self.file, mark.line + 1, mark.column + 1)

    def convert(self, node: yaml.Node, depth: int = 0) -> Any:
        if node.tag not in _CORE_TAGS:
            raise _refuse(node, f"the YAML tag {node.tag!r} is not allowed")
        if depth > MAX_DEPTH:
            raise _refuse(node, f"nesting deeper than {MAX_DEPTH} levels")
        self.budget -= 1
        if self.budget < 0:
            raise _refuse(node, f"more than {MAX_VALUES} values: are aliases multiplying?")
        if isinstance(node, yaml.ScalarNode):
            return self.scalar(node)
        if isinstance(node, yaml.SequenceNode):
            items = PosList(self.convert(child, depth + 1) for child in node.value)
            items.pos = self.position(node)
            return items
        return self.mapping(node, depth)

    def scalar(self, node: yaml.ScalarNode) -> Any:
        tag, value = node.tag, node.value
        if tag == "tag:yaml.org,2002:bool":
            return value.lower() == "true"
        if tag == "tag:yaml.org,2002:int":
            return int(value)
        if tag == "tag:yaml.org,2002:float":
            return Decimal(value)
        if tag == "tag:yaml.org,2002:null":
            return None
        text = PosStr(value)
        text.pos = self.position(node)
        return text

    def mapping(self, node: yaml.Node, depth: int) -> PosDict:
        mapping = PosDict()
        mapping.pos = self.position(node)
        mapping.key_pos = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise _refuse(key_node, "a key must be a plain word")
            key = str(key_node.value)
            if key in mapping:
                raise _refuse(key_node, f"the key {key!r} appears twice")
            mapping.key_pos[key] = self.position(key_node)
            mapping[key] = self.convert(value_node, depth + 1)
        return mapping


def load_yaml(text: str, file: str) -> Any:
    """Parse one YAML document; raises yaml.YAMLError (with a position) on bad input.

    Only the core tags are allowed, so no YAML input can construct Python objects; nesting
    and the number of values (aliases included) are bounded.
    """
    loader = _Loader(text, file)
    try:
        node = loader.get_single_node()
    except RecursionError:
        raise yaml.YAMLError(f"{file}: the YAML is nested too deeply") from None
    finally:
        loader.dispose()
    if node is None:
        return None
    return _Converter(file).convert(node)


def position_of(value: Any, fallback: Position) -> Position:
    """The position a loaded value came from, or the fallback for numbers, booleans and null."""
    pos = getattr(value, "pos", None)
    return pos if isinstance(pos, Position) else fallback
