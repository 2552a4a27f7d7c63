"""A bot's booking plan: `booking.yaml` in the bot folder, read and checked.

The services themselves are items of the bot's catalog (their names in every language, price,
synonyms and description live there once, so the understanding and the price answers know
them); the plan adds what booking needs: how long each takes, its buffers, who can do it and
the deposit. The staff (or chairs, rooms: any resource one appointment occupies) have their
weekly hours (the business's by default), breaks and days off; the business's holidays close
every resource.

```yaml
hold: 10m            # how long a picked time is kept for the customer (default 10m)
deposit_hold: 40m    # for a service with a deposit: while its payment is open (default 40m)
notice: 2h           # the earliest bookable time from now (default 2h)
horizon: 60d         # the latest (default 60d)
grid: 15m            # start times offered every 15 minutes (default 15m)
offers: 3            # how many times are offered at once (1-5, default 3)
reminders: [24h, 2h] # before the appointment (default none)
cancellation:
  free_until: 24h    # cancelling or moving is free until this long before (default 24h)
  late_deposit: keep # keep | refund: the deposit when cancelled later (default keep)
staff:
  anna:
    name: Anna
    nicknames: [anni]
    hours: {tue: ["10:00-19:00"], sat: ["10:00-16:00"]}   # default: the business's hours
    breaks: ["13:00-13:30"]
    days_off: ["2026-12-10"]
services:
  gel_nails:         # a catalog item
    minutes: 90
    buffer_after: 15
    staff: [anna, lena]
    deposit: 20.00
```

Every problem is collected with where it is (`BookingPlanError` lists them all), as
`theke check` does for the bot itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, time, timedelta
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from framework.errors import FlowError
from framework.flows.language.yaml_loader import load_yaml
from framework.flows.model import Bot, Business, Label
from framework.money import Money

__all__ = [
    "FILE",
    "BookingPlanError",
    "Plan",
    "Policy",
    "Service",
    "Staff",
    "load_plan",
    "parse_duration",
    "plan_of",
]

FILE = "booking.yaml"
_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_UNITS = {"m": "minutes", "h": "hours", "d": "days"}
Hours = Mapping[int, tuple[tuple[time, time], ...]]


class BookingPlanError(FlowError):
    """booking.yaml cannot be used; the message lists every problem with its place."""

    def __init__(self, file: Path, problems: list[str]) -> None:
        super().__init__("\n".join(f"{file.name}: {problem}" for problem in problems))
        self.file, self.problems = file, problems


@dataclass(frozen=True, slots=True)
class Staff:
    id: str
    name: str
    nicknames: tuple[str, ...]
    hours: Hours
    """Weekday (0 = Monday) → working ranges in the business's local time."""
    breaks: tuple[tuple[time, time], ...]
    days_off: frozenset[date]


@dataclass(frozen=True, slots=True)
class Service:
    id: str
    """The catalog item's id."""
    name: Label
    """The catalog item's name."""
    minutes: int
    buffer_before: int
    buffer_after: int
    staff: tuple[str, ...]
    price: Money
    deposit: Money | None


@dataclass(frozen=True, slots=True)
class Policy:
    free_until: timedelta
    """Cancelling or moving is free until this long before the appointment."""
    late_deposit: str
    """keep or refund: what happens to a paid deposit when cancelled later than that."""


@dataclass(frozen=True, slots=True)
class Plan:
    bot: str
    business: Business
    staff: Mapping[str, Staff]
    services: Mapping[str, Service]
    hold: timedelta
    deposit_hold: timedelta
    """How long a time is kept for a service with a deposit: while its payment request is
    open (the pay step's `expires`, 30 minutes by default), with a margin."""
    notice: timedelta
    horizon: timedelta
    grid: timedelta
    offers: int
    reminders: tuple[timedelta, ...]
    """Longest first."""
    policy: Policy

    def names(self) -> dict[str, str]:
        """Lower-cased names and nicknames → staff id, for reading "mit Anna"."""
        return {
            word.lower(): person.id
            for person in self.staff.values()
            for word in (person.name, *person.nicknames)
        }


@lru_cache(maxsize=64)
def plan_of(bot: Bot) -> Plan | None:
    """The plan of a loaded bot (read once per loaded bot: bots compare by identity)."""
    return load_plan(bot, Path(bot.files[0]).parent) if bot.files else None


def load_plan(bot: Bot, folder: Path) -> Plan | None:
    """The plan of the bot in `folder`, None when it has no booking.yaml."""
    path = folder / FILE
    if not path.is_file():
        return None
    reader = _Reader(bot, path.name)
    try:
        data = load_yaml(path.read_text(encoding="utf-8"), path.name)
    except (ValueError, FlowError, yaml.YAMLError) as error:
        raise BookingPlanError(path, [str(error)]) from None
    plan = reader.plan(data if isinstance(data, dict) else {})
    if reader.problems:
        raise BookingPlanError(path, reader.problems)
    return plan


