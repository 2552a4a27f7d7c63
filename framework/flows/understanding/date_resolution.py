"""From what the extractors found to one answer, against "now" and its time zone.

A duration counts from now in real elapsed time; otherwise the days found (dates, relative
days, weekdays) must agree on one day and the clock times on one time, placed by the part of
the day.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import NamedTuple

from framework.flows.understanding.date_findings import Clock, Found

__all__ = ["Answer", "localise", "resolve"]


class Answer(NamedTuple):
    day: date | None
    clock: time | None
    moment: datetime | None


def resolve(found: Found, now: datetime) -> Answer | None:
    if found.durations:
        return _resolve_duration(found, now)
    days = _days(found)
    clocks = _clocks(found)
    if days is None or clocks is None or len(days) > 1 or len(clocks) > 1:
        return None
    return Answer(min(days, default=None), min(clocks, default=None), None)


def _resolve_duration(found: Found, now: datetime) -> Answer | None:
    """A duration ("in 2 stunden") stands alone; only "heute" may come with it."""
    others = any((found.dates, found.weekdays, found.clocks, found.dayparts))
    if len(found.durations) > 1 or others or found.day_offsets - {0}:
        return None
    moment = _shift(now, found.durations.pop())
    return Answer(moment.date(), moment.time(), moment)


def _days(found: Found) -> set[date] | None:
    days = found.dates | {found.today + timedelta(days=n) for n in found.day_offsets}
    if not days:
        return {_next_weekday(found.today, *weekday) for weekday in found.weekdays}
    if any(day.weekday() != weekday for day in days for weekday, _ in found.weekdays):
        return None
    return days


def _next_weekday(today: date, weekday: int, weeks_ahead: int) -> date:
    """weeks_ahead 0: today or later; 1: strictly after today; 2: a week after that."""
    days = (weekday - today.weekday()) % 7
    if weeks_ahead and days == 0:
        days = 7
    return today + timedelta(days=days + 7 * max(weeks_ahead - 1, 0))


def _clocks(found: Found) -> set[time] | None:
    if len(found.dayparts) > 1:
        return None
    daypart = min(found.dayparts, default=None)
    return {_wall_time(clock, daypart) for clock in found.clocks}


def _wall_time(clock: Clock, daypart: str | None) -> time:
    if not clock.flexible:
        return time(clock.hour, clock.minute)
    return time(_place_hour(clock.hour, daypart), clock.minute)


def _place_hour(hour: int, daypart: str | None) -> int:
    """Turn a clock-face hour 1-12 into 0-23 using the part of the day, else 1-7 → pm."""
    if daypart == "am":
        return hour % 12
    if daypart == "pm":
        return hour % 12 + 12
    if daypart == "night":
        return hour + 12 if 7 <= hour <= 11 else hour % 12
    return hour + 12 if hour <= 7 else hour


def localise(day: date, clock: time, zone: tzinfo | None) -> datetime:
    """Aware datetime; a wall time skipped by a DST change moves forward by the gap."""
    naive = datetime.combine(day, clock)
    if zone is None:
        return naive
    return naive.replace(tzinfo=zone).astimezone(UTC).astimezone(zone)


def _shift(now: datetime, duration: timedelta) -> datetime:
    """now plus real elapsed time, so "in 2 hours" is 2 hours even across DST changes."""
    if now.tzinfo is None:
        return now + duration
    return (now.astimezone(UTC) + duration).astimezone(now.tzinfo)
