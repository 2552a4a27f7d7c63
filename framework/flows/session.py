"""Session state: plain JSON-serializable data with a schema version.

A session is a dict so that stores can persist it as JSON without a mapping layer; the
TypedDicts below name its parts for readers and the type checker (no cost at run time). The
engine never mutates the session it is given: it works on `copy_session()` and returns the copy.
"""

from __future__ import annotations

from typing import Any, Final, NotRequired, TypedDict

from framework.flows.model import Bot

__all__ = [
    "SCHEMA_VERSION",
    "SHARED_BY",
    "CartData",
    "CartLine",
    "Fee",
    "Frame",
    "PayWait",
    "Session",
    "copy_session",
    "move_on",
    "new_session",
    "session_problems",
    "stop_waiting",
]

SCHEMA_VERSION: Final = 1


class PayWait(TypedDict):
    """A pay step waiting for its order: the order's id once it was made, and until when."""

    order: str | None
    expires_at: str


class Frame(TypedDict):
    """A running flow on the stack: where it is, and what it waits for."""

    flow: str
    pc: int
    """The index of the step to run next (or the one waiting)."""
    wait: NotRequired[str]
    """The slot whose answer the flow waits for (or the pay step's marker)."""
    confirm: NotRequired[bool]
    """The waiting question is a confirmation (role: confirm)."""
    attempts: NotRequired[int]
    """Answers to the waiting question that were not understood."""
    pay: NotRequired[PayWait]
    digression: NotRequired[bool]
    """Started in the middle of another flow, which resumes after it."""
    interrupted: NotRequired[bool]
    fresh: NotRequired[bool]
    """Just asked: the next message is its first answer."""
    partial: NotRequired[str]
    """An incomplete address answer, completed by the next one (address_parts.py)."""
    unclear: NotRequired[bool]
    """The confirmation was answered unclearly once: only a plain yes commits now."""
    consent_shown: NotRequired[str]
    """The words a consent question was shown with (consenting.py), until its answer is kept."""
    vague: NotRequired[str]
    """A count said but not how many ("ein paar Margherita"): its question comes first."""
    back: NotRequired[int]
    """While a question asked ahead of its step waits (`vague`): the step to go back to."""
    several: NotRequired[str]
    """The count said vaguely, until its line is in the cart: never taken as one when the
    customer goes on to another item without answering (pending_items.py)."""


def move_on(frame: Frame) -> None:
    """The question is answered: stop waiting and go on with the next step."""
    stop_waiting(frame)
    frame["pc"] += 1


def stop_waiting(frame: Frame) -> None:
    """The question the frame waited for is settled: forget the wait and its bookkeeping."""
    frame.pop("wait", None)
    frame.pop("confirm", None)
    frame.pop("attempts", None)
    frame.pop("partial", None)
    frame.pop("unclear", None)


SHARED_BY: Final = "+"
"""Between the people of one line ordered for several, one each ("jule+sarah")."""
SPEAKER: Final = "ich"
"""The person of the lines the customer orders for themselves."""


class CartLine(TypedDict):
    id: int
    item: str
    options: dict[str, list[str]]
    """Option group → chosen option ids."""
    quantity: int
    unit: int
    """The price of one, with its options, in minor units, when the line was added."""
    source: dict[str, Any]
    """What the customer said that made the line (for repairs of that answer)."""
    said: NotRequired[int]
    """The turn the line was last named in (a restatement soon after is no new order)."""
    person: NotRequired[str]
    """Whom in a group it is for ("tom", "meine frau", "ich"; "jule+sarah", one each, for a
    line of several people: `SHARED_BY`): people.py."""
    early: NotRequired[int]
    """Of its quantity, how many the customer named whole that the ordering flow has not added
    yet: shown between turns, taken out while a turn runs (named_lines.py)."""


class Fee(TypedDict):
    id: str
    name: dict[str, str]
    """Language → the fee's name."""
    minor: int


