"""What the ticket stores share, so that they cannot disagree: the checks and limits of what
enters, the status rules, and the JSON a ticket is kept as.

A change is a pure function from the stored ticket to the new one (its history one or two
events longer, `updated_at` the change's time). A store loads the ticket, applies the function
and keeps the result in one atomic step: memory with no await in between, SQLite in one
transaction on the file's thread, Redis with a compare-and-set script on the history's length
(tried again when another worker came first).

Everything from outside is checked here, before a store spends a number or a round trip: text
is bounded (a 10 MB comment is refused at once, with what to do), lone surrogates become
U+FFFD, contact and slots must be JSON and are kept as JSON reads them back.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from collections.abc import Set as AbstractSet
from typing import Any

from framework.stores.json_text import dump
from framework.stores.records import without_lone_surrogates
from framework.stores.tickets import (
    AGENT,
    BOT,
    CLOSED,
    COMMENT,
    CREATED,
    CUSTOMER,
    OPEN,
    PENDING,
    PRIORITIES,
    SOLVED,
    STATUS,
    STATUSES,
    SYSTEM,
    HistoryFull,
    NewTicket,
    StatusRefused,
    Ticket,
    TicketClosed,
    TicketError,
    TicketEvent,
    TicketNotFound,
)

__all__ = [
    "MAX_DATA",
    "MAX_EVENTS",
    "MAX_NUMBER",
    "MAX_PAGE",
    "MAX_SUBJECT",
    "MAX_TEXT",
    "Change",
    "added",
    "check_bot",
    "check_query",
    "commenting",
    "could_exist",
    "event_text",
    "existing",
    "head_text",
    "is_number",
    "load",
    "matches",
    "moving",
    "opened",
]

MAX_SUBJECT = 200
MAX_TEXT = 4096
"""Characters of a comment or a status change's note."""
MAX_EVENTS = 500
"""Events a ticket's history keeps, the created event included."""
MAX_DATA = 65_536
"""Characters of the contact's JSON, and of the slots'."""
MAX_NAME = 64
"""Characters of a category or a language."""
MAX_CONVERSATION = 1024
"""Characters of a conversation's session key, and of a ticket's key."""
MAX_PAGE = 200
"""Tickets one `list` call returns at most."""
MAX_NUMBER = 2**53
"""Above any number a store gives (and exact in every JSON reader)."""

_BOT = re.compile(r"[a-z][a-z0-9_]{0,63}")
"""The flow language's bot name (bot.schema.json: ^[a-z][a-z0-9_]*$), at most 64 characters."""
_AGENT = re.compile(r"[\w.@+-]{1,64}")
"""An agent's name after `agent:`: letters, digits and . @ + - _ (an e-mail address fits)."""
Change = Callable[[Ticket], Ticket]
"""A change of a ticket: the stored ticket in, the new one out (or a TicketError)."""

_RANK = {status: rank for rank, status in enumerate(STATUSES)}
_REOPENED_BY_CUSTOMER = frozenset({PENDING, SOLVED})


def _shown(value: object) -> str:
    """A value for an error message: never all of a huge one."""
    text = repr(value)
    return text if len(text) <= 60 else f"{text[:57]}..."


def _text(what: str, value: object, most: int, *, required: bool = False) -> str:
    if not isinstance(value, str):
        raise TicketError(f"{what} must be text, not {type(value).__name__}")
    if len(value) > most:
        raise TicketError(
            f"{what} has {len(value)} characters, more than the {most} a ticket keeps; "
            "shorten it (or attach the rest elsewhere and link it)"
        )
    if required and not value.strip():
        raise TicketError(f"{what} is empty; give some text")
    text: str = without_lone_surrogates(value)
    return text


