"""The instructions a flow compiles into: plain data, with no behaviour of their own.

A flow's steps (nested `if`/`else`, `on_fail` blocks) are flattened into a program: a tuple of
instructions addressed by position. A session therefore only stores `(flow, pc)` per frame.
What each instruction does is the interpreter's business (`execution.py`, one function per
class in a table); the checker and the graph read only the structure given here (`next_pcs`,
`flow_targets`, `values`). A new step kind is a class here, a compiler in `compiler.py` and an
executor in `execution.py`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any, ClassVar, Final

from framework.bill import TaxRule
from framework.flows.expressions import Expression, compile_expression
from framework.flows.model import Label, Position, Text
from framework.flows.templates import Template

__all__ = [
    "CONSENT_ACTION",
    "CONTINUE",
    "HTTP_ACTION",
    "JUMPED",
    "OUTCOMES",
    "TICKET_ACTION",
    "WAIT",
    "Act",
    "Ask",
    "Branch",
    "Call",
    "CartAdd",
    "CartClear",
    "CartFee",
    "CartRemove",
    "CartUpdate",
    "ConsentQuestion",
    "ConsentRecord",
    "Emit",
    "End",
    "Goto",
    "HandOver",
    "HttpCall",
    "Instruction",
    "Jump",
    "Note",
    "OpenTicket",
    "Pay",
    "PayDiscount",
    "PayLine",
    "Repeat",
    "Return",
    "Say",
    "Set",
    "Tag",
    "Untag",
    "Value",
]

CONTINUE, JUMPED, WAIT = 0, 1, 2
"""What executing an instruction leads to: go on with the next one, the position was moved,
or the conversation waits for the customer or the outside world."""


class Value:
    """A value in a step: a literal, a whole `{{ expression }}` (typed), a text template, or a
    mapping or list of such values (an HTTP step's JSON body)."""

    __slots__ = ("expression", "names", "parts", "source", "template")

    def __init__(self, source: Any) -> None:
        self.source = source
        self.expression: Expression | None = None
        self.template: Template | None = None
        self.parts: dict[str, Value] | list[Value] | None = None
        self.names: frozenset[str] = frozenset()
        if isinstance(source, dict):
            self.parts = {str(key): Value(part) for key, part in source.items()}
            self.names = frozenset().union(*(part.names for part in self.parts.values()))
        elif isinstance(source, list):
            self.parts = [Value(part) for part in source]
            self.names = frozenset().union(*(part.names for part in self.parts))
        elif isinstance(source, str):
            stripped = source.strip()
            inner = stripped[2:-2]
            if stripped.startswith("{{") and stripped.endswith("}}") and "{{" not in inner:
                self.expression = compile_expression(inner.strip())
                self.names = self.expression.names
            elif "{" in source:
                self.template = Template(source)
                self.names = self.template.names

    @property
    def slot_name(self) -> str | None:
        """The slot this value reads when it is just `{{ slot }}` (links cart lines to slots)."""
        if self.expression is not None and self.expression.source.isidentifier():
            return self.expression.source
        return None


@dataclass(frozen=True, slots=True)
class Instruction:
    pos: Position
    id: str | None
    keyword: ClassVar[str] = ""

    def next_pcs(self, pc: int) -> tuple[int, ...]:
        """Where control can go next inside the same flow (for the checker and the graph)."""
        return (pc + 1,)

    def flow_targets(self) -> tuple[str, ...]:
        """Other flows this instruction can move to."""
        return ()

    def values(self) -> tuple[Value, ...]:
        """The values this instruction computes (the checker checks their names)."""
        return ()


@dataclass(frozen=True, slots=True)
class ButtonSpec:
    title: Text
    payload: str | None


@dataclass(frozen=True, slots=True)
class Say(Instruction):
    text: Text
    buttons: tuple[ButtonSpec, ...] = ()
    list_button: Text | None = None
    image: str | None = None
    keyword: ClassVar[str] = "say"


@dataclass(frozen=True, slots=True)
class Ask(Instruction):
    slot: str
    text: Text | None = None
    reprompt: Text | None = None
    buttons: tuple[ButtonSpec, ...] | bool = True
    attempts: int = 3
    on_fail: int | None = None
    if_known: str = "skip"
    confirm: Text | None = None
    keyword: ClassVar[str] = "ask"

    def next_pcs(self, pc: int) -> tuple[int, ...]:
        return (pc + 1,) if self.on_fail is None else (pc + 1, self.on_fail)


@dataclass(frozen=True, slots=True)
class Set(Instruction):
    assignments: tuple[tuple[str, Value], ...]
    keyword: ClassVar[str] = "set"

    def values(self) -> tuple[Value, ...]:
        return tuple(value for _slot, value in self.assignments)


@dataclass(frozen=True, slots=True)
class Branch(Instruction):
    """`if`: fall through when the condition holds, else jump to `otherwise`."""

    condition: Expression
    otherwise: int
    keyword: ClassVar[str] = "if"

    def next_pcs(self, pc: int) -> tuple[int, ...]:
        return (pc + 1, self.otherwise)


@dataclass(frozen=True, slots=True)
class Jump(Instruction):
    """Internal: the end of a `then` block jumps over the `else` blocks."""

    target: int
    keyword: ClassVar[str] = "jump"

    def next_pcs(self, pc: int) -> tuple[int, ...]:
        return (self.target,)


@dataclass(frozen=True, slots=True)
class _ToFlow(Instruction):
    """An instruction that moves the conversation to a flow."""

    flow: str

    def flow_targets(self) -> tuple[str, ...]:
        return (self.flow,)


@dataclass(frozen=True, slots=True)
class _LeavesFlow(_ToFlow):
    """Goto and repeat: nothing after them in this flow runs."""

    def next_pcs(self, pc: int) -> tuple[int, ...]:
        return ()


@dataclass(frozen=True, slots=True)
class Goto(_LeavesFlow):
    step: str | None = None
    keyword: ClassVar[str] = "goto"


@dataclass(frozen=True, slots=True)
class Repeat(_LeavesFlow):
    """Start the flow again, forgetting the slots it asks (except `keep`)."""

    keep: frozenset[str] = frozenset()
    keyword: ClassVar[str] = "repeat"


@dataclass(frozen=True, slots=True)
class Call(_ToFlow):
    """Run a flow and come back to the next step when it returns."""

    keyword: ClassVar[str] = "call"


@dataclass(frozen=True, slots=True)
class Return(Instruction):
    keyword: ClassVar[str] = "return"

    def next_pcs(self, pc: int) -> tuple[int, ...]:
        return ()


@dataclass(frozen=True, slots=True)
class End(Instruction):
    """End the whole conversation: every flow, the pending mentions; the cart stays."""

    text: Text | None = None
    keyword: ClassVar[str] = "end"

    def next_pcs(self, pc: int) -> tuple[int, ...]:
        return ()


@dataclass(frozen=True, slots=True)
class CartAdd(Instruction):
    item: Value
    options: tuple[Value, ...] = ()
    quantity: Value | None = None
    keyword: ClassVar[str] = "cart.add"

    def values(self) -> tuple[Value, ...]:
        quantity = () if self.quantity is None else (self.quantity,)
        return (self.item, *self.options, *quantity)


@dataclass(frozen=True, slots=True)
class CartRemove(Instruction):
    line: Value
    keyword: ClassVar[str] = "cart.remove"

    def values(self) -> tuple[Value, ...]:
        return (self.line,)


@dataclass(frozen=True, slots=True)
class CartUpdate(Instruction):
    line: Value
    quantity: Value
    keyword: ClassVar[str] = "cart.update"

    def values(self) -> tuple[Value, ...]:
        return (self.line, self.quantity)


@dataclass(frozen=True, slots=True)
class CartClear(Instruction):
    keyword: ClassVar[str] = "cart.clear"


@dataclass(frozen=True, slots=True)
class Forget(Instruction):
    """Clear remembered values from the customer's profile: the named slots, or all (None).
    This conversation's slots keep their values."""

    slots: tuple[str, ...] | None
    keyword: ClassVar[str] = "forget"


@dataclass(frozen=True, slots=True)
class CartFee(Instruction):
    """Set (or with a zero price remove) a named fee such as delivery."""

    fee: str
    name: Label
    price: Value
    keyword: ClassVar[str] = "cart.fee"

    def values(self) -> tuple[Value, ...]:
        return (self.price,)


@dataclass(frozen=True, slots=True)
class Act(Instruction):
    """`action:` call the business's code (executed by acting.py) and wait for its outcome;
    when it fails, the `on_error` block (at `on_error`) runs, then the flow goes on."""

    action: str
    args: tuple[tuple[str, Value], ...]
    save: tuple[tuple[str, str], ...]
    """(the action's result name, the slot it goes into); other results go into the slot of
    their own name, when the bot has one."""
    timeout: timedelta | None
    """None: the bot's `actions.timeout`."""
    on_error: int | None
    validates: int | None = None
    """The position of the ask step whose answer this action checks (`validate:` of an ask):
    when the action clears that slot, the question is asked again."""
    keyword: ClassVar[str] = "action"

    def next_pcs(self, pc: int) -> tuple[int, ...]:
        targets = (pc + 1,) if self.on_error is None else (pc + 1, self.on_error)
        return targets if self.validates is None else (*targets, self.validates)

    def values(self) -> tuple[Value, ...]:
        return tuple(value for _name, value in self.args)


@dataclass(frozen=True, slots=True)
class Emit(Instruction):
    """`emit:` an event of the flow's own for the business's webhooks (docs/events.md)."""

    event: str
    data: Value
    keyword: ClassVar[str] = "emit"

    def values(self) -> tuple[Value, ...]:
        return (self.data,)


@dataclass(frozen=True, slots=True)
class Tag(Instruction):
    """`tag:` gives the conversation's contact tags (names, or templates that make one)."""

    tags: tuple[Value, ...]
    keyword: ClassVar[str] = "tag"

    def values(self) -> tuple[Value, ...]:
        return self.tags


@dataclass(frozen=True, slots=True)
class Untag(Tag):
    """`untag:` takes tags from the conversation's contact."""

    keyword: ClassVar[str] = "untag"


@dataclass(frozen=True, slots=True)
class Note(Instruction):
    """`note:` the named slots' answers on the conversation's contact, where the business sees
    them and segments by them (docs/contacts.md)."""

    slots: tuple[str, ...]
    keyword: ClassVar[str] = "note"


HTTP_ACTION: Final = "http"
"""The action name an `http:` step calls: the built-in HTTP runner (actions/http_calls.py)."""


@dataclass(frozen=True, slots=True)
class HttpCall(Act):
    """`http:` a call to the business's web API, performed like an action: its args are the
    request (method, url, headers, json, retries); only `save:` takes from its result
    (`status`, `body`, `headers`), by dotted paths such as `body.items.0.name`."""

    keyword: ClassVar[str] = "http"


@dataclass(frozen=True, slots=True)
class HandOver(Instruction):
    """`handoff:` a person takes the conversation over (executed by handoff.py); the flow goes
    on after the step when they hand it back."""

    reason: Value
    keyword: ClassVar[str] = "handoff"

    def values(self) -> tuple[Value, ...]:
        return (self.reason,)


TICKET_ACTION: Final = "ticket"
"""The action name a `ticket:` step calls: the built-in ticket desk (tickets/desk.py)."""


@dataclass(frozen=True, slots=True)
class OpenTicket(Act):
    """`ticket:` open a support ticket, performed like an action: its args are the ticket's
    subject, category, priority and contact; its result `number` goes into `save:`."""

    keyword: ClassVar[str] = "ticket"


CONSENT_ACTION: Final = "consent.answer"
"""The action a `consent:` step gives its answer to: the built-in consent desk."""


@dataclass(frozen=True, slots=True)
class ConsentQuestion(Ask):
    """`consent:` asks for `purpose` (as written) in words kept as shown; the confirmation of
    double opt-in (`confirming`) is asked only while the yes waits for it, else the flow goes
    on past its record. `confirmed`: the step has a confirmation to ask."""

    purpose: str = ""
    confirming: bool = False
    confirmed: bool = False
    keyword: ClassVar[str] = "consent"

    def next_pcs(self, pc: int) -> tuple[int, ...]:
        return (*Ask.next_pcs(self, pc), *((pc + 2,) if self.confirming else ()))


@dataclass(frozen=True, slots=True)
class ConsentRecord(Act):
    """`consent:` gives the answer just asked to the consent desk, which keeps it in the
    ledger; the yes_no `slot` then holds yes only for a grant (none while a yes waits for its
    confirmation)."""

    slot: str = ""
    keyword: ClassVar[str] = "consent"


OUTCOMES: Final = ("paid", "failed", "expired", "cancelled")
"""How a payment request ends; a pay step may have an `on_<outcome>` block for each."""


@dataclass(frozen=True, slots=True)
class PayLine:
    """An explicit line or fee of a pay step; its name is a text, rendered at pay time."""

    name: Text
    price: Value
    quantity: Value | None = None
    tax: Decimal | None = None


@dataclass(frozen=True, slots=True)
class PayDiscount:
    name: Label
    amount: Value | None = None
    percent: Decimal | None = None
    condition: Expression | None = None
    """Only when this holds (a voucher code the customer gave, a minimum order)."""


@dataclass(frozen=True, slots=True)
class Pay(Instruction):
    """Send a priced payment request and wait for its outcome (executed by paying.py).

    Each `on_<outcome>` block starts at `outcomes[outcome]`; after `on_paid` (or directly,
    without one) the flow goes on at `after`, the other blocks end the conversation.
    """

    lines: tuple[PayLine, ...] | None
    """None: the cart's lines and fees."""
    fees: tuple[PayLine, ...]
    discounts: tuple[PayDiscount, ...]
    tax: TaxRule | None
    expires: timedelta
    remind: timedelta | None
    text: Text | None
    button: Text | None
    delivery: tuple[tuple[str, Value], ...]
    outcomes: tuple[tuple[str, int], ...]
    after: int
    keyword: ClassVar[str] = "pay"

    def outcome_pc(self, outcome: str) -> int | None:
        return dict(self.outcomes).get(outcome)

    def next_pcs(self, pc: int) -> tuple[int, ...]:
        return (*(at for _outcome, at in self.outcomes), self.after)

    def values(self) -> tuple[Value, ...]:
        lines = (*(self.lines or ()), *self.fees)
        prices = tuple(line.price for line in lines)
        quantities = tuple(line.quantity for line in lines if line.quantity is not None)
        amounts = tuple(d.amount for d in self.discounts if d.amount is not None)
        return (*prices, *quantities, *amounts, *(value for _n, value in self.delivery))
