import dataclasses
import re
import shutil
import stat
from pathlib import Path

import pytest

from framework.errors import FlowError
from framework.flows.language import graph
from framework.flows.language.graph import render_svg, to_dot, to_mermaid
from framework.flows.language.reader import read_bot
from framework.flows.model import Bot
from framework.flows.steps import Ask, Branch, Goto, Jump, Repeat

PIZZA = Path(__file__).resolve().parents[2] / "bots" / "pizza"

SUBGRAPH = re.compile(r'^  subgraph (\w+) \["([^"]*)"\]$')
NODE = re.compile(r'^ +(\w+)(\(\[|\[\[|\[|\{|>)"([^"\n]*)"(\]\)|\]\]|\]|\})$')
EDGE = re.compile(r"^  (\w+) (-->|-\.->)(?:\|(\w*)\|)? (\w+)$")
DOT_NODE = re.compile(r'^ +"\w+" \[label="(?:[^"\\\n]|\\.)*", [^"]*\];$')

TINY = r"""
name: tiny
business: {name: Tiny, locale: en-GB, currency: GBP, timezone: Europe/London}
flows:
  start:
    triggers: {en: ["a \"quoted\" <#phrase>"]}
    steps:
      - say: "He said \"hi\" [#1]\nnext <line> & {x}|y"
      - end
"""

STEPS = """
name: steps
business: {name: Steps, locale: en-GB, currency: GBP, timezone: Europe/London}
flows:
  start:
    steps:
      - ask: name
        type: text
        on_fail:
          - say: Sorry.
          - return
      - call: helper
      - if: "name == 'x'"
        then:
          - goto: helper.last
        else:
          - set: {name: z}
      - end: Bye
  helper:
    triggers: {en: [help, helper, assist, aid]}
    steps:
      - say: hi
      - say: last
        id: last
  end:
    steps: [end]
"""


@dataclasses.dataclass
class Chart:
    """A parsed Mermaid chart: flows (title → node ids), node labels, edges."""

    flows: dict[str, list[str]]
    labels: dict[str, str]
    edges: list[tuple[str, str, str, str]]

    def out(self, node: str) -> list[tuple[str, str, str, str]]:
        return [edge for edge in self.edges if edge[0] == node]


def parse(mermaid: str) -> Chart:
    """Every line must be a header, subgraph, node or edge; node ids must be unique."""
    lines = mermaid.splitlines()
    assert lines[0] == "flowchart TD"
    chart = Chart({}, {}, [])
    current: list[str] | None = None
    for line in lines[1:]:
        if match := SUBGRAPH.match(line):
            current = chart.flows.setdefault(match[2], [])
        elif line == "  end":
            current = None
        elif match := NODE.match(line):
            assert match[1] not in chart.labels, f"duplicate node id {match[1]}"
            chart.labels[match[1]] = match[3]
            if current is not None:
                current.append(match[1])
        elif match := EDGE.match(line):
            chart.edges.append((match[1], match[2], match[3] or "", match[4]))
        else:
            raise AssertionError(f"unexpected Mermaid line: {line!r}")
    return chart


def write_bot(tmp_path: Path, source: str) -> Bot:
    folder = tmp_path / "bot"
    folder.mkdir()
    (folder / "bot.yaml").write_text(source, encoding="utf-8")
    bot, problems = read_bot(folder)
    assert bot is not None, problems
    return bot


@pytest.fixture(scope="module")
def pizza() -> Bot:
    bot, problems = read_bot(PIZZA)
    assert bot is not None, problems
    return bot


def test_every_flow_is_a_subgraph(pizza: Bot) -> None:
    chart = parse(to_mermaid(pizza))
    assert list(chart.flows) == list(pizza.flows)
    dot = to_dot(pizza)
    for name in pizza.flows:
        assert f'subgraph "cluster_{name}" {{\n    label="{name}";' in dot


def test_every_ask_slot_appears_in_its_flow(pizza: Bot) -> None:
    chart = parse(to_mermaid(pizza))
    for flow in pizza.flows.values():
        labels = {chart.labels[node] for node in chart.flows[flow.name]}
        for instruction in flow.program:
            if isinstance(instruction, Ask):
                assert f"ask {instruction.slot}" in labels


