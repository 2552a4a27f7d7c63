"""'That's all' means no only to the ordering flow's "anything else?": at any other yes/no
question ("did that help?") "passt so" and "all good now" are a yes."""

from __future__ import annotations

from pathlib import Path

import pytest

from framework.flows import load_bot
from framework.testing.conversations import load_tests, review_test

BOT = """
name: fixit
business: {name: Fixit, locale: de-DE, languages: [de, en], currency: EUR, timezone: Europe/Berlin}
slots:
  helped: {type: yes_no}
flows:
  restart:
    triggers: {de: [geht nicht], en: [does not work]}
    steps:
      - ask: helped
        text: {de: "Neu starten. Hat das geholfen?", en: "Restart it. Did that help?"}
      - if: helped
        then:
          - end: {de: Prima!, en: Great!}
      - end: {de: Dann ein Ticket., en: Then a ticket.}
"""

TESTS = """
tests:
  - name: passt so
    turns:
      - user: geht nicht
      - user: passt so, danke
        bot: [Prima!]
  - name: all good now
    lang: en
    turns:
      - user: does not work
      - user: all good now
        bot: [Great!]
  - name: a plain no is still no
    turns:
      - user: geht nicht
      - user: nein
        bot: [Dann ein Ticket.]
"""


@pytest.mark.parametrize("index", range(3))
def test_done_words_at_another_yes_no_question(tmp_path: Path, index: int) -> None:
    (tmp_path / "bot.yaml").write_text(BOT, encoding="utf-8")
    (tmp_path / "tests.yaml").write_text(TESTS, encoding="utf-8")
    test = load_tests(tmp_path / "tests.yaml")[index]
    review = review_test(load_bot(tmp_path), test)
    assert review.passed, "\n".join(review.transcript + review.problems)
