"""The words of appointment wishes and the text they are read from.

`prepare` turns a message into the text the readers work on: folded like the date
understanding (lower case, umlauts as "ae", "ß" as "ss"), dialect and chat words as the
standard words ("ned" → "nicht", "nachm" → "nachmittag", "tommorow" → "tomorrow"), time words
with one typo mended ("donerstag", "nachmitag"), then a few rewrites so that the shared date
extractors read what a wish says: "Freitag morgen" is one word as in "freitagmorgen", a bare
hour after a bound is a clock ("nach 5" → "nach 5 uhr"), "14-16 uhr" is "14 uhr - 16 uhr",
and a short weekday next to another ("fr oder sa") is marked as one with "am".

The phrase patterns (`SOONEST`, `WEEK`, …) are read before the date extractors, `MARKERS` after
them on what is left.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from datetime import time
from functools import lru_cache
from types import MappingProxyType
from typing import Final

from rapidfuzz.distance import OSA

from framework.bookings.ordinals import ordinal_days
from framework.flows.understanding.date_words import (
    FULL_MONTHS,
    HOUR_WORDS,
    MONTHS,
    SHORT_WEEKDAYS,
    WEEKDAYS,
    alternation,
)
from framework.flows.understanding.normalize import normalize

__all__ = [
    "ANY_DAY",
    "ANY_STAFF",
    "ANY_TIME",
    "END",
    "IGNORED",
    "MARKERS",
    "MONTH",
    "NEXT_SPAN",
    "NOON",
    "PARTS",
    "SOONEST",
    "SOONEST_TODAY",
    "STAFF_LEAD",
    "WEEK",
    "WEEKEND",
    "WHOLE_DAY",
    "WORKDAYS",
    "fold",
    "one_typo",
    "part_of",
    "prepare",
]

END: Final = time(23, 59, 59)
"""The end of an open window: "nach 17 Uhr" is 17:00-23:59:59."""

PARTS: Final[Mapping[str, tuple[time, time, str]]] = MappingProxyType(
    {
        "morning": (time(8), time(12), "am"),
        "noon": (time(11, 30), time(14), "midday"),
        "afternoon": (time(12), time(17), "pm"),
        "evening": (time(17), time(22), "pm"),
        "night": (time(20), END, "night"),
        "day": (time(0), END, ""),
    }
)
"""Parts of the day: their window and how they place a clock hour ("um 8 abends" → 20:00)."""

_PART_STEMS: Final = (
    ("nachmittag", "afternoon"),
    ("afternoon", "afternoon"),
    ("vormittag", "morning"),
    ("mittag", "noon"),
    ("noon", "noon"),
    ("midday", "noon"),
    ("lunch", "noon"),
    ("abend", "evening"),
    ("evening", "evening"),
    ("tonight", "evening"),
    ("morgen", "morning"),
    ("morning", "morning"),
    ("frueh", "morning"),
    ("nacht", "night"),
    ("night", "night"),
)


def part_of(words: str) -> str | None:
    """The part of the day some words name ("samstagabend" → "evening")."""
    return next((part for stem, part in _PART_STEMS if stem in words), None)


_FOLD: Final = str.maketrans(
    {"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "\u2019": "'", "\u00b4": "'", "\u2013": "-"}
)
_BREAKS: Final = re.compile(r"[!?;\n]+")
_NOISE: Final = re.compile(r"[^a-z0-9.:/',&\-]+")
_WORD: Final = re.compile(r"[0-9]?[a-z]+(?:'[a-z]+)?")

_CHAT: Final[Mapping[str, str]] = MappingProxyType(
    {
        **dict.fromkeys(("nachm", "nachmi", "nachmttg", "nami"), "nachmittag"),
        **dict.fromkeys(("vorm", "vormi", "vormttg"), "vormittag"),
        **dict.fromkeys(("morgn", "mrgn", "morge"), "morgen"),
        **dict.fromkeys(("abnds", "abds"), "abends"),
        **dict.fromkeys(("heut", "heit", "hait"), "heute"),
        **dict.fromkeys(("tommorow", "tommorrow", "tomoz", "2morrow", "2moro", "2mrw"), "tomorrow"),
        **dict.fromkeys(("wensday", "wendsday", "wedensday", "wednsday"), "wednesday"),
        **dict.fromkeys(("samstach", "samsdag"), "samstag"),
        **dict.fromkeys(("freitach", "fraitag"), "freitag"),
        **dict.fromkeys(("sonntach", "sundag"), "sonntag"),
        **dict.fromkeys(("arvo", "aftn", "aftnoon"), "afternoon"),
        **dict.fromkeys(("tonite", "2nite"), "tonight"),
        **dict.fromkeys(("mornings", "mornin"), "morning"),
        **dict.fromkeys(("evenings", "evng"), "evening"),
        **dict.fromkeys(("wkend", "wknd", "wochenend"), "weekend"),
        **{"afternoons": "afternoon", "nxt": "next", "wk": "week", "ner": "einer", "nem": "einem"},
    }
)
"""Chat spellings of time words, read after the project's dialect map (`normalize`)."""