def test_branch_edges_are_labelled_yes_and_no(pizza: Bot) -> None:
    mermaid = to_mermaid(pizza)
    chart = parse(mermaid)
    branches = [node for node, label in chart.labels.items() if label.startswith("if ")]
    programs = [flow.program for flow in pizza.flows.values()]
    assert len(branches) == sum(isinstance(i, Branch) for p in programs for i in p) > 0
    for node in branches:
        assert sorted(edge[2] for edge in chart.out(node)) == ["no", "yes"]
        assert f"    {node}{{" in mermaid  # drawn as a diamond
    labelled = [edge for edge in chart.edges if edge[2] in {"yes", "no"}]
    assert {edge[0] for edge in labelled} == set(branches)


def test_jumps_are_elided_and_bridged(pizza: Bot) -> None:
    chart = parse(to_mermaid(pizza))
    order = pizza.flows["order"].program
    jumps = [pc for pc, instruction in enumerate(order) if isinstance(instruction, Jump)]
    assert jumps and not any(f"order_{pc}" in chart.labels for pc in jumps)
    assert ("order_0", "-->", "no", "order_3") in chart.edges  # past the `then` block
    assert ("order_9", "-->", "", "order_11") in chart.edges  # through the jump at 10
    assert chart.labels["order_0"] == "if not business.open"
    assert chart.labels["order_1"] == "end"
    assert chart.labels["order_12"] == "cart.add"


def test_flow_edges_point_to_the_target_flows_first_node(pizza: Bot) -> None:
    chart = parse(to_mermaid(pizza))
    first = {name: chart.out(f"{name}_start")[0][3] for name in pizza.flows}
    expected = set()
    for flow in pizza.flows.values():
        for pc, instruction in enumerate(flow.program):
            if isinstance(instruction, Goto | Repeat):
                target = first[instruction.flow]
                expected.add((f"{flow.name}_{pc}", "-.->", instruction.keyword, target))
    dotted = {edge for edge in chart.edges if edge[1] == "-.->"}
    assert dotted == expected
    assert {edge[2] for edge in dotted} == {"goto", "repeat"}
    for _source, _arrow, _label, target in dotted:
        assert target in chart.labels
        assert target in chart.flows[target.rsplit("_", 1)[0]]
    assert first["order"] == "order_0"


def test_every_edge_joins_declared_nodes(pizza: Bot) -> None:
    chart = parse(to_mermaid(pizza))
    for source, _arrow, _label, target in chart.edges:
        assert source in chart.labels and target in chart.labels


def test_output_is_deterministic(pizza: Bot) -> None:
    again, _ = read_bot(PIZZA)
    assert again is not None
    assert to_mermaid(pizza) == to_mermaid(pizza) == to_mermaid(again)
    assert to_dot(pizza) == to_dot(pizza) == to_dot(again)
    assert to_mermaid(pizza, "en") == to_mermaid(again, "en")


def test_texts_and_triggers_follow_the_language(pizza: Bot) -> None:
    german, english = parse(to_mermaid(pizza)), parse(to_mermaid(pizza, "en"))
    assert german.labels["start_0"].startswith("say: Hallo! Willkommen bei")
    assert english.labels["start_0"].startswith("say: Hello! Welcome to")
    assert german.labels["start_0"].endswith("…")
    assert german.labels["order_start"] == "triggers: bestellen, bestellung, ich möchte, …"
    assert english.labels["order_start"] == "triggers: order, i would like, i'd like, …"
    assert german.labels["start_start"] == "conversation start"
    assert german.labels["checkout_start"] == "no triggers"


def test_a_flow_that_runs_out_of_steps_ends_in_done(pizza: Bot) -> None:
    chart = parse(to_mermaid(pizza))
    assert ("start_0", "-->", "", "start_exit") in chart.edges
    assert chart.labels["start_exit"] == "done"
    assert "order_exit" not in chart.labels


def test_special_characters_are_escaped_in_mermaid(tmp_path: Path) -> None:
    mermaid = to_mermaid(write_bot(tmp_path, TINY))
    chart = parse(mermaid)  # no raw quote or newline can survive this
    label, start = chart.labels["start_0"], chart.labels["start_start"]
    assert label == "say: He said #34;hi#34; #91;#35;1#93; next #60;line#62; #38; #123;x#125;#124;y"
    assert start == "conversation start · triggers: a #34;quoted#34; #60;#35;phrase#62;"
    for text in (label, start):
        assert not set(re.sub(r"#\d+;", "", text)) & set('#"[]{}<>|&`\n')
    assert 'He said "hi"' not in mermaid


