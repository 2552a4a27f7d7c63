"""A broadcast's approved WhatsApp template: its name, its category, Meta's language code per
language of the bot, which of the broadcast's values fill the body's {{1}}..{{n}}, and, as the
business approved it, its header (a text with one value, or an image, video or document by its
https link) and its buttons in the template's order (a quick reply's payload, which comes back
with the customer's tap; the value that ends a URL button's link).

    {"name": "spring_offer", "category": "marketing",
     "languages": {"de": "de", "en": "en_US"}, "parameters": ["discount"],
     "header": {"type": "image", "link": "https://shop.example/offer.jpg"},
     "buttons": [{"type": "quick_reply", "payload": "OFFER_YES"},
                 {"type": "url", "parameter": "code"}]}

Checked as Meta checks a template (a name of lowercase letters, digits and underscores, at
most 512 characters; language codes such as `en` or `en_US`) and against the broadcast: a
marketing broadcast needs a marketing template, a notification (`notify:<topic>`) a utility
one (Meta re-categorises a template whose words do not fit its category, so a mismatch is
refused rather than sent), and every parameter (of the body, the header, a URL button) names
one of its values. Pure: no I/O.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from framework.errors import ThekeError

__all__ = [
    "CATEGORIES",
    "MAX_BUTTONS",
    "MAX_LANGUAGES",
    "MAX_PARAMETERS",
    "Button",
    "Header",
    "WhatsAppTemplate",
    "WhatsAppTemplateError",
]

MARKETING, UTILITY = "marketing", "utility"
CATEGORIES = (MARKETING, UTILITY)
MAX_LANGUAGES = 20
MAX_PARAMETERS = 20
"""Body parameters at most (a broadcast has at most 20 values)."""
MAX_BUTTONS = 10
"""Buttons at most, as Meta allows on a template (of them at most 2 URL buttons)."""
MAX_URL_BUTTONS = 2
MAX_PAYLOAD = 128
"""A quick reply's payload at most, in characters."""
MAX_LINK = 2000
MAX_FILENAME = 240
QUICK_REPLY, URL = "quick_reply", "url"
_KEYS = frozenset({"name", "category", "languages", "parameters", "header", "buttons"})
_HEADER_KEYS = {
    "text": frozenset({"type", "parameter"}),
    "image": frozenset({"type", "link"}),
    "video": frozenset({"type", "link"}),
    "document": frozenset({"type", "link", "filename"}),
}
_BUTTON_KEYS = {
    QUICK_REPLY: frozenset({"type", "payload"}),
    URL: frozenset({"type", "parameter"}),
}
_NAME = re.compile(r"[a-z0-9_]{1,512}")
_CODE = re.compile(r"[a-z]{2,3}(_[A-Z]{2})?")
"""Meta's template language codes: `de`, `en_US`, `pt_BR`, `fil`."""
_LANG = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})?")
"""A bot's languages: `de`, `en`, `pt-BR`."""
_PRINTABLE = re.compile(r"[!-~]+")
"""A link as it is written: visible ASCII, no spaces."""
_URL_END = re.compile(rf"[^\s]{{1,{MAX_LINK}}}")
_FILENAME = re.compile(rf"[^\x00-\x1f\x7f/\\]{{1,{MAX_FILENAME}}}")


class WhatsAppTemplateError(ThekeError, ValueError):
    """A template of another shape, or one that does not fit its broadcast: the message says
    what to write instead."""


@dataclass(frozen=True, slots=True)
class Header:
    """A template's header: `text` with one value (`parameter` names it), or an `image`,
    `video` or `document` at `link` (a document's `filename` is what the customer sees)."""

    type: str
    parameter: str = ""
    link: str = ""
    filename: str = ""

    def to_json(self) -> dict[str, str]:
        found = {"type": self.type, "parameter": self.parameter, "link": self.link}
        return {key: value for key, value in {**found, "filename": self.filename}.items() if value}

    def filled(self, values: Mapping[str, str]) -> dict[str, str]:
        """As it is sent: a text header's value as `text`, a media header as it is."""
        if self.type == "text":
            return {"type": "text", "text": values.get(self.parameter, "")}
        return self.to_json()


