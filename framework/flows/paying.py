"""The pay step inside the engine: the bill, the request, and the wait for its outcome.

The engine cannot reach a payment provider, so it asks the runtime (`PaymentRequest`) and the
runtime answers in the same turn with an `OrderUpdate`. Outcomes that arrive later (a webhook,
the business accepting the order) come as `OrderUpdate` events with origin "notice" through the
session's inbox. While a request is open the top frame waits with `wait == WAIT_PAY`: the
customer can ask whether the money arrived (the runtime re-reads the provider: the bot checks,
it never guesses), ask for the link again, cancel (the request is expired at the provider
first, so a payment cannot slip in afterwards unnoticed) or ask something else.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Final

from framework.bill import Bill, BillError, BillLine, Discount, make_bill
from framework.flows.events import Button, Link, OrderUpdate, PaymentRequest, SetTimer, Timer
from framework.flows.model import label_for
from framework.flows.order_cancel import cancel_outcome
from framework.flows.session import PayWait
from framework.flows.steps import WAIT, Pay
from framework.flows.turn import WAIT_PAY, Turn
from framework.money import Money

__all__ = [
    "PAY_EXPIRY",
    "PAY_REMINDER",
    "WAIT_PAY",
    "ask_payment_link",
    "ask_payment_status",
    "cancel_payment",
    "order_update",
    "payment_timer",
    "start_payment",
    "waiting_message",
    "waiting_payment",
]

PAY_REMINDER, PAY_EXPIRY = "payment_reminder", "payment_expiry"
RECHECK: Final = timedelta(minutes=1)
"""When the provider could not end the request at expiry, try again after this long."""
TOLD_KEPT: Final = 10
"""How many orders' last told status a session keeps (to tell each news once)."""


def start_payment(step: Pay, turn: Turn) -> int:
    frame = turn.frame
    assert frame is not None  # an instruction only runs in a frame
    bill = _bill(turn, step)
    expires_at = turn.now + step.expires
    delivery = {name: _plain(turn.value(value)) for name, value in step.delivery}
    turn.effects.append(
        PaymentRequest("start", "start", None, bill, expires_at, delivery, turn.lang)
    )
    frame["wait"] = WAIT_PAY
    frame["pay"] = {"order": None, "expires_at": expires_at.isoformat()}
    turn.effects.append(SetTimer(PAY_EXPIRY, expires_at))
    remind_at = expires_at - step.remind if step.remind is not None else None
    turn.effects.append(SetTimer(PAY_REMINDER, remind_at))
    return WAIT


def _plain(value: Any) -> Any:
    """A delivery detail as JSON keeps it."""
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


# The bill -----------------------------------------------------------------------------------
def _bill(turn: Turn, step: Pay) -> Bill:
    currency = turn.bot.business.currency
    items = _cart_items(turn) if step.lines is None else _lines(turn, step.lines, "item")
    fees = _cart_fees(turn) if step.lines is None else []
    fees += _lines(turn, step.fees, "fee")
    discounts = [
        Discount(
            label_for(d.name, turn.lang, turn.bot.business.language),
            _money(turn, turn.value(d.amount)).minor if d.amount is not None else None,
            d.percent,
        )
        for d in step.discounts
        if d.condition is None or turn.unwrap(d.condition.evaluate(turn.scope()))
    ]
    return make_bill(currency, items, fees, discounts, step.tax or turn.bot.business.tax)


def _cart_items(turn: Turn) -> list[BillLine]:
    cart, items = turn.scope()["cart"], turn.bot.catalog.items
    lines = turn.session["cart"]["lines"]
    return [
        BillLine(
            "item",
            f"{view.item}" + (f" ({view.options})" if view.options else ""),
            view.quantity,
            view.unit.minor,
            items[line["item"]].tax,
        )
        for view, line in zip(cart.lines, lines, strict=True)
    ]


def _cart_fees(turn: Turn) -> list[BillLine]:
    return [BillLine("fee", name, 1, amount.minor) for name, amount in turn.scope()["cart"].fees]