def test_special_characters_are_escaped_in_dot(tmp_path: Path) -> None:
    dot = to_dot(write_bot(tmp_path, TINY))
    assert '"start_0" [label="say: He said \\"hi\\" [#1] next <line> & {x}|y",' in dot
    assert '[label="conversation start · triggers: a \\"quoted\\" <#phrase>",' in dot
    nodes = [line for line in dot.splitlines() if "[label=" in line and "->" not in line]
    assert len(nodes) == 3
    for line in nodes:
        assert DOT_NODE.match(line), line


def test_line_breaks_in_labels_are_escaped(tmp_path: Path) -> None:
    bot = write_bot(tmp_path, TINY)
    flow = dataclasses.replace(bot.flows["start"], triggers={"en": ("two\nlines",)})
    bot = dataclasses.replace(bot, flows={"start": flow})
    assert parse(to_mermaid(bot)).labels["start_start"].endswith("triggers: two lines")
    assert '[label="conversation start · triggers: two\\nlines",' in to_dot(bot)


def test_ask_failure_call_and_goto_to_a_step(tmp_path: Path) -> None:
    chart = parse(to_mermaid(write_bot(tmp_path, STEPS), "en"))
    assert chart.labels["start_0"] == "ask name"
    assert ("start_0", "-->", "fail", "start_2") in chart.edges
    assert ("start_0", "-->", "", "start_4") in chart.edges  # over the on_fail block
    assert ("start_4", "-.->", "call", "helper_0") in chart.edges
    assert ("start_4", "-->", "", "start_5") in chart.edges  # a call comes back
    assert ("start_6", "-.->", "goto", "helper_1") in chart.edges
    assert chart.labels["start_6"] == "goto helper.last"
    assert chart.labels["helper_1"] == "say: last (id: last)"
    assert chart.labels["start_3"] == "return"
    assert chart.labels["start_8"] == "set name"
    assert ("start_5", "-->", "no", "start_8") in chart.edges
    assert chart.labels["helper_start"] == "triggers: help, helper, assist, …"


def test_ids_are_mermaid_safe_for_keyword_flow_names(tmp_path: Path) -> None:
    bot = write_bot(tmp_path, STEPS)
    mermaid = to_mermaid(bot)
    assert parse(mermaid).flows["end"] == ["f_end_start", "f_end_0"]
    assert "subgraph f_end [" in mermaid
    assert 'subgraph "cluster_f_end"' in to_dot(bot)


def test_unknown_target_flow_gets_a_marked_node(tmp_path: Path) -> None:
    bot = write_bot(tmp_path, TINY)
    start = bot.flows["start"]
    broken = dataclasses.replace(start, program=(Goto(start.pos, None, "nowhere"),))
    chart = parse(to_mermaid(dataclasses.replace(bot, flows={"start": broken})))
    assert chart.labels["missing_nowhere"] == "unknown flow nowhere"
    assert ("start_0", "-.->", "goto", "missing_nowhere") in chart.edges


def test_render_svg_draws_with_graphviz_or_returns_none(pizza: Bot, tmp_path: Path) -> None:
    for source in (to_dot(pizza), to_dot(write_bot(tmp_path, TINY))):
        svg = render_svg(source)
        if shutil.which("dot") is None:
            assert svg is None
            continue
        assert svg is not None
        assert svg.lstrip().startswith((b"<?xml", b"<svg"))
        assert b"</svg>" in svg


def test_render_svg_without_graphviz_returns_none(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    assert render_svg("digraph { a -> b }") is None


def fake_dot(tmp_path: Path, script: str) -> str:
    path = tmp_path / "dot"
    path.write_text(f"#!/bin/sh\n{script}\n", encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return str(path)


def test_render_svg_reports_a_failing_dot(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    executable = fake_dot(tmp_path, "echo 'syntax error in line 1' >&2\nexit 3")
    monkeypatch.setattr(shutil, "which", lambda name: executable)
    with pytest.raises(FlowError, match=r"exit status 3\): syntax error in line 1"):
        render_svg("digraph {")


def test_render_svg_reports_a_hanging_dot(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    executable = fake_dot(tmp_path, "exec sleep 10")
    monkeypatch.setattr(shutil, "which", lambda name: executable)
    monkeypatch.setattr(graph, "DOT_TIMEOUT_SECONDS", 0.2)
    with pytest.raises(FlowError, match=r"took longer than 0\.2 s"):
        render_svg("digraph { a -> b }")


def test_render_svg_rejects_invalid_dot_source() -> None:
    if shutil.which("dot") is None:
        assert render_svg("digraph {") is None
        return
    with pytest.raises(FlowError, match="Graphviz"):
        render_svg("digraph { -> }")
