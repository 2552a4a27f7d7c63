"""Flow diagrams: a bot's flows as Mermaid or Graphviz DOT, and DOT drawn as SVG.

Both formats draw one neutral graph: a cluster per flow, a start node with the flow's trigger
phrases, a node per instruction and dotted edges where a step moves to another flow. Internal
jumps are hidden: whatever leads to a jump is connected straight to where it jumps.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Final, Literal

from framework.errors import FlowError
from framework.flows.model import ANY_LANGUAGE, Bot, Flow, Text
from framework.flows.steps import (
    Act,
    Ask,
    Branch,
    Call,
    CartFee,
    End,
    Goto,
    HttpCall,
    Instruction,
    Jump,
    Repeat,
    Return,
    Say,
    Set,
)

__all__ = [
    "DOT_TIMEOUT_SECONDS",
    "TEXT_CHARS",
    "TRIGGER_COUNT",
    "render_svg",
    "to_dot",
    "to_mermaid",
]

TEXT_CHARS: Final = 40
"""How much of a `say` text a node shows."""
TRIGGER_COUNT: Final = 3
"""How many trigger phrases a flow's start node shows."""
DOT_TIMEOUT_SECONDS: Final = 30.0

Shape = Literal["start", "step", "decision", "terminal", "link", "missing"]

_UNSAFE_ID: Final = re.compile(r"[^A-Za-z0-9_]")
_MERMAID_KEYWORD: Final = re.compile(
    r"(?i)(end|subgraph|graph|flowchart|style|class|click|call|default|direction|href"
    r"|interpolate|linkstyle|acc)"
)
_MERMAID_ESCAPES: Final = str.maketrans(
    {char: f"#{ord(char)};" for char in '#"[]{}<>|&`'} | {"\n": " ", "\r": " "}
)
"""Specials inside a quoted Mermaid label become `#code;` entities, line breaks spaces."""
_DOT_ESCAPES: Final = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": ""})
_MERMAID_SHAPES: Mapping[Shape, tuple[str, str]] = {
    "start": ("([", "])"),
    "step": ("[", "]"),
    "decision": ("{", "}"),
    "terminal": ("([", "])"),
    "link": ("[[", "]]"),
    "missing": (">", "]"),
}
_DOT_SHAPES: Mapping[Shape, str] = {
    "start": "shape=oval, style=bold",
    "step": "shape=box",
    "decision": "shape=diamond",
    "terminal": "shape=oval",
    "link": "shape=box, peripheries=2",
    "missing": 'shape=note, color="red"',
}


# The neutral graph -----------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class _Node:
    id: str
    label: str
    shape: Shape


@dataclass(frozen=True, slots=True)
class _Edge:
    source: str
    target: str
    label: str = ""
    dotted: bool = False


@dataclass(slots=True)
class _Cluster:
    id: str
    title: str
    nodes: list[_Node] = field(default_factory=list)


@dataclass(slots=True)
class _Graph:
    clusters: list[_Cluster] = field(default_factory=list)
    loose: list[_Node] = field(default_factory=list)
    edges: list[_Edge] = field(default_factory=list)


class _Ids:
    """Hands out unique ids that are safe in Mermaid and DOT alike."""

    def __init__(self) -> None:
        self._used: set[str] = set()

    def take(self, wanted: str) -> str:
        base = _UNSAFE_ID.sub("_", wanted)
        if not base[:1].isalpha() or _MERMAID_KEYWORD.match(base):
            base = f"f_{base}"
        candidate, number = base, 2
        while candidate in self._used:
            candidate, number = f"{base}_{number}", number + 1
        self._used.add(candidate)
        return candidate


@dataclass(slots=True)
class _Layout:
    """The node ids of one flow: its start, one per visible instruction, its exit."""

    flow: Flow
    cluster: str
    start: str
    nodes: dict[int, str]
    exit: str | None

    def resolve(self, pc: int) -> str | None:
        """The node control reaches at `pc`, following jumps; None for a jump loop."""
        landing = _land(self.flow.program, pc)
        if landing is None:
            return None
        return self.nodes.get(landing) if landing < len(self.flow.program) else self.exit


def _land(program: tuple[Instruction, ...], pc: int) -> int | None:
    """Where control stops at `pc` after following jumps; None when the jumps loop."""
    seen: set[int] = set()
    while pc < len(program) and isinstance(program[pc], Jump):
        if pc in seen:
            return None
        seen.add(pc)
        pc = program[pc].next_pcs(pc)[0]
    return pc


