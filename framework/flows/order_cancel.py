"""A customer who cancels an order they already paid for, in the chat.

"Ich will meine Bestellung stornieren" with nothing else running, after a paid order: the bot
names the order and the refund and asks; a yes sends a `PaymentRequest("cancel_paid")` that
cancels the order in the business's record and refunds it (as `theke orders cancel` does),
and the bot tells what happened only from the answer — so the chat's words and the record
never disagree. Customers may cancel until the business accepts the order; afterwards, and
when the cancellation fails, they are told so and where to turn.
"""

from __future__ import annotations

from typing import Final

from framework.flows.events import Message, OrderUpdate, PaymentRequest
from framework.flows.turn import Turn
from framework.flows.understanding.yesno import parse_yes_no

__all__ = ["CANCELLABLE", "CANCEL_PAID", "cancel_answer", "cancel_outcome", "offer_cancel"]

CANCEL_PAID: Final = "cancel_paid"
"""The request's action and origin."""
CANCELLABLE: Final = frozenset({"paid"})
"""Order statuses a customer may still cancel themselves: before the business accepts it."""


def offer_cancel(turn: Turn) -> bool:
    """Offer to cancel the conversation's paid order; False when there is none."""
    order = turn.session["flags"].get("order")
    if order is None or order.get("status") not in ("paid", "accepted", "out_for_delivery"):
        return False
    if order["status"] not in CANCELLABLE:
        turn.say_named("cancel_order_too_late", status=turn.text(f"status_{order['status']}"))
        return True
    turn.session["flags"]["cancel_offer"] = order["id"]
    turn.reply(turn.text("cancel_order_offer"), turn.yes_no_buttons())
    return True


def cancel_answer(turn: Turn, message: Message) -> bool:
    """The answer to the offer: yes cancels, no keeps the order; anything else drops the
    offer and is read as usual (False)."""
    offered = turn.session["flags"].pop("cancel_offer", None)
    if offered is None:
        return False
    verdict = parse_yes_no(message.payload or message.text)
    if verdict is None:
        return False
    if verdict:
        turn.effects.append(PaymentRequest(CANCEL_PAID, CANCEL_PAID, offered, lang=turn.lang))
    else:
        turn.say_named("cancel_order_kept")
    return True


def cancel_outcome(turn: Turn, update: OrderUpdate) -> bool:
    """Tell the answer to this turn's cancellation (False: the update is about something else).
    A cancelled order is told by the usual news (`order_cancelled`)."""
    if update.origin != CANCEL_PAID or update.status == "cancelled":
        return False
    status = turn.text(f"status_{update.status}") if update.status != "unavailable" else ""
    turn.say_named("cancel_order_failed", status=status)
    return True
