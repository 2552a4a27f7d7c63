"""Flow steps (YAML) → a flat program of instructions, collecting problems instead of raising."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import timedelta
from decimal import Decimal
from typing import Any, Final, Protocol

from framework.bill import TaxRule
from framework.errors import FlowError
from framework.flows.expressions import compile_expression
from framework.flows.language.consent_steps import compile_consent
from framework.flows.language.sections import duration
from framework.flows.language.tag_steps import compile_note, compile_tag
from framework.flows.language.yaml_loader import PosDict, position_of
from framework.flows.model import Label, Position, Text
from framework.flows.steps import (
    HTTP_ACTION,
    OUTCOMES,
    TICKET_ACTION,
    Act,
    Ask,
    Branch,
    ButtonSpec,
    Call,
    CartAdd,
    CartClear,
    CartFee,
    CartRemove,
    CartUpdate,
    Emit,
    End,
    Forget,
    Goto,
    HandOver,
    HttpCall,
    Instruction,
    Jump,
    OpenTicket,
    Pay,
    PayDiscount,
    PayLine,
    Repeat,
    Return,
    Say,
    Set,
    Value,
)

__all__ = ["Program", "StepContext", "compile_steps"]

ASK_SLOT_KEYS: Final = frozenset(
    {*("type", "min", "max", "min_length", "max_length", "pattern", "options", "tags")}
    | {"remember", "role", "past", "region"}
)


class StepContext(Protocol):
    """What the compiler needs from the reader: texts, labels, problems, inline slots."""

    def text(self, value: Any, pos: Position) -> Text | None: ...

    def label(self, value: Any) -> Label: ...

    def problem(self, pos: Position, message: str, hint: str = "") -> None: ...

    def inline_slot(self, name: str, spec: PosDict) -> None: ...

    def step_slot(self, name: str, kind: str, pos: Position) -> None: ...


class Program:
    """A flow's instructions being built; positions are indexes into `instructions`."""

    def __init__(self) -> None:
        self.instructions: list[Instruction | None] = []
        self.labels: dict[str, int] = {}
        self.asks: set[str] = set()

    def reserve(self) -> int:
        self.instructions.append(None)
        return len(self.instructions) - 1

    def put(self, at: int, instruction: Instruction) -> None:
        self.instructions[at] = instruction

    def emit(self, instruction: Instruction) -> int:
        self.instructions.append(instruction)
        return len(self.instructions) - 1

    @property
    def here(self) -> int:
        return len(self.instructions)


def compile_steps(steps: list[Any], program: Program, ctx: StepContext) -> None:
    for raw in steps:
        step = PosDict({raw: True}) if isinstance(raw, str) else raw
        if isinstance(raw, str):
            step.pos = position_of(raw, program_position(steps))
            step.key_pos = {}
        try:
            _compile_step(step, program, ctx)
        except FlowError as error:
            ctx.problem(step.pos, str(error))


def program_position(steps: Any) -> Position:
    return position_of(steps, Position("?", 0, 0))


def _compile_step(step: PosDict, program: Program, ctx: StepContext) -> None:
    keyword = next(key for key in step if key in _COMPILERS)
    step_id = step.get("id")
    if step_id is not None:
        if step_id in program.labels:
            ctx.problem(step.pos, f"the step id {step_id!r} is used twice in this flow")
        program.labels[step_id] = program.here
    _COMPILERS[keyword](step, program, ctx)


def _buttons(raw: Any, ctx: StepContext, pos: Position) -> tuple[ButtonSpec, ...]:
    buttons = []
    for button in raw or ():
        if isinstance(button, str):
            buttons.append(ButtonSpec(_required_text(ctx, button, pos), None))
        else:
            title = _required_text(ctx, button["title"], position_of(button, pos))
            buttons.append(ButtonSpec(title, button.get("payload")))
    return tuple(buttons)


def _required_text(ctx: StepContext, value: Any, pos: Position) -> Text:
    text = ctx.text(value, pos)
    if text is None:
        raise FlowError("a text is missing here")
    return text


def _say(step: PosDict, program: Program, ctx: StepContext) -> None:
    pos = step.pos
    buttons = _buttons(step.get("buttons"), ctx, pos)
    list_button = None
    if "list" in step:
        menu = step["list"]
        rows = [
            ButtonSpec(_required_text(ctx, row["title"], pos), row.get("payload"))
            for row in menu["rows"]
        ]
        buttons += tuple(rows)
        list_button = ctx.text(menu.get("button", "…"), pos)
    text = _required_text(ctx, step["say"], pos)
    program.emit(Say(pos, step.get("id"), text, buttons, list_button, step.get("image")))


