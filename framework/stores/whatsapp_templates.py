"""A broadcast's approved WhatsApp template: its name, its category, Meta's language code per
language of the bot, and which of the broadcast's values fill the body's {{1}}..{{n}}.

    {"name": "spring_offer", "category": "marketing",
     "languages": {"de": "de", "en": "en_US"}, "parameters": ["discount"]}

Checked as Meta checks a template (a name of lowercase letters, digits and underscores, at
most 512 characters; language codes such as `en` or `en_US`) and against the broadcast: a
marketing broadcast needs a marketing template, a notification (`notify:<topic>`) a utility
one (Meta re-categorises a template whose words do not fit its category, so a mismatch is
refused rather than sent), and every parameter names one of its values. Pure: no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from framework.errors import ThekeError

__all__ = [
    "CATEGORIES",
    "MAX_LANGUAGES",
    "MAX_PARAMETERS",
    "WhatsAppTemplate",
    "WhatsAppTemplateError",
]

MARKETING, UTILITY = "marketing", "utility"
CATEGORIES = (MARKETING, UTILITY)
MAX_LANGUAGES = 20
MAX_PARAMETERS = 20
"""Body parameters at most (a broadcast has at most 20 values)."""
_KEYS = frozenset({"name", "category", "languages", "parameters"})
_NAME = re.compile(r"[a-z0-9_]{1,512}")
_CODE = re.compile(r"[a-z]{2,3}(_[A-Z]{2})?")
"""Meta's template language codes: `de`, `en_US`, `pt_BR`, `fil`."""
_LANG = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})?")
"""A bot's languages: `de`, `en`, `pt-BR`."""


class WhatsAppTemplateError(ThekeError, ValueError):
    """A template of another shape, or one that does not fit its broadcast: the message says
    what to write instead."""


@dataclass(frozen=True, slots=True)
class WhatsAppTemplate:
    name: str
    category: str
    languages: Mapping[str, str] = field(default_factory=dict)
    """The bot's language -> Meta's code of the template's translation in it."""
    parameters: tuple[str, ...] = ()
    """Names of the broadcast's values, filling {{1}}..{{n}} of the body in this order."""

    @classmethod
    def parse(cls, data: Any) -> WhatsAppTemplate:
        """A template as the API, the command or the store hands it over (WhatsAppTemplateError
        naming what is wrong)."""
        if not isinstance(data, Mapping) or not set(data) <= _KEYS:
            raise WhatsAppTemplateError(
                "whatsapp_template: an object of name, category, languages and parameters"
            )
        name, category = data.get("name"), data.get("category")
        if not isinstance(name, str) or not _NAME.fullmatch(name):
            raise WhatsAppTemplateError(
                "whatsapp_template.name: the approved template's name, 1 to 512 lowercase "
                "letters, digits or underscores (as WhatsApp Manager shows it)"
            )
        if category not in CATEGORIES:
            raise WhatsAppTemplateError("whatsapp_template.category: marketing or utility")
        return cls(name, str(category), _languages(data.get("languages")), _parameters(data))

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "category": self.category,
            "languages": dict(self.languages),
            "parameters": list(self.parameters),
        }

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
        missing = [name for name in self.parameters if name not in values]
        if missing:
            raise WhatsAppTemplateError(
                f"whatsapp_template.parameters: no value for {', '.join(missing)}: give each "
                "parameter a value (values: {name: text})"
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
