"""From what a customer said to the times offered: reading the wish in a whole message,
keeping what still holds from the previous wish, and finding free times with a note of why
they differ from the wish.

- **The wish in a message.** Where the customer says what they prefer ("…, am besten Dienstag
  nach 16 Uhr"), that clause, not the story before it ("nächste Woche ist die Hochzeit"); for
  a move, what comes after "auf" / "to" ("meine Maniküre am Donnerstag auf Freitag"). A
  sentence that asks one of the bot's knowledge questions ("Bis wann habt ihr samstags
  offen?") is not the wish when the other sentences name a day of their own ("Shellac am
  Dienstag nach 14 Uhr."); when they do not ("… that day, around noon"), it is read with
  them.
- **Follow-ups.** "geht auch 15 Uhr?" after times on Thursday with Lena means Thursday with
  Lena at 15:00: what the new wish leaves open (the days, the person, the time of day) comes
  from the previous one (`context`, a compact text the flow keeps between offers).
- **Searching.** The wish; else with someone else than the person named; else at the wished
  time of day on other days; else any time at all. The note says which (`closed`: nobody
  works on the wished days, `day_full`, `staff_busy`, `staff_cannot`, `outside`: the day
  named is past or beyond the horizon, `none`: nothing free at all).
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import replace
from datetime import date, datetime, time

from framework.bookings.availability import Offer, choose, free_times, search_days, span_of
from framework.bookings.plan import Plan, Service
from framework.bookings.week_before import in_the_week, week_before
from framework.bookings.wishes import TimeWish, read_wish
from framework.flows.understanding.normalize import normalize
from framework.stores.bookings import BookingStore

__all__ = ["context_of", "customer_wish", "follow_up", "search"]

_PREFERENCE = re.compile(
    r"\b(?:am besten|am liebsten|idealerweise|wenn möglich|wenn es geht|wenn's geht|"
    r"ideally|preferably|if possible|best would be)\b",
    re.IGNORECASE,
)
_TARGET = re.compile(r"\b(?:auf|to|into|nach)\b", re.IGNORECASE)
"""Where a move's new time starts: "von Donnerstag auf Freitag", "move it to Saturday"."""
_SENTENCE = re.compile(r"(?<=[.!?])\s+")
_PARTS_DE = r"vormittags?|nachmittags?|abends?|morgens"
_PARTS_EN = r"mornings?|afternoons?|evenings?"
_SAYINGS = tuple(
    (re.compile(saying, re.IGNORECASE), meaning)
    for saying, meaning in (
        (r"\bzwischen den jahren\b", " vom 27.12. bis 30.12. "),
        (r"\b(?:nicht|nich|net) (?:so|zu) früh\b", " ab 11 uhr "),
        (r"\bnot (?:too|so) early\b", " after 11 am "),
        (  # "nachmittags muss ich arbeiten", "abends hab ich Dienst": not then
            rf"\b({_PARTS_DE})\s+(?:muss|arbeite|hab|habe|bin|steh|stehe)\s+(?:ich|i)\b"
            r"(?=[^,.!?]*\b(?:arbeit\w*|dienst|schicht|job|büro|laden|tresen|metzgerei)\b)",
            r" nicht \1 , ",
        ),
        (  # "I work afternoons", "mornings I'm at work": not then
            rf"\b(?:i\s+work|i'?m\s+working|i'?m\s+at\s+work|i\s+have\s+work)\s+"
            rf"(?:in\s+the\s+|on\s+)?({_PARTS_EN})\b|\b({_PARTS_EN})\s+i'?m\s+(?:at\s+work|working)\b",
            r" not \1\2 , ",
        ),
    )
)
"""Sayings of when, read as the dates and times they mean ("zwischen den Jahren": the
working days between Christmas and New Year; "nicht so früh": not before eleven; a part of the
day the customer works: not then)."""
_MAX = 2000


def customer_wish(
    plan: Plan,
    text: str,
    now: datetime,
    questions: Collection[str] = (),
    moving: bool = False,
) -> TimeWish:
    """What the customer wants in `text` (see the module's docstring); empty when nothing.
    `questions`: the bot's knowledge phrases, normalized; `moving`: the text asks to move a
    booking."""
    text, week = week_before(text[:_MAX], now)  # "am 13.2. … in der Woche davor"
    return in_the_week(_wished(plan, text, now, questions, moving), week)


