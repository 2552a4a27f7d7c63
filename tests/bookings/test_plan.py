"""booking.yaml read and checked: every problem named at once, with its file, as `theke check`
shows them; a bot without booking.yaml books nothing; hostile and broken files refused
with a message, never a traceback."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from framework.actions.checking import action_problems
from framework.bookings.plan import load_plan
from framework.flows import load_bot

STUDIO = Path(__file__).resolve().parents[2] / "bots" / "nail_studio"
PIZZA = Path(__file__).resolve().parents[2] / "bots" / "pizza"


@pytest.fixture
def studio(tmp_path: Path) -> Path:
    copy = tmp_path / "studio"
    shutil.copytree(STUDIO, copy, ignore=shutil.ignore_patterns("tests"))
    return copy


def problems_of(folder: Path) -> list[str]:
    """What `theke check` says of the bot's actions (its booking desk reads booking.yaml)."""
    return [str(problem) for problem in action_problems(load_bot(folder)) if not problem.warning]


def test_the_studio_plan_as_written(studio: Path) -> None:
    plan = load_plan(load_bot(studio), studio)
    assert plan is not None
    assert sorted(plan.staff) == ["anna", "lena", "maria"]
    assert plan.services["gel_nails"].deposit is not None
    assert plan.services["gel_nails"].deposit.minor == 2000
    assert plan.services["pedicure"].staff == ("maria", "lena")
    assert [r.total_seconds() / 3600 for r in plan.reminders] == [24.0, 2.0]
    assert plan.names()["mia"] == "maria"


def test_a_bot_without_booking_yaml_books_nothing() -> None:
    assert load_plan(load_bot(PIZZA), PIZZA) is None


def test_every_problem_is_named_with_its_file(studio: Path) -> None:
    text = (studio / "booking.yaml").read_text(encoding="utf-8")
    text = text.replace("hold: 10m", "hold: ten minutes").replace("offers: 3", "offers: 9")
    text += "  nails_of_doom: {minutes: 3, staff: [nobody], deposit: -5}\n"
    text += "colour: blue\n"
    (studio / "booking.yaml").write_text(text, encoding="utf-8")
    found = problems_of(studio)
    assert all(problem.startswith(f"{studio / 'booking.yaml'}:") for problem in found)
    said = "\n".join(found)
    for expected in (
        "hold: 'ten minutes' is not a duration",
        "offers: a whole number from 1 to 5",
        "services.nails_of_doom: is not an item of the catalog",
        "services.nails_of_doom.minutes: a whole number of minutes from 5 to 720",
        "services.nails_of_doom.staff: 'nobody' is not under staff",
        "colour: unknown key",
    ):
        assert expected in said, said


@pytest.mark.parametrize(
    "text",
    [
        "staff: [",  # broken YAML
        "- just\n- a\n- list\n",
        "staff:\n  anna:\n    hours: {tue: ['19:00-10:00']}\nservices: {}\n",
        "staff:\n  anna:\n    breaks: ['noon']\n    days_off: ['someday']\nservices: {}\n",
        "x" * 200_000,
    ],
)
def test_broken_files_are_refused_with_a_message(studio: Path, text: str) -> None:
    (studio / "booking.yaml").write_text(text, encoding="utf-8")
    assert problems_of(studio)