_VOCABULARY: Final = frozenset(
    {
        *(name for name in WEEKDAYS if len(name) >= 6),
        *(f"{name}s" for name in WEEKDAYS if len(name) >= 6),
        *("morgen", "morgens", "vormittag", "vormittags", "nachmittag", "nachmittags", "abends"),
        *("mittags", "uebermorgen", "tomorrow", "morning", "afternoon", "evening", "tonight"),
        *("naechste", "naechsten", "naechster", "naechstes", "kommende", "kommenden"),
        *("wochenende", "weekend", "zwischen", "between", "moeglich", "fruehestens"),
        *("spaetestens", "jederzeit", "anytime", "whenever", "irgendwann", "sometime"),
    }
)
_KNOWN: Final = frozenset(
    {
        *_VOCABULARY,
        *("morgen", "mittag", "nachts", "abend", "woche", "wochen", "monate", "monats", "heute"),
        *("wochenenden", "wochenends", "weekends", "weekdays", "werktags", "wochentags"),
        *("nacht", "morgan", "sorgen", "morsen", "borgen", "nights", "mitten", "minute"),
        *("minuten", "stunde", "fruehesten", "fruehester", "frueheste"),
    }
)
"""Words that are right as written, though one edit from a word of `_VOCABULARY`."""
_BY_LENGTH: Final = MappingProxyType(
    {n: tuple(sorted(w for w in _VOCABULARY if abs(len(w) - n) <= 1)) for n in range(5, 16)}
)


def one_typo(word: str, choices: tuple[str, ...]) -> str | None:
    """The one choice the word is at most one edit (or swap) away from, else None."""
    close = [choice for choice in choices if OSA.distance(word, choice, score_cutoff=1) <= 1]
    return close[0] if len(close) == 1 else None


_KEEP: Final = frozenset({"des", "wo"})
"""Words the dialect map would change that mean something here ("Ende des Monats")."""


@lru_cache(maxsize=4096)
def _mended(word: str) -> str:
    if "'" in word or word in _KEEP:
        return word
    word = _CHAT.get(word) or normalize(word) or word
    if len(word) < 6 or word in _KNOWN:
        return word
    return one_typo(word, _BY_LENGTH.get(len(word), ())) or word


_WEEK_CHAT: Final = re.compile(
    r"\b(naechste[nmrs]?|kommende[nmrs]?|diese[nmrs]?|nae)\s+(?:wo|woch|woche)\b\.?"
)
"""Chat for "week" ("nächste wo"), read before the dialect map makes "wo" "without"."""
_HOUR: Final = rf"(?:[0-9]{{1,2}}|{alternation(HOUR_WORDS - {'ein', 'one'})})"
# What may follow an hour that is no clock: "vor 2 wochen", "bis 3 personen", "ab 12. nov".
_NO_CLOCK: Final = (
    rf"(?!\s*(?:[:,/]?[0-9]|\.[0-9]|\.\s*(?:{alternation(MONTHS)})\b|uhr|h\b|o'?\s?clock|pm\b"
    r"|p\.m|a\.m|am\b(?!\s+[a-z])"
    r"|(?:tag|tage|tagen|days?|wochen?|weeks?|monate?n?|months?|minuten|min|mins|minutes?"
    r"|stunden?|hours?|hrs|personen|leute|people|euro|eur|jahre?n?|years?|mal|x)\b))"
)
_WEEKDAY: Final = alternation(WEEKDAYS)