def _ask(step: PosDict, program: Program, ctx: StepContext) -> None:
    pos, slot = step.pos, str(step["ask"])
    if step.keys() & ASK_SLOT_KEYS:
        ctx.inline_slot(slot, step)
    program.asks.add(slot)
    raw_buttons = step.get("buttons", True)
    buttons = raw_buttons if isinstance(raw_buttons, bool) else _buttons(raw_buttons, ctx, pos)
    at = program.reserve()
    if "validate" in step:
        program.put(program.reserve(), _validation(step, slot, at))
    on_fail = None
    if "on_fail" in step:
        skip = program.reserve()
        on_fail = program.here
        compile_steps(step["on_fail"], program, ctx)
        program.put(skip, Jump(pos, None, program.here))
    program.put(
        at,
        Ask(
            pos,
            step.get("id"),
            slot,
            text=ctx.text(step.get("text"), pos),
            reprompt=ctx.text(step.get("reprompt"), pos),
            buttons=buttons,
            attempts=int(step.get("attempts", 3)),
            on_fail=on_fail,
            if_known=str(step.get("if_known", "skip")),
            confirm=ctx.text(step.get("confirm"), pos),
        ),
    )


def _set(step: PosDict, program: Program, ctx: StepContext) -> None:
    values = tuple((str(name), Value(value)) for name, value in step["set"].items())
    program.emit(Set(step.pos, step.get("id"), values))


def _if(step: PosDict, program: Program, ctx: StepContext) -> None:
    branches = [(step["if"], step.get("then") or [], step.pos)]
    branches += [(b["if"], b["then"], position_of(b, step.pos)) for b in step.get("elif") or []]
    exits: list[int] = []
    first = program.here
    for condition, body, pos in branches:
        test = program.reserve()
        compile_steps(body, program, ctx)
        exits.append(program.reserve())
        step_id = step.get("id") if test == first else None
        program.put(test, Branch(pos, step_id, compile_expression(condition), program.here))
    compile_steps(step.get("else") or [], program, ctx)
    for at in exits:
        program.put(at, Jump(step.pos, None, program.here))


def _goto(step: PosDict, program: Program, ctx: StepContext) -> None:
    flow, _, label = str(step["goto"]).partition(".")
    program.emit(Goto(step.pos, step.get("id"), flow, label or None))


def _repeat(step: PosDict, program: Program, ctx: StepContext) -> None:
    keep = frozenset(step.get("keep") or ())
    program.emit(Repeat(step.pos, step.get("id"), str(step["repeat"]), keep))


def _call(step: PosDict, program: Program, ctx: StepContext) -> None:
    program.emit(Call(step.pos, step.get("id"), str(step["call"])))


def _end(step: PosDict, program: Program, ctx: StepContext) -> None:
    raw = step["end"]
    text = None if isinstance(raw, bool) else ctx.text(raw, step.pos)
    program.emit(End(step.pos, step.get("id"), text))


def _return(step: PosDict, program: Program, ctx: StepContext) -> None:
    program.emit(Return(step.pos, step.get("id")))


def _cart_add(step: PosDict, program: Program, ctx: StepContext) -> None:
    spec = step["cart.add"]
    raw_options = spec.get("options") or []
    options = [raw_options] if isinstance(raw_options, str) else raw_options
    quantity = Value(spec["quantity"]) if "quantity" in spec else None
    program.emit(
        CartAdd(step.pos, step.get("id"), Value(spec["item"]), tuple(map(Value, options)), quantity)
    )


def _cart_remove(step: PosDict, program: Program, ctx: StepContext) -> None:
    program.emit(CartRemove(step.pos, step.get("id"), Value(step["cart.remove"]["line"])))


def _cart_update(step: PosDict, program: Program, ctx: StepContext) -> None:
    spec = step["cart.update"]
    program.emit(CartUpdate(step.pos, step.get("id"), Value(spec["line"]), Value(spec["quantity"])))


def _cart_clear(step: PosDict, program: Program, ctx: StepContext) -> None:
    program.emit(CartClear(step.pos, step.get("id")))


def _forget(step: PosDict, program: Program, ctx: StepContext) -> None:
    """`forget: all`, `forget: address` or `forget: [address, phone]`."""
    raw = step["forget"]
    names = None if raw == "all" else (raw if isinstance(raw, list) else [raw])
    slots = None if names is None else tuple(str(name) for name in names)
    program.emit(Forget(step.pos, step.get("id"), slots))


