"""Reading a bot: files → schema check → model, with every problem located.

A bot is a folder with `bot.yaml` and optionally `flows/*.yaml`; each file may hold any of the
sections (`slots`, `flows`, `texts`, ...), merged in file-name order. Framework defaults
(`defaults.yaml`: repair commands and their texts) come first, so a bot overrides them.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from decimal import Decimal
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Final

import jsonschema
import yaml

from framework.errors import FlowError
from framework.flows.language.broadcast_rules import build_broadcast_rules
from framework.flows.language.compiler import Program, compile_steps
from framework.flows.language.consent_settings import build_consent_rules
from framework.flows.language.problems import BotDefinitionError, Problem, did_you_mean
from framework.flows.language.sections import (
    build_action_sources,
    build_business,
    build_catalog,
    build_slot,
    build_timeouts,
)
from framework.flows.language.text_categories import categorized
from framework.flows.language.yaml_loader import PosDict, load_yaml, position_of
from framework.flows.model import ANY_LANGUAGE, Bot, Flow, Knowledge, Label, Position, Text
from framework.flows.templates import Template

__all__ = ["LANGUAGE_VERSION", "BotReader", "bot_schema", "load_bot", "read_bot"]

LANGUAGE_VERSION: Final = 1
MERGED_SECTIONS: Final = ("slots", "flows", "texts", "constants", "knowledge")
MAX_FILE_BYTES: Final = 2_000_000


@cache
def bot_schema() -> dict[str, Any]:
    source = resources.files("framework.flows.language").joinpath("schema/bot.schema.json")
    schema: dict[str, Any] = json.loads(source.read_text(encoding="utf-8"))
    return schema


@cache
def _validator() -> jsonschema.protocols.Validator:
    schema = bot_schema()
    cls = jsonschema.validators.validator_for(schema)
    validator: jsonschema.protocols.Validator = cls(schema)
    return validator


@cache
def _defaults() -> PosDict:
    source = resources.files("framework.flows.language").joinpath("defaults.yaml")
    data: PosDict = load_yaml(source.read_text(encoding="utf-8"), "theke:defaults.yaml")
    return data


class BotReader:
    """Builds a Bot from its files; implements the compiler's StepContext."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.problems: list[Problem] = []
        self.languages: tuple[str, ...] = ("de", "en")
        self.inline_slots: dict[str, PosDict] = {}
        self.step_slots: dict[str, PosDict] = {}
        self.fatal = False

    @property
    def folder(self) -> Path:
        """Where the bot's other files (actions) are: its folder, or a lone file's."""
        return self.root if self.root.is_dir() else self.root.parent

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

    def step_slot(self, name: str, kind: str, pos: Position) -> None:
        """A slot a step fills itself (a `consent:` step's yes_no answer): declared as `kind`
        unless the bot declares it (the checker says when that is of another type)."""
        self.step_slots.setdefault(name, _placeholder({"type": kind}, pos))

    # Reading -----------------------------------------------------------------------------
    def files(self) -> list[Path]:
        if self.root.is_file():
            return [self.root]
        main = self.root / "bot.yaml"
        if not main.is_file():
            self.problem(
                Position(str(self.root), 0, 0),
                "no bot.yaml here",
                "point at a bot folder such as bots/pizza",
            )
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
            self.problem(Position(name, 1, 1), "the file is empty", "remove it or add sections")
            return None
        if not isinstance(data, PosDict):
            self.problem(Position(name, 1, 1), "a bot file must be a mapping of sections")
            return None
        self._validate(data, Position(name, 1, 1))
        return data

    def _validate(self, data: PosDict, pos: Position) -> None:
        """Report every schema error; contain each in its flow, slot or item if possible.

        A broken flow (or slot, item, text) is replaced by an empty placeholder so the rest of
        the bot is still built and checked: all problems are reported in one run.
        """
        errors = [_specific(error) for error in _validator().iter_errors(data)]
        for error in sorted(errors, key=lambda e: [str(part) for part in e.absolute_path]):
            at, hint = _locate(data, error, pos)
            self.problem(at, _schema_message(error), hint)
        for error in errors:
            if not _quarantine(data, list(error.absolute_path)):
                self.fatal = True

    def merge(self, documents: list[PosDict]) -> PosDict:
        merged = PosDict(_defaults())
        merged.pos, merged.key_pos = documents[0].pos, dict(documents[0].key_pos)
        for section in (*MERGED_SECTIONS, "commands"):
            merged[section] = _section(_defaults().get(section), merged.pos)
        for document in documents:
            for key, value in document.items():
                if key not in MERGED_SECTIONS and document is not documents[0]:
                    self.problem(
                        document.where(key),
                        f"{key!r} belongs in bot.yaml",
                        f"flows/*.yaml files hold {', '.join(MERGED_SECTIONS)}",
                    )
                elif key in MERGED_SECTIONS:
                    self._merge_section(merged[key], value, key)
                elif key == "commands":
                    merged["commands"].update(value)
                else:
                    merged[key] = value
        return merged

    def _merge_section(self, into: PosDict, part: PosDict, section: str) -> None:
        for name, value in part.items():
            if name in into.key_pos and not into.key_pos[name].file.startswith("theke:"):
                self.problem(
                    part.key_pos[name],
                    f"{section.rstrip('s')} {name!r} is defined twice",
                    f"first defined at {into.key_pos[name]}",
                )
            into[name] = value
            into.key_pos[name] = part.key_pos[name]