_ORDINALS: Final = ordinal_days()
_ORDINAL: Final = rf"({alternation(frozenset(_ORDINALS))})"
_MONTH_NAME: Final = alternation(MONTHS)


_REWRITES: Final[tuple[tuple[re.Pattern[str], str | Callable[[re.Match[str]], str]], ...]] = (
    (re.compile(r"\bwith/\s*"), "with "),
    (re.compile(r"\bb4\b"), "before"),
    (  # "den fünften Januar", "the fifth of January", "January fifth": "5. januar"
        re.compile(rf"\b{_ORDINAL}(?:\s+(?:of|im))?\s+({_MONTH_NAME})\b"),
        lambda m: f"{_ORDINALS[m[1]]}. {m[2]}",
    ),
    (
        re.compile(rf"\b({_MONTH_NAME})\s+(?:the\s+)?{_ORDINAL}(?![a-z])"),
        lambda m: f"{_ORDINALS[m[2]]}. {m[1]}",
    ),
    (re.compile(r"\bvom\b"), "von dem"),
    (re.compile(r"\bzum\b"), "zu dem"),
    (re.compile(r"\bkurz\s+(?:nach|vor)\s+"), "gegen "),
    (re.compile(r"\b([0-9]{1,2})\s*-?\s*ish\b"), r"gegen \1"),
    (re.compile(r"\bin\s+like\s+"), "in "),
    (
        re.compile(
            rf"\b({alternation(frozenset(n for n in WEEKDAYS if len(n) >= 6))})\s+"
            r"(morgen|frueh|vormittag|mittag|nachmittag|abend|nacht)s?\b"
        ),
        r"\1\2",
    ),
    (re.compile(r"(dem\s+[0-9]{1,2}\.\s*(?:bis|-|und|oder|or|and)\s*)([0-9]{1,2}\.)"), r"\1dem \2"),
    (re.compile(r"\b(ab|bis|seit)\s+([0-9]{1,2}\.)(?=\s*(?:[a-z,]|$))"), r"\1 dem \2"),
    (
        re.compile(
            rf"(?<![0-9.:/])({_HOUR})\s*(-|bis|und|and|to|till|until)\s*({_HOUR})\s*"
            r"(uhr|h\b|pm\b|am\b(?!\s+[a-z])|a\.m\.?|p\.m\.?)"
        ),
        r"\1 \4 \2 \3 \4",
    ),
    (
        re.compile(
            r"\b(nach|after|vor|before|bis|until|till|til|ab|from|von|zwischen|between"
            rf"|fruehestens|spaetestens|earliest|latest|by)\s+({_HOUR})\b{_NO_CLOCK}"
        ),
        r"\1 \2 uhr",
    ),
    (
        re.compile(
            r"((?:uhr|pm|:[0-9]{2})\s*(?:und|and|bis|to|till|until|-)\s*)"
            rf"({_HOUR})\b{_NO_CLOCK}"
        ),
        r"\1\2 uhr",
    ),
)
_SHORT: Final = re.compile(rf"\b({alternation(SHORT_WEEKDAYS)})\b(?!')")
_JOINS: Final = (r"(?:,|/|-|&|oder|or|und|and|bis|to)", r"(?:-|&|oder|or|und|and|bis|to)")
_NEXT_TO: Final = tuple(
    re.compile(rf"\s*\.?\s*{joins}\s*(?:am\s+)?(?:{_WEEKDAY})\b") for joins in _JOINS
)
_BEFORE: Final = tuple(
    re.compile(rf"\b(?:{_WEEKDAY})\.?\s*{joins}\s*(?:am\s+)?$") for joins in _JOINS
)
_CUES: Final = re.compile(
    r"\s*(?:morgens|vormittags?|mittags?|nachmittags?|abends?|frueh|ab|nach|vor|bis|zwischen"
    r"|morning|afternoon|evening|night|after|before|from|between)\b"
)