@dataclass(frozen=True, slots=True)
class Button:
    """A template's button, in its place: a `quick_reply` and the `payload` its tap sends
    back, or a `url` whose link ends with the value `parameter` names."""

    type: str
    payload: str = ""
    parameter: str = ""

    def to_json(self) -> dict[str, str]:
        if self.type == QUICK_REPLY:
            return {"type": QUICK_REPLY, "payload": self.payload}
        return {"type": URL, "parameter": self.parameter}

    def filled(self, values: Mapping[str, str]) -> dict[str, str]:
        """As it is sent: a URL button's value as `text`."""
        if self.type == QUICK_REPLY:
            return self.to_json()
        return {"type": URL, "text": values.get(self.parameter, "")}


@dataclass(frozen=True, slots=True)
class WhatsAppTemplate:
    name: str
    category: str
    languages: Mapping[str, str] = field(default_factory=dict)
    """The bot's language -> Meta's code of the template's translation in it."""
    parameters: tuple[str, ...] = ()
    """Names of the broadcast's values, filling {{1}}..{{n}} of the body in this order."""
    header: Header | None = None
    buttons: tuple[Button, ...] = ()
    """In the template's order: the first is index 0."""

    @classmethod
    def parse(cls, data: Any) -> WhatsAppTemplate:
        """A template as the API, the command or the store hands it over (WhatsAppTemplateError
        naming what is wrong)."""
        if not isinstance(data, Mapping) or not set(data) <= _KEYS:
            raise WhatsAppTemplateError(
                "whatsapp_template: an object of name, category, languages and parameters, "
                "and optionally header and buttons"
            )
        name, category = data.get("name"), data.get("category")
        if not isinstance(name, str) or not _NAME.fullmatch(name):
            raise WhatsAppTemplateError(
                "whatsapp_template.name: the approved template's name, 1 to 512 lowercase "
                "letters, digits or underscores (as WhatsApp Manager shows it)"
            )
        if category not in CATEGORIES:
            raise WhatsAppTemplateError("whatsapp_template.category: marketing or utility")
        return cls(
            name,
            str(category),
            _languages(data.get("languages")),
            _parameters(data),
            _header(data.get("header")),
            _buttons(data.get("buttons")),
        )

    def to_json(self) -> dict[str, Any]:
        """As parsed; without a header or buttons, the same JSON as before they existed."""
        found: dict[str, Any] = {
            "name": self.name,
            "category": self.category,
            "languages": dict(self.languages),
            "parameters": list(self.parameters),
        }
        if self.header is not None:
            found["header"] = self.header.to_json()
        if self.buttons:
            found["buttons"] = [button.to_json() for button in self.buttons]
        return found

    def value_names(self) -> list[str]:
        """Every value it names: the body's, the header's, the URL buttons'."""
        header = [self.header.parameter] if self.header and self.header.parameter else []
        buttons = [button.parameter for button in self.buttons if button.type == URL]
        return [*self.parameters, *header, *buttons]

    def check_fits(self, purpose: str, values: Mapping[str, str]) -> WhatsAppTemplate:
        """Itself, when its category fits the broadcast's purpose and its values name every
        parameter; else WhatsAppTemplateError saying why."""
        wanted = MARKETING if purpose == MARKETING else UTILITY
        if self.category != wanted:
            kind = "marketing broadcast" if wanted == MARKETING else "notification"
            raise WhatsAppTemplateError(
                f"whatsapp_template.category: a {kind} needs a {wanted} template, not "
                f"{self.category} (Meta re-categorises a template whose words do not fit its "
                "category: approve one of the right category)"
            )
        missing = list(dict.fromkeys(n for n in self.value_names() if n not in values))
        if missing:
            raise WhatsAppTemplateError(
                f"whatsapp_template.parameters: no value for {', '.join(missing)}: give each "
                "parameter (of the body, the header, a URL button) a value (values: {name: text})"
            )
        for button in self.buttons:
            if button.type == URL and not _URL_END.fullmatch(values[button.parameter]):
                raise WhatsAppTemplateError(
                    f"whatsapp_template.buttons: the value {button.parameter} ends a URL button's "
                    f"link: 1 to {MAX_LINK} characters without spaces (URL-encode them: %20)"
                )
        return self

    def check_speaks(
        self, languages: Sequence[str], default: str, only: str = ""
    ) -> WhatsAppTemplate:
        """Itself, when it names only languages the bot speaks and has a code for the bot's
        `default` language (where no other fits) and for `only` (the broadcast's language)."""
        foreign = sorted(set(self.languages) - set(languages))
        if foreign:
            raise WhatsAppTemplateError(
                f"whatsapp_template.languages: the bot does not speak {', '.join(foreign)} "
                f"(it speaks {', '.join(languages)})"
            )
        for lang in dict.fromkeys(filter(None, (default, only))):
            if lang not in self.languages:
                raise WhatsAppTemplateError(
                    f"whatsapp_template.languages: no code for {lang}, the bot's default "
                    "language or the broadcast's: every conversation needs one"
                )
        return self

    def code_for(self, lang: str, default: str) -> str:
        """Meta's code in the conversation's language, else in the bot's `default` one."""
        return self.languages.get(lang) or self.languages.get(default, "")

    def body(self, values: Mapping[str, str]) -> list[str]:
        """The body's parameters: the values named, in order."""
        return [values.get(name, "") for name in self.parameters]

    def filled(self, values: Mapping[str, str]) -> dict[str, Any]:
        """Its header and buttons as they are sent, with the values they name (only those it
        has): {"header": {"type": "text", "text": …} | {"type": "image", "link": …},
        "buttons": [{"type": "quick_reply", "payload": …}, {"type": "url", "text": …}]}."""
        found: dict[str, Any] = {}
        if self.header is not None:
            found["header"] = self.header.filled(values)
        if self.buttons:
            found["buttons"] = [button.filled(values) for button in self.buttons]
        return found