def _section(defaults: PosDict | None, pos: Position) -> PosDict:
    section = PosDict(defaults or {})
    section.pos = pos
    section.key_pos = dict(defaults.key_pos) if defaults else {}
    return section


def _placeholder(fields: dict[str, Any], pos: Position) -> PosDict:
    placeholder = PosDict(fields)
    placeholder.pos, placeholder.key_pos = pos, {}
    return placeholder


_QUARANTINE: dict[tuple[str, ...], Callable[[str], Any]] = {
    ("flows",): lambda name: {"steps": []},
    ("slots",): lambda name: {"type": "text"},
    ("texts",): lambda name: "",
    ("constants",): lambda name: 0,
    ("catalog", "items"): lambda name: {"name": name, "price": 0},
    ("catalog", "options"): lambda name: {"choices": {}},
}


_STEP_LISTS: Final = frozenset({"steps", "then", "else", "on_fail"})


def _quarantine_step(data: PosDict, path: list[Any]) -> bool:
    """A broken step becomes a step that does nothing, so its flow is still checked."""
    for index in range(len(path) - 1, 0, -1):
        if isinstance(path[index], int) and path[index - 1] in _STEP_LISTS:
            _parent, steps = _walk(data, iter(path[:index]))
            if isinstance(steps, list) and path[index] < len(steps):
                pos = position_of(steps[path[index]], position_of(steps, data.pos))
                steps[path[index]] = _placeholder({"set": {}}, pos)
                return True
    return False


def _quarantine(data: PosDict, path: list[Any]) -> bool:
    """Replace the broken unit at `path` by a placeholder; False when the error is not contained."""
    if path[:1] == ["flows"] and _quarantine_step(data, path):
        return True
    for prefix, make in _QUARANTINE.items():
        depth = len(prefix)
        if len(path) > depth and tuple(path[:depth]) == prefix:
            parent, _value = _walk(data, iter(path[:depth]))
            section = parent[prefix[-1]] if parent is not None else None
            if isinstance(section, PosDict) and isinstance(path[depth], str):
                name = path[depth]
                pos = position_of(section.get(name), section.pos)
                fields = make(name)
                section[name] = _placeholder(fields, pos) if isinstance(fields, dict) else fields
                return True
    return False


