"""Meta's `phone_number_quality_update` read into the news of a number (whatsapp_numbers.py):
the documented body (webhook reference, Nov 2025) as the fake Graph API sends it, the events
that say a quality, the limit that wins, and bodies of another shape — each a problem or an
ignored value, never an exception."""

from __future__ import annotations

from typing import Any

import pytest

from framework.channels.messages import WebhookProblem
from framework.channels.whatsapp_in import parse_webhook
from framework.stores.number_states import NumberNews
from tests.fakes.webhooks import BUSINESS, number_quality_update

AT = 1748454394
ID = BUSINESS.phone_number_id


def parse(payload: Any) -> list[Any]:
    served = {BUSINESS.display_phone_number: ID}
    return parse_webhook(payload, lambda number: "cafe", frozenset(), served.get)


def body(**value: Any) -> dict[str, Any]:
    payload = number_quality_update("FLAGGED", "TIER_2K", at=AT)
    payload["entry"][0]["changes"][0]["value"] = value
    return payload


@pytest.mark.parametrize(
    ("payload", "news"),
    [
        (
            number_quality_update("FLAGGED", "TIER_2K", at=AT),
            NumberNews(ID, AT, "FLAGGED", "RED", "TIER_2K"),
        ),
        (
            number_quality_update("UNFLAGGED", "TIER_2K", at=AT),
            NumberNews(ID, AT, "UNFLAGGED", "GREEN", "TIER_2K"),
        ),
        (
            number_quality_update("DOWNGRADE", "TIER_250", old_limit="TIER_2K", at=AT),
            NumberNews(ID, AT, "DOWNGRADE", tier="TIER_250"),
        ),
        (
            number_quality_update("UPGRADE", "TIER_10K", max_daily="TIER_100K", at=AT),
            NumberNews(ID, AT, "UPGRADE", tier="TIER_100K"),  # the portfolio's wins
        ),
        (
            number_quality_update("THROUGHPUT_UPGRADE", "TIER_UNLIMITED", at=AT),
            NumberNews(ID, AT, "THROUGHPUT_UPGRADE", tier="TIER_UNLIMITED"),
        ),
        (
            number_quality_update("ONBOARDING", "TIER_NOT_SET", at=AT),
            NumberNews(ID, AT, "ONBOARDING"),  # no limit yet: none kept
        ),
        (
            body(
                display_phone_number="+1 555-078-3881",
                event="SOMETHING_NEW",
                quality_rating="YELLOW",
                current_limit="TIER_5M",
                extra={"x": 1},
            ),
            NumberNews(ID, AT, "SOMETHING_NEW", "YELLOW"),  # unknown tier and keys left out
        ),
        (
            body(display_phone_number="15550783881", event="FLAGGED", quality_rating="GREEN"),
            NumberNews(ID, AT, "FLAGGED", "GREEN"),  # a rating said outright wins
        ),
    ],
)
def test_the_documented_bodies_read_as_news(payload: Any, news: NumberNews) -> None:
    assert parse(payload) == [news]


def test_no_time_in_the_entry_is_when_it_arrives() -> None:
    payload = number_quality_update("FLAGGED", "TIER_2K")
    del payload["entry"][0]["time"]
    assert parse(payload) == [NumberNews(ID, 0.0, "FLAGGED", "RED", "TIER_2K")]


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        ({"display_phone_number": "4930123456", "event": "FLAGGED"}, "unknown_number"),
        ({"event": "FLAGGED", "current_limit": "TIER_250"}, "malformed"),
        ({"display_phone_number": ["15550783881"], "event": "FLAGGED"}, "malformed"),
        ({"display_phone_number": "15550783881", "event": "flagged; DROP"}, "malformed"),
        (
            {"display_phone_number": "15550783881", "event": {"$gt": ""}, "current_limit": 250},
            "malformed",
        ),
        ({"display_phone_number": "15550783881", "quality_rating": "PURPLE"}, "malformed"),
        ({"display_phone_number": "1" * 100_000, "event": "FLAGGED"}, "unknown_number"),
        ({"display_phone_number": "15550783881", "event": "X" * 100_000}, "malformed"),
    ],
)
def test_a_body_of_another_shape_is_a_problem(value: Any, kind: str) -> None:
    found = parse(body(**value))
    assert len(found) == 1 and isinstance(found[0], WebhookProblem)
    assert found[0].kind == kind
    assert len(found[0].detail) < 200


def test_a_value_that_is_no_object_is_a_problem() -> None:
    payload = number_quality_update("FLAGGED", "TIER_2K")
    payload["entry"][0]["changes"][0]["value"] = ["FLAGGED"]
    assert [p.kind for p in parse(payload)] == ["malformed"]
