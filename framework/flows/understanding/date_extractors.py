"""The extractors, in the order they run: a pattern over the normalised text and its handler.

Earlier extractors win: a weekday goes before "morgen" ("samstagmorgen"), greetings before
relative days, times with a marker ("15.30 uhr") before dates ("12.10"), clock phrases before
bare hours. `UNSURE` lists what, left over after them all, makes an answer unclear.
"""

from __future__ import annotations

import re
from typing import Final

from framework.flows.understanding.date_findings import Handler
from framework.flows.understanding.date_handlers import (
    ignore,
    on_day_dot_month,
    on_day_of_month,
    on_holiday,
    on_month_name,
    on_numeric_date,
    on_relative_day,
    on_slash_date,
    on_weekday,
)
from framework.flows.understanding.date_words import (
    FULL_MONTHS,
    HOUR_WORDS,
    MONTHS,
    UNITS,
    WEEKDAY_PARTS,
    WEEKDAYS,
    alternation,
)
from framework.flows.understanding.time_handlers import (
    duration,
    fixed_clock,
    on_clock,
    on_clock_phrase,
    on_day_and_part,
    on_daypart,
    on_relative,
)

__all__ = ["EXTRACTORS", "UNSURE"]

_HOUR: Final = rf"(?P<hour>[0-9]{{1,2}}|{alternation(HOUR_WORDS)})"
# German "am" before a day ("um 3 am freitag") is not the English a.m.
_MERIDIEM: Final = (
    r"(?P<mer>a\.m\.?|p\.m\.?|pm\b|am\b(?!\s*(?:[0-9]|[a-z]*tag\b|(?:mo|di|mi|do|fr|sa|so)\b"
    r"|morgen|abend|nachmittag|vormittag|mittag|wochenende)))"
)
_MODIFIERS: Final = (
    r"uebernaechste[nmrs]?|naechste[nmrs]?|kommende[nmrs]?|diese[nmrs]?|this\s+coming"
    r"|next|this|coming"
)