# Building --------------------------------------------------------------------------------
@dataclass(slots=True)
class _Builder:
    bot: Bot
    lang: str
    ids: _Ids = field(default_factory=_Ids)
    graph: _Graph = field(default_factory=_Graph)
    layouts: dict[str, _Layout] = field(default_factory=dict)
    missing: dict[str, str] = field(default_factory=dict)

    @property
    def default_lang(self) -> str:
        return self.bot.business.language

    def build(self) -> _Graph:
        for flow in self.bot.flows.values():
            self.layouts[flow.name] = self._layout(flow)
        for layout in self.layouts.values():
            self._add_nodes(layout)
        for layout in self.layouts.values():
            self._add_edges(layout)
        return self.graph

    def _layout(self, flow: Flow) -> _Layout:
        cluster = self.ids.take(flow.name)
        start = self.ids.take(f"{flow.name}_start")
        nodes = {
            pc: self.ids.take(f"{flow.name}_{pc}")
            for pc, instruction in enumerate(flow.program)
            if not isinstance(instruction, Jump)
        }
        exit_id = self.ids.take(f"{flow.name}_exit") if _falls_off_end(flow) else None
        return _Layout(flow, cluster, start, nodes, exit_id)

    def _add_nodes(self, layout: _Layout) -> None:
        cluster = _Cluster(layout.cluster, layout.flow.name)
        cluster.nodes.append(_Node(layout.start, self._start_label(layout.flow), "start"))
        for pc, node_id in layout.nodes.items():
            instruction = layout.flow.program[pc]
            label = _describe(instruction, self.lang, self.default_lang)
            cluster.nodes.append(_Node(node_id, label, _shape(instruction)))
        if layout.exit is not None:
            cluster.nodes.append(_Node(layout.exit, "done", "terminal"))
        self.graph.clusters.append(cluster)

    def _start_label(self, flow: Flow) -> str:
        parts = []
        if flow.name == self.bot.start:
            parts.append("conversation start")
        if flow.name == self.bot.fallback:
            parts.append("fallback")
        phrases = _phrases(flow.triggers, self.lang, self.default_lang)
        if phrases:
            more = ", …" if len(phrases) > TRIGGER_COUNT else ""
            parts.append("triggers: " + ", ".join(phrases[:TRIGGER_COUNT]) + more)
        return " · ".join(parts) or "no triggers"

    def _add_edges(self, layout: _Layout) -> None:
        self._edge(layout.start, layout.resolve(0))
        for pc, node_id in layout.nodes.items():
            instruction = layout.flow.program[pc]
            labels = _edge_labels(instruction)
            for index, successor in enumerate(instruction.next_pcs(pc)):
                label = labels[index] if index < len(labels) else ""
                self._edge(node_id, layout.resolve(successor), label)
            for flow in instruction.flow_targets():
                target = self._flow_entry(flow, instruction)
                self._edge(node_id, target, instruction.keyword, dotted=True)

    def _edge(self, source: str, target: str | None, label: str = "", dotted: bool = False) -> None:
        if target is not None:
            self.graph.edges.append(_Edge(source, target, label, dotted))

    def _flow_entry(self, name: str, instruction: Instruction) -> str | None:
        """The first node of flow `name`, or of the step a `goto flow.step` names."""
        layout = self.layouts.get(name)
        if layout is None:
            return self._missing(name)
        step = instruction.step if isinstance(instruction, Goto) else None
        pc = layout.flow.labels.get(step, 0) if step is not None else 0
        return layout.resolve(pc)

    def _missing(self, name: str) -> str:
        if name not in self.missing:
            node_id = self.missing[name] = self.ids.take(f"missing_{name}")
            self.graph.loose.append(_Node(node_id, f"unknown flow {name}", "missing"))
        return self.missing[name]


def _falls_off_end(flow: Flow) -> bool:
    """Whether some path runs past the last instruction (the flow then simply finishes)."""
    program = flow.program
    successors = [
        successor
        for pc, instruction in enumerate(program)
        if not isinstance(instruction, Jump)
        for successor in instruction.next_pcs(pc)
    ]
    landings = (_land(program, pc) for pc in [0, *successors])
    return any(landing is not None and landing >= len(program) for landing in landings)


def _phrases(triggers: Mapping[str, tuple[str, ...]], lang: str, default: str) -> tuple[str, ...]:
    for key in (lang, ANY_LANGUAGE, default):
        if triggers.get(key):
            return triggers[key]
    return next(iter(triggers.values()), ())


def _excerpt(text: Text, lang: str, default: str) -> str:
    source = " ".join(text.template(lang, default).source.split())
    return source if len(source) <= TEXT_CHARS else source[:TEXT_CHARS].rstrip() + "…"


def _describe(instruction: Instruction, lang: str, default: str) -> str:
    label = _summary(instruction, lang, default)
    return f"{label} (id: {instruction.id})" if instruction.id else label


def _summary(instruction: Instruction, lang: str, default: str) -> str:
    """A one-line reading of an instruction: `ask item`, `say: Hallo…`, `if not x`."""
    if isinstance(instruction, Say):
        return f"say: {_excerpt(instruction.text, lang, default)}"
    if isinstance(instruction, Ask):
        return f"ask {instruction.slot}"
    if isinstance(instruction, Branch):
        return f"if {instruction.condition.source}"
    if isinstance(instruction, Goto):
        return f"goto {instruction.flow}" + (f".{instruction.step}" if instruction.step else "")
    if isinstance(instruction, Repeat | Call):
        return f"{instruction.keyword} {instruction.flow}"
    if isinstance(instruction, Set):
        return "set " + ", ".join(name for name, _value in instruction.assignments)
    if isinstance(instruction, CartFee):
        return f"cart.fee {instruction.fee}"
    if isinstance(instruction, HttpCall):
        request = dict(instruction.args)
        return f"http {request['method'].source} {request['url'].source}"
    if isinstance(instruction, Act):
        return f"action {instruction.action}"
    return instruction.keyword


