"""Reading a bot: files → schema check → model, with every problem located.

A bot is a folder with `bot.yaml` and optionally `flows/*.yaml`; each file may hold any of the
sections (`slots`, `flows`, `texts`, ...), merged in file-name order. Framework defaults
(`defaults.yaml`: repair commands and their texts) come first, so a bot overrides them.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from decimal import Decimal
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from framework.errors import FlowError
from framework.flows.compiler import Program, compile_steps
from framework.flows.model import ANY_LANGUAGE, Bot, Flow, Label, Text
from framework.flows.problems import BotDefinitionError, Problem, did_you_mean
from framework.flows.sections import build_business, build_catalog, build_slot
from framework.flows.templates import Template
from framework.flows.yaml_loader import Position, PosDict, load_yaml, position_of

__all__ = ["LANGUAGE_VERSION", "BotReader", "bot_schema", "load_bot", "read_bot"]

LANGUAGE_VERSION = 1
MERGED_SECTIONS = ("slots", "flows", "texts", "constants")
MAX_FILE_BYTES = 2_000_000


@cache
def bot_schema() -> dict[str, Any]:
    source = resources.files("framework.flows").joinpath("schema/bot.schema.json")
    schema: dict[str, Any] = json.loads(source.read_text(encoding="utf-8"))
    return schema


@cache
def _validator() -> jsonschema.protocols.Validator:
    schema = bot_schema()
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema)  # type: ignore[no-any-return]


@cache
def _defaults() -> PosDict:
    source = resources.files("framework.flows").joinpath("defaults.yaml")
    data: PosDict = load_yaml(source.read_text(encoding="utf-8"), "theke:defaults.yaml")
    return data


class BotReader:
    """Builds a Bot from its files; implements the compiler's StepContext."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.problems: list[Problem] = []
        self.languages: tuple[str, ...] = ("de", "en")
        self.inline_slots: dict[str, PosDict] = {}

    # StepContext -------------------------------------------------------------------------
    def problem(self, pos: Position, message: str, hint: str = "", warning: bool = False) -> None:
        self.problems.append(Problem(pos, message, hint, warning))

    def text(self, value: Any, pos: Position) -> Text | None:
        if value is None:
            return None
        pos = position_of(value, pos)
        variants = {ANY_LANGUAGE: value} if isinstance(value, str) else dict(value)
        compiled: dict[str, Template] = {}
        for lang, source in variants.items():
            try:
                compiled[lang] = Template(str(source))
            except FlowError as error:
                self.problem(position_of(source, pos), str(error), "check the {{ }} and {% %}")
        return Text(compiled, pos) if compiled else None

    def label(self, value: Any) -> Label:
        if isinstance(value, str):
            return {ANY_LANGUAGE: str(value)}
        return {str(lang): str(name) for lang, name in (value or {}).items()}

    def inline_slot(self, name: str, spec: PosDict) -> None:
        if name in self.inline_slots:
            self.problem(spec.pos, f"the slot {name!r} is defined by two ask steps")
        self.inline_slots[name] = spec

    # Reading -----------------------------------------------------------------------------
    def files(self) -> list[Path]:
        if self.root.is_file():
            return [self.root]
        main = self.root / "bot.yaml"
        if not main.is_file():
            self.problem(Position(str(self.root), 0, 0), "no bot.yaml here",
                         "point at a bot folder such as bots/pizza")  # fmt: skip
            return []
        return [main, *sorted((self.root / "flows").glob("*.yaml"))]

    def load_file(self, path: Path) -> PosDict | None:
        name = str(path)
        try:
            if path.stat().st_size > MAX_FILE_BYTES:
                self.problem(Position(name, 1, 1), "the file is larger than 2 MB")
                return None
            data = load_yaml(path.read_text(encoding="utf-8"), name)
        except (OSError, UnicodeDecodeError) as error:
            self.problem(Position(name, 1, 1), f"cannot read the file: {error}")
            return None
        except yaml.YAMLError as error:
            self.problem(_yaml_position(error, name), f"YAML syntax: {_yaml_message(error)}")
            return None
        if data is None:
            return None
        if not isinstance(data, PosDict):
            self.problem(Position(name, 1, 1), "a bot file must be a mapping of sections")
            return None
        self._validate(data, Position(name, 1, 1))
        return data

    def _validate(self, data: PosDict, pos: Position) -> None:
        for error in sorted(_validator().iter_errors(data), key=lambda e: list(e.path)):
            at, hint = _locate(data, error, pos)
            self.problem(at, _schema_message(error), hint)

    def merge(self, documents: list[PosDict]) -> PosDict:
        merged = PosDict(_defaults())
        merged.pos, merged.key_pos = documents[0].pos, dict(documents[0].key_pos)
        for section in (*MERGED_SECTIONS, "commands"):
            merged[section] = PosDict(_defaults().get(section) or {})
        for document in documents:
            for key, value in document.items():
                if key in MERGED_SECTIONS:
                    self._merge_section(merged[key], value, key, first=document is documents[0])
                elif key == "commands":
                    merged["commands"].update(value)
                else:
                    merged[key] = value
        return merged

    def _merge_section(self, into: PosDict, part: PosDict, section: str, first: bool) -> None:
        for name, value in part.items():
            if name in into and section != "texts":
                where = position_of(into[name], into.pos)
                self.problem(part.key_pos[name], f"{section[:-1]} {name!r} is defined twice",
                             f"first defined at {where}")  # fmt: skip
            into[name] = value
            into.key_pos = {**getattr(into, "key_pos", {}), name: part.key_pos[name]}


