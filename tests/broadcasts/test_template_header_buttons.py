"""A broadcast's WhatsApp template with the header and buttons it was approved with: read and
checked as the API, the command and the store hand it over (each refusal naming the field and
what to write), written back as it came, and filled with the broadcast's values as it is sent
and previewed. Templates kept before header and buttons existed read and write as before."""

from __future__ import annotations

from typing import Any

import pytest

from framework.stores.whatsapp_templates import (
    Button,
    Header,
    WhatsAppTemplate,
    WhatsAppTemplateError,
)

PLAIN = {
    "name": "spring_offer",
    "category": "marketing",
    "languages": {"de": "de", "en": "en_US"},
    "parameters": ["discount"],
}
RICH = {
    **PLAIN,
    "header": {"type": "image", "link": "https://shop.example/offer.jpg"},
    "buttons": [
        {"type": "quick_reply", "payload": "OFFER_YES"},
        {"type": "url", "parameter": "code"},
    ],
}
VALUES = {"discount": "20 %", "code": "A12345", "title": "Frühling"}


def parse(**changes: Any) -> WhatsAppTemplate:
    return WhatsAppTemplate.parse({**PLAIN, **changes})


def test_a_template_of_before_reads_and_writes_as_before() -> None:
    template = WhatsAppTemplate.parse(PLAIN)
    assert (template.header, template.buttons) == (None, ())
    assert template.to_json() == PLAIN
    assert template.filled(VALUES) == {}


@pytest.mark.parametrize(
    "header",
    [
        {"type": "text", "parameter": "title"},
        {"type": "image", "link": "https://shop.example/offer.jpg"},
        {"type": "video", "link": "https://cdn.example/a/spring.mp4?v=2"},
        {"type": "document", "link": "https://shop.example/t/42.pdf"},
        {"type": "document", "link": "https://shop.example/t/42.pdf", "filename": "Ticket 42.pdf"},
    ],
)
def test_every_header_round_trips(header: dict[str, str]) -> None:
    template = parse(header=header, buttons=RICH["buttons"])
    assert template.to_json() == {**PLAIN, "header": header, "buttons": RICH["buttons"]}
    assert WhatsAppTemplate.parse(template.to_json()) == template


def test_it_is_filled_with_the_values_as_it_is_sent() -> None:
    template = WhatsAppTemplate.parse(RICH).check_fits("marketing", VALUES)
    assert template.header == Header("image", link="https://shop.example/offer.jpg")
    assert template.buttons == (
        Button("quick_reply", payload="OFFER_YES"),
        Button("url", parameter="code"),
    )
    assert template.filled(VALUES) == {
        "header": {"type": "image", "link": "https://shop.example/offer.jpg"},
        "buttons": [
            {"type": "quick_reply", "payload": "OFFER_YES"},
            {"type": "url", "text": "A12345"},
        ],
    }
    text = parse(header={"type": "text", "parameter": "title"})
    assert text.filled(VALUES) == {"header": {"type": "text", "text": "Frühling"}}
    document = {"type": "document", "link": "https://x.example/t.pdf", "filename": "t.pdf"}
    assert parse(header=document).filled(VALUES) == {"header": document}


def test_every_value_it_names_must_be_given() -> None:
    with pytest.raises(WhatsAppTemplateError, match="no value for title, code"):
        parse(
            header={"type": "text", "parameter": "title"},
            buttons=[{"type": "url", "parameter": "code"}],
        ).check_fits("marketing", {"discount": "20 %"})


@pytest.mark.parametrize("value", ["A 12345", "", "a\tb", "x\ny"])
def test_a_url_button_s_value_has_no_spaces(value: str) -> None:
    template = parse(buttons=[{"type": "url", "parameter": "code"}])
    with pytest.raises(WhatsAppTemplateError, match=r"buttons: the value code ends a URL.*%20"):
        template.check_fits("marketing", {**VALUES, "code": value})


HUGE = "x" * 100_000


