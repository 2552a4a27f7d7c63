"""Conversation tests in YAML, run by `theke test` and collected by pytest.

```yaml
tests:
  - name: two pizzas and a cola in one message
    now: 2026-11-27T19:00:00+01:00
    lang: de
    turns:
      - user: 2 große Salami und eine Cola
        bot: [Extras dazu?]                 # contains; or {exact: ...} / {pattern: ...}
      - button: keine                       # a button of the last replies, by payload or title
        slots: {size: large}
        cart_total: 27.50
      - payment: paid                       # payments, business actions, time: till.py
        link: false                         # whether the replies carry a (payment) link
```
Money in replies is compared with ordinary spaces (Babel writes "27,50\u00a0€").
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Any

import yaml

from framework.actions.blocking import BlockingActions
from framework.actions.performing import BotActions, FixedActions
from framework.answers import as_answer
from framework.consents.service import Consents
from framework.errors import FlowError
from framework.flows.events import AnswersKept, ConsentChange, Message, Reply, TagChange
from framework.flows.language.yaml_loader import load_yaml
from framework.flows.model import Bot
from framework.flows.scope import CartView
from framework.flows.session import Session, new_session
from framework.stores.memory.consents import MemoryConsents
from framework.stores.records import SessionKey
from framework.testing.booked import booked_before
from framework.testing.fixed_actions import ActionOutcome, fixed_actions
from framework.testing.flow_errors import flow_error_notes
from framework.testing.till import Till

__all__ = [
    "ConversationFailure",
    "ConversationTest",
    "Review",
    "load_tests",
    "review_test",
    "run_test",
]


class ConversationFailure(FlowError, AssertionError):
    """A conversation that did not go as its test expects; the message is the transcript."""


@dataclass
class ConversationTest:
    name: str
    file: str
    turns: list[dict[str, Any]]
    now: datetime
    lang: str | None = None
    profile: dict[str, Any] = field(default_factory=dict)
    actions: dict[str, ActionOutcome | str] = field(default_factory=dict)
    """Actions replaced by fixed results: an outcome, or the error of a failed call."""
    bookings: list[Any] = field(default_factory=list)
    """The bookings the calendar holds before the customer writes (testing/booked.py)."""


def load_tests(path: Path) -> list[ConversationTest]:
    """The tests of one YAML file; raises FlowError with the file's name when malformed."""
    try:
        data = load_yaml(path.read_text(encoding="utf-8"), str(path))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise FlowError(f"{path}: cannot read the tests: {error}") from None
    if not isinstance(data, dict) or not isinstance(data.get("tests"), list):
        raise FlowError(f"{path}: a test file needs a list under 'tests:'")
    return [_test(path, index, raw) for index, raw in enumerate(data["tests"], 1)]


TEST_KEYS = frozenset({"name", "turns", "now", "lang", "profile", "actions", "bookings"})
TURN_KEYS = frozenset(
    {
        *("user", "button", "payment", "silent", "order", "wait", "handoff", "notice"),
        *("bot", "not_bot", "slots", "cart_total", "cart_lines", "lang", "profile", "flow", "link"),
        "tags",
        "answers",
    }
)
"""What a turn may say: what happens (docs/testing.md), then what must hold after it."""


def _test(path: Path, index: int, raw: Any) -> ConversationTest:
    if not isinstance(raw, dict) or not isinstance(raw.get("turns"), list):
        raise FlowError(f"{path}: test {index} needs 'turns:'")
    _known_keys(raw, TEST_KEYS, f"{path}: test {index}")
    for number, turn in enumerate(raw["turns"], 1):
        if not isinstance(turn, dict):
            raise FlowError(f"{path}: test {index}, turn {number}: a turn is a mapping")
        _known_keys(turn, TURN_KEYS, f"{path}: test {index}, turn {number}")
    try:
        now = datetime.fromisoformat(str(raw.get("now", "2026-11-27T19:00:00+01:00")))
    except ValueError:
        raise FlowError(f"{path}: test {index}: 'now' must be an ISO date-time") from None
    if now.tzinfo is None:
        raise FlowError(f"{path}: test {index}: 'now' needs a UTC offset, e.g. +01:00")
    return ConversationTest(
        name=str(raw.get("name", f"test {index}")),
        file=str(path),
        turns=list(raw["turns"]),
        now=now,
        lang=raw.get("lang"),
        profile=dict(raw.get("profile") or {}),
        actions=fixed_actions(raw.get("actions"), f"{path}: test {index}"),
        bookings=list(raw.get("bookings") or []),
    )


