"""The checks of everything that enters a booking store, shared by every backend (with the
rules of booking_rules.py): each raises a BookingError that says what is wrong and what to do,
before a store spends a number or a round trip. A 10 MB string is refused at once and never
shown whole; lone surrogates in free text become U+FFFD; the customer must be JSON and is kept
as JSON reads it back; times are seconds since the epoch (no NaN, no infinity).
"""

from __future__ import annotations

import json
import math
import re
import secrets
from collections.abc import Set as AbstractSet
from typing import Any

from framework.stores import checks
from framework.stores.bookings import HELD, STATUSES, Booking, BookingError, BookingEvent, NewHold
from framework.stores.json_text import dump
from framework.stores.records import without_lone_surrogates
from framework.stores.tickets import AGENT, BOT, CUSTOMER, SYSTEM

__all__ = [
    "MAX_CLAIM",
    "MAX_DATA",
    "MAX_NOTE",
    "MAX_PAGE",
    "MAX_REMINDERS",
    "MAX_SPAN",
    "author",
    "check_bot",
    "check_busy",
    "check_limit",
    "check_query",
    "could_exist",
    "held",
    "matches",
    "moment",
    "text",
    "time_span",
    "token_bot",
]

MAX_SPAN = 86_400.0
"""Seconds a booking blocks at most (buffers included): what lets a store look for overlaps
only among spans that start at most this long before."""
MAX_DATA = 65_536
"""Characters of the customer's JSON."""
MAX_LANG = 16
MAX_KEY = 200
MAX_CONVERSATION = 1024
MAX_NOTE = 500
"""Characters of a release's or a cancellation's note."""
MAX_REMINDERS = 8
MAX_PAGE = 200
"""Bookings one `list` call returns at most."""
MAX_CLAIM = 1000
"""Holds one `expire` call expires at most, and reminders one `claim_reminders` hands out."""
MAX_RESOURCES = 100
"""Resources one `busy` call asks about at most."""
MAX_NUMBER = 2**53
"""Above any number or amount a store keeps (and exact in every JSON reader)."""

_ID = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")
_ID_RULE = "an id: a lowercase letter or digit, then lowercase letters, digits, _ or - (at most 64)"
_CURRENCY = re.compile(r"[A-Z]{3}")
_TOKEN = re.compile(r"([a-z][a-z0-9_]{0,63})-[A-Za-z0-9_-]{22}")
"""A token: the bot's name (no "-" in it), "-" and 16 random bytes, URL-safe base64."""


def moment(value: object, what: str = "a booking's time") -> float:
    return checks.moment(value, what, BookingError)


def check_bot(bot: object) -> str:
    return checks.bot_name(bot, BookingError)


def _id(what: str, value: object) -> str:
    return checks.matching(value, _ID, BookingError, f"{what}'s id: {_ID_RULE}")


def text(what: str, value: object, most: int) -> str:
    advice = "a booking keeps; shorten it"
    return checks.bounded_text(what, value, most, BookingError, advice)


def author(by: object) -> str:
    if by in (CUSTOMER, BOT, SYSTEM):
        return str(by)
    if isinstance(by, str) and by.startswith(AGENT) and len(by) <= 70:
        return AGENT + checks.agent_name(by[len(AGENT) :], BookingError)
    raise BookingError(
        f"{checks.shown(by)} cannot change a booking: use customer, bot, system or agent:<name>"
    )