def _languages(data: Any) -> dict[str, str]:
    if not isinstance(data, Mapping) or not 1 <= len(data) <= MAX_LANGUAGES:
        raise WhatsAppTemplateError(
            f"whatsapp_template.languages: 1 to {MAX_LANGUAGES} pairs of the bot's language and "
            'Meta\'s code of the template in it, e.g. {"de": "de", "en": "en_US"}'
        )
    for lang, code in data.items():
        if not isinstance(lang, str) or not _LANG.fullmatch(lang):
            raise WhatsAppTemplateError(
                f"whatsapp_template.languages: {str(lang)[:20]!r} is no language of a bot (de, "
                "en, pt-BR)"
            )
        if not isinstance(code, str) or not _CODE.fullmatch(code):
            raise WhatsAppTemplateError(
                f"whatsapp_template.languages.{lang}: {str(code)[:20]!r} is no language code of "
                "Meta's (de, en_US, pt_BR)"
            )
    return dict(data)


def _parameters(data: Mapping[str, Any]) -> tuple[str, ...]:
    found = data.get("parameters", [])
    if (
        not isinstance(found, list)
        or len(found) > MAX_PARAMETERS
        or not all(isinstance(name, str) and 1 <= len(name) <= 64 for name in found)
    ):
        raise WhatsAppTemplateError(
            f"whatsapp_template.parameters: at most {MAX_PARAMETERS} names of the broadcast's "
            'values, in the order of {{1}}, {{2}}, … e.g. ["discount"]'
        )
    return tuple(found)


def _value_name(found: Any) -> bool:
    return isinstance(found, str) and 1 <= len(found) <= 64