class CartData(TypedDict):
    lines: list[CartLine]
    fees: list[Fee]
    next_line: int


class Session(TypedDict):
    version: int
    bot: str
    digest: str
    """The bot's version: a session of another version starts afresh."""
    lang: str
    slots: dict[str, Any]
    profile: dict[str, Any]
    """What is remembered about the customer across conversations."""
    stack: list[Frame]
    cart: CartData
    pending: list[dict[str, Any]]
    """Mentions the customer made ahead of their question (slot name → value)."""
    flags: dict[str, Any]
    turns: int


def new_session(
    bot: Bot, *, lang: str | None = None, profile: dict[str, Any] | None = None
) -> Session:
    """A fresh conversation; `profile` holds what was remembered about this customer."""
    language = lang if lang in bot.business.languages else bot.business.language
    return {
        "version": SCHEMA_VERSION,
        "bot": bot.name,
        "digest": bot.digest,
        "lang": language,
        "slots": {},
        "profile": dict(profile or {}),
        "stack": [],
        "cart": {"lines": [], "fees": [], "next_line": 1},
        "pending": [],
        "flags": {},
        "turns": 0,
    }


def copy_session(session: Session) -> Session:
    """A copy deep enough that the engine may change it freely (cheaper than deepcopy)."""
    cart = session["cart"]
    return {
        **session,
        "slots": dict(session["slots"]),
        "profile": dict(session["profile"]),
        "stack": [frame.copy() for frame in session["stack"]],
        "cart": {
            "lines": [{**line, "options": dict(line["options"])} for line in cart["lines"]],
            "fees": [fee.copy() for fee in cart["fees"]],
            "next_line": cart["next_line"],
        },
        "pending": [dict(mention) for mention in session["pending"]],
        "flags": dict(session["flags"]),
    }


def copy_lines(lines: list[CartLine]) -> list[CartLine]:
    """Cart lines to put back should a change not go through: their options and source copied
    (cheaper than deepcopy; the chosen options are lists a change may replace)."""
    return [
        {
            **line,
            "options": {group: list(chosen) for group, chosen in line["options"].items()},
            "source": dict(line["source"]),
        }
        for line in lines
    ]


_SHAPE: Final = {
    "version": int,
    "bot": str,
    "digest": str,
    "lang": str,
    "slots": dict,
    "profile": dict,
    "stack": list,
    "cart": dict,
    "pending": list,
    "flags": dict,
    "turns": int,
}


def session_problems(session: Any) -> list[str]:
    """What is wrong with a session's shape (empty when it is valid).

    The engine checks every session it is given; the runtime starts afresh when a stored one
    fails. Its outputs are JSON by construction (the property tests round-trip them).
    """
    if not isinstance(session, dict):
        return ["a session must be a JSON object"]
    if _well_formed(session):
        return []
    problems = [
        f"{key!r} must be a {kind.__name__}"
        for key, kind in _SHAPE.items()
        if not isinstance(session.get(key), kind)
    ]
    if not problems and session["version"] != SCHEMA_VERSION:
        problems.append(f"schema version {session['version']} is not {SCHEMA_VERSION}")
    if not problems:
        problems += _stack_problems(session["stack"])
    return problems


def _well_formed(session: dict[str, Any]) -> bool:
    """The usual case, checked without building a message: every key of its kind, this schema
    version, each frame with a flow name and a position."""
    if not all(map(isinstance, map(session.get, _SHAPE), _SHAPE.values())):
        return False
    if session["version"] != SCHEMA_VERSION:
        return False
    return all(map(_is_frame, session["stack"]))


def _stack_problems(stack: list[Any]) -> list[str]:
    return [
        f"stack frame {index} needs a flow name and a position"
        for index, frame in enumerate(stack)
        if not _is_frame(frame)
    ]


def _is_frame(frame: Any) -> bool:
    return (
        isinstance(frame, dict)
        and isinstance(frame.get("flow"), str)
        and isinstance(frame.get("pc"), int)
    )
