"""Which of a customer's bookings they mean: "die Pediküre brauch ich doch nicht", "please cancel
the Saturday one", "meinen Termin bei Lena". The bookings the message names — by service (its
name or a synonym in any language), day, clock time or person — come first, the one named
earliest in the message first; one named in a clause that keeps it ("die Maniküre bleibt
aber", "I'll keep Tuesday") last; a message that names none keeps the order (the next first)."""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from datetime import datetime

from framework.bookings.offering import customer_wish
from framework.bookings.plan import Plan
from framework.flows.model import Bot
from framework.flows.understanding.normalize import normalize
from framework.stores.bookings import Booking

__all__ = ["named_first", "service_words"]


def service_words(bot: Bot, plan: Plan) -> dict[str, str]:
    """Every name and synonym of the bookable services, normalized → the service's id."""
    words: dict[str, str] = {}
    for service in plan.services:
        item = bot.catalog.items.get(service)
        if item is None:
            continue
        for said in (*item.name.values(), *item.synonyms):
            words[normalize(said)] = service
    return words


def named_first(
    bookings: Sequence[Booking],
    text: str,
    plan: Plan,
    words: Mapping[str, str],
    now: datetime,
    questions: Collection[str] = (),
) -> list[Booking]:
    if len(bookings) < 2 or not text.strip():
        return list(bookings)
    said = f" {normalize(text[:2000])} "
    where: dict[str, int] = {}
    for word, service in words.items():
        found = said.find(f" {word} ")
        if found >= 0:
            where[service] = min(found, where.get(service, found))
    wish = customer_wish(plan, text, now, questions)
    zone = plan.business.timezone
    kept = [_Named(clause, plan, words, now) for clause in _CLAUSE.split(text[:2000])]
    kept = [clause for clause in kept if clause.keeps]

    def rank(booking: Booking) -> tuple[int, int, float]:
        start = datetime.fromtimestamp(booking.start, zone)
        position = where.get(booking.service, -1)
        matches = (position >= 0) + (start.date() in wish.days) + (wish.staff == booking.resource)
        if wish.exact is not None:
            matches += (start.hour, start.minute) == (wish.exact.hour, wish.exact.minute)
        if any(clause.names(booking, start) for clause in kept):
            matches -= 10  # "die Maniküre bleibt aber", "I'll keep Tuesday": not that one
        return (-matches, position if position >= 0 else len(said), booking.start)

    return sorted(bookings, key=rank)


_CLAUSE = re.compile(r"[,;.!?\n]+|\s(?:aber|but|und|and)\s", re.IGNORECASE)
_KEEPING = re.compile(
    r"\b(?:bleibt|bleiben|behalte|behalten|lasse ich|lass ich|keep|keeping|stays|stay|"
    r"is fine|passt noch|bleibt wie)\b",
    re.IGNORECASE,
)


class _Named:
    """One clause of the message, and the bookings it names when it says to keep them."""

    def __init__(self, clause: str, plan: Plan, words: Mapping[str, str], now: datetime) -> None:
        self.keeps = _KEEPING.search(clause) is not None
        said = f" {normalize(clause)} "
        self._services = {service for word, service in words.items() if f" {word} " in said}
        self._days = set(customer_wish(plan, clause, now).days) if self.keeps else set()

    def names(self, booking: Booking, start: datetime) -> bool:
        return booking.service in self._services or start.date() in self._days
