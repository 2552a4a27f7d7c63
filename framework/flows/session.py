"""Session state: plain JSON-serializable data with a schema version.

A session is a dict so that stores can persist it as JSON without a mapping layer. The engine
never mutates the session it is given: it works on `copy_session()` and returns the copy.
"""

from __future__ import annotations

from typing import Any

from framework.flows.model import Bot

__all__ = ["SCHEMA_VERSION", "Session", "copy_session", "new_session", "session_problems"]

SCHEMA_VERSION = 1
Session = dict[str, Any]


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
        "stack": [dict(frame) for frame in session["stack"]],
        "cart": {
            "lines": [{**line, "options": dict(line["options"])} for line in cart["lines"]],
            "fees": [dict(fee) for fee in cart["fees"]],
            "next_line": cart["next_line"],
        },
        "pending": [dict(mention) for mention in session["pending"]],
        "flags": dict(session["flags"]),
    }


_SHAPE = {
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


def _stack_problems(stack: list[Any]) -> list[str]:
    return [
        f"stack frame {index} needs a flow name and a position"
        for index, frame in enumerate(stack)
        if not (
            isinstance(frame, dict)
            and isinstance(frame.get("flow"), str)
            and isinstance(frame.get("pc"), int)
        )
    ]
