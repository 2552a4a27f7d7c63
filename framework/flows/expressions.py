"""The condition language: a small, allow-listed subset of Python expressions.

`cart.total < minimum_order and delivery == 'delivery'` is parsed with `ast` and compiled into
closures; nothing is ever passed to `eval`. Allowed: literals, names, attribute access to public
attributes, indexing, arithmetic, comparisons, `and`/`or`/`not`, conditional expressions and
calls of the functions in `FUNCTIONS`. Everything else is a parse error with a reason.
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Final

from framework.errors import FlowError

__all__ = ["FUNCTIONS", "Expression", "ExpressionError", "compile_expression"]

Scope = Mapping[str, Any]
Evaluator = Callable[[Scope], Any]


class ExpressionError(FlowError):
    """An expression that does not parse, or fails while evaluating."""


def _known(value: Any) -> bool:
    return value is not None and value != [] and value != ""


FUNCTIONS: Mapping[str, Callable[..., Any]] = {
    "len": len,
    "min": min,
    "max": max,
    "abs": abs,
    "known": _known,
    "lower": lambda text: str(text).lower(),
}


def _numbers_only(name: str, function: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
    """`'x' * 10**9` or `'%0999999999d' % 1` would let a flow file exhaust memory."""

    def run(left: Any, right: Any) -> Any:
        if isinstance(left, str | list) or isinstance(right, str | list):
            raise ExpressionError(f"only numbers can be used with {name}")
        return function(left, right)

    return run


def _exact(function: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
    """Division in Decimal: `a / 2 + 0.5` stays exact and never meets a binary float."""

    def run(left: Any, right: Any) -> Any:
        if isinstance(left, int | Decimal) and isinstance(right, int | Decimal):
            return function(Decimal(left), Decimal(right))
        return function(left, right)

    return run


_BINARY: Mapping[type, Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: _numbers_only("*", operator.mul),
    ast.Div: _numbers_only("/", _exact(operator.truediv)),
    ast.Mod: _numbers_only("%", _exact(operator.mod)),
    ast.FloorDiv: _numbers_only("//", _exact(operator.floordiv)),
}
_COMPARE: Mapping[type, Callable[[Any, Any], Any]] = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.In: lambda a, b: a in b,
    ast.NotIn: lambda a, b: a not in b,
}
_NONE_SAFE: Final = (operator.eq, operator.ne)
_MAX_LENGTH: Final = 500


@dataclass(frozen=True, slots=True)
class Expression:
    """A compiled expression with the names it reads (for the checker)."""

    source: str
    names: frozenset[str]
    _run: Evaluator

    def evaluate(self, scope: Scope) -> Any:
        try:
            return self._run(scope)
        except ExpressionError:
            raise
        except (ArithmeticError, TypeError, ValueError, KeyError, IndexError) as error:
            raise ExpressionError(f"{self.source!r} failed: {error}") from None


def compile_expression(source: str | int | bool | Decimal) -> Expression:
    """Parse and compile; raises ExpressionError saying what is not allowed."""
    if isinstance(source, bool | int | Decimal):
        value = source
        return Expression(str(source), frozenset(), lambda _scope: value)
    if len(source) > _MAX_LENGTH:
        raise ExpressionError(f"an expression may be at most {_MAX_LENGTH} characters")
    try:
        tree = ast.parse(source.strip(), mode="eval")
    except SyntaxError as error:
        raise ExpressionError(f"{source!r} does not parse: {error.msg}") from None
    except (RecursionError, MemoryError, ValueError):
        raise ExpressionError(f"{source[:40]!r}… cannot be parsed") from None
    names: set[str] = set()
    try:
        run = _compile(tree.body, names)
    except RecursionError:
        raise ExpressionError(f"{source[:40]!r}… is nested too deeply") from None
    return Expression(source, frozenset(names), run)


def _compile(node: ast.expr, names: set[str]) -> Evaluator:
    compiler = _COMPILERS.get(type(node))
    if compiler is None:
        raise ExpressionError(
            f"{type(node).__name__} is not allowed in conditions: use names, literals, "
            "comparisons, and/or/not, arithmetic and the functions " + ", ".join(FUNCTIONS)
        )
    return compiler(node, names)


def _constant(node: ast.Constant, names: set[str]) -> Evaluator:
    """Decimal literals stay exact: `cart.total > 15.5` compares money without floats."""
    value: Any = node.value
    if isinstance(value, float):
        value = Decimal(repr(value))  # the shortest repr is the literal as written
    elif not isinstance(value, str | int | bool | type(None)):
        raise ExpressionError(f"the literal {value!r} is not allowed")
    return lambda _scope: value


def _name(node: ast.Name, names: set[str]) -> Evaluator:
    name = node.id
    names.add(name)
    if name in ("true", "false", "none"):
        literal = {"true": True, "false": False, "none": None}[name]
        return lambda _scope: literal
    return lambda scope: scope.get(name)


def _attribute(node: ast.Attribute, names: set[str]) -> Evaluator:
    if node.attr.startswith("_"):
        raise ExpressionError(f"private attribute {node.attr!r} is not allowed")
    base, attr = _compile(node.value, names), node.attr

    def run(scope: Scope) -> Any:
        value = base(scope)
        if isinstance(value, Mapping):
            return value.get(attr)
        return getattr(value, attr, None)

    return run


def _subscript(node: ast.Subscript, names: set[str]) -> Evaluator:
    base, index = _compile(node.value, names), _compile(node.slice, names)

    def run(scope: Scope) -> Any:
        value, key = base(scope), index(scope)
        if isinstance(key, str) and key.startswith("_"):
            raise ExpressionError(f"private key {key!r} is not allowed")
        return value[key]

    return run


def _binop(node: ast.BinOp, names: set[str]) -> Evaluator:
    op = _BINARY.get(type(node.op))
    if isinstance(node.op, ast.BitOr):  # "{{ cart.lines | length }}": a Jinja filter
        raise ExpressionError("filters like | length are not allowed here, use them in texts")
    if op is None:
        raise ExpressionError(f"the operator {type(node.op).__name__} is not allowed")
    left, right = _compile(node.left, names), _compile(node.right, names)
    return lambda scope: op(left(scope), right(scope))


def _unary(node: ast.UnaryOp, names: set[str]) -> Evaluator:
    operand = _compile(node.operand, names)
    if isinstance(node.op, ast.Not):
        return lambda scope: not operand(scope)
    if isinstance(node.op, ast.USub):
        return lambda scope: -operand(scope)
    raise ExpressionError(f"the operator {type(node.op).__name__} is not allowed")


def _boolop(node: ast.BoolOp, names: set[str]) -> Evaluator:
    """Python's semantics: `a or 'x'` is a when a is truthy, else 'x'."""
    parts = [_compile(value, names) for value in node.values]
    stop_when = not isinstance(node.op, ast.And)

    def run(scope: Scope) -> Any:
        value = None
        for part in parts:
            value = part(scope)
            if bool(value) == stop_when:
                return value
        return value

    return run


