"""One engine call: the working copy of a session, the effects so far, and the program runner.

Instructions (steps.py) call back into the Turn to say things, set slots, move between flows
and change the cart. The Turn never performs I/O; replies are collected as effects.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from operator import attrgetter
from typing import Any, Final

from framework.errors import FlowError
from framework.flows.asked_ahead import asked_ahead
from framework.flows.bot_slots import item_slots, ordering_flow, slots_named
from framework.flows.cart import MAX_QUANTITY, Cart
from framework.flows.events import Button, Effect, Link, Record, Remember, Reply
from framework.flows.model import Bot, Flow, Slot, Text
from framework.flows.scope import (
    BusinessView,
    CartView,
    MenuView,
    Scope,
    TextsView,
    unwrap,
    wrap_slot,
)
from framework.flows.session import CartData, Frame, Session
from framework.flows.slot_buttons import offered, offered_by
from framework.flows.sold_out import can_be_had, refuse, taking_its_place
from framework.flows.steps import CONTINUE, WAIT, Ask, ButtonSpec, Value
from framework.flows.templates import Layers, Template
from framework.flows.understanding.extract import extract_mentions, kept_mentions
from framework.flows.understanding.group_each import children_among, for_each_child
from framework.flows.understanding.item_counts import UNSAID
from framework.flows.understanding.lexicon import lexicon_for
from framework.money import Money

__all__ = ["GROUP", "Turn"]

GROUP: Final = "group"
"""A session flag: how many people the customer said are ordering ("wir sind zu viert")."""

WAIT_PAY: Final = "$pay"
"""A frame's `wait` while a payment request is open (paying.py); asking again must not
send a second request."""


ORDER_COMPLETE: Final = "order_complete"
"""A session flag: the items just named complete the order ("ja, und noch zwei Wasser" at the
confirmation, "and a cola zero, that's it"); once they are in the cart the ordering flow's
"anything else?" is answered no (Turn._order_complete)."""


class Turn:
    def __init__(
        self,
        bot: Bot,
        session: Session,
        now: datetime,
        so_far: Callable[[Turn], CartData] | None = None,
    ) -> None:
        self.bot = bot
        self.session = session
        self.now = now.astimezone(bot.business.timezone)
        self.effects: list[Effect] = []
        self.heard = ""
        """The customer's message this turn is about (empty for timers and news)."""
        self.after_the_order: list[str] = []
        """Knowledge entries about the order asked with it ("… und zwei Fanta. Was macht das
        zusammen?"): answered once the turn has taken the order (order_checks.py)."""
        self.cart = Cart(bot, session["cart"])
        self._so_far = so_far
        """The cart with the items still asked about (in_progress.py), for `cart_so_far`."""
        self._scope: Scope | None = None

    # Language and texts ------------------------------------------------------------------
    @property
    def lang(self) -> str:
        return self.session["lang"]

    @property
    def locale(self) -> str:
        business = self.bot.business.locale
        return business if business.startswith(self.lang) else self.lang

    def scope(self) -> Scope:
        """Names for conditions and texts, computed when read; dropped when something
        changed (`changed`: a slot, the cart, the language)."""
        if self._scope is None:
            slots, constants = self.session["slots"], self.bot.constants
            self._scope = Scope(_COMPUTED, self, slots, self._wrap, constants)
        return self._scope

    def cart_view(self, cart: CartData) -> CartView:
        """A cart as conditions and texts see it, in the turn's language."""
        return CartView(self.bot, cart, self.lang, self.locale, self._cart_labels())

    def cart_so_far(self) -> CartData:
        """The cart with the items still asked about (`cart_so_far`), or the cart."""
        return self._so_far(self) if self._so_far else self.session["cart"]

    def _wrap(self, name: str, value: Any) -> Any:
        return wrap_slot(self.bot, name, value, self.lang)

    def order_view(self) -> dict[str, Any]:
        """The conversation's latest order: `order.number`, `.total`, `.refunded`, `.status`."""
        order = self.session["flags"].get("order") or {"number": 0, "total": 0, "status": ""}
        currency = self.bot.business.currency
        return {
            "number": order["number"],
            "total": Money(order["total"], currency),
            "refunded": Money(order.get("refunded", 0), currency),
            "status": order["status"],
        }

    def _cart_labels(self) -> tuple[str, str]:
        return self.text("cart_empty"), self.text("cart_total")

    def changed(self) -> None:
        self._scope = None

    def close(self) -> None:
        """Drop the scope, which refers back to the turn: freed when its step returns, not by
        the garbage collector (a cycle a turn made the server collect every dozen turns)."""
        self._scope = None

    def unwrap(self, value: Any) -> Any:
        return unwrap(value)

    def value(self, value: Value) -> Any:
        """A step's value in this turn: its expression's result, its rendered template, or
        its literal."""
        if isinstance(value.parts, dict):
            return {name: self.value(part) for name, part in value.parts.items()}
        if isinstance(value.parts, list):
            return [self.value(part) for part in value.parts]
        if value.expression is not None:
            return unwrap(value.expression.evaluate(self.scope()))
        if value.template is not None:
            return value.template.render(self.scope())
        return value.source

    def render(self, text: Text, extra: dict[str, Any] | None = None) -> str:
        template: Template = text.template(self.lang, self.bot.business.language)
        if template.is_plain:
            return template.source
        scope: Mapping[str, Any] = self.scope()
        if extra:
            scope = Layers(extra, scope)
        return template.render(scope)

    def text(self, name: str, **extra: Any) -> str:
        return self.render(self.bot.texts[name], extra)

    def say(
        self,
        text: Text,
        buttons: tuple[ButtonSpec, ...] = (),
        list_button: Text | None = None,
        image: str | None = None,
    ) -> None:
        rendered = tuple(
            Button(title, spec.payload or title)
            for spec in buttons
            if (title := self.render(spec.title))
        )
        menu = self.render(list_button) if list_button is not None else None
        self.reply(self.render(text), rendered, menu, image)

    def reply(
        self,
        text: str,
        buttons: tuple[Button, ...] = (),
        list_button: str | None = None,
        image: str | None = None,
        link: Link | None = None,
        custom: Mapping[str, Any] | None = None,
    ) -> None:
        if text or buttons or image or link or custom:
            self.effects.append(Reply(text, buttons, list_button, image, link, custom))

    def say_named(self, name: str, **extra: Any) -> None:
        self.reply(self.text(name, **extra))

    def record(self, name: str, **data: Any) -> None:
        self.effects.append(Record(name, data))

    # Slots -------------------------------------------------------------------------------
    def set_slot(self, name: str, value: Any) -> None:
        value = unwrap(value)
        slots = self.session["slots"]
        if value is None:
            slots.pop(name, None)
        else:
            slots[name] = value
        slot = self.bot.slots.get(name)
        if slot is not None and slot.remember and value is not None:
            self.session["profile"][name] = value
            self.effects.append(Remember(name, value))
        self.changed()

    def forget(self, names: tuple[str, ...] | None = None) -> list[str]:
        """Clear remembered values (the named ones, or all) from the customer's profile; the
        store keeps the profile as committed, so they are gone from the next conversation
        on. The names that were remembered."""
        profile = self.session["profile"]
        gone = sorted(name for name in profile if names is None or name in names)
        for name in gone:
            del profile[name]
        if gone:
            self.record("profile_forgotten", slots=gone)
            self.changed()
        return gone

    def slot(self, name: str) -> Slot:
        return self.bot.slots[name]

    def slots(self, names: frozenset[str]) -> list[Slot]:
        """The slots of these names, sorted by name."""
        return list(slots_named(self.bot, names))

    def acceptable(self, name: str, value: Any) -> bool:
        """Whether a value found in a message may fill a slot without asking (see `fill`)."""
        slot = self.slot(name)
        if slot.type == "item":
            return bool(self.bot.catalog.items[value].available)
        if slot.role == "quantity":
            low = slot.min if slot.min is not None else 1
            high = slot.max if slot.max is not None else MAX_QUANTITY
            return bool(low <= value <= high)
        return True

    def fill(self, mention: dict[str, Any]) -> bool:
        """Set what a message named; values a slot would refuse are left to be asked. An item
        that cannot be had is said so (False); its count and options stay for the one the
        customer takes instead ("1 Limo" — "ist aus" — "dann Fanta": one Fanta)."""
        available = True
        for name, value in mention.items():
            if self.acceptable(name, value):
                self.set_slot(name, value)
            elif self.slot(name).type == "item":
                refuse(self, name, value)
                available = False
            elif value == UNSAID and self.slot(name).role == "quantity" and self.frame:
                self.frame["vague"] = name  # "a few large Salamis": how many, asked first
                self.frame["several"] = name  # and never taken as one (pending_items.py)
        return available

    def take_next(self, mentions: list[dict[str, Any]]) -> None:
        """Fill the first of the mentions that can be had; the rest wait in `pending`. A
        sold-out item followed by others is said so and passed over ("a lemonade and a large
        Funghi": the Funghi is taken now, never left waiting behind it)."""
        while mentions:
            mention = mentions.pop(0)
            if self.fill(mention) or not mentions:
                break
            for name in mention:
                self.session["slots"].pop(name, None)
        self.session["pending"] = [mention for mention in mentions if can_be_had(self, mention)]

    # Frames ------------------------------------------------------------------------------
    @property
    def frame(self) -> Frame | None:
        stack = self.session["stack"]
        return stack[-1] if stack else None

    def flow(self, name: str) -> Flow:
        flow = self.bot.flows.get(name)
        if flow is None:
            raise FlowError(f"unknown flow {name!r}")
        return flow

    def ordering_flow(self) -> str | None:
        """The flow that takes catalog items (the bot's ordering flow), if it has one."""
        return ordering_flow(self.bot)

    def mentions(self, text: str, slots: list[Slot]) -> list[dict[str, Any]]:
        """What `text` names for `slots`, read with what the conversation knows of the group
        and of an item just refused (its count goes to the one named alone instead)."""
        found = extract_mentions(text, slots, lexicon_for(self.bot), self._group(text))
        return taking_its_place(self.session, found, slots, item_slots(self.bot))

    def _group(self, text: str) -> int | None:
        """How many people the conversation says are ordering, for "jeder eine Cola"."""
        group: int | None = self.session["flags"].get(GROUP)
        if for_each_child(text):  # "und jedes Kind kriegt eine Fanta": as many as have pizzas
            lines = self.session["cart"]["lines"]
            group = children_among(line.get("person") for line in lines) or group
        return group

    def order_mentions(self, text: str) -> list[dict[str, Any]]:
        """What the message names for the ordering flow's questions (none without one)."""
        ordering = self.ordering_flow()
        if ordering is None:
            return []
        return self.mentions(text, self.slots(self.flow(ordering).asks))

    def kept_mentions(self, text: str, slots: list[Slot]) -> list[dict[str, Any]]:
        """`mentions` to read only, not copied (the caller must not change them)."""
        return kept_mentions(text, slots, lexicon_for(self.bot), self._group(text))

    def names_for_order(self, text: str) -> list[dict[str, Any]]:
        """`order_mentions` to read only, not copied (the caller must not change them)."""
        ordering = self.ordering_flow()
        if ordering is None:
            return []
        return self.kept_mentions(text, list(slots_named(self.bot, self.flow(ordering).asks)))

    def orders_an_item(self, text: str) -> bool:
        """Whether the message names a catalog item for the ordering flow."""
        items = item_slots(self.bot)
        return any(not items.isdisjoint(mention) for mention in self.names_for_order(text))

    def push(self, flow: str, *, digression: bool = False) -> None:
        self.flow(flow)
        frame: Frame = {"flow": flow, "pc": 0}
        if digression:
            frame["digression"] = True
        self.session["stack"].append(frame)

    def start_flow(self, flow: str, *, digression: bool = False) -> None:
        """Begin a flow from scratch: earlier answers to its questions are forgotten (an
        ordering flow started again must not add the last item again)."""
        for name in self.flow(flow).asks:
            self.session["slots"].pop(name, None)
        self.changed()
        self.push(flow, digression=digression)

    def jump(self, pc: int) -> None:
        frame = self.frame
        if frame is not None:
            frame["pc"] = pc

    def goto(self, flow: str, step: str | None) -> None:
        target = self.flow(flow)
        self.session["stack"].pop()
        self.push(flow)
        if step is not None:
            if step not in target.labels:
                raise FlowError(f"the flow {flow!r} has no step {step!r}")
            self.jump(target.labels[step])

    def call(self, flow: str) -> None:
        frame = self.frame
        if frame is not None:
            frame["pc"] += 1
        self.push(flow)

    def repeat(self, flow: str, keep: frozenset[str]) -> None:
        """Start a flow again without its answers; the next waiting mention pre-fills it."""
        for name in self.flow(flow).asks - keep:
            self.session["slots"].pop(name, None)
        self.changed()
        self.goto(flow, None)
        self.take_next(self.session["pending"])

    def finish_flow(self) -> None:
        finished = self.session["stack"].pop()
        top = self.frame
        if finished.get("digression") and top is not None and top.get("interrupted"):
            top.pop("interrupted")
            self.say_named("resume")

    def end_conversation(self) -> None:
        """The conversation is over: flows, queued mentions and answers are forgotten.

        Remembered values (the profile) and the cart stay; a flow clears the cart itself.
        """
        self.session["flags"].pop(ORDER_COMPLETE, None)
        self.session["stack"].clear()
        self.session["pending"].clear()
        self.session["slots"].clear()
        self.changed()

    # Asking ------------------------------------------------------------------------------
    def ask(self, step: Ask) -> int:
        frame = self.frame
        if frame is None:
            raise FlowError("an ask step ran outside of a flow")
        if self._order_complete(step):
            return CONTINUE
        slots, profile = self.session["slots"], self.session["profile"]
        fresh = frame.pop("fresh", False)
        if step.slot in slots and step.if_known != "ask" and not fresh:
            return CONTINUE
        if step.slot in profile and not fresh:
            if step.if_known == "skip":
                self.set_slot(step.slot, profile[step.slot])
                return CONTINUE
            if step.if_known == "confirm":
                self._confirm_known(step, frame)
                return WAIT
        program = self.flow(frame["flow"]).program
        if (ahead := asked_ahead(frame, step, slots, program)) is not None:
            return self.ask(ahead)  # "ein paar Margherita, groß": how many, first
        slot = self.slot(step.slot)
        prompt = step.text or slot.prompt
        frame["wait"] = step.slot  # before the text: `cart_so_far` counts what it asks about
        if prompt is not None:
            self.reply(self.render(prompt), *self.answer_buttons(step, slot))
        return WAIT

    def _order_complete(self, step: Ask) -> bool:
        """ "Yes, and two waters" at the confirmation, "and a cola zero, that's it": once the
        items are in the cart, the ordering flow's "anything else?" is answered no and the
        conversation goes on (to the confirmation again, with the new order)."""
        flags = self.session["flags"]
        if not flags.get(ORDER_COMPLETE) or self.session["pending"]:
            return False
        frame = self.frame
        slot = self.slot(step.slot)
        if frame is None or frame["flow"] != self.ordering_flow() or slot.type != "yes_no":
            return False
        del flags[ORDER_COMPLETE]
        self.set_slot(step.slot, False)
        return True

    def _confirm_known(self, step: Ask, frame: Frame) -> None:
        known = wrap_slot(self.bot, step.slot, self.session["profile"][step.slot], self.lang)
        text = self.render(step.confirm, {"known": known}) if step.confirm else None
        self.reply(text or self.text("confirm_known", known=known), self.yes_no_buttons())
        frame["wait"] = step.slot
        frame["confirm"] = True

    def yes_no_buttons(self) -> tuple[Button, ...]:
        return (Button(self.text("yes"), "yes"), Button(self.text("no"), "no"))

    def answer_buttons(self, step: Ask, slot: Slot) -> tuple[tuple[Button, ...], str | None]:
        if step.buttons is False:
            return (), None
        if not isinstance(step.buttons, bool):
            buttons = tuple(
                Button(self.render(b.title), b.payload or self.render(b.title))
                for b in step.buttons
            )
            return buttons, None
        buttons = self.choice_buttons(slot)
        return buttons, (self.text("choose") if len(buttons) > 3 else None)

    def choice_buttons(self, slot: Slot) -> tuple[Button, ...]:
        """Buttons a slot offers by itself: yes/no, its choices, the catalog items it takes."""
        if slot.type == "yes_no":
            return self.yes_no_buttons()
        if self.bot.slots.get(slot.name) is slot:
            return offered(self.bot, self.lang, slot.name)
        return offered_by(self.bot, self.lang, slot)

    def reask(self) -> None:
        """Ask the waiting question again (after help, a correction or a digression)."""
        frame = self.frame
        if frame is not None and frame.get("wait") and frame["wait"] != WAIT_PAY:
            frame.pop("wait")
            frame.pop("confirm", None)


_COMPUTED: Mapping[str, Callable[[Turn], Any]] = {
    "cart": lambda turn: turn.cart_view(turn.session["cart"]),
    "cart_so_far": lambda turn: turn.cart_view(turn.cart_so_far()),
    "business": lambda turn: BusinessView(turn.bot, turn.now, turn.lang, turn.locale, turn.heard),
    "menu": lambda turn: MenuView(turn.bot, turn.lang),
    "now": attrgetter("now"),
    "lang": attrgetter("lang"),
    "locale": attrgetter("locale"),
    "currency": lambda turn: turn.bot.business.currency,
    "pending": lambda turn: len(turn.session["pending"]),
    "customer": lambda turn: turn.session["profile"],
    "reachable": lambda turn: bool(turn.session["flags"].get("reachable")),
    "message": attrgetter("heard"),
    "order": Turn.order_view,
    "texts": lambda turn: TextsView(turn.text, frozenset(turn.bot.texts)),
}
"""How each computed name of a turn's scope is read: from the turn as it is when a scope first
needs the name (one table for every turn, so a turn makes no readers of its own)."""
