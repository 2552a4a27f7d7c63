"""The YAML loader: a YAML-1.2-like core schema, positions, and no way to build Python objects."""

import subprocess
import sys
import textwrap
from decimal import Decimal

import pytest
import yaml

from framework.flows.language.yaml_loader import PosDict, PosList, PosStr, load_yaml, position_of
from framework.flows.model import Position


def load(text):
    return load_yaml(textwrap.dedent(text), "bot.yaml")


@pytest.mark.parametrize("word", ["no", "yes", "on", "off", "y", "n", "No", "YES", "Off"])
def test_yaml_1_1_booleans_stay_strings(word):
    value = load(f"choice: {word}\n")["choice"]
    assert value == word
    assert isinstance(value, str)


@pytest.mark.parametrize(("word", "expected"), [("true", True), ("false", False), ("True", True)])
def test_true_and_false_are_booleans(word, expected):
    assert load(f"flag: {word}\n")["flag"] is expected


@pytest.mark.parametrize("clock", ["11:30", "17:00", "1:30:00", "24:00"])
def test_times_stay_strings_not_sexagesimal_numbers(clock):
    assert load(f"at: {clock}\n")["at"] == clock


def test_decimals_are_exact():
    data = load(
        """
        price: 8.50
        fee: -1.5
        tiny: 0.1
        quoted: "8.50"
        """
    )
    assert data["price"] == Decimal("8.50")
    assert isinstance(data["price"], Decimal)
    assert str(data["price"]) == "8.50"  # the written precision survives
    assert data["fee"] == Decimal("-1.5")
    assert data["tiny"] == Decimal("0.1")
    assert data["quoted"] == "8.50"
    assert isinstance(data["quoted"], str)


def test_integers_and_null():
    data = load(
        """
        count: 3
        negative: -7
        nothing: ~
        empty:
        word: null
        """
    )
    assert data["count"] == 3
    assert isinstance(data["count"], int)
    assert data["negative"] == -7
    assert data["nothing"] is None
    assert data["empty"] is None
    assert data["word"] is None


def test_dates_stay_strings():
    assert load("day: 2026-12-24\n")["day"] == "2026-12-24"


def test_positions_are_one_based_lines_and_columns():
    data = load_yaml("name: tiny\nflows:\n  start:\n    steps:\n      - say: hi\n", "bot.yaml")
    assert isinstance(data, PosDict)
    assert data.pos == Position("bot.yaml", 1, 1)
    assert data.key_pos["name"] == Position("bot.yaml", 1, 1)
    assert data["name"].pos == Position("bot.yaml", 1, 7)
    assert data.key_pos["flows"] == Position("bot.yaml", 2, 1)
    steps = data["flows"]["start"]["steps"]
    assert isinstance(steps, PosList)
    assert steps.pos == Position("bot.yaml", 5, 7)
    assert steps[0].pos == Position("bot.yaml", 5, 9)
    assert isinstance(steps[0]["say"], PosStr)
    assert steps[0]["say"].pos == Position("bot.yaml", 5, 14)
    assert str(steps[0]["say"].pos) == "bot.yaml:5:14"


def test_position_of_numbers_falls_back():
    data = load("price: 8.50\n")
    fallback = Position("bot.yaml", 9, 9)
    assert position_of(data["price"], fallback) == fallback
    assert position_of(data, fallback) == Position("bot.yaml", 1, 1)


def test_empty_document_is_none():
    assert load_yaml("", "bot.yaml") is None
    assert load_yaml("# only a comment\n", "bot.yaml") is None


def where(error: pytest.ExceptionInfo[yaml.YAMLError]) -> tuple[str, int, int]:
    mark = error.value.problem_mark  # type: ignore[attr-defined]
    return mark.name, mark.line + 1, mark.column + 1


def test_duplicate_keys_are_refused_with_their_position():
    with pytest.raises(yaml.MarkedYAMLError, match=r"the key 'name' appears twice") as error:
        load_yaml("name: a\nversion: 1\nname: b\n", "bot.yaml")
    assert where(error) == ("bot.yaml", 3, 1)