def _cart_fee(step: PosDict, program: Program, ctx: StepContext) -> None:
    spec = step["cart.fee"]
    name = ctx.label(spec.get("name", spec["id"]))
    program.emit(CartFee(step.pos, step.get("id"), str(spec["id"]), name, Value(spec["price"])))


def _pay(step: PosDict, program: Program, ctx: StepContext) -> None:
    """The pay instruction, then its outcome blocks; the flow goes on after the last block."""
    spec, pos = step["pay"], step.pos
    at = program.reserve()
    outcomes, paid_exit = [], None
    for outcome in OUTCOMES:
        block = spec.get(f"on_{outcome}")
        if block is None:
            continue
        outcomes.append((outcome, program.here))
        compile_steps(block, program, ctx)
        if outcome == "paid":
            paid_exit = program.reserve()
        else:
            program.emit(End(pos, None))
    after = program.here
    if paid_exit is not None:
        program.put(paid_exit, Jump(pos, None, after))
    expires, remind = _pay_times(spec, ctx)
    raw_items = spec.get("items", "cart")
    program.put(
        at,
        Pay(
            pos,
            step.get("id"),
            lines=None if raw_items == "cart" else tuple(_pay_line(ctx, r) for r in raw_items),
            fees=tuple(_pay_line(ctx, raw) for raw in spec.get("fees") or ()),
            discounts=tuple(_discount(ctx, raw) for raw in spec.get("discounts") or ()),
            tax=_tax_rule(spec["tax"]) if "tax" in spec else None,
            expires=expires,
            remind=remind,
            text=ctx.text(spec.get("text"), pos),
            button=ctx.text(spec.get("button"), pos),
            delivery=tuple((str(k), Value(v)) for k, v in (spec.get("delivery") or {}).items()),
            outcomes=tuple(outcomes),
            after=after,
        ),
    )


MIN_EXPIRY, MAX_EXPIRY = timedelta(minutes=30), timedelta(hours=24)
"""How long a payment request may stay valid: Stripe Checkout's own limits."""


def _pay_times(spec: PosDict, ctx: StepContext) -> tuple[timedelta, timedelta | None]:
    expires = duration(spec.get("expires", "30m"))
    if not MIN_EXPIRY <= expires <= MAX_EXPIRY:
        ctx.problem(spec.where("expires"), "a payment request stays valid from 30m to 24h")
        expires = min(max(expires, MIN_EXPIRY), MAX_EXPIRY)
    remind = duration(spec["remind"]) if "remind" in spec else None
    if remind is not None and remind >= expires:
        ctx.problem(spec.where("remind"), "remind is how long before expiry: less than expires")
        remind = None
    return expires, remind


def _pay_line(ctx: StepContext, raw: PosDict) -> PayLine:
    quantity = Value(raw["quantity"]) if "quantity" in raw else None
    tax = Decimal(str(raw["tax"])) if "tax" in raw else None
    name = ctx.text(raw["name"], raw.pos)
    if name is None:
        raise FlowError("a pay line needs a name")
    return PayLine(name, Value(raw["price"]), quantity, tax)


def _discount(ctx: StepContext, raw: PosDict) -> PayDiscount:
    amount = Value(raw["amount"]) if "amount" in raw else None
    percent = Decimal(str(raw["percent"])) if "percent" in raw else None
    condition = compile_expression(raw["if"]) if "if" in raw else None
    return PayDiscount(ctx.label(raw["name"]), amount, percent, condition)


def _tax_rule(raw: PosDict) -> TaxRule:
    return TaxRule(Decimal(str(raw.get("rate", 0))), bool(raw.get("included", True)))


THEKES_EVENTS: Final = frozenset({"order", "ticket", "booking", "conversation", "contact"})
"""Event families Theke sends itself: a flow cannot forge them."""


def _validation(step: PosDict, slot: str, ask_at: int) -> Act:
    """`validate:` of an ask: right after the answer an action checks it (Rasa's
    validate_<slot>); a cleared slot asks again. The ask's `on_fail` path skips it."""
    return Act(
        step.pos,
        None,
        str(step["validate"]),
        args=(("slot", Value(slot)), ("value", Value(f"{{{{ {slot} }}}}"))),
        save=(),
        timeout=None,
        on_error=None,
        validates=ask_at,
    )