def read_bot(path: str | Path) -> tuple[Bot | None, list[Problem]]:
    """Read and build a bot; returns it (None when it has errors) and every problem found."""
    reader = BotReader(Path(path))
    documents = [doc for file in reader.files() if (doc := reader.load_file(file)) is not None]
    if not documents or _has_errors(reader.problems):
        return None, reader.problems
    data = reader.merge(documents)
    bot = _build(reader, data, documents)
    if _has_errors(reader.problems):
        return None, reader.problems
    return bot, reader.problems


def load_bot(path: str | Path) -> Bot:
    """Read, build and check a bot; raises BotDefinitionError listing every error."""
    from framework.flows.checker import check_bot  # the checker needs a built bot

    bot, problems = read_bot(path)
    if bot is not None:
        problems = problems + check_bot(bot)
    if bot is None or _has_errors(problems):
        raise BotDefinitionError(problems)
    return bot


def _has_errors(problems: list[Problem]) -> bool:
    return any(not problem.warning for problem in problems)


def _build(reader: BotReader, data: PosDict, documents: list[PosDict]) -> Bot | None:
    main = documents[0]
    for required in ("name", "business"):
        if required not in main:
            reader.problem(main.pos, f"bot.yaml needs a {required!r} section")
    if "name" not in main or "business" not in main:
        return None
    business = build_business(reader, data["business"])
    reader.languages = business.languages
    catalog = build_catalog(reader, data.get("catalog") or PosDict(), business.currency)
    texts = {name: t for name, raw in data["texts"].items() if (t := reader.text(raw, data.pos))}
    flows = {name: _build_flow(reader, name, spec) for name, spec in data["flows"].items()}
    slot_specs = {**reader.inline_slots, **data["slots"]}
    for name in reader.inline_slots.keys() & data["slots"].keys():
        reader.problem(
            reader.inline_slots[name].pos, f"the slot {name!r} is also declared in slots"
        )
    slots = {
        name: build_slot(reader, name, spec, catalog, business.currency)
        for name, spec in slot_specs.items()
    }
    return Bot(
        name=str(data["name"]),
        business=business,
        catalog=catalog,
        slots=slots,
        flows=flows,
        texts=texts,
        commands={name: _phrases(value) for name, value in data["commands"].items()},
        constants=dict(data["constants"]),
        start=_optional_flow(data, "start", flows),
        fallback=data.get("fallback"),
        digest=_digest(documents),
        files=tuple(str(doc.pos.file) for doc in documents),
    )


def _optional_flow(data: PosDict, key: str, flows: dict[str, Flow]) -> str | None:
    if key in data:
        return str(data[key])
    return key if key in flows else None


def _build_flow(reader: BotReader, name: str, spec: PosDict) -> Flow:
    program = Program()
    compile_steps(spec["steps"], program, reader)
    instructions = tuple(i for i in program.instructions if i is not None)
    return Flow(
        name=name,
        pos=spec.pos,
        program=instructions,
        triggers=_phrases(spec.get("triggers")),
        interruptible=bool(spec.get("interruptible", True)),
        description=str(spec.get("description", "")),
        asks=frozenset(program.asks),
        labels=dict(program.labels),
    )


def _phrases(value: Any) -> dict[str, tuple[str, ...]]:
    if not value:
        return {}
    if isinstance(value, list):
        return {ANY_LANGUAGE: tuple(map(str, value))}
    return {str(lang): tuple(map(str, phrases)) for lang, phrases in value.items()}


def _digest(documents: list[PosDict]) -> str:
    """A content hash of the definition, recorded in each session (see docs: versions)."""
    digest = hashlib.sha256(f"theke-flows-{LANGUAGE_VERSION}".encode())
    for document in documents:
        digest.update(json.dumps(document, sort_keys=True, default=_plain).encode())
    return digest.hexdigest()[:16]


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"unexpected {type(value).__name__} in a bot file")


def _yaml_position(error: yaml.YAMLError, file: str) -> Position:
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    if mark is None:
        return Position(file, 1, 1)
    return Position(file, mark.line + 1, mark.column + 1)


def _yaml_message(error: yaml.YAMLError) -> str:
    problem = getattr(error, "problem", None)
    return str(problem) if problem else str(error).splitlines()[0]


def _walk(data: Any, path: Iterator[Any]) -> tuple[Any, Any]:
    """The value at a schema error's path and its parent mapping."""
    parent, value = None, data
    for key in path:
        parent = value
        try:
            value = value[key]
        except (KeyError, IndexError, TypeError):
            break
    return parent, value


def _locate(data: PosDict, error: Any, fallback: Position) -> tuple[Position, str]:
    parent, value = _walk(data, iter(error.path))
    if error.validator == "additionalProperties" and isinstance(value, PosDict):
        allowed = error.schema.get("properties", {}).keys()
        extra = [key for key in value if key not in allowed]
        if extra:
            return value.key_pos.get(extra[0], value.pos), did_you_mean(extra[0], allowed)
    if isinstance(parent, PosDict) and error.path and error.path[-1] in parent.key_pos:
        return parent.key_pos[error.path[-1]], ""
    return position_of(value, position_of(parent, fallback)), ""


def _schema_message(error: Any) -> str:
    where = ".".join(str(part) for part in error.path) or "the file"
    if error.validator == "additionalProperties":
        return f"unknown key in {where}: {error.message.split('(')[-1].rstrip(')')}"
    message = str(error.message)
    if len(message) > 160:
        message = message[:160] + "…"
    return f"{where}: {message}"