_ENDS: Final = re.compile(r"\s*,")
_SUBJECT: Final = re.compile(r"\b(?:i|we|you|he|she|they)\s+$")
"""Before a verb, not a weekday: "i sat, waiting"."""
_GREETING: Final = re.compile(
    r"^\W*(?:guten\s+|good\s+|n\s*'?\s*)?(?:morgen|morning|abend|evening|nabend)\s*!+(?=\s*\w)"
)
"""A greeting at the start ("Morgen! Maniküre, so bald wie möglich"), not "tomorrow"."""
_SPACES: Final = re.compile(r"\s+")
_LONE_SO: Final = re.compile(
    r"(?<!am )(?<!on )\bso\b(?!\.?\s*(?:[01]?[0-9]|2[0-4])(?![0-9])|\s+(?:frueh|schnell|bald)\b)"
)
""" "so" is Sunday only marked as one ("am so", "so 14 uhr", "sa oder so") or alone."""


def _mark_short(match: re.Match[str]) -> str:
    """ "fr oder sa" → "am fr oder am sa": the date extractors then read both as weekdays."""
    text, start, end = match.string, match.start(), match.end()
    if text[max(0, start - 3) : start] == "am ":
        return match[0]
    word = match[0] in {"so", "do"}  # also words: paired only by a word ("sa oder so")
    paired = _NEXT_TO[word].match(text, end) or _BEFORE[word].search(
        text, max(0, start - 30), start
    )
    # "sat?? like a full set": a sentence ends after an English short weekday
    ended = len(match[0]) >= 3 and _ENDS.match(text, end) and not _SUBJECT.search(text, 0, start)
    cued = not word and (_CUES.match(text, end) or ended)
    return f"am {match[0]}" if paired or cued else match[0]


def fold(text: str) -> str:
    """Lower case with umlauts folded, as the date understanding compares words."""
    return unicodedata.normalize("NFKC", text).lower().translate(_FOLD)


def prepare(text: str) -> str:
    """The message folded, mended and rewritten for the readers (see the module docstring)."""
    spaced = _NOISE.sub(" ", _BREAKS.sub(" , ", _GREETING.sub(" moin , ", fold(text))))
    spaced = _WEEK_CHAT.sub(lambda m: f"{'naechste' if m[1] == 'nae' else m[1]} woche", spaced)
    mended = _WORD.sub(lambda word: _mended(word[0]), spaced)
    for pattern, replacement in _REWRITES:
        mended = pattern.sub(replacement, mended)
    marked = _SHORT.sub(_mark_short, mended)
    marked = marked if marked.strip() in {"so", "so."} else _LONE_SO.sub(" ", marked)
    return f" {_SPACES.sub(' ', marked).strip()} "