def _lines(turn: Turn, specs: tuple[Any, ...], kind: str) -> list[BillLine]:
    lines = []
    for spec in specs:
        price = _money(turn, turn.value(spec.price))
        quantity = turn.value(spec.quantity) if spec.quantity is not None else 1
        if kind == "fee" and price.minor == 0:
            continue
        name = turn.render(spec.name)  # a template: "Gutschein {{ code }}"
        lines.append(BillLine(kind, name, _whole(quantity, name), price.minor, spec.tax))
    return lines


def _whole(quantity: Any, name: str) -> int:
    if isinstance(quantity, bool) or not isinstance(quantity, int | str):
        raise BillError(f"{name!r}: the quantity {quantity!r} is not a whole number")
    try:
        return int(quantity)
    except ValueError:
        raise BillError(f"{name!r}: the quantity {quantity!r} is not a whole number") from None


def _money(turn: Turn, value: Any) -> Money:
    if isinstance(value, Money):
        return value
    return Money.parse(value if value is not None else 0, turn.bot.business.currency)


# Waiting --------------------------------------------------------------------------------------
def waiting_payment(turn: Turn) -> PayWait | None:
    """The open payment request of the top frame, if the conversation waits for one."""
    frame = turn.frame
    if frame is None or frame.get("wait") != WAIT_PAY:
        return None
    pay = frame["pay"]
    return pay


def _step(turn: Turn) -> Pay:
    frame = turn.frame
    assert frame is not None
    instruction = turn.flow(frame["flow"]).program[frame["pc"]]
    assert isinstance(instruction, Pay)
    return instruction


def _ask(turn: Turn, action: str, origin: str) -> None:
    pay = waiting_payment(turn)
    assert pay is not None
    if pay["order"] is None and action == "check":
        _restart_request(turn, origin)
        return
    turn.effects.append(PaymentRequest(action, origin, pay["order"], lang=turn.lang))


def _restart_request(turn: Turn, origin: str) -> None:
    """The first request never reached the provider: send a new one (same bill and expiry)."""
    pay = waiting_payment(turn)
    assert pay is not None
    step = _step(turn)
    expires_at = datetime.fromisoformat(pay["expires_at"])
    delivery = {name: _plain(turn.value(value)) for name, value in step.delivery}
    bill = _bill(turn, step)
    turn.effects.append(
        PaymentRequest("start", origin, None, bill, expires_at, delivery, turn.lang)
    )


def ask_payment_status(turn: Turn) -> None:
    """ "Did my payment arrive?": while waiting the provider is asked; otherwise the last order's
    status is told."""
    if waiting_payment(turn) is not None:
        _ask(turn, "check", "check")
        return
    order = turn.session["flags"].get("order")
    if order is None:
        turn.say_named("no_order")
    else:
        turn.say_named("order_status", status=turn.text(f"status_{order['status']}"))


def ask_payment_link(turn: Turn) -> None:
    if waiting_payment(turn) is not None:
        _ask(turn, "check", "renew")
    else:
        turn.say_named("no_payment_open")


def cancel_payment(turn: Turn) -> bool:
    """Cancel the open request at the provider first; False when none is open."""
    pay = waiting_payment(turn)
    if pay is None:
        return False
    if pay["order"] is None:
        _resolve(turn, "cancelled", "cancel")
    else:
        _ask(turn, "cancel", "cancel")
    return True


def payment_timer(turn: Turn, timer: Timer) -> bool:
    """Reminder and expiry of the open request; False for timers that are not about paying."""
    if timer.name not in (PAY_REMINDER, PAY_EXPIRY):
        return False
    pay = waiting_payment(turn)
    if pay is None:
        return True
    if timer.name == PAY_REMINDER:
        _ask(turn, "check", "remind")
    elif pay["order"] is None:
        _resolve(turn, "expired", "expiry")
    else:
        _ask(turn, "expire", "expiry")  # ended at the provider: it cannot be paid afterwards
    return True


def waiting_message(turn: Turn) -> None:
    """Something else while the money is awaited: the options, as buttons."""
    buttons = (
        Button(turn.text("payment_check_button"), "payment_status"),
        Button(turn.text("payment_link_button"), "payment_link"),
        Button(turn.text("payment_cancel_button"), "cancel"),
    )
    turn.reply(turn.text("payment_waiting"), buttons)