class _Reader:
    def __init__(self, bot: Bot, file: str) -> None:
        self.bot, self.file = bot, file
        self.problems: list[str] = []

    def problem(self, where: str, message: str) -> None:
        self.problems.append(f"{where}: {message}")

    def plan(self, data: dict[str, Any]) -> Plan:
        unknown = set(data) - {
            "hold",
            "deposit_hold",
            "notice",
            "horizon",
            "grid",
            "offers",
            "reminders",
            "cancellation",
            "staff",
            "services",
        }
        for key in sorted(unknown):
            self.problem(key, "unknown key")
        staff = {str(k): self.staff(str(k), v or {}) for k, v in (data.get("staff") or {}).items()}
        if not staff:
            self.problem("staff", "at least one staff member (or chair, room) is needed")
        raw_services = data.get("services") or {}
        services = {str(k): self.service(str(k), v or {}, staff) for k, v in raw_services.items()}
        if not services:
            self.problem("services", "at least one service is needed")
        cancellation = data.get("cancellation") or {}
        late = str(cancellation.get("late_deposit", "keep"))
        if late not in ("keep", "refund"):
            self.problem("cancellation.late_deposit", "keep or refund")
        offers = data.get("offers", 3)
        if not isinstance(offers, int) or not 1 <= offers <= 5:
            self.problem("offers", "a whole number from 1 to 5")
            offers = 3
        reminders = [
            self.duration(f"reminders[{i}]", r) for i, r in enumerate(data.get("reminders") or ())
        ]
        return Plan(
            bot=self.bot.name,
            business=self.bot.business,
            staff=staff,
            services=services,
            hold=self.duration("hold", data.get("hold", "10m")),
            deposit_hold=self.duration("deposit_hold", data.get("deposit_hold", "40m")),
            notice=self.duration("notice", data.get("notice", "2h")),
            horizon=self.duration("horizon", data.get("horizon", "60d")),
            grid=self.duration("grid", data.get("grid", "15m")) or timedelta(minutes=15),
            offers=offers,
            reminders=tuple(sorted(reminders, reverse=True)),
            policy=Policy(
                self.duration("cancellation.free_until", cancellation.get("free_until", "24h")),
                late,
            ),
        )

    def staff(self, key: str, raw: Mapping[str, Any]) -> Staff:
        hours = self.business_hours() if "hours" not in raw else self.hours(key, raw["hours"])
        return Staff(
            id=key,
            name=str(raw.get("name", key)),
            nicknames=tuple(str(n) for n in raw.get("nicknames") or ()),
            hours=hours,
            breaks=tuple(self.range(f"staff.{key}.breaks", r) for r in raw.get("breaks") or ()),
            days_off=frozenset(
                self.day(f"staff.{key}.days_off", d) for d in raw.get("days_off") or ()
            ),
        )

    def business_hours(self) -> Hours:
        return self.bot.business.hours

    def hours(self, key: str, raw: Any) -> Hours:
        hours: dict[int, tuple[tuple[time, time], ...]] = {}
        for day, ranges in (raw or {}).items():
            if day not in _DAYS:
                self.problem(f"staff.{key}.hours", f"{day!r} is not one of {', '.join(_DAYS)}")
                continue
            where = f"staff.{key}.hours.{day}"
            hours[_DAYS.index(day)] = tuple(sorted(self.range(where, r) for r in ranges or ()))
        return hours

    def service(self, key: str, raw: Mapping[str, Any], staff: Mapping[str, Staff]) -> Service:
        where = f"services.{key}"
        item = self.bot.catalog.items.get(key)
        if item is None:
            self.problem(where, "is not an item of the catalog (bot.yaml): services are items")
        minutes = raw.get("minutes")
        if not isinstance(minutes, int) or not 5 <= minutes <= 12 * 60:
            self.problem(f"{where}.minutes", "a whole number of minutes from 5 to 720")
            minutes = 60
        who = tuple(str(s) for s in raw.get("staff") or staff)
        for name in who:
            if name not in staff:
                self.problem(f"{where}.staff", f"{name!r} is not under staff")
        currency = self.bot.business.currency
        return Service(
            id=key,
            name=item.name if item else {"": key},
            minutes=minutes,
            buffer_before=self.minutes(f"{where}.buffer_before", raw.get("buffer_before", 0)),
            buffer_after=self.minutes(f"{where}.buffer_after", raw.get("buffer_after", 0)),
            staff=who,
            price=item.price if item else Money.parse(Decimal(0), currency),
            deposit=self.money(f"{where}.deposit", raw.get("deposit"), currency),
        )

    def minutes(self, where: str, value: Any) -> int:
        if not isinstance(value, int) or not 0 <= value <= 240:
            self.problem(where, "a whole number of minutes from 0 to 240")
            return 0
        return value

    def money(self, where: str, value: Any, currency: str) -> Money | None:
        if value is None or value == 0:
            return None
        try:
            money = Money.parse(Decimal(str(value)), currency)
        except (InvalidOperation, ValueError) as error:
            self.problem(where, str(error))
            return None
        if money.minor <= 0:
            self.problem(where, "a deposit is more than nothing")
            return None
        return money

    def duration(self, where: str, value: Any) -> timedelta:
        found = parse_duration(str(value))
        if found is None:
            self.problem(where, f"{value!r} is not a duration such as 30m, 2h or 14d")
            return timedelta(0)
        return found

    def range(self, where: str, value: Any) -> tuple[time, time]:
        try:
            start, end = (_clock(part) for part in str(value).split("-"))
        except ValueError:
            self.problem(where, f"{value!r} is not a range such as 10:00-19:00")
            return time(0), time(0)
        if end <= start:
            self.problem(where, f"{value!r} ends before it starts")
        return start, end

    def day(self, where: str, value: Any) -> date:
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            self.problem(where, f"{value!r} is not a date such as 2026-12-24")
            return date.min


def parse_duration(text: str) -> timedelta | None:
    """ "30m", "2h", "14d"; None for anything else."""
    if len(text) < 2 or text[-1] not in _UNITS or not text[:-1].isdigit() or len(text) > 8:
        return None
    return timedelta(**{_UNITS[text[-1]]: int(text[:-1])})


def _clock(text: str) -> time:
    hour, minute = (int(part) for part in text.strip().split(":"))
    return time.max if hour == 24 and minute == 0 else time(hour, minute)