def test_duplicate_keys_in_a_flow_mapping_are_refused():
    with pytest.raises(yaml.YAMLError, match="appears twice"):
        load_yaml("slots: {a: 1, a: 2}\n", "bot.yaml")


@pytest.mark.parametrize(
    "text",
    [
        "!!python/object:os.system {}\n",
        "a: !!python/object/apply:os.system [echo hacked]\n",
        "a: !!python/name:os.system\n",
        "a: !!binary aGVsbG8=\n",
        "a: !!set {x}\n",
        "a: !!timestamp 2026-01-01\n",
        "a: !custom value\n",
    ],
)
def test_non_core_tags_are_refused(text):
    with pytest.raises(yaml.YAMLError, match="is not allowed"):
        load_yaml(text, "bot.yaml")


def test_refused_tag_reports_its_position():
    with pytest.raises(yaml.MarkedYAMLError, match="is not allowed") as error:
        load_yaml("ok: 1\nbad: !!python/object/apply:os.system [ls]\n", "bot.yaml")
    assert where(error) == ("bot.yaml", 2, 6)


def test_complex_keys_are_refused():
    with pytest.raises(yaml.YAMLError, match="plain word"):
        load_yaml("? [a, b]\n: 1\n", "bot.yaml")


def test_only_one_document():
    with pytest.raises(yaml.YAMLError):
        load_yaml("--- a\n--- b\n", "bot.yaml")


@pytest.mark.parametrize(
    ("text", "line", "column"),
    [("a: [1,\n", 2, 1), ("a: b: c\n", 1, 5), ("a:\n  - x\n y: 2\n", 3, 2)],
)
def test_syntax_errors_carry_a_mark(text, line, column):
    with pytest.raises(yaml.MarkedYAMLError) as caught:
        load_yaml(text, "bot.yaml")
    mark = caught.value.problem_mark
    assert (mark.line + 1, mark.column + 1) == (line, column)


def test_nesting_up_to_100_levels_is_fine():
    assert load_yaml("[" * 100 + "]" * 100, "bot.yaml") is not None


@pytest.mark.parametrize("depth", [150, 400])
def test_nesting_deeper_than_100_levels_is_refused(depth):
    with pytest.raises(yaml.YAMLError, match="nesting deeper than 100"):
        load_yaml("[" * depth + "]" * depth, "bot.yaml")


def test_deep_block_nesting_is_refused_with_a_position():
    text = "".join(" " * level + "k:\n" for level in range(150)) + " " * 150 + "k: v\n"
    with pytest.raises(yaml.MarkedYAMLError, match="nesting deeper than 100 levels") as error:
        load_yaml(text, "bot.yaml")
    assert where(error)[1] > 100


def test_very_deep_nesting_is_a_yaml_error_not_a_crash():
    with pytest.raises(yaml.YAMLError):
        load_yaml("[" * 1000 + "]" * 1000, "bot.yaml")


BILLION_LAUGHS = """\
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""

# Runs in a child process with 1 GB of address space, so the bomb cannot take the machine down.
BOMB_SCRIPT = """
import resource, sys, yaml
resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))
from framework.flows.language.yaml_loader import load_yaml
try:
    load_yaml(sys.stdin.read(), "bot.yaml")
except yaml.YAMLError:
    print("refused")
else:
    print("loaded")
"""


def test_small_aliases_work():
    data = load_yaml("base: &base [a, b]\ncopy: *base\n", "bot.yaml")
    assert data["copy"] == ["a", "b"]


def test_billion_laughs_is_refused_or_bounded_quickly():
    try:
        result = subprocess.run(
            [sys.executable, "-c", BOMB_SCRIPT],
            input=BILLION_LAUGHS,
            capture_output=True,
            text=True,
            timeout=20,
            check=False,
        )
    except subprocess.TimeoutExpired:
        pytest.fail("loading a 9-line alias bomb took more than 20 seconds")
    assert result.returncode == 0, result.stderr[-500:]
    assert result.stdout.strip() in ("refused", "loaded")
