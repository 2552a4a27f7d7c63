"""The reasons a broadcast's failed messages are counted under: what the messenger said, read
from a refused send or from a failed status of any shape."""

from __future__ import annotations

from typing import Any

import pytest

from framework.runtime.broadcast_results import failure_reason, status_reason
from framework.runtime.sending import SendFailure


@pytest.mark.parametrize(
    ("failure", "reason"),
    [
        (SendFailure("held back", code=131049), "131049"),
        (SendFailure("no template", window_closed=True), "window_closed"),
        (SendFailure("blocked", code=403, unreachable=True, withdrawn=""), "blocked"),
        (SendFailure("deactivated", code=403, unreachable=True), "403"),
        (SendFailure("stopped", code=131050, withdrawn="marketing"), "131050"),
        (SendFailure("gone", unreachable=True), "unreachable"),
        (SendFailure("a bug in a channel"), "refused"),
    ],
)
def test_a_refused_send_counts_under_what_it_means(failure: SendFailure, reason: str) -> None:
    assert failure_reason(failure) == reason


@pytest.mark.parametrize(
    ("errors", "reason"),
    [
        ([{"code": 131049, "title": "held back"}, {"code": 1}], "131049"),
        ([{"code": 131047}], "131047"),
        ([], "unknown"),
        (None, "unknown"),
        ("131049", "unknown"),
        (["131049"], "unknown"),
        ([{"code": "131049; DROP"}], "unknown"),
        ([{"code": True}], "unknown"),
        ([{"title": "no code"}], "unknown"),
    ],
)
def test_a_failed_status_counts_under_its_first_code(errors: Any, reason: str) -> None:
    assert status_reason(errors) == reason