def _header(data: Any) -> Header | None:
    if data is None:
        return None
    kind = data.get("type") if isinstance(data, Mapping) else None
    if not isinstance(kind, str) or kind not in _HEADER_KEYS or not set(data) <= _HEADER_KEYS[kind]:
        raise WhatsAppTemplateError(
            'whatsapp_template.header: {"type": "text", "parameter": "<value name>"}, or '
            '{"type": "image" | "video" | "document", "link": "https://…"} (a document may '
            'add "filename")'
        )
    if kind == "text":
        if not _value_name(data.get("parameter")):
            raise WhatsAppTemplateError(
                "whatsapp_template.header.parameter: the name of the value the text header's "
                "{{1}} shows (1 to 64 characters)"
            )
        return Header(kind, parameter=data["parameter"])
    return Header(kind, link=_link(data.get("link")), filename=_filename(data.get("filename")))


def _link(found: Any) -> str:
    if isinstance(found, str) and len(found) <= MAX_LINK and _PRINTABLE.fullmatch(found):
        try:
            parts = urlsplit(found)
            if parts.scheme == "https" and parts.hostname:
                return found
        except ValueError:  # a broken IPv6 host, a bad port
            pass
    raise WhatsAppTemplateError(
        f"whatsapp_template.header.link: the media's public https URL, at most {MAX_LINK} "
        "characters without spaces (WhatsApp downloads it; http is refused)"
    )


def _filename(found: Any) -> str:
    if found is None:
        return ""
    if not isinstance(found, str) or not _FILENAME.fullmatch(found) or not found.strip():
        raise WhatsAppTemplateError(
            f"whatsapp_template.header.filename: the document's name as the customer sees it, "
            f"1 to {MAX_FILENAME} characters on one line without / or \\ (e.g. ticket.pdf)"
        )
    return found


def _buttons(data: Any) -> tuple[Button, ...]:
    if data is None:
        return ()
    if not isinstance(data, list) or len(data) > MAX_BUTTONS:
        raise WhatsAppTemplateError(
            f"whatsapp_template.buttons: a list of at most {MAX_BUTTONS} buttons in the "
            'template\'s order, e.g. [{"type": "quick_reply", "payload": "YES"}, {"type": "url", '
            '"parameter": "code"}]'
        )
    buttons = tuple(_button(found, index) for index, found in enumerate(data))
    if sum(button.type == URL for button in buttons) > MAX_URL_BUTTONS:
        raise WhatsAppTemplateError(
            f"whatsapp_template.buttons: at most {MAX_URL_BUTTONS} URL buttons (Meta's limit)"
        )
    return buttons


def _button(data: Any, index: int) -> Button:
    kind = data.get("type") if isinstance(data, Mapping) else None
    where = f"whatsapp_template.buttons[{index}]"
    if not isinstance(kind, str) or kind not in _BUTTON_KEYS or not set(data) <= _BUTTON_KEYS[kind]:
        raise WhatsAppTemplateError(
            f'{where}: {{"type": "quick_reply", "payload": "<text>"}} or {{"type": "url", '
            '"parameter": "<value name>"}'
        )
    if kind == URL:
        if not _value_name(data.get("parameter")):
            raise WhatsAppTemplateError(
                f"{where}.parameter: the name of the value that ends the button's link (1 to 64 "
                "characters)"
            )
        return Button(URL, parameter=data["parameter"])
    payload = data.get("payload")
    if not isinstance(payload, str) or not payload.strip() or len(payload) > MAX_PAYLOAD:
        raise WhatsAppTemplateError(
            f"{where}.payload: what the customer's tap sends back, 1 to {MAX_PAYLOAD} characters"
        )
    if any(unicodedata.category(c).startswith("C") for c in payload):
        raise WhatsAppTemplateError(
            f"{where}.payload: one line of text, without control characters"
        )
    return Button(QUICK_REPLY, payload=payload)