def _data(what: str, value: object) -> dict[str, Any]:
    """JSON data as a store gives it back (keys as text, lists for tuples)."""
    if not isinstance(value, dict):
        raise TicketError(f"{what} must be a JSON object (a dict), not {type(value).__name__}")
    try:
        text = dump(without_lone_surrogates(value))
    except (TypeError, ValueError, RecursionError) as error:
        raise TicketError(
            f"{what} must be JSON data (text, numbers, lists, objects): {error}"
        ) from error
    if len(text) > MAX_DATA:
        raise TicketError(
            f"{what} is {len(text)} characters as JSON, more than the {MAX_DATA} a ticket keeps; "
            "keep only what an agent needs"
        )
    data: dict[str, Any] = json.loads(text)
    return data


def _moment(now: object) -> float:
    """Seconds since the epoch (up to the year 5138: no NaN, no infinity, no 10**400)."""
    if isinstance(now, bool) or not isinstance(now, int | float) or not 0 <= now < 1e11:
        raise TicketError(f"a ticket's time is seconds since the epoch, not {_shown(now)}")
    return float(now)


def check_bot(bot: object) -> str:
    if not isinstance(bot, str) or not _BOT.fullmatch(bot):
        raise TicketError(
            f"{_shown(bot)} is not a bot name: a lowercase letter, then lowercase letters, "
            "digits or _ (at most 64)"
        )
    return bot


def _check_by(by: object) -> str:
    if by in (CUSTOMER, BOT, SYSTEM):
        return str(by)
    if isinstance(by, str) and by.startswith(AGENT) and _AGENT.fullmatch(by[len(AGENT) :]):
        return by
    raise TicketError(
        f"{_shown(by)} cannot change a ticket: use customer, bot, system or agent:<name> "
        "(letters, digits and . @ + - _, at most 64)"
    )


def is_number(number: object) -> bool:
    """Whether `number` could be a ticket number (else no ticket has it)."""
    return isinstance(number, int) and not isinstance(number, bool) and 0 < number < MAX_NUMBER


def could_exist(bot: str, number: int) -> bool:
    """Whether the bot (its name checked: else a TicketError) could have a ticket `number`."""
    check_bot(bot)
    return is_number(number)


def existing(ticket: Ticket | None, bot: str, number: int) -> Ticket:
    """The ticket a change is for; TicketNotFound when there is none."""
    if ticket is None:
        raise TicketNotFound(f"{bot} has no ticket {_shown(number)}; check the number")
    return ticket


def check_query(
    bot: str,
    statuses: AbstractSet[str] | None,
    conversation: str | None,
    limit: int,
    before_number: int | None,
) -> str | None:
    """A `list` call's arguments checked (else a TicketError); the conversation as tickets
    keep it."""
    check_bot(bot)
    if statuses is not None and not (
        isinstance(statuses, AbstractSet) and set(statuses) <= _RANK.keys()
    ):
        raise TicketError(f"statuses: a set of {', '.join(STATUSES)}, not {_shown(statuses)}")
    if isinstance(limit, bool) or not isinstance(limit, int) or not 0 < limit <= MAX_PAGE:
        raise TicketError(f"a list of tickets holds 1 to {MAX_PAGE}, not {_shown(limit)}")
    if before_number is not None and not is_number(before_number):
        raise TicketError(f"before_number is a ticket number, not {_shown(before_number)}")
    if conversation is None:
        return None
    return _text("the conversation", conversation, MAX_CONVERSATION)


def matches(ticket: Ticket, statuses: AbstractSet[str] | None, conversation: str | None) -> bool:
    in_status = statuses is None or ticket.status in statuses
    return in_status and (conversation is None or ticket.conversation == conversation)