def _words(*alternatives: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![a-z0-9'])(?:{'|'.join(alternatives)})(?![a-z])")


IGNORED: Final = _words(
    r"bis\s+(?:morgen|dann|bald|spaeter|gleich|nachher|demnaechst)(?=\s*(?:,|$|\s\s))",
    r"see\s+you(?:\s+(?:tomorrow|soon|then|later))?",
    r"schoene[ns]?\s+(?:tag|abend|wochenende|sonntag|feierabend)",
    r"have\s+a\s+(?:nice|good|great|lovely)\s+(?:day|evening|weekend)",
    r"gute\s+nacht|good\s+night|guten\s+(?:morgen|tag|abend)|moin|servus|n\s?abend|jetzt|now",
    r"good\s+(?:morning|afternoon|evening)",
)
"""Greetings and farewells that name a day but wish none ("Danke, bis morgen!")."""
SOONEST_TODAY: Final = _words(
    r"(?:heute|today)\s+noch|noch\s+heute|later\s+today|still\s+today",
    r"jetzt\s+gleich|gleich\s+jetzt|sofort|right\s+(?:now|away)|immediately",
)
SOONEST: Final = _words(
    r"so\s+(?:frueh|schnell|bald)(?:\s+(?:wie|als))?(?:'s|\s+es)?\s+(?:moeglich|geht)",
    r"moeglichst\s+(?:frueh|schnell|bald|zeitnah)",
    r"(?:fruehe?st|schnellst|naechst|ehest)moeglich\w*|baldmoeglichst|baldigst|schnellstens",
    r"(?:der\s+|den\s+)?(?:naechste[nr]?|erste[nr]?)\s+(?:freie[nr]?|moegliche[nr]?)(?:\s+termin)?",
    r"(?:the\s+)?(?:next|first|earliest)\s+(?:available|free|possible)(?:\s+(?:slot|date|time))?",
    r"as\s+(?:soon|early)\s+as\s+(?:possible|you\s+can)|a\.?s\.?a\.?p\.?|soonest",
    r"(?:the\s+)?earliest(?!\s+(?:at\s+)?[0-9])(?:\s+(?:slot|time|appointment|one))?",
    r"(?:de[nr]\s+|am\s+)?fruehe?ste[nr]?(?:\s+termin)?",
    r"zeitnah|dringend|urgent(?:ly)?|bald|soon|schnell|quickly",
)
"""The soonest free time ("so früh wie möglich", "asap", "nächster freier Termin")."""
ANY_STAFF: Final = _words(
    r"(?:ist\s+)?(?:mir\s+)?egal\s+(?:bei|mit|zu)\s+wem|(?:mir\s+)?egal\s+wer",
    r"egal\s+welche[rnms]?\s+(?:mitarbeiter|kollegin|dame|stylistin|nageldesignerin)\w*",
    r"(?:bei|mit|zu)\s+jemand(?:em)?\s+ander(?:em|en|s)|some(?:one|body)\s+else|anyone\s+else",
    r"(?:bei|mit)\s+irgendwem|egal\s+wem|irgendjemand(?:em)?",
    r"bei\s+wem\s+auch\s+immer|wer\s+(?:gerade\s+)?(?:frei\s+ist|zeit\s+hat)|irgendwer",
    r"anyone|anybody|any\s+(?:of\s+(?:them|you)|stylist|technician|artist)",
    r"whoever(?:\s+is\s+(?:free|available))?|(?:it\s+)?doesn'?t\s+matter\s+who",
    r"(?:i\s+)?don'?t\s+(?:mind|care)\s+who",
)
"""No wish for a staff member ("egal bei wem", "anyone")."""
ANY_DAY: Final = _words(
    r"any\s+(?:other\s+)?day|jede[nr]?\s+(?:andere[nr]?\s+)?tag|every\s+day|alle\s+tage",
    r"egal\s+welche[rn]?\s+tag|(?:an\s+)?jedem\s+tag",
)
ANY_TIME: Final = _words(
    r"egal\s+wann|wann\s+(?:auch\s+)?immer|(?:ist\s+)?(?:mir\s+)?(?:ganz\s+|voellig\s+)?egal",
    r"jederzeit|zu\s+jeder\s+zeit|(?:bin\s+)?flexibel|(?:i'?m\s+)?flexible|any\s?time",
    r"whenever|(?:it\s+)?doesn'?t\s+matter(?:\s+when)?|no\s+preference|(?:passt|geht)\s+immer",
    r"egal\s+(?:welche\s+uhrzeit|um\s+wie\s?viel\s+uhr)|any\s+time\s+of\s+(?:the\s+)?day",
)
"""No wish for a time ("egal wann", "anytime"): understood, but free of constraints."""
STAFF_LEAD: Final = re.compile(
    r"(?<![a-z])(?:mit|bei|beim|with|by|zu|w/)\s+"
    r"(?:(?:der|dem|die|den|the|frau|herr|herrn|miss|mrs|ms|mr)\s+)?"
)
"""What goes before a staff member's name ("mit Anna", "bei der Maria", "with Tom")."""

_REL: Final = (
    r"(?:(?P<next>naechste[nmrs]?|kommende[nmrs]?|next|coming|following)"
    r"|(?P<after>uebernaechste[nmrs]?)|(?P<this>diese[nmrs]?|this|die|der|des|the|current))"
)
_SPLIT: Final = (
    r"(?:(?P<part>anfangs?|beginn|mitte|ende|early|mid|late|end\s+of|middle\s+of|start\s+of"
    r"|beginning\s+of)[\s-]+(?:(?:der|des|the|in\s+the|of\s+the|of|in)\s+)?)?"
)
WEEK: Final = _words(
    r"(?P<twoahead>(?:the\s+)?week\s+after\s+next)",
    rf"{_SPLIT}(?:{_REL}\s+)?(?:woche|week)(?=\s|$|,|\.)",
    r"(?P<mid>midweek|mitte\s+der\s+woche)",
)
"""This, next and the week after next, or their start, middle or end."""
WEEKEND: Final = _words(
    r"(?P<all>an\s+wochenenden|wochenends|on\s+weekends|weekends|wochenenden)",
    r"(?:(?:(?P<next>naechste[ns]?|kommende[ns]?|next|coming)|(?P<after>uebernaechste[ns]?)"
    r"|diese[ns]?|this|am|ans|an|on\s+the|the|uebers|zum|at\s+the|over\s+the)\s+)?"
    r"(?:wochenende|weekend)",
    r"(?:am|ans|uebers|dieses|naechstes)\s+we",
)
WORKDAYS: Final = _words(
    r"unter\s+der\s+woche|during\s+the\s+week|werktags|wochentags|(?:on\s+)?weekdays",
    r"an\s+werktagen",
)
MONTH: Final = _words(
    rf"{_SPLIT}{_REL}\s+(?:monat|monats|month)",
    r"(?:(?P<named>anfangs?|mitte|ende|early|mid|late|end\s+of|im|in|during)[\s-]+)"
    rf"(?P<name>{alternation(FULL_MONTHS)})",
)
"""This or next month, or a month by name ("im November"), or their start, middle, end."""
NEXT_SPAN: Final = _words(
    r"(?:(?:in|within|innerhalb|over)\s+)?(?:(?:den|der|die|the)\s+)?(?:naechsten|next|kommenden"
    r"|coming)\s+(?:(?P<n>[0-9]{1,2}|zwei|drei|vier|fuenf|two|three|four|five|paar|few"
    r"|couple(?:\s+of)?)\s+)?(?P<unit>tage|tagen|days|wochen|weeks)",
    r"(?P<few>in\s+(?:ein\s+paar|a\s+few|a\s+couple\s+of)\s+(?:tagen|days))",
)
"""The next days or weeks ("in den nächsten Tagen", "next two weeks") from today."""
WHOLE_DAY: Final = _words(
    r"ganztags|ganztaegig|den\s+ganzen\s+tag|(?:the\s+)?(?:whole|all)\s+day(?:\s+long)?"
)
NOON: Final = _words(
    r"(?:ueber\s+)?(?:die\s+)?(?:mittagszeit|mittagspause|mittags?|noon|midday|lunchtime|lunch)"
)

MARKERS: Final = re.compile(
    r"(?P<except>(?<![a-z])(?:ausser|except|excluding|ausgenommen|bis\s+auf|other\s+than"
    r"|apart\s+from|but\s+not|aber\s+nicht|nur\s+nicht)(?![a-z]))"
    r"|(?P<neg>(?<![a-z])(?:nicht|not|kein|keine|keinen|keiner|nie|never|schlecht|bad|ungern"
    r"|closed|geschlossen|(?:habt\s+ihr|seid\s+ihr|haben\s+sie)(?:\s+(?:ja|da|doch))?\s+zu)"
    r"(?![a-z])|n't\b)"
    r"|(?P<from>(?<![a-z])(?:ab|from|starting(?:\s+from)?|seit|fruehestens|earliest)(?![a-z]))"
    r"|(?P<after>(?<![a-z])(?:nach|after|later\s+than|spaeter\s+als)(?![a-z]))"
    r"|(?P<until>(?<![a-z])(?:bis(?:\s+spaetestens)?|until|till|til|spaetestens|latest|by"
    r"|no\s+later\s+than)(?![a-z]))"
    r"|(?P<before>(?<![a-z])(?:vor|before|earlier\s+than|frueher\s+als|prior\s+to)(?![a-z]))"
    r"|(?P<between>(?<![a-z])(?:zwischen|between|von)(?![a-z]))"
    r"|(?P<and>(?<![a-z])(?:und|and|sowie)(?![a-z])|&)"
    r"|(?P<or>(?<![a-z])(?:oder|or|alternativ|alternatively|sonst|otherwise|ansonsten)(?![a-z]))"
    r"|(?P<but>(?<![a-z])(?:aber|but|jedoch|however|sondern)(?![a-z]))"
    r"|(?P<sep>[,;]|\.(?![0-9]))"
    r"|(?P<dash>-|(?<![a-z])to(?![a-z]))"
    r"|(?P<every>(?<![a-z])(?:jeden|jede|jedem|every|each|alle|immer)(?![a-z]))"
)
"""The words between the dates and times: negation, bounds, ranges and separators."""