def _wished(
    plan: Plan, text: str, now: datetime, questions: Collection[str], moving: bool
) -> TimeWish:
    for clause in (_PREFERENCE, _TARGET) if moving else (_PREFERENCE,):
        parts = clause.split(text)
        if len(parts) > 1:
            wish = _read(plan, parts[-1], now)
            if not wish.is_empty():
                whole = _read(plan, text, now)
                return _within_the_move(wish, whole) if moving else _with_people(wish, whole)
    sentences = [part for part in _SENTENCE.split(text) if part.strip()]
    parts = [part for part in _STORY_BREAK.split(text) if part.strip()]
    own = [part for part in parts if _OWN_DAY.search(part) and not _WISHING.search(part)]
    if own and len(own) < len(parts):
        rest = _read(plan, " ".join(part for part in parts if part not in own), now)
        if rest.windows or rest.exact:  # "hab Spätdienst ab 13:30 … vormittags, vor 11"
            return _with_people(rest, _read(plan, text, now))
    asking = [part for part in sentences if _asks(part, questions)]
    if asking and len(asking) < len(sentences):
        rest = _read(plan, " ".join(part for part in sentences if part not in asking), now)
        if rest.days:
            return rest
    return _read(plan, text, now)


_STORY_BREAK = re.compile(
    r"(?<=[.!?])\s+|\s*[\u2600-\u27bf\U0001f300-\U0001faff]+\s*"
    r"|,\s*(?=(?:so|also|deshalb|daher|darum|therefore|drum)\b)",
    re.IGNORECASE,
)
"""Where a story's sentences end: a full stop, an emoji ("… ab 13:30 🙈 Bräuchte …"), or a
comma before its consequence ("I work until 3 on Thursday, so … after 4")."""
_OWN_DAY = re.compile(
    r"\b(?:i work|i'm working|im working|ich arbeite|arbeite ich)\b"
    r"|\b(?:hab|habe|hab's|bin|i have|i've got|i'm|i am)\b.*\b(?:\w*dienst|\w*schicht|arbeit|"
    r"meeting|vorlesung|shift|work|class)\b"
    r"|\b(?:\w*dienst|\w*schicht|arbeit|meeting|vorlesung|shift|work|class)\b.*"
    r"\b(?:hab|habe|bin|i have|i've got|i'm|i am)\b",
    re.IGNORECASE,
)
_WISHING = re.compile(
    r"\b(?:bräuchte|brauche|hätte gern|möchte|würde|könnte|kann ich|müsste|sollte|ginge|"
    r"geht|need|would|could|can i|should|want|like|prefer)\b",
    re.IGNORECASE,
)
"""A sentence about the customer's own day ("hab diese Woche Spätdienst ab 13:30", "I work
until 5") tells why, not when: its times are no wish when other sentences say one."""


def _within_the_move(wish: TimeWish, whole: TimeWish) -> TimeWish:
    """The preferred part of a move, within what the whole message says: its days when the
    whole names others ("auf nächste Woche legen? Am besten Dienstag": next week's Tuesday,
    not tomorrow's). Not for a new booking, whose story names days that are no wish ("nächste
    Woche hab ich eine Hochzeit, … am besten Dienstag": this Tuesday)."""
    if whole.days and wish.days and not set(wish.days) <= set(whole.days):
        wish = replace(wish, days=whole.days, per_day=whole.per_day or wish.per_day)
    return _with_people(wish, whole)


def _with_people(wish: TimeWish, whole: TimeWish) -> TimeWish:
    """The person asked for anywhere in the message ("bei Lena …, am liebsten Freitag")."""
    if wish.staff or wish.any_staff or not (whole.staff or whole.not_staff):
        return wish
    return replace(
        wish, staff=whole.staff, other_staff=whole.other_staff, not_staff=whole.not_staff
    )


def _asks(sentence: str, questions: Collection[str]) -> bool:
    said = f" {normalize(sentence)} "
    return any(f" {phrase} " in said for phrase in questions)


def _read(plan: Plan, text: str, now: datetime) -> TimeWish:
    days = max(1, plan.horizon.days)
    for saying, meaning in _SAYINGS:
        text = saying.sub(meaning, text)
    return read_wish(text, now, staff=plan.names(), horizon_days=days) or TimeWish()


