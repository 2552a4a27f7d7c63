"""An action's answer as the stores keep it: written as JSON and read back exactly; anything
else read back counts as no answer (with a warning) and never raises into the turn."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from framework.action_calls import ActionOutcome, OutgoingMessage, Reminder
from framework.actions.answers import read_answer, write_answer
from framework.flows.events import ActionDone

ANY_TEXT = st.text(st.characters(blacklist_categories=()), max_size=20)
"""Every code point, lone surrogates (half of a broken emoji) included."""
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | ANY_TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(ANY_TEXT, inner, max_size=4),
    max_leaves=12,
)
OFFSETS = st.integers(min_value=-(24 * 3600 - 1), max_value=24 * 3600 - 1).map(
    lambda seconds: timedelta(seconds=seconds)
)
"""Whole seconds, the finest offset a real zone has (the tz database's local mean times, e.g.
Amsterdam's +00:19:32 until 1937). Python 3.11 reads an offset of hours, minutes and seconds
all zero with a fraction ("+00:00:00.000001") back as UTC, and no clock produces one."""
TIMES = st.datetimes(timezones=st.none() | st.just(UTC) | st.builds(timezone, OFFSETS))
MESSAGES = st.builds(
    OutgoingMessage,
    text=ANY_TEXT,
    buttons=st.lists(st.tuples(ANY_TEXT, ANY_TEXT), max_size=3).map(tuple),
    image=st.none() | ANY_TEXT,
    custom=st.none() | st.dictionaries(ANY_TEXT, JSON, max_size=3),
    text_name=st.none() | ANY_TEXT,
)
OUTCOMES = st.builds(
    ActionOutcome,
    slots=st.dictionaries(ANY_TEXT, JSON, max_size=4),
    messages=st.lists(MESSAGES, max_size=3).map(tuple),
    start=st.none() | ANY_TEXT,
    reset_slots=st.booleans(),
    restart=st.booleans(),
    handoff=st.none() | st.booleans(),
    reminders=st.lists(
        st.builds(Reminder, name=ANY_TEXT, at=st.none() | TIMES, flow=st.none() | ANY_TEXT),
        max_size=3,
    ).map(tuple),
)
ANSWERS = st.builds(
    ActionDone,
    action=ANY_TEXT,
    now=TIMES,
    outcome=st.none() | OUTCOMES,
    error=st.none() | ANY_TEXT,
    message=ANY_TEXT,
)


@given(ANSWERS)
@example(ActionDone("lmt", datetime(1900, 5, 1, 12, tzinfo=ZoneInfo("Europe/Amsterdam")), None))
@example(
    ActionDone("late", datetime(2026, 3, 29, 1, 59, 59, 999999, ZoneInfo("Europe/Berlin")), None)
)
@settings(max_examples=300)
def test_an_answer_reads_back_exactly(done: ActionDone) -> None:
    text = write_answer(done)
    text.encode("utf-8")  # every store can keep it
    assert read_answer(text) == done


def test_a_full_answer_reads_back_with_its_times_and_zones() -> None:
    berlin = timezone(timedelta(hours=1))
    done = ActionDone(
        "ready_in",
        datetime(2026, 11, 27, 19, 0, 0, 123456, berlin),
        ActionOutcome(
            slots={"minutes": 35, "rush": True, "kitchen": {"ovens": [1, 2]}, "none": None},
            messages=(
                OutgoingMessage("Gleich da 🍕", (("Ok", "/ok"), ("Nein", "/no")), "pic.png"),
                OutgoingMessage(custom={"card": {"title": "x"}}, text_name="utter_ready"),
            ),
            start="track",
            handoff=False,
            reminders=(Reminder("nudge", datetime(2026, 11, 27, 19, 30, tzinfo=UTC), "nudge"),),
        ),
        message="wie lange?",
    )
    back = read_answer(write_answer(done))
    assert back == done and back is not None and back.now.utcoffset() == timedelta(hours=1)
    failed = ActionDone("ready_in", done.now, None, "no answer within 5 s", "wie lange?")
    assert read_answer(write_answer(failed)) == failed


def test_a_value_that_is_not_json_cannot_be_written() -> None:
    done = ActionDone("a", datetime.now(UTC), ActionOutcome(slots={"when": datetime.now(UTC)}))
    with pytest.raises(TypeError):
        write_answer(done)


def valid() -> dict[str, Any]:
    outcome = ActionOutcome(
        slots={"n": 1},
        messages=(OutgoingMessage("hi", (("a", "b"),)),),
        reminders=(Reminder("r", None),),
    )
    done = ActionDone("a", datetime(2026, 1, 1, tzinfo=UTC), outcome, message="m")
    answer: dict[str, Any] = json.loads(write_answer(done))
    return answer


HOSTILE = [
    "",
    "null",
    "[]",
    '"text"',
    "{",
    "{}",
    "[" * 100_000 + "]" * 100_000,  # deeper than the JSON reader recurses
    json.dumps({**valid(), "v": 2}),  # a later format
    json.dumps({**valid(), "now": "yesterday"}),
    json.dumps({**valid(), "now": 5}),
    json.dumps({**valid(), "action": None}),
    json.dumps({**valid(), "outcome": []}),
    json.dumps({**valid(), "outcome": {**valid()["outcome"], "slots": [1]}}),
    json.dumps({**valid(), "outcome": {**valid()["outcome"], "restart": "yes"}}),
    json.dumps({**valid(), "outcome": {**valid()["outcome"], "messages": [{"text": "x"}]}}),
    json.dumps({**valid(), "outcome": {**valid()["outcome"], "reminders": [{"name": 1}]}}),
    json.dumps({**valid(), "outcome": {**valid()["outcome"], "messages": [{"buttons": [["a"]]}]}}),
    json.dumps({name: value for name, value in valid().items() if name != "error"}),
]


@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
def test_text_that_is_not_an_answer_counts_as_none_with_a_warning(
    text: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, "theke.actions"):
        assert read_answer(text) is None
    assert "kept action answer unreadable" in caplog.text


@given(st.text() | JSON.map(json.dumps))
def test_no_text_makes_reading_raise(text: str) -> None:
    read_answer(text)  # an answer or None, never an exception


@given(st.sampled_from(sorted(valid())), JSON)
def test_no_field_of_another_shape_makes_reading_raise(field: str, value: Any) -> None:
    answer = read_answer(json.dumps({**valid(), field: value}))
    assert answer is None or isinstance(answer, ActionDone)