def read_bot(path: str | Path) -> tuple[Bot | None, list[Problem]]:
    """Read and build a bot, collecting every problem.

    The bot is None when the files are unusable (bad YAML, a broken business section); a bot
    returned alongside errors has placeholders for its broken parts and is only fit for
    checking. `load_bot` is the strict way in.
    """
    reader = BotReader(Path(path))
    documents = [doc for file in reader.files() if (doc := reader.load_file(file)) is not None]
    if not documents or reader.fatal or len(documents) < len(reader.files()):
        return None, reader.problems
    try:
        bot = _build(reader, reader.merge(documents), documents)
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        reader.problem(
            documents[0].pos,
            f"the bot cannot be built: {error!r}",
            "please report this with the file",
        )
        return None, reader.problems
    return bot, reader.problems


def load_bot(path: str | Path) -> Bot:
    """Read, build and check a bot; raises BotDefinitionError listing every error."""
    from framework.flows.language.checker import check_bot  # the checker needs a built bot

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
    texts = {
        name: t for name, raw in data["texts"].items() if (t := categorized(reader, raw, data.pos))
    }
    flows = {name: _build_flow(reader, name, spec) for name, spec in data["flows"].items()}
    slot_specs = {**reader.step_slots, **reader.inline_slots, **data["slots"]}
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
        timeouts=build_timeouts(reader, data.get("timeouts")),
        files=tuple(str(doc.pos.file) for doc in documents),
        knowledge=_knowledge(reader, data["knowledge"]),
        actions=build_action_sources(reader, reader.folder, data.get("actions")),
        broadcasts=build_broadcast_rules(reader, data.get("broadcasts")),
        consents=build_consent_rules(data.get("consents")),
    )


def _knowledge(reader: BotReader, section: PosDict) -> dict[str, Knowledge]:
    entries = {}
    for name, spec in section.items():
        answer = reader.text(spec["answer"], section.where(name))
        if answer is not None:
            entries[name] = Knowledge(name, _phrases(spec["ask"]), answer)
    return entries


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
    parent, value = _walk(data, iter(error.absolute_path))
    if _is_step_without_keyword(error) and isinstance(value, PosDict) and value:
        first = next(iter(value))
        return value.where(first), did_you_mean(first, _step_keywords(error))
    if error.validator == "additionalProperties" and isinstance(value, PosDict):
        allowed = error.schema.get("properties", {}).keys()
        extra = [key for key in value if key not in allowed]
        if extra:
            return value.key_pos.get(extra[0], value.pos), did_you_mean(extra[0], allowed)
    path = list(error.absolute_path)
    if isinstance(parent, PosDict) and path and path[-1] in parent.key_pos:
        return parent.key_pos[path[-1]], ""
    return position_of(value, position_of(parent, fallback)), ""


def _is_step_without_keyword(error: Any) -> bool:
    return (
        error.validator == "anyOf"
        and isinstance(error.instance, dict)
        and bool(error.context)
        and all(context.validator == "required" for context in error.context)
    )


def _specific(error: Any) -> Any:
    """For 'not valid under any of the given schemas', the deepest error of the likeliest branch.

    A branch that failed only on `type` or `enum` is the wrong branch; among the others, the
    error deepest in the document says best what to fix.
    """
    while error.validator in ("oneOf", "anyOf") and error.context:
        if _is_step_without_keyword(error):
            return error
        error = max(
            error.context,
            key=lambda e: (e.validator not in ("type", "enum", "const"), len(e.absolute_path)),
        )
    return error


def _step_keywords(error: Any) -> list[str]:
    return [str(option["required"][0]) for option in error.schema["anyOf"]]


def _schema_message(error: Any) -> str:
    if _is_step_without_keyword(error):
        first = next(iter(error.instance), "")
        return f"{first!r} is not a step: use one of {', '.join(_step_keywords(error))}"
    where = ".".join(str(part) for part in error.absolute_path) or "the file"
    if error.validator == "additionalProperties":
        return f"unknown key in {where}: {error.message.split('(')[-1].rstrip(')')}"
    message = str(error.message)
    if len(message) > 160:
        message = message[:160] + "…"
    return f"{where}: {message}"
