"""Appointment times as a customer reads them, in their language (Babel's CLDR patterns).

- `button`: short enough for a WhatsApp reply button (20 characters): "Sa., 5.12. 14:00",
  "Sat 05/12 14:00".
- `long`: "Sa., 5. Dezember, 14:00", "Saturday 5 December, 14:00".
- `clock`: "14:00" (the time alone, for more offers on one day).
"""

from __future__ import annotations

from datetime import datetime

from babel.dates import format_skeleton

from framework.flows.templates import babel_locale

__all__ = ["button", "clock", "locale_for", "long"]


def locale_for(lang: str, business_locale: str) -> str:
    """The language as written in the business's country (de-DE; English in Germany: en-DE,
    "Sat 5 December", not the US "12/5"), or the language alone where CLDR has no such
    locale."""
    country = business_locale.split("-")[1] if "-" in business_locale else ""
    tag = f"{lang}-{country}" if country else lang
    return tag if babel_locale(tag).territory == country else lang


def button(moment: datetime, locale: str) -> str:
    where = babel_locale(locale)
    day = format_skeleton("MEd", moment, locale=where)
    return f"{day} {format_skeleton('Hm', moment, locale=where)}"


def long(moment: datetime, locale: str) -> str:
    where = babel_locale(locale)
    day = format_skeleton("MMMMEEEEd", moment, locale=where)
    return f"{day}, {format_skeleton('Hm', moment, locale=where)}"


def clock(moment: datetime, locale: str) -> str:
    return str(format_skeleton("Hm", moment, locale=babel_locale(locale)))