def _amount(what: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < MAX_NUMBER:
        raise BookingError(
            f"{what} is a whole number of minor units from 0, not {checks.shown(value)}"
        )
    return value


def _customer(value: object) -> dict[str, Any]:
    """JSON data as a store gives it back (keys as text, lists for tuples)."""
    if not isinstance(value, dict):
        raise BookingError(
            f"the customer must be a JSON object (a dict), not {type(value).__name__}"
        )
    try:
        text = dump(without_lone_surrogates(value))
    except (TypeError, ValueError, RecursionError) as error:
        raise BookingError(f"the customer must be JSON data: {error}") from error
    if len(text) > MAX_DATA:
        raise BookingError(
            f"the customer is {len(text)} characters as JSON, more than the {MAX_DATA} a "
            "booking keeps; keep only how to reach them"
        )
    data: dict[str, Any] = json.loads(text)
    return data


def _reminders(remind_at: object) -> tuple[float, ...]:
    if not isinstance(remind_at, tuple | list) or len(remind_at) > MAX_REMINDERS:
        raise BookingError(f"remind_at is a tuple of at most {MAX_REMINDERS} times")
    times = tuple(moment(at, "a reminder's time") for at in remind_at)
    if list(times) != sorted(times):
        raise BookingError("remind_at goes earliest first; sort it")
    return times


def time_span(new: NewHold) -> dict[str, Any]:
    """The fields of a time on a resource, checked: what a hold takes and a move changes."""
    names = ("blocked_from", "start", "end", "blocked_until")
    times = {name: moment(getattr(new, name), name) for name in names}
    low, start, end, high = times.values()
    if not low <= start < end <= high:
        raise BookingError(
            "a booking's times go blocked_from ≤ start < end ≤ blocked_until (the buffers "
            "around the appointment); check them"
        )
    if high - low > MAX_SPAN:
        raise BookingError("a booking blocks at most 24 hours, buffers included; split it")
    return {
        "resource": _id("the resource", new.resource),
        **times,
        "remind_at": _reminders(new.remind_at),
    }


def is_number(number: object) -> bool:
    return isinstance(number, int) and not isinstance(number, bool) and 0 < number < MAX_NUMBER


def could_exist(bot: str, number: int) -> bool:
    """Whether the bot (its name checked: else a BookingError) could have booking `number`."""
    check_bot(bot)
    return is_number(number)


def token_bot(token: object) -> str | None:
    """The bot whose booking a token could be (None: no store ever gave such a token)."""
    found = _TOKEN.fullmatch(token) if isinstance(token, str) and len(token) < 100 else None
    return None if found is None else found[1]


def check_limit(limit: object) -> int:
    return checks.page_size(limit, MAX_CLAIM, "expired holds or reminders", BookingError)


def check_query(
    bot: str,
    statuses: AbstractSet[str] | None,
    conversation: str | None,
    resource: str | None,
    start: float | None,
    end: float | None,
    limit: int,
) -> tuple[str | None, float, float]:
    """A `list` call's arguments checked; its conversation as kept and its time range."""
    check_bot(bot)
    if statuses is not None and not (
        isinstance(statuses, AbstractSet) and set(statuses) <= set(STATUSES)
    ):
        raise BookingError(
            f"statuses: a set of {', '.join(STATUSES)}, not {checks.shown(statuses)}"
        )
    checks.page_size(limit, MAX_PAGE, "bookings", BookingError)
    if resource is not None:
        _id("the resource", resource)
    low = -math.inf if start is None else moment(start, "start")
    high = math.inf if end is None else moment(end, "end")
    if low >= high:
        raise BookingError("a list's start comes before its end")
    if conversation is not None:
        conversation = text("the conversation", conversation, MAX_CONVERSATION)
    return conversation, low, high


def matches(
    booking: Booking,
    statuses: AbstractSet[str] | None,
    conversation: str | None,
    resource: str | None,
    low: float,
    high: float,
) -> bool:
    """Whether a list with these (checked) filters shows the booking: its appointment, not its
    buffers, overlaps `[low, high)`."""
    return (
        (statuses is None or booking.status in statuses)
        and conversation in (None, booking.conversation)
        and resource in (None, booking.resource)
        and booking.start < high
        and low < booking.end
    )


def check_busy(
    bot: str, resources: AbstractSet[str], start: float, end: float, now: float
) -> tuple[list[str], float, float, float]:
    """A `busy` call's arguments checked: the resources sorted, start, end, now."""
    check_bot(bot)
    if not isinstance(resources, AbstractSet) or len(resources) > MAX_RESOURCES:
        raise BookingError(f"resources: a set of at most {MAX_RESOURCES} resource ids")
    ids = sorted(_id("the resource", resource) for resource in resources)
    low, high = moment(start, "start"), moment(end, "end")
    if low >= high:
        raise BookingError("busy's start comes before its end")
    return ids, low, high, moment(now)


def held(new: NewHold, now: float) -> Booking:
    """The booking a hold takes (number 0 until a store gives one), or a BookingError."""
    at, bot, by = moment(now), check_bot(new.bot), author(new.by)
    span = time_span(new)
    if moment(new.expires_at, "expires_at") <= at:
        raise BookingError("a hold's expires_at is after now; give it a time to lapse")
    if new.currency != "" and not (
        isinstance(new.currency, str) and _CURRENCY.fullmatch(new.currency)
    ):
        raise BookingError(
            f"currency is 3 capital letters (EUR) or '', not {checks.shown(new.currency)}"
        )
    return Booking(
        bot=bot,
        number=0,
        token=f"{bot}-{secrets.token_urlsafe(16)}",
        service=_id("the service", new.service),
        status=HELD,
        expires_at=float(new.expires_at),
        conversation=text("the conversation", new.conversation, MAX_CONVERSATION),
        customer=_customer(new.customer),
        lang=text("the language", new.lang, MAX_LANG),
        price_minor=_amount("price_minor", new.price_minor),
        deposit_minor=_amount("deposit_minor", new.deposit_minor),
        currency=new.currency,
        reminded=0,
        sequence=0,
        created_at=at,
        updated_at=at,
        key=text("the key", new.key, MAX_KEY),
        history=(BookingEvent(at, HELD, by),),
        **span,
    )