EXTRACTORS: Final[tuple[tuple[re.Pattern[str], Handler], ...]] = (
    (
        re.compile(
            rf"\b(?:(?P<article>am|on|den|the)\s+)?(?:(?P<mod>{_MODIFIERS})\s+)?"
            rf"(?P<day>{alternation(WEEKDAYS)})(?:(?P<part>{alternation(WEEKDAY_PARTS)})s?|s)?\b"
        ),
        on_weekday,
    ),
    (
        re.compile(
            r"\b(?:guten\s+(?:morgen|tag|abend)|good\s+(?:morning|afternoon|evening|night))\b"
        ),
        ignore,
    ),
    (
        re.compile(
            r"\b(?:jetzt|sofort|right\s+now|now|asap|immediately|right\s+away"
            r"|so\s+schnell\s+wie\s+moeglich|as\s+soon\s+as\s+possible)\b"
        ),
        duration(0),
    ),
    (
        re.compile(
            r"\bin\s+(?:einer\s+)?halben\s+stunde\b|\bin\s+(?:a\s+)?half\s+(?:an\s+)?hour\b"
        ),
        duration(30),
    ),
    (
        re.compile(
            r"\bin\s+(?:einer\s+)?viertel\s*stunde\b"
            r"|\bin\s+(?:a\s+)?quarter\s+(?:of\s+an\s+)?hour\b"
        ),
        duration(15),
    ),
    (
        re.compile(
            r"\bin\s+(?:einer\s+)?dreiviertel\s*stunde\b"
            r"|\bin\s+three\s+quarters\s+of\s+an\s+hour\b"
        ),
        duration(45),
    ),
    (
        re.compile(
            r"\bin\s+(?:anderthalb|eineinhalb)\s+stunden\b"
            r"|\bin\s+(?:one\s+and\s+a\s+half\s+hours|an\s+hour\s+and\s+a\s+half)\b"
        ),
        duration(90),
    ),
    (
        re.compile(
            r"\bin\s+(?:(?:etwa|ca\.?|circa|ungefaehr|about|around|approx\.?|roughly)\s+)?"
            r"(?P<amount>[0-9]{1,4}(?:[.,][0-9]{1,2})?|[a-z]+(?:[\s-][a-z]+){0,2}?)"
            rf"\s*(?P<unit>{alternation(UNITS)})\b"
        ),
        on_relative,
    ),
    (
        re.compile(
            r"(?<![0-9.:])(?P<hour>[0-9]{1,2})\.(?P<minute>[0-9]{2})(?![0-9]|\.[0-9])"
            rf"\s*(?:(?:uhr|h)(?![a-z])|{_MERIDIEM})"
        ),
        on_clock,
    ),
    (
        re.compile(
            r"\b(?:um|gegen|ab|at|around)\s+(?P<hour>[0-9]{1,2})\.(?P<minute>[0-9]{2})"
            rf"(?![0-9]|\.[0-9])(?:\s*{_MERIDIEM})?"
        ),
        on_clock,
    ),
    (
        re.compile(
            r"(?<![0-9.:])(?P<hour>[0-9]{1,2}):(?P<minute>[0-9]{2})(?![0-9]|:[0-9])"
            rf"(?:\s*(?:(?:uhr|h)(?![a-z])|{_MERIDIEM}))?"
        ),
        on_clock,
    ),
    (
        re.compile(
            r"(?<![0-9.])(?P<year>[0-9]{4})-(?P<month>[0-9]{1,2})-(?P<day>[0-9]{1,2})(?![0-9])"
        ),
        on_numeric_date,
    ),
    (
        re.compile(
            r"(?<![0-9.:])(?P<day>[0-9]{1,2})\.\s?(?P<month>[0-9]{1,2})\."
            r"(?:(?P<year>[0-9]{2}(?:[0-9]{2})?|\s[0-9]{4})(?![0-9]|[.:][0-9]))?"
        ),
        on_numeric_date,
    ),
    (
        re.compile(r"(?<![0-9.:])(?P<day>[0-9]{1,2})\.(?P<month>[0-9]{1,2})(?![0-9]|[.:][0-9])"),
        on_day_dot_month,
    ),
    (
        re.compile(
            r"(?<![0-9/])(?P<day>[0-9]{1,2})/(?P<month>[0-9]{1,2})"
            r"(?:/(?P<year>[0-9]{4}|[0-9]{2}))?(?![0-9/])"
        ),
        on_slash_date,
    ),
    (
        re.compile(
            r"(?<![0-9.])(?P<day>[0-9]{1,2})(?:\.|st|nd|rd|th)?\s*(?:of\s+)?"
            rf"(?P<month>{alternation(MONTHS)})\b\.?"
            r"(?:\s*,?\s*(?P<year>[0-9]{4})(?![0-9]))?"
        ),
        on_month_name,
    ),
    (
        re.compile(
            rf"\b(?P<month>{alternation(MONTHS)})\b\.?\s*(?:the\s+)?"
            r"(?P<day>[0-9]{1,2})(?:st|nd|rd|th)?"
            r"(?![0-9]|[.:][0-9]|\s*(?:uhr|h|am|pm|a\.m|p\.m|o'?\s?clock)\b)"
            r"(?:\s*,?\s*(?P<year>[0-9]{4})(?![0-9]))?"
        ),
        on_month_name,
    ),
    (
        re.compile(
            r"\b(?:(?P<christmas_eve>heilig(?:en)?\s*abend|christmas\s+eve)"
            r"|(?P<christmas>weihnachten|christmas(?:\s+day)?)"
            r"|(?P<new_years_eve>silvester|new\s+year'?s\s+eve)"
            r"|(?P<new_year>neujahr|new\s+year'?s(?:\s+day)?))\b"
        ),
        on_holiday,
    ),
    (
        re.compile(
            r"\b(?P<minutes>[0-9]{1,2}(?=\s+(?:minuten|minutes|min|nach|vor)\b)"
            r"|(?:a\s+)?quarter|viertel|half|fuenfundzwanzig|twenty[\s-]?five|zwanzig|twenty"
            r"|zehn|ten|fuenf|five)\s+(?:(?:minuten|minutes|min)\s+)?"
            rf"(?P<relation>nach|vor|past|after|to|before)\s+(?P<half>halb\s+)?{_HOUR}\b"
            rf"(?:\s*{_MERIDIEM})?"
        ),
        on_clock_phrase,
    ),
    (re.compile(rf"\b(?P<half>halb)\s+{_HOUR}\b(?:\s*{_MERIDIEM})?"), on_clock_phrase),
    (
        re.compile(
            rf"(?<![0-9.:])\b{_HOUR}\s*(?:(?:uhr|h)(?![a-z])(?:\s*(?P<minute>[0-9]{{2}})\b)?"
            rf"|{_MERIDIEM}|o'?\s?clock\b)"
        ),
        on_clock,
    ),
    (
        re.compile(
            r"\b(?:um|gegen|ab|at|around)\s+(?:(?:ca\.?|circa|etwa|about)\s+)?"
            rf"{_HOUR}(?![0-9]|[.:][0-9])\b"
            r"(?:[\s-](?P<minword>fifteen|thirty|forty[\s-]?five|forty|fifty|twenty|ten)\b)?"
            rf"(?:\s*{_MERIDIEM})?"
        ),
        on_clock,
    ),
    (re.compile(r"\b(?:mittag|noon|midday)\b"), fixed_clock(12)),
    (re.compile(r"\b(?:mitternacht|midnight)\b"), fixed_clock(0)),
    (
        re.compile(
            r"\b(?:(?P<am>heute\s+morgen|heute\s+frueh|this\s+morning)"
            r"|(?P<pm>this\s+(?:afternoon|evening)|tonight)|(?P<night>heute\s+nacht))\b"
        ),
        on_day_and_part,
    ),
    (
        re.compile(
            r"\b(?:(?P<am>morgens|frueh|vormittags?|am\s+morgen|in\s+the\s+morning|morning)"
            r"|(?P<pm>nachmittags?|abends?|in\s+the\s+(?:afternoon|evening)|afternoon|evening)"
            r"|(?P<night>nachts|nacht|at\s+night|night)|(?P<midday>mittags))\b"
        ),
        on_daypart,
    ),
    (
        re.compile(
            r"\b(?:(?P<after_tomorrow>uebermorgen|day\s+after\s+tomorrow)"
            r"|(?P<before_yesterday>vorgestern|day\s+before\s+yesterday)"
            r"|(?P<tomorrow>morgen|tomorrow|tmrw|tmr)|(?P<yesterday>gestern|yesterday)"
            r"|(?P<today>heute|today))\b"
        ),
        on_relative_day,
    ),
    (
        re.compile(
            r"\b(?:(?:am|den|dem)\s+(?P<de>[0-9]{1,2})\.(?![0-9])"
            r"|(?P<en>[0-9]{1,2})(?:st|nd|rd|th)\b)"
        ),
        on_day_of_month,
    ),
)

# Words that, left over after extraction, show the answer is unclear or was not fully read.
UNSURE: Final = re.compile(
    r"\b(?:oder|or|bis|until|till|zwischen|between|nicht|not|kein|keine|keinen|never|nie"
    r"|vielleicht|maybe|perhaps|woche|wochen|week|weeks|wochenende|weekend|monat|monate"
    r"|month|months|spaeter|later|frueher|earlier|vor|before|nach|after|ago|fruehestens"
    r"|spaetestens|earliest|latest|halb|viertel|quarter|half|uhr|pm|minuten|minute|minutes"
    r"|min|mins|stunden|stunde|std|hours|hour|hrs|tage|tagen|days"
    rf"|{alternation(FULL_MONTHS)})\b|n't\b|[0-9]\s*-|-\s*[0-9]|[0-9]\s+to\b"
)