def context_of(wish: TimeWish) -> str:
    """The parts of a wish a follow-up keeps, as text: days, person, time of day."""
    parts = []
    if wish.days:
        parts.append("d=" + ",".join(day.isoformat() for day in wish.days))
    if wish.staff:
        parts.append(f"s={wish.staff}")
    if wish.windows:
        parts.append("w=" + ",".join(f"{a:%H:%M}-{b:%H:%M}" for a, b in wish.windows))
    return ";".join(parts)


def follow_up(wish: TimeWish, context: str) -> TimeWish:
    """`wish` with what it leaves open taken from the previous wish (`context_of`)."""
    earlier = _parsed(context)
    if earlier is None:
        return wish
    changes: dict[str, object] = {}
    if not (wish.days or wish.not_days or wish.soonest or wish.any_time or wish.outside):
        changes["days"] = earlier.days
    elif wish.days and earlier.days and not set(wish.days) & set(earlier.days):
        changes["days"] = _same_weekdays(wish.days, earlier.days)
    if not (wish.staff or wish.any_staff or wish.not_staff):
        changes["staff"] = earlier.staff
    if not (wish.windows or wish.exact or wish.any_time or wish.per_day):
        changes["windows"] = earlier.windows
    return replace(wish, **changes)  # type: ignore[arg-type]


def _same_weekdays(days: tuple[date, ...], earlier: tuple[date, ...]) -> tuple[date, ...]:
    """ "Mittwoch" after "zwischen den Jahren": the Wednesday among the days said before,
    when there is one; else the days as said."""
    weekdays = {day.weekday() for day in days}
    within = tuple(day for day in earlier if day.weekday() in weekdays)
    return within or days


def _parsed(context: str) -> TimeWish | None:
    fields = dict(part.split("=", 1) for part in context.split(";") if "=" in part)
    try:
        days = tuple(date.fromisoformat(day) for day in fields.get("d", "").split(",") if day)
        windows = tuple(
            (time.fromisoformat(a), time.fromisoformat(b))
            for a, b in (span.split("-") for span in fields.get("w", "").split(",") if span)
        )
    except ValueError:
        return None
    staff = fields.get("s") or None
    return TimeWish(days=days, windows=windows, staff=staff) if fields else None


async def search(
    plan: Plan, store: BookingStore, service: Service, wish: TimeWish, now: datetime
) -> tuple[list[Offer], str]:
    """The offers for `wish` and the note of how they differ from it (module docstring)."""
    if wish.staff and wish.staff not in service.staff:
        offers, note = await search(plan, store, service, replace(wish, staff=None), now)
        return offers, note if note == "none" else "staff_cannot"
    attempts = [(wish, "")]
    if wish.staff:
        attempts.append((replace(wish, staff=None, other_staff=()), "staff_busy"))
    missed = _why_not(plan, service, wish)
    if wish.days or wish.exact:
        attempts.append((TimeWish(windows=wish.windows, not_staff=wish.not_staff), missed))
    attempts.append((TimeWish(not_staff=wish.not_staff), missed))
    for attempt, note in attempts:
        offers = await _free(plan, store, service, attempt, now)
        if offers:
            return offers, note
    return [], "none"


def _why_not(plan: Plan, service: Service, wish: TimeWish) -> str:
    if not wish.days and wish.outside:
        return "outside"
    staff = [plan.staff[name] for name in service.staff]
    works = any(
        day not in plan.business.holidays
        and day not in person.days_off
        and person.hours.get(day.weekday())
        for day in wish.days
        for person in staff
    )
    return "day_full" if works or not wish.days else "closed"


async def _free(
    plan: Plan, store: BookingStore, service: Service, wish: TimeWish, now: datetime
) -> list[Offer]:
    named = [name for name in (wish.staff, *wish.other_staff) if name in service.staff]
    staff = named or [name for name in service.staff if name not in wish.not_staff]
    days = search_days(plan, wish, now)
    if not days or not staff:
        return []
    since, until = span_of(days, plan)
    busy = await store.busy(plan.bot, set(staff), since, until, now.timestamp())
    return choose(free_times(plan, service, staff, days, busy, now), wish, plan.offers)