def _shape(instruction: Instruction) -> Shape:
    if isinstance(instruction, Branch):
        return "decision"
    if isinstance(instruction, End | Return):
        return "terminal"
    if isinstance(instruction, Goto | Repeat | Call):
        return "link"
    return "step"


def _edge_labels(instruction: Instruction) -> tuple[str, ...]:
    """Labels for the edges to `next_pcs`, in the same order."""
    if isinstance(instruction, Branch):
        return ("yes", "no")
    if isinstance(instruction, Ask):
        return ("", "fail")
    return ()


def _build(bot: Bot, lang: str | None) -> _Graph:
    return _Builder(bot, lang or bot.business.language).build()


# Mermaid ---------------------------------------------------------------------------------
def to_mermaid(bot: Bot, lang: str | None = None) -> str:
    """The bot's flows as a Mermaid `flowchart TD`, texts in `lang` (default: the bot's)."""
    graph = _build(bot, lang)
    return "\n".join(["flowchart TD", *_mermaid_lines(graph)]) + "\n"


def _mermaid_lines(graph: _Graph) -> Iterator[str]:
    for cluster in graph.clusters:
        yield f'  subgraph {cluster.id} ["{_mermaid_text(cluster.title)}"]'
        for node in cluster.nodes:
            yield f"    {_mermaid_node(node)}"
        yield "  end"
    for node in graph.loose:
        yield f"  {_mermaid_node(node)}"
    for edge in graph.edges:
        yield f"  {_mermaid_edge(edge)}"


def _mermaid_text(text: str) -> str:
    """Text safe inside a quoted Mermaid label: specials become `#code;` entities."""
    return text.translate(_MERMAID_ESCAPES)


def _mermaid_node(node: _Node) -> str:
    opening, closing = _MERMAID_SHAPES[node.shape]
    return f'{node.id}{opening}"{_mermaid_text(node.label)}"{closing}'


def _mermaid_edge(edge: _Edge) -> str:
    arrow = "-.->" if edge.dotted else "-->"
    label = f"|{_mermaid_text(edge.label)}|" if edge.label else ""
    return f"{edge.source} {arrow}{label} {edge.target}"


# Graphviz --------------------------------------------------------------------------------
def to_dot(bot: Bot, lang: str | None = None) -> str:
    """The same graph as `to_mermaid`, in Graphviz DOT with a cluster per flow."""
    graph = _build(bot, lang)
    header = [
        f"digraph {_dot_string(bot.name)} {{",
        f'  graph [rankdir=TB, fontname="Helvetica", labelloc=t, label={_dot_string(bot.name)}];',
        '  node [fontname="Helvetica", shape=box];',
        '  edge [fontname="Helvetica", fontsize=10];',
    ]
    return "\n".join([*header, *_dot_lines(graph), "}"]) + "\n"


def _dot_lines(graph: _Graph) -> Iterator[str]:
    for cluster in graph.clusters:
        yield f"  subgraph {_dot_string('cluster_' + cluster.id)} {{"
        yield f"    label={_dot_string(cluster.title)};"
        for node in cluster.nodes:
            yield f"    {_dot_node(node)}"
        yield "  }"
    for node in graph.loose:
        yield f"  {_dot_node(node)}"
    for edge in graph.edges:
        yield f"  {_dot_edge(edge)}"


def _dot_string(text: str) -> str:
    return '"' + text.translate(_DOT_ESCAPES) + '"'


def _dot_node(node: _Node) -> str:
    return f"{_dot_string(node.id)} [label={_dot_string(node.label)}, {_DOT_SHAPES[node.shape]}];"


def _dot_edge(edge: _Edge) -> str:
    attributes = [f"label={_dot_string(edge.label)}"] if edge.label else []
    if edge.dotted:
        attributes.append("style=dashed")
    suffix = f" [{', '.join(attributes)}]" if attributes else ""
    return f"{_dot_string(edge.source)} -> {_dot_string(edge.target)}{suffix};"


def render_svg(dot_source: str) -> bytes | None:
    """Draw DOT source as SVG with Graphviz's `dot`; None when Graphviz is not installed."""
    executable = shutil.which("dot")
    if executable is None:
        return None
    try:
        result = subprocess.run(
            [executable, "-Tsvg"],
            input=dot_source.encode("utf-8"),
            capture_output=True,
            timeout=DOT_TIMEOUT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise FlowError(
            f"Graphviz (dot) took longer than {DOT_TIMEOUT_SECONDS:g} s to draw the graph"
        ) from None
    except OSError as error:
        raise FlowError(f"cannot run Graphviz ({executable}): {error}") from None
    if result.returncode != 0:
        detail = result.stderr.decode("utf-8", "replace").strip()
        raise FlowError(
            f"Graphviz (dot) could not draw the graph (exit status {result.returncode})"
            + (f": {detail}" if detail else "")
        )
    return result.stdout
