"""read_wish: appointment wishes as customers write them, in German and English.

The table pins whole wishes (every field), written against fixed "now"s in Europe/Berlin:
Friday 2026-10-23 (two days before the clocks go back), Friday 2027-03-26 (two days before
they go forward), Wednesday 2026-11-25, Saturday 2026-11-28 and Sunday 2026-11-29.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time as clock
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from framework.bookings.wishes import MAX_CHARS, DayWish, TimeWish, read_wish

BERLIN = ZoneInfo("Europe/Berlin")
FRI = datetime(2026, 10, 23, 10, 0, tzinfo=BERLIN)
SPRING = datetime(2027, 3, 26, 10, 0, tzinfo=BERLIN)
WED = datetime(2026, 11, 25, 9, 30, tzinfo=BERLIN)
SAT = datetime(2026, 11, 28, 11, 0, tzinfo=BERLIN)
SUN = datetime(2026, 11, 29, 12, 0, tzinfo=BERLIN)
STAFF = {"anna": "anna", "maria": "maria", "mia": "maria", "tom": "tom", "lena": "lena"}
END = "23:59:59"
MON, TUE, WEDS, THU, FRIDAY, SATURDAY, SUNDAY = range(7)


def day(iso: str) -> date:
    return date.fromisoformat(iso)


def days(*isos: str) -> tuple[date, ...]:
    return tuple(day(iso) for iso in isos)


def span(first: str, last: str) -> tuple[date, ...]:
    start, end = day(first), day(last)
    return tuple(start + timedelta(days=n) for n in range((end - start).days + 1))


def every(now: datetime, *weekdays: int, horizon: int = 60) -> tuple[date, ...]:
    today = now.date()
    found = (today + timedelta(days=n) for n in range(horizon + 1))
    return tuple(d for d in found if d.weekday() in weekdays)


def window(start: str, end: str) -> tuple[time, time]:
    return time.fromisoformat(start), time.fromisoformat(end)


def wish(
    *,
    on: tuple[date, ...] = (),
    not_on: tuple[date, ...] = (),
    between: tuple[tuple[str, str], ...] = (),
    at: str | None = None,
    **fields: object,
) -> TimeWish:
    return TimeWish(
        days=on,
        not_days=not_on,
        windows=tuple(window(a, b) for a, b in between),
        exact=None if at is None else time.fromisoformat(at),
        **fields,  # type: ignore[arg-type]
    )


MORNING = ("08:00", "12:00")
NOON = ("11:30", "14:00")
AFTERNOON = ("12:00", "17:00")
EVENING = ("17:00", "22:00")
NEXT_WEEK = span("2026-10-26", "2026-11-01")
TOMORROW_MORNING_OR_THURSDAY_EVENING = wish(
    on=days("2026-10-24", "2026-10-29"),
    between=(MORNING, EVENING),
    per_day=(
        DayWish(day("2026-10-24"), (window(*MORNING),)),
        DayWish(day("2026-10-29"), (window(*EVENING),)),
    ),
)

CASES: list[tuple[str, datetime, TimeWish | None]] = [
    # --- days, German ---
    ("Freitag nachmittag", FRI, wish(on=days("2026-10-23"), between=(AFTERNOON,))),
    ("freitagnachmittag", FRI, wish(on=days("2026-10-23"), between=(AFTERNOON,))),
    ("Samstag", FRI, wish(on=days("2026-10-24"))),
    ("am Sa.", FRI, wish(on=days("2026-10-24"))),
    ("nächsten Freitag", FRI, wish(on=days("2026-10-30"))),
    ("übernächsten Dienstag", FRI, wish(on=days("2026-11-03"))),
    ("morgen", FRI, wish(on=days("2026-10-24"))),
    ("übermorgen um halb drei", FRI, wish(on=days("2026-10-25"), at="14:30")),
    ("uebermorgn", FRI, wish(on=days("2026-10-25"))),
    ("heute noch?", FRI, wish(on=days("2026-10-23"), soonest=True)),
    ("noch heute wenn's geht", FRI, wish(on=days("2026-10-23"), soonest=True)),
    ("Fr oder Sa", FRI, wish(on=days("2026-10-23", "2026-10-24"))),
    ("Di oder Mi", FRI, wish(on=days("2026-10-27", "2026-10-28"))),
    ("Mo-Mi", FRI, wish(on=span("2026-10-26", "2026-10-28"))),
    ("Donnerstag bis Samstag", FRI, wish(on=span("2026-10-29", "2026-10-31"))),
    ("samstags", FRI, wish(on=every(FRI, SATURDAY))),
    ("immer dienstags", FRI, wish(on=every(FRI, TUE))),
    ("jeden Mittwoch", FRI, wish(on=every(FRI, WEDS))),
    ("diese Woche noch", FRI, wish(on=span("2026-10-23", "2026-10-25"))),
    ("die Woche noch", WED, wish(on=span("2026-11-25", "2026-11-29"))),
    ("nächste Woche", FRI, wish(on=NEXT_WEEK)),
    ("nächste wo", FRI, wish(on=NEXT_WEEK)),
    ("kommende Woche", WED, wish(on=span("2026-11-30", "2026-12-06"))),
    ("übernächste Woche", FRI, wish(on=span("2026-11-02", "2026-11-08"))),
    ("Anfang nächster Woche", FRI, wish(on=span("2026-10-26", "2026-10-28"))),
    ("Mitte nächster Woche", FRI, wish(on=span("2026-10-27", "2026-10-29"))),
    ("Ende der Woche", WED, wish(on=span("2026-11-26", "2026-11-29"))),
    ("am Wochenende", FRI, wish(on=days("2026-10-24", "2026-10-25"))),
    ("am Wochenende", SAT, wish(on=days("2026-11-28", "2026-11-29"))),
    ("am Wochenende", SUN, wish(on=days("2026-11-29", "2026-12-05", "2026-12-06"))),
    ("nächstes Wochenende", SAT, wish(on=days("2026-12-05", "2026-12-06"))),
    ("nächstes Wochenende", WED, wish(on=days("2026-11-28", "2026-11-29"))),
    ("an Wochenenden", FRI, wish(on=every(FRI, SATURDAY, SUNDAY))),
    ("unter der Woche", FRI, wish(on=every(FRI, MON, TUE, WEDS, THU, FRIDAY))),
    ("in zwei Wochen", FRI, wish(on=span("2026-11-06", "2026-11-12"))),
    ("in 3 Tagen", FRI, wish(on=days("2026-10-26"))),
    ("in den nächsten Tagen", FRI, wish(on=span("2026-10-23", "2026-10-25"))),
    ("ab dem 12.", FRI, wish(on=span("2026-11-12", "2026-12-22"))),
    ("ab 12. November", FRI, wish(on=span("2026-11-12", "2026-12-22"))),
    ("bis Mittwoch", FRI, wish(on=span("2026-10-23", "2026-10-28"))),
    ("vor Dienstag", FRI, wish(on=span("2026-10-23", "2026-10-26"))),
    ("nach dem Wochenende", FRI, wish(on=span("2026-10-26", "2026-12-22"))),
    ("vom 2. bis 4.11.", FRI, wish(on=span("2026-11-02", "2026-11-04"))),
    ("vom 12. bis 14.", FRI, wish(on=span("2026-11-12", "2026-11-14"))),
    ("am 29.10.", FRI, wish(on=days("2026-10-29"))),
    ("Donnerstag, den 29.10.", FRI, wish(on=days("2026-10-29"))),
    ("Samstag, den 7.11., egal bei wem", FRI, wish(on=days("2026-11-07"), any_staff=True)),
    ("nächsten Monat", FRI, wish(on=span("2026-11-01", "2026-11-30"))),
    ("Anfang Dezember", FRI, wish(on=span("2026-12-01", "2026-12-10"))),
    ("im November, samstags", FRI, wish(on=every(FRI, SATURDAY)[2:6])),
    ("nächste Woche Dienstag", FRI, wish(on=days("2026-10-27"))),
    ("Dienstag oder Mittwoch nächste Woche", WED, wish(on=days("2026-12-01", "2026-12-02"))),
    ("nächste Woche Dienstag oder Mittwoch", WED, wish(on=days("2026-12-01", "2026-12-02"))),
    ("irgendwann nächste Woche, am liebsten Donnerstag", FRI, wish(on=days("2026-10-29"))),
    (
        "Freitag oder nächste Woche",
        WED,
        wish(on=(day("2026-11-27"), *span("2026-11-30", "2026-12-06"))),
    ),
    # --- times of day, German ---
    ("lieber abends", FRI, wish(between=(EVENING,))),
    ("vormittags", FRI, wish(between=(MORNING,))),
    ("mittags", FRI, wish(between=(NOON,))),
    ("in der Mittagspause", FRI, wish(between=(NOON,))),
    ("nachts", FRI, wish(between=(("20:00", END),))),
    ("um 15 Uhr", FRI, wish(at="15:00")),
    ("15:30", FRI, wish(at="15:30")),
    ("gegen 3", FRI, wish(at="15:00")),
    ("um 8", FRI, wish(at="08:00")),
    ("abends um 7", FRI, wish(at="19:00")),
    ("viertel nach 4", FRI, wish(at="16:15")),
    ("nach 17 Uhr", FRI, wish(between=(("17:00", END),))),
    ("ab 16 Uhr", FRI, wish(between=(("16:00", END),))),
    ("nicht vor 11", FRI, wish(between=(("11:00", END),))),
    ("nicht nach 18 Uhr", FRI, wish(between=(("00:00", "18:00"),))),
    ("vor 11", FRI, wish(between=(("00:00", "11:00"),))),
    ("bis 12", FRI, wish(between=(("00:00", "12:00"),))),
    ("spätestens 18 Uhr", FRI, wish(between=(("00:00", "18:00"),))),
    ("zwischen 14 und 16 Uhr", FRI, wish(between=(("14:00", "16:00"),))),
    ("14-16 Uhr", FRI, wish(between=(("14:00", "16:00"),))),
    ("von 10 bis 12", FRI, wish(between=(("10:00", "12:00"),))),
    ("von 6 bis 9", FRI, wish(between=(("18:00", "21:00"),))),
    ("nachmittags ab 3", FRI, wish(between=(("15:00", "17:00"),))),
    ("morgens oder abends", FRI, wish(between=(MORNING, EVENING))),
    ("nicht morgens", FRI, wish(between=(("00:00", "08:00"), ("12:00", END)))),
    ("kurz nach 3", FRI, wish(at="15:00")),
    ("so gegen halb 5", FRI, wish(at="16:30")),
    # --- days with times, German ---
    (
        "morgen zwischen 14 und 16 Uhr",
        FRI,
        wish(on=days("2026-10-24"), between=(("14:00", "16:00"),)),
    ),
    ("morgen früh", FRI, wish(on=days("2026-10-24"), between=(MORNING,))),
    ("morgen früh um 9", FRI, wish(on=days("2026-10-24"), at="09:00")),
    ("heute abend", FRI, wish(on=days("2026-10-23"), between=(EVENING,))),
    ("Samstag morgen", FRI, wish(on=days("2026-10-24"), between=(MORNING,))),
    ("Di nachmittag", FRI, wish(on=days("2026-10-27"), between=(AFTERNOON,))),
    ("Freitag nachmittag um 3", FRI, wish(on=days("2026-10-23"), at="15:00")),
    ("irgendwann nächste Woche vormittags", FRI, wish(on=NEXT_WEEK, between=(MORNING,))),
    (
        "Mittwoch oder Donnerstag ab 16 Uhr",
        FRI,
        wish(on=days("2026-10-28", "2026-10-29"), between=(("16:00", END),)),
    ),
    (
        "Freitag oder Samstag, jeweils nachmittags",
        FRI,
        wish(on=days("2026-10-23", "2026-10-24"), between=(AFTERNOON,)),
    ),
    ("nachmittags, aber nicht vor 15 Uhr", FRI, wish(between=(("15:00", "17:00"),))),
    (
        "Freitag um 10 oder Samstag um 14 Uhr",
        FRI,
        wish(
            on=days("2026-10-23", "2026-10-24"),
            between=(("10:00", "10:01"), ("14:00", "14:01")),
            per_day=(
                DayWish(day("2026-10-23"), exact=time(10)),
                DayWish(day("2026-10-24"), exact=time(14)),
            ),
        ),
    ),
    (
        "Morgen vormittag oder Donnerstag abends",
        FRI,
        TOMORROW_MORNING_OR_THURSDAY_EVENING,
    ),
    ("Samstag den ganzen Tag", FRI, wish(on=days("2026-10-24"))),
    (
        "Mo-Fr ab 18 Uhr, samstags ganztags",
        FRI,
        wish(
            on=tuple(sorted(span("2026-10-26", "2026-10-30") + every(FRI, SATURDAY))),
            per_day=tuple(
                DayWish(d, () if d.weekday() == SATURDAY else (window("18:00", END),))
                for d in sorted(span("2026-10-26", "2026-10-30") + every(FRI, SATURDAY))
            ),
        ),
    ),
    (
        "Wochenende wäre super, egal welche Uhrzeit",
        FRI,
        wish(on=days("2026-10-24", "2026-10-25"), any_time=True),
    ),
    # --- negation, German ---
    ("aber nicht Montag", FRI, wish(not_on=every(FRI, MON))),
    ("jeder Tag außer Montag", FRI, wish(not_on=every(FRI, MON), any_time=True)),
    (
        "nächste Woche, aber nicht am Montag",
        FRI,
        wish(on=span("2026-10-27", "2026-11-01"), not_on=every(FRI, MON)),
    ),
    ("Montag und Dienstag gehen nicht", FRI, wish(not_on=every(FRI, MON, TUE))),
    (
        "Freitag kann ich nicht, aber Samstag",
        FRI,
        wish(on=days("2026-10-24"), not_on=every(FRI, FRIDAY)),
    ),
    ("nicht morgen, lieber Montag", FRI, wish(on=days("2026-10-26"), not_on=days("2026-10-24"))),
    (
        "Ach, montags habt ihr zu? Dann halt Dienstag",
        FRI,
        wish(on=days("2026-10-27"), not_on=every(FRI, MON)),
    ),
    # --- soonest, anytime, German ---
    ("so früh wie möglich", FRI, wish(soonest=True)),
    ("frühestmöglich", FRI, wish(soonest=True)),
    ("Schnellstmöglich bitte!!", FRI, wish(soonest=True)),
    ("der nächste freie Termin", FRI, wish(soonest=True)),
    ("so schnell es geht", FRI, wish(soonest=True)),
    ("möglichst bald, gern vormittags", FRI, wish(between=(MORNING,), soonest=True)),
    ("egal wann", FRI, wish(any_time=True)),
    ("jederzeit, bin flexibel", FRI, wish(any_time=True)),
    ("egal wann, Hauptsache bei Maria", FRI, wish(any_time=True, staff="maria")),
    ("in 2 Stunden", FRI, wish(on=days("2026-10-23"), between=(("12:00", END),), soonest=True)),
    # --- staff, German ---
    ("mit Anna am Samstag", FRI, wish(on=days("2026-10-24"), staff="anna")),
    ("bei der Mia am Dienstag", FRI, wish(on=days("2026-10-27"), staff="maria")),
    ("bei Marai am Freitag", FRI, wish(on=days("2026-10-23"), staff="maria")),
    ("Samstag, bei Annas", FRI, wish(on=days("2026-10-24"), staff="anna")),
    ("Anna, Freitag?", FRI, wish(on=days("2026-10-23"), staff="anna")),
    ("Annabell am Freitag", FRI, wish(on=days("2026-10-23"))),
    (
        "mit Anna oder Maria, Samstag",
        FRI,
        wish(on=days("2026-10-24"), staff="anna", other_staff=("maria",)),
    ),
    ("Freitag, aber bloß nicht bei Tom", FRI, wish(on=days("2026-10-23"), not_staff=("tom",))),
    ("egal bei wem, Hauptsache Samstag", FRI, wish(on=days("2026-10-24"), any_staff=True)),
    ("bei Anna", FRI, wish(staff="anna")),
    ("Geht Samstag bei irgendwem?", FRI, wish(on=days("2026-10-24"), any_staff=True)),
    ("ok, dann den frühesten", FRI, wish(soonest=True)),
    # --- whole sentences, German (typos, dialect, chat) ---
    (
        "Hallo! Ich bräuchte mal wieder eine Maniküre, am liebsten Freitag nachmittag bei Anna, "
        "geht das?",
        FRI,
        wish(on=days("2026-10-23"), between=(AFTERNOON,), staff="anna"),
    ),
    (
        "n abend! brauch ma wieder ne maniküre, nächsta woche irgendwann vormittags wär jut",
        FRI,
        wish(on=NEXT_WEEK, between=(MORNING,)),
    ),
    ("Donerstag nachmitag?", FRI, wish(on=days("2026-10-29"), between=(AFTERNOON,))),
    (
        "moin, am samstach so gegen 11 bei der mia",
        FRI,
        wish(on=days("2026-10-24"), at="11:00", staff="maria"),
    ),
    (
        "hiii kann ich morgn nachm kommen? hab nur so 35€",
        FRI,
        wish(on=days("2026-10-24"), between=(AFTERNOON,)),
    ),
    ("Morgen! Maniküre, so bald wie möglich", FRI, wish(soonest=True)),
    (
        "Geht Dienstag ab halb sechs? Nach der Arbeit schaff ich's sonst nicht",
        FRI,
        wish(on=days("2026-10-27"), between=(("17:30", END),)),
    ),
    (
        "Sehr geehrte Damen und Herren, ich möchte gerne einen Termin. Am liebsten in der "
        "kommenden Woche, vormittags. Mit freundlichen Grüßen",
        FRI,
        wish(on=NEXT_WEEK, between=(MORNING,)),
    ),
    (
        "Ich schaffe Donnerstag nicht. Können wir auf nächste Woche? Am besten Dienstag oder "
        "Mittwoch, so ab 17 Uhr",
        FRI,
        wish(
            on=days("2026-10-27", "2026-10-28"), not_on=every(FRI, THU), between=(("17:00", END),)
        ),
    ),
    (
        "Dann halt nach Weihnachten, so früh wie's geht",
        WED,
        wish(on=span("2026-12-26", "2027-01-24"), soonest=True),
    ),
    # --- English ---
    ("next Tuesday after 5", FRI, wish(on=days("2026-10-27"), between=(("17:00", END),))),
    ("asap", FRI, wish(soonest=True)),
    ("as soon as possible please", FRI, wish(soonest=True)),
    ("next available slot", FRI, wish(soonest=True)),
    ("earliest slot with Lena please", FRI, wish(soonest=True, staff="lena")),
    ("tmrw", FRI, wish(on=days("2026-10-24"))),
    ("tommorow morning", FRI, wish(on=days("2026-10-24"), between=(MORNING,))),
    ("tonight", FRI, wish(on=days("2026-10-23"), between=(EVENING,))),
    (
        "this afternoon, anything after 2",
        FRI,
        wish(on=days("2026-10-23"), between=(("14:00", "17:00"),)),
    ),
    ("on Saturdays", FRI, wish(on=every(FRI, SATURDAY))),
    ("every thursday", FRI, wish(on=every(FRI, THU))),
    ("any day but Monday", FRI, wish(not_on=every(FRI, MON), any_time=True)),
    ("anytime", FRI, wish(any_time=True)),
    ("whenever, I'm flexible", FRI, wish(any_time=True)),
    ("this week", WED, wish(on=span("2026-11-25", "2026-11-29"))),
    ("next week", FRI, wish(on=NEXT_WEEK)),
    ("early next week", FRI, wish(on=span("2026-10-26", "2026-10-28"))),
    ("the week after next", FRI, wish(on=span("2026-11-02", "2026-11-08"))),
    ("this weekend", FRI, wish(on=days("2026-10-24", "2026-10-25"))),
    ("on weekends", FRI, wish(on=every(FRI, SATURDAY, SUNDAY))),
    (
        "on weekdays after 6",
        FRI,
        wish(on=every(FRI, MON, TUE, WEDS, THU, FRIDAY), between=(("18:00", END),)),
    ),
    ("in two weeks", FRI, wish(on=span("2026-11-06", "2026-11-12"))),
    ("within the next 3 days", FRI, wish(on=span("2026-10-23", "2026-10-25"))),
    ("from the 12th", FRI, wish(on=span("2026-11-12", "2026-12-22"))),
    ("mid-November, a Saturday if possible", FRI, wish(on=days("2026-11-14"))),
    ("at 3pm", FRI, wish(at="15:00")),
    ("at 10am", FRI, wish(at="10:00")),
    ("around 5-ish", FRI, wish(at="17:00")),
    ("between 2 and 4", FRI, wish(between=(("14:00", "16:00"),))),
    ("2-4pm", FRI, wish(between=(("14:00", "16:00"),))),
    ("before 11", FRI, wish(between=(("00:00", "11:00"),))),
    ("not before 11", FRI, wish(between=(("11:00", END),))),
    ("at noon", FRI, wish(between=(NOON,))),
    ("lunchtime on Thursday", FRI, wish(on=days("2026-10-29"), between=(NOON,))),
    ("Fri or Sat", FRI, wish(on=days("2026-10-23", "2026-10-24"))),
    ("mon-wed", FRI, wish(on=span("2026-10-26", "2026-10-28"))),
    ("Thursday the 29th at 4pm", FRI, wish(on=days("2026-10-29"), at="16:00")),
    (
        "tomorrow morning or thursday evening",
        FRI,
        TOMORROW_MORNING_OR_THURSDAY_EVENING,
    ),
    ("can't do Monday, Tuesday works", FRI, wish(on=days("2026-10-27"), not_on=every(FRI, MON))),
    (
        "Oh, closed on Sundays? Saturday then, morning if possible",
        FRI,
        wish(on=days("2026-10-24"), not_on=every(FRI, SUNDAY), between=(MORNING,)),
    ),
    ("with Tom on friday", FRI, wish(on=days("2026-10-23"), staff="tom")),
    ("w/ Mia tmrw arvo", FRI, wish(on=days("2026-10-24"), between=(AFTERNOON,), staff="maria")),
    ("anyone is fine, saturday", FRI, wish(on=days("2026-10-24"), any_staff=True)),
    (
        "Would Anna have time for a pedicure next Tuesday?",
        FRI,
        wish(on=days("2026-10-27"), staff="anna"),
    ),
    (
        "Hi there, I'd like shellac on Thursday after work, 5-ish?",
        FRI,
        wish(on=days("2026-10-29"), at="17:00"),
    ),
    (
        "just around the corner, can I pop in in like half an hour?",
        FRI,
        wish(on=days("2026-10-23"), between=(("10:30", END),), soonest=True),
    ),
    ("wendsday or thursay", FRI, wish(on=days("2026-10-28", "2026-10-29"))),
    # --- around the DST changes (wall-clock times kept) ---
    ("Sonntag um 02:30", FRI, wish(on=days("2026-10-25"), at="02:30")),
    ("Sonntag um 2:30 nachts", SPRING, wish(on=days("2027-03-28"), at="02:30")),
    ("Sonntag um 02:30", SPRING, wish(on=days("2027-03-28"), at="02:30")),
    (
        "am Wochenende nachmittags",
        SPRING,
        wish(on=days("2027-03-27", "2027-03-28"), between=(AFTERNOON,)),
    ),
    ("Sonntag 14 Uhr", SPRING, wish(on=days("2027-03-28"), at="14:00")),
    (
        "in 2 Stunden",
        datetime(2027, 3, 28, 1, 30, tzinfo=BERLIN),
        wish(on=days("2027-03-28"), between=(("04:30", END),), soonest=True),
    ),
    (
        "in einer Stunde",
        datetime(2026, 10, 25, 2, 30, fold=1, tzinfo=BERLIN),
        wish(on=days("2026-10-25"), between=(("03:30", END),), soonest=True),
    ),
    # --- the horizon ---
    ("am 24.12.", FRI, wish(outside=days("2026-12-24"))),
    ("am 24.12. um 10", FRI, wish(outside=days("2026-12-24"))),
    ("Freitag oder am 24.12.", FRI, wish(on=days("2026-10-23"), outside=days("2026-12-24"))),
    ("gestern", FRI, wish(outside=days("2026-10-22"))),
    ("im Dezember", FRI, wish(on=span("2026-12-01", "2026-12-22"))),
    # --- not wishes ---
    ("Was kostet Gel?", FRI, None),
    ("hi", FRI, None),
    ("Danke, bis morgen!", FRI, None),
    ("Schönes Wochenende!", FRI, None),
    ("Guten Morgen", FRI, None),
    ("ok", FRI, None),
    ("ja so machen wir das", FRI, None),
    ("Wo seid ihr genau?", FRI, None),
    ("How much is a pedicure?", FRI, None),
    ("Was kostet Gel bei Anna?", FRI, None),
    ("Anna", FRI, None),
    ("Tomatensalat", FRI, None),
    ("Ich möchte stornieren", FRI, None),
    ("thanks, see you tomorrow", FRI, None),
    ("", FRI, None),
    ("   \n\t ", FRI, None),
    ("💅💅💅", FRI, None),
    ("12345", FRI, None),
    ("vor 0 Uhr", FRI, None),
    ("am 31.02.", FRI, None),
]


@pytest.mark.parametrize(("text", "now", "expected"), CASES, ids=[c[0][:40] for c in CASES])
def test_reads_the_wish(text: str, now: datetime, expected: TimeWish | None) -> None:
    assert read_wish(text, now, staff=STAFF) == expected


def test_there_are_many_cases() -> None:
    assert len(CASES) >= 120
    assert len({(text, now) for text, now, _ in CASES}) == len(CASES)


def test_the_horizon_bounds_every_day() -> None:
    found = read_wish("samstags", FRI, horizon_days=15)
    assert found == wish(on=days("2026-10-24", "2026-10-31", "2026-11-07"))
    assert read_wish("nächste Woche", FRI, horizon_days=3) == wish(
        on=span("2026-10-26", "2026-10-26")
    )
    assert read_wish("in zwei Wochen", FRI, horizon_days=7) == wish(outside=days("2026-11-06"))


def test_staff_names_are_folded_and_never_found_inside_words() -> None:
    staff = {"Jürgen": "j", "Lena": "lena"}
    assert read_wish("bei Jürgen morgen", FRI, staff=staff) == wish(
        on=days("2026-10-24"), staff="j"
    )
    assert read_wish("bei juergen morgen", FRI, staff=staff) == wish(
        on=days("2026-10-24"), staff="j"
    )
    assert read_wish("Helena morgen", FRI, staff=staff) == wish(on=days("2026-10-24"))
    assert read_wish("bei Lenas Schwester morgen", FRI, staff=staff).staff == "lena"  # type: ignore[union-attr]


def test_a_typo_is_forgiven_only_in_longer_names() -> None:
    assert read_wish("bei Anan morgen", FRI, staff=STAFF) == wish(on=days("2026-10-24"))
    assert read_wish("bei Lenna morgen", FRI, staff=STAFF) == wish(on=days("2026-10-24"))
    assert read_wish("bei Mraia morgen", FRI, staff=STAFF) == wish(
        on=days("2026-10-24"), staff="maria"
    )


@pytest.mark.parametrize(
    "text",
    [
        "a" * 100_000,
        "Freitag " * 20_000,
        "in " * 30_000,
        "1" * 100_000,
        "nicht vor " * 10_000,
        "Montag oder " * 10_000,
        "zwischen 1 und 2 " * 6_000,
        "\x00\x01\x02\u202e\ufeff" * 20_000,
        "🙈💅" * 50_000,
        "((((((((((" * 10_000,
        "so " * 30_000,
        "bei " * 30_000,
    ],
    ids=[
        "letters",
        "weekdays",
        "in",
        "digits",
        "bounds",
        "or",
        "ranges",
        "control",
        "emoji",
        "brackets",
        "so",
        "leads",
    ],
)
def test_huge_and_hostile_input_is_read_quickly_without_error(text: str) -> None:
    started = clock.perf_counter()
    found = read_wish(text, FRI, staff=STAFF)
    assert clock.perf_counter() - started < 1.0
    assert found is None or isinstance(found, TimeWish)


def test_only_the_first_characters_are_read() -> None:
    assert read_wish(" " * MAX_CHARS + "Freitag", FRI) is None
    assert read_wish("Freitag" + " " * 100_000, FRI) == wish(on=days("2026-10-23"))


def test_the_same_message_gives_the_same_wish_in_every_process() -> None:
    text = "nächste Woche Dienstag oder Mittwoch ab 16 Uhr, aber nicht bei Tom, oder samstags"
    program = (
        "from datetime import datetime; from zoneinfo import ZoneInfo;"
        "from framework.bookings.wishes import read_wish;"
        f"print(read_wish({text!r}, datetime(2026, 10, 23, 10, tzinfo=ZoneInfo('Europe/Berlin')),"
        f" staff={STAFF!r}))"
    )
    outputs = {
        subprocess.run(
            [sys.executable, "-c", program],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("0", "1", "4242")
    }
    assert len(outputs) == 1
    assert outputs == {f"{read_wish(text, FRI, staff=STAFF)}\n"}


NOWS = st.datetimes(
    min_value=datetime(2020, 1, 1),
    max_value=datetime(2040, 12, 31),
    timezones=st.just(BERLIN),
)
WORDS = st.sampled_from(
    [
        "Freitag",
        "fr",
        "sa",
        "so",
        "Montag",
        "morgen",
        "früh",
        "nachmittags",
        "abends",
        "um",
        "3",
        "15",
        "Uhr",
        "ab",
        "bis",
        "vor",
        "nach",
        "nicht",
        "oder",
        "und",
        ",",
        ".",
        "zwischen",
        "12.",
        "24.12.",
        "nächste",
        "Woche",
        "Wochenende",
        "samstags",
        "next",
        "week",
        "after",
        "before",
        "asap",
        "Anna",
        "bei",
        "mit",
        "egal",
        "2:30",
        "halb",
        "drei",
        "-",
        "in",
        "zwei",
        "Wochen",
        "Monat",
        "Ende",
        "0",
        "00:00",
        "12am",
        "ganztags",
        "31.02.",
        "außer",
        "every",
        "the 31st",
        "Lena",
        "vom",
    ]
)


@settings(database=None, deadline=None, max_examples=300)
@given(st.lists(WORDS, max_size=14).map(" ".join) | st.text(max_size=60), NOWS)
def test_any_message_gives_a_consistent_wish(text: str, now: datetime) -> None:
    found = read_wish(text, now, staff=STAFF, horizon_days=30)
    if found is None:
        return
    today, last = now.date(), now.date() + timedelta(days=30)
    assert not found.is_empty()
    assert all(today <= d <= last for d in found.days + found.not_days)
    assert list(found.days) == sorted(set(found.days))
    assert not set(found.days) & set(found.not_days)
    assert all(start < end for start, end in found.windows)
    assert found.exact is None or not found.windows
    assert all(not today <= d <= last for d in found.outside)