def _emit(step: PosDict, program: Program, ctx: StepContext) -> None:
    spec = step["emit"]
    event, data = (spec, {}) if isinstance(spec, str) else (spec["type"], spec.get("data") or {})
    if str(event).split(".")[0] in THEKES_EVENTS:
        ctx.problem(
            step.pos,
            f"emit: {event!r} is one of Theke's own events",
            f"a flow's events need a name of their own ({', '.join(sorted(THEKES_EVENTS))}.* "
            "are sent by Theke)",
        )
    program.emit(Emit(step.pos, step.get("id"), str(event), Value(dict(data))))


def _action(step: PosDict, program: Program, ctx: StepContext) -> None:
    args = {str(name): Value(value) for name, value in (step.get("args") or {}).items()}
    _call_step(step, program, ctx, Act, str(step["action"]), args, step.get("timeout"))


def _http(step: PosDict, program: Program, ctx: StepContext) -> None:
    """An HTTP call is an action of the built-in HTTP runner, its request as arguments."""
    spec = step["http"]
    url = str(spec["url"])
    scheme, _, rest = url.partition("://")
    if scheme not in ("http", "https") or "{" in rest.partition("/")[0]:
        ctx.problem(
            position_of(spec, step.pos),
            f"http: the URL {url!r} must start with http:// or https:// and a written host",
            "only the path and query may hold {{ }}: a customer's answer must not pick the server",
        )
    request = {
        "method": Value(str(spec.get("method", "GET")).upper()),
        "url": Value(_URL_VALUE.sub(r"{{ (\1) | url_part }}", url)),
        "headers": Value(dict(spec.get("headers") or {})),
        "json": Value(spec.get("json")),
        "retries": Value(int(spec.get("retries", 0))),
    }
    _call_step(step, program, ctx, HttpCall, HTTP_ACTION, request, spec.get("timeout"))


def _handoff(step: PosDict, program: Program, ctx: StepContext) -> None:
    spec = step["handoff"]
    reason = spec.get("reason", "") if isinstance(spec, dict) else spec
    program.emit(HandOver(step.pos, step.get("id"), Value(reason)))


def _ticket(step: PosDict, program: Program, ctx: StepContext) -> None:
    """A ticket is opened by the built-in ticket desk, its fields as arguments; the number it
    gets goes into the slot `save:` names."""
    spec = step["ticket"]
    fields = {
        "subject": Value(spec["subject"]),
        "category": Value(spec.get("category", "")),
        "priority": Value(spec.get("priority", "normal")),
        "contact": Value(spec.get("contact", "")),
    }
    save = {"number": spec["save"]} if "save" in spec else {}
    _call_step(step, program, ctx, OpenTicket, TICKET_ACTION, fields, spec.get("timeout"), save)


_URL_VALUE: Final = re.compile(r"\{\{(.*?)\}\}")
"""A value in an HTTP step's URL: percent-encoded, so an answer cannot change the path."""


def _call_step(
    step: PosDict,
    program: Program,
    ctx: StepContext,
    kind: type[Act],
    name: str,
    args: dict[str, Value],
    timeout: Any,
    save: Mapping[str, str] | None = None,
) -> None:
    """A call instruction, then its `on_error` block, jumped over when the call succeeds;
    `save` (result → slot) when the step's own `save:` is not the mapping."""
    pos = step.pos
    saved: Mapping[str, Any] = (step.get("save") or {}) if save is None else save
    at = program.reserve()
    on_error = None
    if "on_error" in step:
        skip = program.reserve()
        on_error = program.here
        compile_steps(step["on_error"], program, ctx)
        program.put(skip, Jump(pos, None, program.here))
    program.put(
        at,
        kind(
            pos,
            step.get("id"),
            name,
            args=tuple(args.items()),
            save=tuple((str(path), str(slot)) for path, slot in saved.items()),
            timeout=None if timeout is None else duration(timeout),
            on_error=on_error,
        ),
    )


_COMPILERS: Mapping[str, Callable[[PosDict, Program, StepContext], None]] = {
    "say": _say,
    "ask": _ask,
    "set": _set,
    "if": _if,
    "goto": _goto,
    "repeat": _repeat,
    "call": _call,
    "end": _end,
    "return": _return,
    "cart.add": _cart_add,
    "cart.remove": _cart_remove,
    "cart.update": _cart_update,
    "cart.clear": _cart_clear,
    "cart.fee": _cart_fee,
    "forget": _forget,
    "pay": _pay,
    "action": _action,
    "http": _http,
    "emit": _emit,
    "ticket": _ticket,
    "handoff": _handoff,
    "tag": compile_tag,
    "untag": compile_tag,
    "note": compile_note,
    "consent": lambda step, program, ctx: compile_consent(step, program, ctx, compile_steps),
}