def _known_keys(raw: dict[str, Any], known: frozenset[str], where: str) -> None:
    """A misspelt expectation would check nothing and pass: refused with its name."""
    unknown = sorted(str(key) for key in raw if key not in known)
    if unknown:
        raise FlowError(f"{where}: unknown key {unknown[0]!r} (known: {', '.join(sorted(known))})")


def _plain(text: str) -> str:
    return text.replace("\u00a0", " ").replace("\u202f", " ")


def _matches(expected: Any, reply: str) -> bool:
    actual = _plain(reply)
    if isinstance(expected, dict):
        if "exact" in expected:
            return actual == str(expected["exact"])
        if "pattern" in expected:
            return re.search(str(expected["pattern"]), actual, re.DOTALL) is not None
        return False
    return str(expected) in actual


def _message(turn: dict[str, Any], last: list[Reply], now: datetime) -> Message:
    if "button" in turn:
        wanted = str(turn["button"])
        for reply in last:
            for button in reply.buttons:
                if wanted in (button.payload, button.title):
                    return Message(button.title, now, payload=button.payload)
        raise ConversationFailure(f"no button {wanted!r} in the last replies")
    return Message(str(turn.get("user", "")), now)


@dataclass
class _Run:
    bot: Bot
    test: ConversationTest
    session: Session
    transcript: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    """The links of the last turn's replies."""
    tags: set[str] = field(default_factory=set)
    """The tags the conversation's contact holds (`tag:`, `untag:` steps so far)."""
    answers: dict[str, str] = field(default_factory=dict)
    """The answers the conversation's contact keeps (`note:` steps so far)."""
    consent: Callable[[ConsentChange, str], None] = lambda change, lang: None
    """Writes a STOP or START (in the conversation's language) into the test's ledger."""

    def fail(
        self, problem: str, expected: list[str] | None = None, actual: list[str] | None = None
    ) -> ConversationFailure:
        lines = [f"{self.test.file}: {self.test.name}", *self.transcript, f"✗ {problem}"]
        if expected is not None and actual is not None:
            lines += difflib.unified_diff(expected, actual, "expected", "bot said", lineterm="")
        return ConversationFailure("\n".join(lines))


def run_test(bot: Bot, test: ConversationTest) -> list[str]:
    """Run one conversation; returns its transcript or raises ConversationFailure at the
    first turn that does not go as expected."""
    review = review_test(bot, test, stop_at_first=True)
    if review.failure is not None:
        raise review.failure
    return review.transcript


@dataclass
class Review:
    """How a conversation went, turn by turn (`review_test`)."""

    test: ConversationTest
    transcript: list[str]
    problems: list[str] = field(default_factory=list)
    """`turn N: …` for every expectation that did not hold."""
    wrong_payments: list[str] = field(default_factory=list)
    """Turns where the bot asked for money the test did not expect: a link where none was
    expected, or a link for a cart other than the one the test expects at that turn."""
    failure: ConversationFailure | None = None
    """The first problem, with the transcript up to it (what `theke test` shows)."""

    @property
    def passed(self) -> bool:
        return not self.problems


def review_test(
    bot: Bot, test: ConversationTest, *, stop_at_first: bool = False, lang: str | None = None
) -> Review:
    """Play every turn (or up to the first problem) and note what did not go as expected.

    `lang` starts the conversation in that language instead of the test's own (the
    understanding benchmark starts every customer in the bot's language, as in real life).
    """
    start = test.lang if lang is None else lang
    run = _Run(bot, test, new_session(bot, lang=start, profile=test.profile))
    review = Review(test, run.transcript)
    key = SessionKey(bot.name, "test", "test")
    calendar = booked_before(bot, test.bookings, test.now, key)
    consents = Consents(MemoryConsents())
    actions = BlockingActions(
        BotActions.of(bot, [FixedActions(test.actions)], bookings=calendar, consents=consents),
        bot.name,
        "test",
        "test",
    )
    till = Till(bot, test.now, actions)
    run.consent = partial(_consent_change, actions, consents, key, till)
    try:
        _play_all(run, review, till, stop_at_first)
    finally:
        actions.close()
    return review


