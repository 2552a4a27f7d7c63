"""Custom actions as a Rasa user writes them (rasa-sdk 3.x): Theke must run them unchanged,
in-process and behind `python -m rasa_sdk --actions rasa_sample`."""

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import (
    AllSlotsReset,
    ConversationPaused,
    FollowupAction,
    ReminderCancelled,
    ReminderScheduled,
    SlotSet,
)
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.interfaces import ActionExecutionRejection
from rasa_sdk.types import DomainDict

PRICES = {"margherita": 800, "salami": 950}


class ActionQuotePrice(Action):
    def name(self) -> str:
        return "action_quote_price"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        item = tracker.get_slot("item") or "margherita"
        quantity = int(tracker.get_slot("quantity") or 1)
        amount = PRICES.get(item, 1000) * quantity
        dispatcher.utter_message(
            text=f"{quantity}x {item}: {amount / 100:.2f} EUR",
            buttons=[
                {"title": "Order", "payload": "/order"},
                {"title": "Cancel", "payload": "/cancel"},
            ],
        )
        dispatcher.utter_message(image="https://example.com/pizza.png")
        dispatcher.utter_message(json_message={"card": {"amount": amount}})
        return [SlotSet("amount_cents", amount), SlotSet("requested_slot", "size")]


class ActionCheckout(Action):
    def name(self) -> str:
        return "action_checkout"

    def run(self, dispatcher, tracker, domain):
        # A plain (not async) run, as in most Rasa projects.
        dispatcher.utter_message(response="utter_human")
        return [FollowupAction("checkout")]


class ActionStartOver(Action):
    def name(self) -> str:
        return "action_start_over"

    async def run(self, dispatcher, tracker, domain):
        return [SlotSet("item", "salami"), AllSlotsReset(), SlotSet("quantity", 1)]


class ActionHandoff(Action):
    def name(self) -> str:
        return "action_handoff"

    async def run(self, dispatcher, tracker, domain):
        return [ConversationPaused()]


class ActionRefuse(Action):
    def name(self) -> str:
        return "action_refuse"

    async def run(self, dispatcher, tracker, domain):
        raise ActionExecutionRejection(self.name(), "no delivery to this address")


class ActionBroken(Action):
    def name(self) -> str:
        return "action_broken"

    async def run(self, dispatcher, tracker, domain):
        raise ValueError("the shop system is down")


class ActionSlow(Action):
    def name(self) -> str:
        return "action_slow"

    async def run(self, dispatcher, tracker, domain):
        await asyncio.sleep(2)
        return []


class ActionRemind(Action):
    def name(self) -> str:
        return "action_remind"

    async def run(self, dispatcher, tracker, domain):
        now = datetime.fromtimestamp(tracker.current_state()["latest_event_time"], tz=UTC)
        return [
            ReminderScheduled("order", now + timedelta(hours=1), name="pickup"),
            ReminderCancelled(name="old_reminder"),
        ]


class ValidateOrderForm(FormValidationAction):
    def name(self) -> str:
        return "validate_order"

    def validate_quantity(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if 1 <= int(value) <= 20:
            return {"quantity": int(value)}
        dispatcher.utter_message(text="We bake at most 20 at a time.")
        return {"quantity": None}
