"""YAML → plain data that remembers where every value came from.

Flow files are read with a YAML 1.2-like core schema: only `true`/`false` are booleans (a
choice called `no` stays a string), `11:30` stays a string (no sexagesimal numbers), and every
decimal is read as `Decimal` so that `8.50` never becomes a binary float.
Mappings, sequences and strings carry their position so that errors point at file:line:col.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import yaml

__all__ = ["PosDict", "PosList", "PosStr", "Position", "load_yaml", "position_of"]


@dataclass(frozen=True, slots=True)
class Position:
    file: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


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
    re.compile(r"^[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$"),
    list("-+0123456789."),
)
_Resolver.add_implicit_resolver(
    "tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""]
)


class _Loader(
    yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser, yaml.composer.Composer, _Resolver
):
    def __init__(self, stream: str) -> None:
        yaml.reader.Reader.__init__(self, stream)
        yaml.scanner.Scanner.__init__(self)
        yaml.parser.Parser.__init__(self)
        yaml.composer.Composer.__init__(self)
        _Resolver.__init__(self)


def _position(node: yaml.Node, file: str) -> Position:
    mark = node.start_mark
    return Position(file, mark.line + 1, mark.column + 1)


def _scalar(node: yaml.ScalarNode, file: str) -> Any:
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
    text.pos = _position(node, file)
    return text


_CORE_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}" for name in ("bool", "int", "float", "null", "str", "seq", "map")
)


def _convert(node: yaml.Node, file: str, depth: int = 0) -> Any:
    if node.tag not in _CORE_TAGS:
        raise yaml.YAMLError(f"{_position(node, file)}: the YAML tag {node.tag!r} is not allowed")
    if depth > 100:
        raise yaml.YAMLError(f"nesting deeper than 100 levels at {_position(node, file)}")
    if isinstance(node, yaml.ScalarNode):
        return _scalar(node, file)
    if isinstance(node, yaml.SequenceNode):
        items = PosList(_convert(child, file, depth + 1) for child in node.value)
        items.pos = _position(node, file)
        return items
    if isinstance(node, yaml.MappingNode):
        return _mapping(node, file, depth)
    raise yaml.YAMLError(f"unsupported YAML node at {_position(node, file)}")


def _mapping(node: yaml.MappingNode, file: str, depth: int) -> PosDict:
    mapping = PosDict()
    mapping.pos = _position(node, file)
    mapping.key_pos = {}
    for key_node, value_node in node.value:
        if not isinstance(key_node, yaml.ScalarNode):
            raise yaml.YAMLError(f"{_position(key_node, file)}: a key must be a plain word")
        key = str(key_node.value)
        if key in mapping:
            raise yaml.YAMLError(f"{_position(key_node, file)}: the key {key!r} appears twice")
        mapping.key_pos[key] = _position(key_node, file)
        mapping[key] = _convert(value_node, file, depth + 1)
    return mapping


def load_yaml(text: str, file: str) -> Any:
    """Parse one YAML document; raises yaml.YAMLError (with a position) on bad syntax.

    Anchors and aliases are resolved by the composer; tags other than the core ones are
    refused so that no YAML input can construct Python objects.
    """
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
    finally:
        loader.dispose()
    if node is None:
        return None
    return _convert(node, file)


def position_of(value: Any, fallback: Position) -> Position:
    """The position a loaded value came from, or the fallback for numbers, booleans and null."""
    pos = getattr(value, "pos", None)
    return pos if isinstance(pos, Position) else fallback
