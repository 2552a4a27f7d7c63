"""What flow authors found writing bots from the docs alone (issue 14): no false "can never
run" for a step reached by a goto, a clear word about filters where they are not allowed,
and pay line names that are templates."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from framework.flows.engine import step
from framework.flows.events import Message, PaymentRequest
from framework.flows.language.reader import load_bot
from framework.flows.session import new_session
from tests.flows.test_pay_step import pay_bot
from tests.flows.test_reader_errors import errors, only, problems_of, with_steps, write_bot

NOW = datetime(2026, 11, 27, 19, 0, tzinfo=ZoneInfo("Europe/London"))

LOOP = """\
      - id: again
        ask: quantity
        text: How many?
      - if: "quantity < 3"
        then:
          - set: {quantity: null}
          - goto: start.again
        else:
          - goto: start.checkout
      - id: checkout
        pay:
          items: [{name: Tea, price: 2.00, quantity: "{{ quantity }}"}]
      - say: Thanks!
"""


def test_a_pay_step_reached_after_a_loop_is_no_unreachable_step(tmp_path: Path) -> None:
    problems = problems_of(tmp_path, with_steps(LOOP))
    assert not [p for p in problems if "can never run" in p.message], problems


def test_a_step_no_goto_reaches_is_still_unreachable(tmp_path: Path) -> None:
    text = with_steps(LOOP.replace("goto: start.checkout", "end: true"))
    never = [p for p in problems_of(tmp_path, text) if "can never run" in p.message]
    assert [p.pos.line for p in never] == [17, 20]  # the pay step and the step after it


def test_a_filter_in_a_condition_says_filters_are_for_texts(tmp_path: Path) -> None:
    text = with_steps('      - if: "cart.lines | length > 2"\n        then:\n          - say: hi\n')
    problem = only(errors(problems_of(tmp_path, text)), "filters like | length")
    assert "filters like | length are not allowed here, use them in texts" in problem.message
    assert "BitOr" not in problem.message


def test_a_filter_in_a_set_value_says_filters_are_for_texts(tmp_path: Path) -> None:
    text = with_steps('      - set: {quantity: "{{ cart.lines | length }}"}\n')
    only(errors(problems_of(tmp_path, text)), "filters like | length are not allowed here")


def test_a_pay_line_name_is_a_template_rendered_at_pay_time(tmp_path: Path) -> None:
    items = '          items: [{name: "{{ quantity }} × Tea ({{ lang }})", price: 2.00}]'
    bot = load_bot(pay_bot(tmp_path, items))
    session = step(bot, new_session(bot), Message("hi", NOW)).session
    result = step(bot, session, Message("3", NOW))
    [request] = [e for e in result.effects if isinstance(e, PaymentRequest)]
    assert request.bill is not None
    assert [line.name for line in request.bill.lines] == ["3 × Tea (en)"]


def test_an_unknown_name_in_a_pay_line_name_is_an_error(tmp_path: Path) -> None:
    text = with_steps('      - pay:\n          items: [{name: "Tea {{ qty }}", price: 2}]\n')
    only(errors(problems_of(tmp_path, text)), "unknown name 'qty'")


DAYS = """\
      - if: "business.holiday"
        then:
          - end: closed for the holiday
        elif:
          - if: "business.weekday >= 6"
            then:
              - end: no deliveries at weekends
      - end: "open, day {{ business.weekday }}"
"""


def test_weekday_and_holiday_checks_in_conditions(tmp_path: Path) -> None:
    head = "name: tiny\nbusiness: {name: Tiny, locale: en-GB, languages: [en], currency: GBP,"
    head += ' timezone: Europe/London, holidays: ["2026-12-25"]}\n'
    folder = tmp_path / "days"
    folder.mkdir()
    (folder / "bot.yaml").write_text(with_steps(DAYS, head=head), encoding="utf-8")
    bot = load_bot(folder)
    said = {
        day: step(
            bot, new_session(bot), Message("hi", datetime(2026, 12, day, 12, 0, tzinfo=NOW.tzinfo))
        )
        .replies[0]
        .text
        for day in (24, 25, 26)
    }
    assert said == {
        24: "open, day 4",
        25: "closed for the holiday",
        26: "no deliveries at weekends",
    }


CATALOG_TAGS = """\
catalog:
  tags:
    drink: {de: [getränke], en: [beverages]}
    desert: [nachtisch]
  items:
    tea: {name: Tea, price: 2.00, tags: [drink]}
"""


def test_a_catalog_tag_word_for_a_tag_no_item_has_is_an_error(tmp_path: Path) -> None:
    problems = errors(problems_of(tmp_path, with_steps("      - say: hi\n", extra=CATALOG_TAGS)))
    problem = only(problems, "no catalog item has the tag")
    assert "'desert'" in problem.message
    assert problem.pos.line == 8  # the tag's line


def test_catalog_tag_words_are_read_per_tag(tmp_path: Path) -> None:
    text = with_steps(
        "      - say: hi\n", extra=CATALOG_TAGS.replace("    desert: [nachtisch]\n", "")
    )
    bot = load_bot(write_bot(tmp_path / "bot", text))
    assert bot.catalog.tag_words == {"drink": ("getränke", "beverages")}
