"""WhatsApp's `user_preferences` field read into consent signals (whatsapp_preferences.py): whose
conversation a preference belongs to (named as their messages are), what makes it count once,
and what is not acted on."""

from __future__ import annotations

from typing import Any

import pytest

from framework.channels.messages import ConsentSignal, WebhookProblem
from framework.channels.whatsapp_in import parse_webhook
from tests.fakes import webhooks as wa
from tests.fakes.webhooks import load_sample

BOT = "cafe"


def route(number: str) -> str | None:
    return BOT if number == wa.BUSINESS.phone_number_id else None


def read(payload: dict[str, Any]) -> list[Any]:
    return list(parse_webhook(payload, route))


def test_a_stop_names_the_conversation_as_the_customers_messages_do() -> None:
    [signal] = read(wa.user_preferences(wa.preference("stop", timestamp=1796036400)))
    assert signal == ConsentSignal(
        bot=BOT,
        channel="whatsapp",
        customer=str(wa.CUSTOMER.user_id),  # the BSUID the contacts give for the wa_id
        signal_id=f"consent:stop:{wa.CUSTOMER.wa_id}:1796036400",
        signal="stop",
        purposes="marketing",
        said="User requested to stop marketing messages",
    )


def test_without_a_bsuid_the_wa_id_names_it() -> None:
    person = wa.Customer(user_id=None)
    [signal] = read(wa.user_preferences(wa.preference("resume"), customer=person))
    assert isinstance(signal, ConsentSignal)
    assert (signal.customer, signal.signal) == (person.wa_id, "resume")


def test_the_published_samples_read_as_a_resume_and_a_signup_not_acted_on() -> None:
    [resume] = read(load_sample("user-preferences-resume"))
    assert isinstance(resume, ConsentSignal)
    assert resume.customer == "16505551234"  # the sample's contacts name another number
    assert resume.said == "User requested to resume marketing messages"
    [signup] = read(load_sample("user-preferences-signup"))
    assert isinstance(signup, WebhookProblem) and signup.kind == "preference"


def test_several_preferences_each_on_its_own() -> None:
    payload = wa.user_preferences(
        wa.preference("stop", timestamp=1),
        {"wa_id": 5},
        wa.preference("resume", timestamp=2, detail="  "),
    )
    stop, broken, resume = read(payload)
    assert isinstance(stop, ConsentSignal) and isinstance(resume, ConsentSignal)
    assert isinstance(broken, WebhookProblem) and broken.kind == "preference"
    assert resume.said == "WhatsApp: the customer resumed marketing messages"
    assert stop.signal_id != resume.signal_id


@pytest.mark.parametrize(
    ("changes", "kind"),
    [
        ({"wa_id": None}, "malformed"),
        ({"wa_id": "x" * 300}, "malformed"),
        ({"timestamp": "soon"}, "malformed"),
        ({"detail": 7}, "malformed"),
        ({"value": "signup"}, "preference"),
        ({"value": []}, "preference"),
        ({"value": {"stop": True}}, "preference"),
        ({"category": None}, "preference"),
    ],
)
def test_what_is_not_a_readable_stop_is_a_problem(changes: dict[str, Any], kind: str) -> None:
    preference = wa.preference("stop")
    for name, value in changes.items():
        if value is None:
            preference.pop(name)
        else:
            preference[name] = value
    [problem] = read(wa.user_preferences(preference))
    assert isinstance(problem, WebhookProblem) and problem.kind == kind


def test_a_number_no_bot_serves_is_a_problem() -> None:
    other = wa.Business(phone_number_id="999")
    [problem] = read(wa.user_preferences(wa.preference("stop"), business=other))
    assert isinstance(problem, WebhookProblem) and problem.kind == "unknown_number"
