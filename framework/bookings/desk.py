"""The booking desk: the built-in actions a flow books with (docs/booking.md).

- `booking.offer` (`service`, optional `staff`, optional `wish`: the customer's message by
  default, optional `earlier`: what the customer said before the flow began, read when the
  wish says nothing of time, optional `context`: the previous offer's `context`): the free
  times nearest to what
  the customer said (offering.py) — results `offers` (to give back to `booking.hold`),
  `times` (a sentence of them), `time_1` … `time_5` (button titles), `count`, `note` (why the
  offers differ from the wish), `context` (what a follow-up such as "geht auch 15 Uhr?" keeps).
- `booking.hold` (`service`, `offers`, optional `pick`: the message by default, optional
  `for`: how long to hold, e.g. the payment's 30m): takes the time the customer picked —
  results `held` (yes/no), `reason` when not (unclear: ask which; other: they named another
  time, offer again; taken: someone came first), else `number`, `when`, `staff_name`,
  `price`, `deposit`.
- `booking.decide` (`number`, optional `answer`: the message by default): the customer's answer
  to "shall I book it?" — `decision`: yes, no, wish (another time: "ja, aber lieber Donnerstag";
  offer again with it) or unclear.
- `booking.confirm` (`number`), `booking.release` (`number`).
- `booking.mine` (optional `service`: only those; optional `match`: the customer's words, the
  bookings they name first — naming.py): the conversation's coming bookings —
  `count`, `bookings`, and of the first: `next` (its number), `first` (its line), `service`,
  `calendar` (its calendar link).
- `booking.cancel` (`number`): `cancelled`, `late` (inside the policy's notice), `refund`.
- `booking.move` (`number`, `offers`, optional `pick`): as hold, atomically for a booking.

A customer reaches only the bookings of their own conversation: another number is unknown.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any

from babel.lists import format_list

from framework.action_calls import (
    ActionContext,
    ActionError,
    ActionOutcome,
    arg_number,
    arg_text,
)
from framework.bookings import labels
from framework.bookings.availability import Offer, new_hold
from framework.bookings.naming import named_first, service_words
from framework.bookings.offering import context_of, customer_wish, follow_up, search
from framework.bookings.picking import Offered, decode, encode, fits, pick, split_otherwise
from framework.bookings.plan import Plan, Service, parse_duration, plan_of
from framework.bookings.relative import relative_to
from framework.bookings.service import Bookings
from framework.bookings.wishes import TimeWish, read_wish
from framework.flows.model import Bot, label_for
from framework.flows.templates import babel_locale
from framework.flows.understanding.normalize import normalize
from framework.flows.understanding.yesno import parse_yes_no
from framework.money import Money
from framework.stores.bookings import (
    CONFIRMED,
    Booking,
    BookingError,
    NewHold,
    NotHeld,
    SlotTaken,
)
from framework.stores.memory.bookings import MemoryBookings
from framework.stores.records import SessionKey

__all__ = ["BOOKING_ACTIONS", "BookingDesk", "booking_desk"]

OFFER, HOLD, CONFIRM, RELEASE = (
    "booking.offer",
    "booking.hold",
    "booking.confirm",
    "booking.release",
)
MINE, CANCEL, MOVE, DECIDE = "booking.mine", "booking.cancel", "booking.move", "booking.decide"
BOOKING_ACTIONS = frozenset({OFFER, HOLD, CONFIRM, RELEASE, MINE, CANCEL, MOVE, DECIDE})


def booking_desk(bot: Bot, bookings: Bookings | None, links: str) -> list[BookingDesk]:
    """The booking desk of a bot with a booking.yaml (on `bookings`, else on bookings of its
    own in memory, as `theke chat` and `theke test` use), none for other bots."""
    plan = plan_of(bot)
    if plan is None:
        return []
    questions = frozenset(
        normalize(phrase)
        for known in bot.knowledge.values()
        for phrases in known.phrases.values()
        for phrase in phrases
    )
    chosen = bookings or Bookings(MemoryBookings())
    return [BookingDesk(plan, chosen, links, questions, service_words(bot, plan))]


class BookingDesk:
    """Runs the booking actions of one bot on its plan and the deployment's bookings."""

    def __init__(
        self,
        plan: Plan,
        bookings: Bookings,
        links: str = "",
        questions: frozenset[str] = frozenset(),
        words: Mapping[str, str] | None = None,
    ) -> None:
        """`questions`: the bot's knowledge phrases (not a wish); `words`: the services'
        names and synonyms (naming.service_words: which booking a customer means)."""
        self._plan, self._bookings, self._questions = plan, bookings, questions
        self._words = dict(words or {})
        self._links = links.rstrip("/")
        self._handlers = {
            OFFER: self._offer,
            HOLD: self._hold,
            CONFIRM: self._confirm,
            RELEASE: self._release,
            MINE: self._mine,
            CANCEL: self._cancel,
            MOVE: self._move,
            DECIDE: self._decide,
        }

    def names(self) -> frozenset[str]:
        return BOOKING_ACTIONS

    async def close(self) -> None:
        return None  # the store belongs to whoever opened it

    async def run(self, context: ActionContext) -> ActionOutcome:
        try:
            return ActionOutcome(slots=await self._handlers[context.action](context))
        except BookingError as error:
            raise ActionError(f"the booking desk refused: {error}") from None

    # -- offering and holding

    async def _offer(self, context: ActionContext) -> dict[str, Any]:
        service = self._service(context)
        now = context.now.astimezone(self._plan.business.timezone)
        text = arg_text(context.args.get("wish")) or context.message
        moving = arg_text(context.args.get("moving")) == "yes"
        said = customer_wish(
            self._plan, _without_any_fallback(text, now), now, self._questions, moving
        )
        earlier = arg_text(context.args.get("earlier"))
        if said.is_empty() and earlier:
            said = customer_wish(self._plan, earlier, now, self._questions, moving)
        wish = follow_up(said, arg_text(context.args.get("context")))
        if moving and arg_number(context.args.get("number")):
            booked = await self._own(context)  # "eine Woche später, gleiche Uhrzeit"
            wish = relative_to(text, datetime.fromtimestamp(booked.start, now.tzinfo), wish)
        named = self._staff(arg_text(context.args.get("staff")))
        if named and not wish.staff:
            wish = replace(wish, staff=named)
        offers, note = await search(self._plan, self._bookings.store, service, wish, now)
        locale = self._locale(context)
        results: dict[str, Any] = {
            "offers": encode([_offered(offer, wish) for offer in offers]),
            "times": self._sentence(self._times(offers, locale), locale),
            "count": len(offers),
            "note": note,
            # with someone else than asked, the wish still holds ("dann Anna, am gleichen Tag")
            "context": context_of(wish) if note in ("", "staff_busy") else "",
        }
        for index in range(5):
            title = labels.button(offers[index].start, locale) if index < len(offers) else ""
            results[f"time_{index + 1}"] = title
        return results

    async def _hold(self, context: ActionContext) -> dict[str, Any]:
        now = context.now.timestamp()
        return await self._take(
            context, self._service(context), "held", lambda hold: self._bookings.hold(hold, now)
        )

    async def _take(
        self,
        context: ActionContext,
        service: Service,
        done: str,
        take: Callable[[NewHold], Awaitable[Booking]],
    ) -> dict[str, Any]:
        """The offer the customer picked, taken by `take` (a hold, a move): `done` yes with the
        booking described, or no with the reason (unclear, other, taken)."""
        chosen = self._picked(context)
        if isinstance(chosen, str):
            return {done: "no", "reason": chosen}
        start, staff = chosen
        try:
            booking = await take(self._new_hold(context, service, start, staff))
        except SlotTaken:
            return {done: "no", "reason": "taken"}
        return {done: "yes", "reason": ""} | self._described(booking, context)

    def _picked(self, context: ActionContext) -> tuple[datetime, str] | str:
        """The offer the customer took, or why none: unclear, other."""
        zone = self._plan.business.timezone
        offers = decode(arg_text(context.args.get("offers")), zone)
        if not offers:
            return "other"
        said = arg_text(context.args.get("pick")) or context.message
        now = context.now.astimezone(zone)
        chosen = pick(said, offers, now, self._locale(context), self._plan.names())
        if chosen.index is None:
            return chosen.reason
        return offers[chosen.index].start, offers[chosen.index].staff

    def _new_hold(
        self, context: ActionContext, service: Service, start: datetime, staff: str
    ) -> NewHold:
        usual = self._plan.deposit_hold if service.deposit else self._plan.hold
        keep = parse_duration(arg_text(context.args.get("for"))) or usual
        return new_hold(
            self._plan,
            service,
            Offer.at(start, service, staff),
            context.now.timestamp(),
            keep,
            conversation=_conversation(context),
            customer=_customer(context),
            lang=context.lang,
            key=context.request_id,
        )

    # -- after the hold

    async def _confirm(self, context: ActionContext) -> dict[str, Any]:
        booking = await self._own(context)
        payment = arg_text(context.args.get("payment"))[:64]
        try:
            done = await self._bookings.confirm(
                booking.bot, booking.number, "bot", _now(context), payment
            )
        except NotHeld:
            if payment:  # paid, and the time went to someone else meanwhile: the money back
                await self._bookings.refund_deposit(booking, payment)
            raise
        return self._described(done, context)

    async def _release(self, context: ActionContext) -> dict[str, Any]:
        booking = await self._own(context)
        await self._bookings.release(booking.bot, booking.number, "customer", _now(context))
        return {"number": booking.number}

    async def _decide(self, context: ActionContext) -> dict[str, Any]:
        """Yes, no, or another time than the one held ("ja, aber lieber Donnerstag")."""
        booking = await self._own(context)
        answer = arg_text(context.args.get("answer")) or context.message
        now = context.now.astimezone(self._plan.business.timezone)
        wish = customer_wish(self._plan, answer, now, self._questions)
        start = datetime.fromtimestamp(booking.start, self._plan.business.timezone)
        held = Offered(start, booking.resource)
        if not wish.is_empty() and not fits(held, wish):
            return {"decision": "wish"}
        yes = parse_yes_no(answer)
        if yes is None:
            if wish.is_empty():
                return {"decision": "unclear"}
            # "prepone it to Wednesday … (meeting on Thursday)": a day beside the held one
            # without a yes is another wish, not a yes to the held time
            others = set(wish.days) - {start.date()}
            return {"decision": "wish" if others else "yes"}
        return {"decision": "yes" if yes else "no"}

    async def _mine(self, context: ActionContext) -> dict[str, Any]:
        store, now = self._bookings.store, _now(context)
        found = await store.list(
            context.bot, frozenset({CONFIRMED}), _conversation(context), start=now, limit=20
        )
        service = arg_text(context.args.get("service"))
        if service:
            found = [booking for booking in found if booking.service == service]
        named = arg_text(context.args.get("match"))
        if named:
            when = context.now.astimezone(self._plan.business.timezone)
            found = named_first(found, named, self._plan, self._words, when, self._questions)
        locale = self._locale(context)
        lines = [
            f"{b.number}: {self._service_name(b.service, context)}, {self._when(b, locale)}"
            for b in found
        ]
        results: dict[str, Any] = {"count": len(found), "bookings": "\n".join(lines)}
        if found:  # an action's results fill slots of their names: none is left unset
            results |= {
                "next": found[0].number,
                "first": lines[0],
                "service": found[0].service,
                "calendar": f"{self._links}/calendar/{found[0].token}.ics",
            }
        return results

    async def _cancel(self, context: ActionContext) -> dict[str, Any]:
        """Cancel; the deposit goes back when cancelled in time (or the policy refunds late)."""
        booking = await self._own(context)
        now = _now(context)
        late = booking.start - now < self._plan.policy.free_until.total_seconds()
        refund = booking.deposit_minor > 0 and (
            not late or self._plan.policy.late_deposit == "refund"
        )
        done = await self._bookings.cancel(
            booking.bot, booking.number, "customer", now, refund=refund
        )
        return {
            "cancelled": "yes" if done.status != CONFIRMED else "no",
            "late": "yes" if late else "no",
            "refund": "yes" if refund else "no",
        } | self._described(done, context)

    async def _move(self, context: ActionContext) -> dict[str, Any]:
        booking, now = await self._own(context), _now(context)
        service = self._plan.services[booking.service]

        async def move(changes: NewHold) -> Booking:
            return await self._bookings.move(booking.bot, booking.number, changes, "customer", now)

        return await self._take(context, service, "moved", move)

    # -- helpers

    async def _own(self, context: ActionContext) -> Booking:
        number = arg_number(context.args.get("number"))
        found = await self._bookings.store.get(context.bot, number) if number else None
        if found is None or found.conversation != _conversation(context):
            raise ActionError(f"no booking {context.args.get('number')!r} in this conversation")
        return found

    def _service(self, context: ActionContext) -> Service:
        wanted = arg_text(context.args.get("service"))
        service = self._plan.services.get(wanted)
        if service is None:
            raise ActionError(f"no bookable service {wanted!r}: see booking.yaml's services")
        return service

    def _staff(self, said: str) -> str | None:
        if not said:
            return None
        if said in self._plan.staff:
            return said
        return self._plan.names().get(said.lower())

    def _described(self, booking: Booking, context: ActionContext) -> dict[str, Any]:
        locale = self._locale(context)
        currency = self._plan.business.currency
        return {
            "number": booking.number,
            "when": self._when(booking, locale),
            "staff_name": self._plan.staff[booking.resource].name,
            "service_name": self._service_name(booking.service, context),
            "price": _amount(booking.price_minor, currency),
            "deposit": _amount(booking.deposit_minor, currency),
            "calendar": f"{self._links}/calendar/{booking.token}.ics",
        }

    def _service_name(self, service: str, context: ActionContext) -> str:
        known = self._plan.services.get(service)
        if known is None:
            return service
        return label_for(known.name, context.lang, self._plan.business.language)

    def _when(self, booking: Booking, locale: str) -> str:
        start = datetime.fromtimestamp(booking.start, self._plan.business.timezone)
        return f"{labels.long(start, locale)} ({self._plan.staff[booking.resource].name})"

    def _times(self, offers: list[Offer], locale: str) -> list[str]:
        """Each offer's day and time and who; the day only where it changes."""
        said, day = [], None
        for offer in offers:
            when = offer.start.date()
            text = (
                labels.clock(offer.start, locale)
                if when == day
                else labels.long(offer.start, locale)
            )
            said.append(f"{text} ({self._plan.staff[offer.staff].name})")
            day = when
        return said

    def _sentence(self, parts: list[str], locale: str) -> str:
        return str(format_list(parts, style="or", locale=babel_locale(locale))) if parts else ""

    def _locale(self, context: ActionContext) -> str:
        return labels.locale_for(context.lang, self._plan.business.locale)


