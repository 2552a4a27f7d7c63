"""A person takes the conversation over: the handoff as the engine sees it.

The customer asks for a person (the built-in `human` command) or a flow hands over (`handoff:`
step). Within the business's hours the conversation joins the bot's queue (the runtime keeps
the queue in the store: `HandoffRequest`). The bot goes on helping while the customer waits
("ach egal, noch ne Cola"); once a person holds the conversation the bot is silent and every
message is theirs. What happens next arrives as `HandoffNews`: the place in the queue, a person
joining, what they write, and the end — back to the bot (the flow goes on where it stopped, with
whatever the person changed) or closed. Outside the hours, or when nobody comes in time, the
customer is offered what the bot's texts say instead (`handoff_unavailable`, `handoff_timeout`:
a ticket, a call back) — never an empty promise.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from framework.flows.cart import CartError
from framework.flows.cart_change import CartChange, change_cart
from framework.flows.events import HandoffNews, HandoffRequest
from framework.flows.model import Slot
from framework.flows.steps import CONTINUE, WAIT, HandOver
from framework.flows.turn import Turn

__all__ = [
    "HANDOFF",
    "WAIT_HANDOFF",
    "hand_over",
    "handoff_news",
    "request_handoff",
    "to_person",
    "withdraw_handoff",
]

HANDOFF: Final = "handoff"
"""The session flag while a person is asked for or holds the conversation: its `state`
(waiting, held), the `agent` once one holds it, the `reason`."""
WAIT_HANDOFF: Final = "$handoff"
"""What a frame waits for after a `handoff:` step: the person's hand back."""
WAITING, HELD = "waiting", "held"
ENDS: Final = ("returned", "closed", "timeout")


def request_handoff(turn: Turn, reason: str) -> bool:
    """Into the queue (True), or the offer instead outside the business's hours (False)."""
    flags = turn.session["flags"]
    if flags.get(HANDOFF):
        turn.say_named("handoff_waiting")
        return True
    business = turn.bot.business
    if business.hours and not business.is_open(turn.now):  # no hours declared: always someone
        turn.say_named("handoff_unavailable")
        turn.record("handoff_unavailable", reason=reason)
        return False
    flags[HANDOFF] = {"state": WAITING, "reason": reason, "since": turn.now.isoformat()}
    turn.effects.append(HandoffRequest(reason))
    turn.record("human_requested", reason=reason)
    turn.say_named("human")
    return True


def hand_over(step: HandOver, turn: Turn) -> int:
    """The `handoff:` step: the flow waits for the person's hand back (or goes on at once with
    the offer when nobody can come)."""
    reason = str(turn.value(step.reason) or "")
    if not request_handoff(turn, reason):
        return CONTINUE
    frame = turn.frame
    assert frame is not None
    frame["wait"] = WAIT_HANDOFF
    return WAIT


def withdraw_handoff(turn: Turn) -> bool:
    """ "Egal", "never mind" while waiting for a person: out of the queue (True), and the bot
    goes on with the customer."""
    handoff = turn.session["flags"].get(HANDOFF)
    if not handoff or handoff.get("state") != WAITING:
        return False
    turn.session["flags"].pop(HANDOFF)
    turn.effects.append(HandoffRequest(handoff.get("reason", ""), withdrawn=True))
    turn.record("handoff_withdrawn")
    turn.say_named("handoff_withdrawn")
    turn.reask()
    return True


def to_person(turn: Turn) -> bool:
    """While a person holds the conversation, a message is theirs: the bot stays silent
    (True). While the customer waits for one, the bot goes on helping ("ach egal, noch ne
    Cola"); the person who takes over reads it all."""
    handoff = turn.session["flags"].get(HANDOFF)
    if not handoff or handoff.get("state") != HELD:
        return False
    turn.record("for_person")
    return True


def handoff_news(turn: Turn, news: HandoffNews) -> None:
    handoff = turn.session["flags"].get(HANDOFF)
    if handoff is None:
        turn.record("handoff_news_ignored", state=news.state)  # ended before: changes nothing
        return
    if news.state == "queued":
        turn.say_named("handoff_queued", position=str(news.position))
    elif news.state == "claimed":
        handoff.update(state=HELD, agent=news.agent)
        turn.say_named("handoff_joined", agent=news.agent)
    elif news.state == "said" and news.text:
        turn.reply(news.text, custom={"agent": news.agent})
    elif news.state == "changed":
        _set_by_person(turn, news.slots)
        _cart_by_person(turn, news)
    elif news.state in ENDS:
        _end(turn, news)
    waited = {"waited": news.waited} if news.state == "claimed" else {}
    turn.record(f"handoff_{news.state}", **waited)


def _set_by_person(turn: Turn, values: Mapping[str, Any]) -> None:
    """What the person corrected (the address, the size): the flow goes on from that, never
    from what the bot had. A value the bot's slot cannot hold is refused and recorded."""
    for name, value in values.items():
        slot = turn.bot.slots.get(name)
        if slot is None or not _fits(turn, slot, value):
            turn.record("handoff_value_refused", slot=str(name)[:64])
        else:
            turn.set_slot(name, value)


def _cart_by_person(turn: Turn, news: HandoffNews) -> None:
    """What the person changed in the cart (a pizza added, a quantity, a line removed): priced
    by the catalog, and what the flow reads from now on (its summary, the bill). A change the
    catalog or the cart cannot take is refused, recorded and changes nothing."""
    if not news.cart:
        return
    try:
        change_cart(turn.bot, turn.session, CartChange.read(news.cart), news.agent)
    except CartError as error:
        turn.record("handoff_cart_refused", reason=str(error)[:200])
        return
    turn.changed()
    turn.record("handoff_cart_changed")


def _fits(turn: Turn, slot: Slot, value: Any) -> bool:
    if value is None:
        return True
    if slot.type == "item":
        return isinstance(value, str) and value in turn.bot.catalog.items
    if slot.choices is not None:
        chosen = value if isinstance(value, list) else [value]
        return all(isinstance(v, str) and v in slot.choices.choices for v in chosen)
    return isinstance(value, str | int | float | bool) and len(str(value)) <= 1000


def _end(turn: Turn, news: HandoffNews) -> None:
    turn.session["flags"].pop(HANDOFF, None)
    turn.changed()  # what the person changed (slots, cart) is what the flow reads now
    turn.say_named(f"handoff_{news.state}")
    if news.state == "closed":
        turn.end_conversation()
        return
    frame = turn.frame
    if frame is not None and frame.get("wait") == WAIT_HANDOFF:
        frame.pop("wait")
        frame["pc"] += 1  # after the `handoff:` step
    else:
        turn.reask()