def opened(new: NewTicket, now: float) -> Ticket:
    """The ticket `new` opens (number 0 until a store gives one), or a TicketError."""
    if new.priority not in PRIORITIES:
        raise TicketError(f"priority {_shown(new.priority)}: use one of {', '.join(PRIORITIES)}")
    at = _moment(now)
    return Ticket(
        bot=check_bot(new.bot),
        number=0,
        subject=_text("the subject", new.subject, MAX_SUBJECT, required=True),
        category=_text("the category", new.category, MAX_NAME),
        priority=new.priority,
        status=OPEN,
        contact=_data("the contact", new.contact),
        slots=_data("the slots", new.slots),
        conversation=_text("the conversation", new.conversation, MAX_CONVERSATION),
        lang=_text("the language", new.lang, MAX_NAME),
        created_at=at,
        updated_at=at,
        key=_text("the key", new.key, MAX_CONVERSATION),
        history=(TicketEvent(at, CREATED, _check_by(new.by), to_status=OPEN),),
    )


def _appended(ticket: Ticket, events: list[TicketEvent], status: str) -> Ticket:
    if ticket.status == CLOSED:
        raise TicketClosed(
            f"ticket {ticket.number} of {ticket.bot} is closed, and closed is final; "
            "open a new ticket that refers to it"
        )
    if len(ticket.history) + len(events) > MAX_EVENTS:
        raise HistoryFull(
            f"ticket {ticket.number} of {ticket.bot} has {len(ticket.history)} events, and a "
            f"ticket keeps at most {MAX_EVENTS}; close it and open a new one that refers to it"
        )
    history = ticket.history + tuple(events)
    return ticket.changed(status=status, updated_at=events[-1].at, history=history)


def commenting(by: str, text: str, public: bool, now: float) -> Change:
    """The change that adds a comment (its arguments checked at once, before any store is
    asked); a customer's comment reopens a pending or solved ticket."""
    who, said, at = _check_by(by), _text("a comment", text, MAX_TEXT, required=True), _moment(now)
    if not isinstance(public, bool):
        raise TicketError(f"public is True or False, not {_shown(public)}")
    if who == CUSTOMER and not public:
        raise TicketError("a customer's comment is always public: the customer wrote it")

    def comment(ticket: Ticket) -> Ticket:
        events = [TicketEvent(at, COMMENT, who, said, public)]
        status = ticket.status
        if who == CUSTOMER and status in _REOPENED_BY_CUSTOMER:
            events.append(TicketEvent(at, STATUS, who, from_status=status, to_status=OPEN))
            status = OPEN
        return _appended(ticket, events, status)

    return comment


def moving(status: str, by: str, now: float, note: str | None) -> Change:
    """The change that moves a ticket forward to `status`, with the note as the status event's
    text (its arguments checked at once)."""
    who, at = _check_by(by), _moment(now)
    said = _text("the note", "" if note is None else note, MAX_TEXT)
    if status not in _RANK:
        raise TicketError(f"status {_shown(status)}: use one of {', '.join(STATUSES)}")

    def move(ticket: Ticket) -> Ticket:
        if ticket.status != CLOSED and _RANK[status] <= _RANK[ticket.status]:
            raise StatusRefused(
                f"ticket {ticket.number} of {ticket.bot} is {ticket.status}: statuses move "
                f"forward only ({' → '.join(STATUSES)}), so it cannot become {status}; a "
                "customer's comment reopens a pending or solved ticket"
            )
        event = TicketEvent(at, STATUS, who, said, True, ticket.status, status)
        return _appended(ticket, [event], status)

    return move


def added(old: Ticket, new: Ticket) -> tuple[TicketEvent, ...]:
    """The events a change appended."""
    return new.history[len(old.history) :]


def head_text(ticket: Ticket) -> str:
    """The JSON a ticket is kept as, without its history."""
    return dump(ticket.head_json())


def event_text(event: TicketEvent) -> str:
    return dump(event.to_json())


def load(head: str, events: Iterable[dict[str, Any]]) -> Ticket:
    """A kept ticket: its head's JSON and its events, oldest first."""
    history = tuple(TicketEvent.from_json(event) for event in events)
    return Ticket(**json.loads(head), history=history)