# Updates --------------------------------------------------------------------------------------
def order_update(turn: Turn, update: OrderUpdate) -> None:
    _remember_order(turn, update)
    if cancel_outcome(turn, update):
        return
    pay = waiting_payment(turn)
    if pay is not None and pay["order"] in (None, update.order) and update.origin != "notice":
        _answer(turn, pay, update)
    elif pay is not None and pay["order"] == update.order and update.status in _OUTCOME_OF:
        if _first_news(turn, update):
            _resolve(turn, update.status, update.origin)
    elif f"order_{update.status}" in turn.bot.texts and _first_news(turn, update):
        turn.say_named(f"order_{update.status}")
        turn.record(f"order_{update.status}", order=update.number)


_OUTCOME_OF: Final = {
    "paid": "paid",
    "failed": "failed",
    "expired": "expired",
    "cancelled": "cancelled",
}


def _remember_order(turn: Turn, update: OrderUpdate) -> None:
    if update.status == "unavailable":
        return
    flags = turn.session["flags"]
    last = flags.get("order")
    if last is None or last["id"] == update.order or update.origin != "notice":
        flags["order"] = {
            "id": update.order,
            "number": update.number,
            "total": update.total,
            "refunded": update.refunded,
            "status": update.status,
            "url": update.url,
        }
        turn.changed()


def _first_news(turn: Turn, update: OrderUpdate) -> bool:
    """Each status of each order is told once, however often the news arrives."""
    told: dict[str, str] = turn.session["flags"].setdefault("told", {})
    if told.get(update.order) == update.status:
        return False
    told.pop(update.order, None)
    told[update.order] = update.status
    while len(told) > TOLD_KEPT:
        told.pop(next(iter(told)))
    return True


def _answer(turn: Turn, pay: PayWait, update: OrderUpdate) -> None:
    """The runtime's answer to this turn's request."""
    pay["order"] = update.order or None
    if update.status == "unavailable" and update.origin == "expiry":
        turn.effects.append(SetTimer(PAY_EXPIRY, turn.now + RECHECK))  # try to end it again
        return
    if update.status == "unavailable":
        turn.say_named("payment_unavailable")
        return
    if update.status == "awaiting_payment":
        _still_open(turn, update)
    elif update.status in _OUTCOME_OF:
        _first_news(turn, update)
        if update.origin == "cancel" and update.status == "paid":
            turn.say_named("payment_already_paid")
        _resolve(turn, update.status, update.origin)
    else:  # the business already moved it on (accepted): it was paid
        _first_news(turn, update)
        _resolve(turn, "paid", update.origin)


def _still_open(turn: Turn, update: OrderUpdate) -> None:
    step = _step(turn)
    first = turn.bot.texts["payment_in_chat" if update.in_chat else "payment_link"]
    text = {
        "start": step.text,
        "check": turn.bot.texts["payment_pending"],
        "renew": turn.bot.texts["payment_link_again"],
        "remind": turn.bot.texts["payment_reminder"],
    }.get(update.origin) or first
    title = turn.render(step.button) if step.button else turn.text("payment_button")
    link = Link(title, update.url) if update.url else None
    turn.reply(turn.render(text), link=link)


def _resolve(turn: Turn, outcome: str, origin: str) -> None:
    """Leave the wait: on_paid goes on after the pay step, the others end the conversation."""
    step = _step(turn)
    frame = turn.frame
    assert frame is not None
    frame.pop("wait", None)
    frame.pop("pay", None)
    turn.effects.append(SetTimer(PAY_REMINDER, None))
    turn.effects.append(SetTimer(PAY_EXPIRY, None))
    order = turn.session["flags"].get("order") or {}
    turn.record(f"payment_{outcome}", order=order.get("number"), origin=origin)
    target = step.outcome_pc(outcome)
    if outcome == "paid":
        turn.jump(step.after if target is None else target)
        return
    if outcome == "cancelled":
        turn.cart.clear()
    if target is not None:
        turn.jump(target)
        return
    turn.say_named(f"payment_{outcome}")
    turn.end_conversation()
