"""The bot's `broadcasts:` settings: read with their defaults, and every bad value named by
`theke check` at its file:line:column."""

from __future__ import annotations

from datetime import time
from pathlib import Path

import pytest

from framework.flows.language.broadcast_rules import DAILY_LIMIT
from framework.flows.language.reader import load_bot
from framework.flows.model import BroadcastRules
from tests.flows.test_reader_errors import TINY, problems_of, write_bot


def test_the_settings_are_read(tmp_path: Path) -> None:
    text = TINY + (
        "broadcasts:\n"
        '  quiet_hours: "21:30-08:00"\n'
        "  frequency_cap: {count: 2, days: 7}\n"
        "  daily_limit: 2000\n"
        "  stop_at_quality: yellow\n"
    )
    bot = load_bot(write_bot(tmp_path / "bot", text))
    assert bot.broadcasts == BroadcastRules((time(21, 30), time(8, 0)), (2, 7), 2000, "yellow")


def test_without_settings_only_meta_s_first_tier_holds(tmp_path: Path) -> None:
    assert load_bot(write_bot(tmp_path / "bot", TINY)).broadcasts == BroadcastRules(
        daily_limit=DAILY_LIMIT
    )
    text = TINY + "broadcasts: {daily_limit: unlimited}\n"
    assert load_bot(write_bot(tmp_path / "other", text)).broadcasts == BroadcastRules()


@pytest.mark.parametrize(
    ("setting", "said"),
    [
        ('quiet_hours: "21:00-21:00"', "the quiet hours '21:00-21:00' start when they end"),
        ('quiet_hours: "22:00-24:00"', "broadcasts.quiet_hours: '22:00-24:00' does not match"),
        ("quiet_hours: 9pm", "broadcasts.quiet_hours: '9pm' does not match"),
        ("frequency_cap: {count: 0, days: 7}", "frequency_cap.count: 0 is less than"),
        ("frequency_cap: {count: 2}", "'days' is a required property"),
        ("frequency_cap: {count: 2, days: 400}", "days: 400 is greater than"),
        ("daily_limit: lots", "broadcasts.daily_limit: 'lots'"),
        ("daily_limit: 0", "broadcasts.daily_limit: 0"),
        ("quiet_time: 1", "quiet_time"),
        ("stop_at_quality: green", "broadcasts.stop_at_quality: 'green' is not one of"),
        ("stop_at_quality: false", "broadcasts.stop_at_quality: False is not one of"),
    ],
)
def test_a_bad_setting_is_named_where_it_stands(tmp_path: Path, setting: str, said: str) -> None:
    problems = problems_of(tmp_path, TINY + f"broadcasts:\n  {setting}\n")
    errors = [p for p in problems if not p.warning]
    assert len(errors) == 1, errors
    assert said in errors[0].message
    assert errors[0].pos.line == 12  # TINY has 11 lines, `broadcasts:` the 11th