def _consent_change(
    actions: BlockingActions,
    consents: Consents,
    key: SessionKey,
    till: Till,
    change: ConsentChange,
    lang: str,
) -> None:
    """STOP and START into the test's consent ledger, as the runtime writes them, so the
    consent actions after them see what a customer's conversation would."""
    at = till.now.timestamp()
    if change.stopped:
        actions.run(consents.stop(key, change.said, at))
    else:
        actions.run(consents.resume(key, change.said, lang, at))


def _play_all(run: _Run, review: Review, till: Till, stop_at_first: bool) -> None:
    last: list[Reply] = []
    agreed: Decimal | None = None
    for number, turn in enumerate(run.test.turns, 1):
        try:
            last = _play(run, till, turn, last)
        except (ConversationFailure, ValueError) as error:
            _note(review, run.fail(f"turn {number}: {error}"), f"turn {number}: {error}")
            break
        problems = _turn_problems(run, number, turn, last)
        unagreed = _unagreed(run, number, turn, agreed)
        problems += [unagreed] if unagreed else []
        if run.links and (not turn.get("link") or _cart_problems(problems)):
            said = ", ".join(problem.text for problem in problems) or "a link not expected"
            review.wrong_payments.append(f"turn {number}: {said}")
        if "cart_total" in turn:
            agreed = Decimal(str(turn["cart_total"]))
        for problem in problems:
            _note(review, run.fail(problem.text, problem.expected, problem.actual), problem.text)
        if review.problems and stop_at_first:
            break


def _note(review: Review, failure: ConversationFailure, text: str) -> None:
    review.problems.append(text)
    if review.failure is None:
        review.failure = failure


def _play(run: _Run, till: Till, turn: dict[str, Any], last: list[Reply]) -> list[Reply]:
    """One turn: the customer's message or something outside the chat; the bot's replies."""
    result = till.outside(run.session, turn)
    if result is None:
        message = _message(turn, last, till.now)
        run.transcript.append(f"> {message.text}")
        result = till.step(run.session, message)
    else:
        run.transcript.append(f"~ {_outside(turn)}")
    run.session = result.session
    for effect in result.effects:
        if isinstance(effect, TagChange):
            run.tags = (run.tags - set(effect.remove)) | set(effect.add)
        elif isinstance(effect, AnswersKept):
            run.answers.update(effect.answers)
        elif isinstance(effect, ConsentChange):
            run.consent(effect, run.session["lang"])
    replies = result.replies
    run.transcript += [f"  {_plain(reply.text)}" for reply in replies]
    run.transcript += [f"  {note}" for note in flow_error_notes(result.effects)]
    run.links = [reply.link.url for reply in replies if reply.link]
    run.transcript += [f"  [{url}]" for url in run.links]
    return replies


@dataclass(frozen=True)
class _Problem:
    text: str
    expected: list[str] | None = None
    actual: list[str] | None = None


def _turn_problems(
    run: _Run, number: int, turn: dict[str, Any], replies: list[Reply]
) -> list[_Problem]:
    problems = [_reply_problem(number, turn.get("bot") or [], replies)]
    problems += [_unwanted_reply(number, turn.get("not_bot") or [], replies)]
    problems += [_Problem(f"turn {number}: {text}") for text in _state_problems(run, turn)]
    if "tags" in turn and run.tags != set(turn["tags"] or ()):
        said = f"the contact's tags are {sorted(run.tags)}, expected {sorted(turn['tags'] or ())}"
        problems.append(_Problem(f"turn {number}: {said}"))
    if "answers" in turn and run.answers != _texts(turn["answers"]):
        said = f"the contact's answers are {run.answers!r}, expected {turn['answers']!r}"
        problems.append(_Problem(f"turn {number}: {said}"))
    if "profile" in turn and run.session["profile"] != (turn["profile"] or {}):
        said = f"the remembered values are {run.session['profile']!r}, expected {turn['profile']!r}"
        problems.append(_Problem(f"turn {number}: {said}"))
    return [problem for problem in problems if problem is not None]