def _offered(offer: Offer, wish: TimeWish) -> Offered:
    asked = wish.exact is not None and (offer.start.hour, offer.start.minute) == (
        wish.exact.hour,
        wish.exact.minute,
    )
    return Offered(offer.start, offer.staff, asked)


def _now(context: ActionContext) -> float:
    return context.now.timestamp()


def _amount(minor: int, currency: str) -> str:
    return str(Money(minor, currency).amount)


def _without_any_fallback(text: str, now: datetime) -> str:
    """ "Den ersten am Mittwoch, sonst ist auch egal": Wednesday is the wish. A fallback that
    allows any time does not widen what was said before ("nicht vor 12"); one that names
    another day ("sonst Donnerstag") stays part of the wish."""
    first, fallback = split_otherwise(text)
    if not (first.strip() and fallback.strip()):
        return text
    wish = read_wish(fallback, now)
    return first if wish is None or wish.any_time or wish.is_empty() else text


def _conversation(context: ActionContext) -> str:
    return str(SessionKey(context.bot, context.channel, context.sender))


def _customer(context: ActionContext) -> dict[str, Any]:
    customer: dict[str, Any] = {"channel": context.channel, "id": context.sender}
    name = context.profile.get("name")
    if isinstance(name, str) and name:
        customer["name"] = name[:100]
    return customer