@pytest.mark.parametrize(
    ("header", "said"),
    [
        ("https://shop.example/a.jpg", r"header: \{\"type\": \"text\""),
        ({"type": "IMAGE", "link": "https://a.example/b.jpg"}, "header: "),
        ({"type": "audio", "link": "https://a.example/b.ogg"}, "header: "),
        ({"type": ["image"], "link": "https://a.example/b.jpg"}, "header: "),
        ({"link": "https://a.example/b.jpg"}, "header: "),
        ({"type": "image", "link": "https://a.example/b.jpg", "caption": "x"}, "header: "),
        ({"type": "image", "link": "https://a.example/b.jpg", "filename": "b.jpg"}, "header: "),
        ({"type": "text", "parameter": "title", "link": "https://a.example/"}, "header: "),
        ({"type": "image", "link": "http://shop.example/offer.jpg"}, "link: .*http is refused"),
        ({"type": "image", "link": "ftp://shop.example/offer.jpg"}, "header.link"),
        ({"type": "image", "link": "https://"}, "header.link"),
        ({"type": "image", "link": "https://[::1/x.jpg"}, "header.link"),
        ({"type": "image", "link": "https://a.example/my offer.jpg"}, "without spaces"),
        ({"type": "image", "link": "https://a.example/\u00e4.jpg"}, "header.link"),
        ({"type": "image", "link": "https://a.example/" + HUGE}, "at most 2000"),
        ({"type": "image", "link": {"$ne": ""}}, "header.link"),
        ({"type": "image"}, "header.link"),
        ({"type": "document", "link": "https://a.example/t.pdf", "filename": ""}, "filename"),
        ({"type": "document", "link": "https://a.example/t.pdf", "filename": "a/b.pdf"}, "/"),
        (
            {"type": "document", "link": "https://a.example/t.pdf", "filename": "t\n.pdf"},
            "one line",
        ),
        ({"type": "document", "link": "https://a.example/t.pdf", "filename": HUGE}, "filename"),
        ({"type": "document", "link": "https://a.example/t.pdf", "filename": 42}, "filename"),
        ({"type": "text"}, "header.parameter: the name of the value"),
        ({"type": "text", "parameter": ""}, "header.parameter"),
        ({"type": "text", "parameter": HUGE}, "header.parameter"),
        ({"type": "text", "parameter": ["title"]}, "header.parameter"),
    ],
)
def test_a_header_of_another_shape_is_refused_saying_what_to_write(header: Any, said: str) -> None:
    with pytest.raises(WhatsAppTemplateError, match=said) as refused:
        parse(header=header)
    assert str(refused.value).startswith("whatsapp_template.header")
    assert len(str(refused.value)) < 400  # never the hostile input echoed back


@pytest.mark.parametrize(
    ("buttons", "said"),
    [
        ({"type": "quick_reply", "payload": "YES"}, r"buttons: a list of at most 10"),
        ("YES", r"buttons: a list"),
        ([{"type": "quick_reply", "payload": "Y"}] * 11, r"buttons: a list of at most 10"),
        ([{"type": "url", "parameter": "code"}] * 3, r"buttons: at most 2 URL buttons"),
        (["YES"], r"buttons\[0\]: \{\"type\": \"quick_reply\""),
        ([{"type": "phone_number", "phone": "+49"}], r"buttons\[0\]: "),
        ([{"type": "QUICK_REPLY", "payload": "Y"}], r"buttons\[0\]: "),
        ([{"type": "quick_reply", "payload": "Y", "text": "Yes"}], r"buttons\[0\]: "),
        ([{"type": "url", "parameter": "code", "url": "https://a.example/"}], r"buttons\[0\]: "),
        ([{"payload": "Y"}], r"buttons\[0\]: "),
        ([{"type": {"$gt": ""}, "payload": "Y"}], r"buttons\[0\]: "),
        ([{"type": "quick_reply"}], r"buttons\[0\].payload: what the customer's tap"),
        ([{"type": "quick_reply", "payload": ""}], r"buttons\[0\].payload"),
        ([{"type": "quick_reply", "payload": "   "}], r"buttons\[0\].payload"),
        ([{"type": "quick_reply", "payload": "x" * 129}], r"buttons\[0\].payload.*128"),
        ([{"type": "quick_reply", "payload": HUGE}], r"buttons\[0\].payload"),
        ([{"type": "quick_reply", "payload": 7}], r"buttons\[0\].payload"),
        ([{"type": "quick_reply", "payload": "a\nb"}], r"buttons\[0\].payload: one line"),
        ([{"type": "quick_reply", "payload": "Y"}, {"type": "url"}], r"buttons\[1\].parameter"),
        ([{"type": "url", "parameter": HUGE}], r"buttons\[0\].parameter"),
        ([{"type": "url", "parameter": None}], r"buttons\[0\].parameter"),
    ],
)
def test_buttons_of_another_shape_are_refused_saying_what_to_write(buttons: Any, said: str) -> None:
    with pytest.raises(WhatsAppTemplateError, match=said) as refused:
        parse(buttons=buttons)
    assert str(refused.value).startswith("whatsapp_template.buttons")
    assert len(str(refused.value)) < 400


def test_ten_buttons_and_two_url_buttons_are_meta_s_limits() -> None:
    many = [{"type": "quick_reply", "payload": f"P{n}"} for n in range(8)]
    urls = [{"type": "url", "parameter": "code"}, {"type": "url", "parameter": "discount"}]
    template = parse(buttons=many + urls)
    assert len(template.buttons) == 10
    assert template.to_json()["buttons"] == many + urls
    assert parse(buttons=[{"type": "quick_reply", "payload": "x" * 128}]).buttons[0].payload


def test_no_header_and_no_buttons_written_out_are_none() -> None:
    template = parse(header=None, buttons=[])
    assert (template.header, template.buttons) == (None, ())
    assert template.to_json() == PLAIN


@pytest.mark.parametrize("key", ["footer", "HEADER", "components", "button"])
def test_other_keys_are_still_refused(key: str) -> None:
    with pytest.raises(WhatsAppTemplateError, match="optionally header and buttons"):
        parse(**{key: {}})