def _texts(expected: Any) -> dict[str, str] | None:
    """A turn's `answers:` as the contact keeps them (`yes` for true), None when it is no
    mapping."""
    if expected is None:
        return {}
    if not isinstance(expected, dict):
        return None
    return {str(name): as_answer(value) or "" for name, value in expected.items()}


def _unagreed(
    run: _Run, number: int, turn: dict[str, Any], agreed: Decimal | None
) -> _Problem | None:
    """A payment link at a turn that expects no total, for another total than the one the
    test expected last: the customer is asked to pay for an order they did not agree to."""
    if not run.links or "cart_total" in turn or agreed is None:
        return None
    session = run.session
    total = CartView(run.bot, session["cart"], session["lang"], run.bot.business.locale).total
    if total.amount == agreed:
        return None
    return _Problem(f"turn {number}: the cart total is {total.amount}, agreed {agreed}")


def _cart_problems(problems: list[_Problem]) -> bool:
    return any("the cart" in problem.text for problem in problems)


def _outside(turn: dict[str, Any]) -> str:
    keys = ("payment", "order", "wait", "handoff", "notice")
    return ", ".join(f"{key}: {turn[key]}" for key in keys if key in turn)


def _reply_problem(number: int, expected: Any, replies: list[Reply]) -> _Problem | None:
    """Each matcher in order; several may match the same (multi-line) reply."""
    wanted = expected if isinstance(expected, list) else [expected]
    texts = [reply.text for reply in replies]
    position = 0
    for matcher in wanted:
        while position < len(texts) and not _matches(matcher, texts[position]):
            position += 1
        if position == len(texts):
            shown = [str(m) for m in wanted]
            actual = [_plain(text) for text in texts]
            return _Problem(f"turn {number}: no reply matches {matcher!r}", shown, actual)
    return None


def _unwanted_reply(number: int, unwanted: Any, replies: list[Reply]) -> _Problem | None:
    """No reply of the turn may match any of these."""
    for matcher in unwanted if isinstance(unwanted, list) else [unwanted]:
        said = [_plain(reply.text) for reply in replies if _matches(matcher, reply.text)]
        if said:
            return _Problem(f"turn {number}: a reply matches {matcher!r}", None, said)
    return None


def _state_problems(run: _Run, turn: dict[str, Any]) -> Iterator[str]:
    session = run.session
    for name, value in (turn.get("slots") or {}).items():
        actual = session["slots"].get(name)
        if _normal(actual) != _normal(value):
            yield f"slot {name!r} is {actual!r}, expected {value!r}"
    if "cart_total" in turn:
        cart = CartView(run.bot, session["cart"], session["lang"], run.bot.business.locale)
        if cart.total.amount != Decimal(str(turn["cart_total"])):
            yield f"the cart total is {cart.total.amount}, expected {turn['cart_total']}"
    if "cart_lines" in turn and len(session["cart"]["lines"]) != int(turn["cart_lines"]):
        yield f"the cart has {len(session['cart']['lines'])} lines, expected {turn['cart_lines']}"
    if "link" in turn and bool(run.links) != bool(turn["link"]):
        yield f"the replies {'carry no' if turn['link'] else 'carry a'} link"
    if "lang" in turn and session["lang"] != turn["lang"]:
        yield f"the language is {session['lang']!r}, expected {turn['lang']!r}"
    if "flow" in turn:
        flow = session["stack"][-1]["flow"] if session["stack"] else None
        if flow != turn["flow"]:
            yield f"the current flow is {flow!r}, expected {turn['flow']!r}"


def _normal(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, list):
        return [_normal(element) for element in value]
    return value