def _compare(node: ast.Compare, names: set[str]) -> Evaluator:
    first = _compile(node.left, names)
    ops = []
    for op, right in zip(node.ops, node.comparators, strict=True):
        function = _COMPARE.get(type(op))
        if function is None:
            raise ExpressionError(f"the comparison {type(op).__name__} is not allowed")
        ops.append((function, _compile(right, names)))

    def run(scope: Scope) -> bool:
        left = first(scope)
        for function, right_of in ops:
            right = right_of(scope)
            unknown = left is None or right is None
            if unknown and function not in _NONE_SAFE:
                return False  # an unknown slot is neither smaller, larger nor contained
            if not function(left, right):
                return False
            left = right
        return True

    return run


def _ifexp(node: ast.IfExp, names: set[str]) -> Evaluator:
    test, body, orelse = (_compile(n, names) for n in (node.test, node.body, node.orelse))
    return lambda scope: body(scope) if test(scope) else orelse(scope)


def _sequence(node: ast.List | ast.Tuple, names: set[str]) -> Evaluator:
    parts = [_compile(element, names) for element in node.elts]
    return lambda scope: [part(scope) for part in parts]


def _call(node: ast.Call, names: set[str]) -> Evaluator:
    if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS or node.keywords:
        raise ExpressionError("only these functions can be called: " + ", ".join(FUNCTIONS))
    function = FUNCTIONS[node.func.id]
    args = [_compile(arg, names) for arg in node.args]
    return lambda scope: function(*(arg(scope) for arg in args))


_COMPILERS: Mapping[type, Callable[[Any, set[str]], Evaluator]] = {
    ast.Constant: _constant,
    ast.Name: _name,
    ast.Attribute: _attribute,
    ast.Subscript: _subscript,
    ast.BinOp: _binop,
    ast.UnaryOp: _unary,
    ast.BoolOp: _boolop,
    ast.Compare: _compare,
    ast.IfExp: _ifexp,
    ast.List: _sequence,
    ast.Tuple: _sequence,
    ast.Call: _call,
}
