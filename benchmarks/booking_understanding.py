"""How well the nail studio bot understands customers who book, move and cancel in their own
words: the share of conversations that end as the customer wanted, and every conversation
that ended in a booking the customer did not ask for (the worst failure: a wrong appointment,
or a deposit asked for something they did not want).

    .venv/bin/python benchmarks/booking_understanding.py [--failures] [--lang en]
    .venv/bin/python benchmarks/booking_understanding.py --set holdout

`--set holdout` measures tests/booking_understanding/holdout/<lang>.yaml: conversations written
the same way by another author, never used to tune the bot (only wrong bookings are looked
into), so their share is the honest estimate of what new customers meet.

The conversations (tests/booking_understanding/<lang>.yaml) were written by an author who knew
only the studio's offer sheet (tests/booking_understanding/OFFER.md), never the bot: each is a
customer's messages, sent without seeing the bot's replies (`{button: N}` presses the N-th
button of the bot's last buttons, `{pay: true}` pays the deposit link), and what the customer
would call success, judged on the booking store at the end:

- `booked`: one new confirmed booking of the service, on one of `days`, starting from `from`
  and before `until`, with `staff` when given; `deposit_unpaid`: such a booking still held
  while its deposit link is open; `moved`: the earlier booking now at such a time;
  `cancelled`: the earlier booking cancelled; `nothing`: no booking made or changed.
- `answers`: each text appears in some reply of the bot (a price, "Karte").

A wrong booking is an appointment confirmed, or a deposit asked for, that the customer did
not want (another service, another day or time than they said, or none at all). A hold left
unconfirmed is a failure but no wrong booking: it lapses after its ten minutes.

Every conversation starts in German, the bot's own language, as a real one does.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml

from framework.actions.blocking import BlockingActions
from framework.actions.performing import BotActions
from framework.bookings.availability import Offer, new_hold
from framework.bookings.plan import Plan, plan_of
from framework.bookings.service import Bookings
from framework.flows import Bot, Message, load_bot, new_session
from framework.flows.events import Reply
from framework.stores.bookings import CANCELLED, CONFIRMED, HELD, Booking
from framework.stores.memory.bookings import MemoryBookings
from framework.stores.records import SessionKey
from framework.testing.till import Till

ROOT = Path(__file__).resolve().parent.parent
BOT = ROOT / "bots" / "nail_studio"
CONVERSATIONS = ROOT / "tests" / "booking_understanding"
HOLDOUT = CONVERSATIONS / "holdout"
SETS = {"corpus": CONVERSATIONS, "holdout": HOLDOUT, "holdout2": CONVERSATIONS / "holdout2"}
SENDER, CHANNEL = "customer", "test"
BERLIN = ZoneInfo("Europe/Berlin")


@dataclass
class Outcome:
    name: str
    lang: str
    ok: bool
    problems: list[str]
    wrong: bool
    """A booking the customer did not ask for (or a deposit for one)."""
    transcript: list[str] = field(default_factory=list)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--failures", action="store_true", help="print each failed conversation")
    parser.add_argument("--lang", help="only de or en")
    parser.add_argument("--set", choices=sorted(SETS), default="corpus", help="which conversations")
    args = parser.parse_args()
    outcomes = review_all(SETS[args.set], args.lang)
    for lang in sorted({o.lang for o in outcomes}):
        mine = [o for o in outcomes if o.lang == lang]
        print(f"{lang}: {sum(o.ok for o in mine)}/{len(mine)} as the customer wanted")
    passed = sum(o.ok for o in outcomes)
    wrong = [o for o in outcomes if o.wrong]
    share = passed / len(outcomes)
    print(f"all: {passed}/{len(outcomes)} ({share:.1%}), wrong bookings: {len(wrong)}")
    for outcome in outcomes:
        if args.failures and not outcome.ok:
            print(
                f"\n✗ {outcome.lang}: {outcome.name}{'  [WRONG BOOKING]' if outcome.wrong else ''}"
            )
            print("\n".join(f"  {line}" for line in outcome.transcript))
            print("\n".join(f"  → {problem}" for problem in outcome.problems))
    return 0


def review_all(folder: Path, lang: str | None = None) -> list[Outcome]:
    bot = load_bot(BOT)
    outcomes = []
    for path in sorted(folder.glob("*.yaml")):
        if lang and path.stem != lang:
            continue
        for spec in yaml.safe_load(path.read_text(encoding="utf-8"))["conversations"]:
            outcomes.append(review(bot, spec, path.stem))
    return outcomes


def review(bot: Bot, spec: dict[str, Any], lang: str) -> Outcome:
    plan = plan_of(bot)
    assert plan is not None
    now = datetime.fromisoformat(spec["now"])
    store = MemoryBookings()
    bookings = Bookings(store, clock=lambda: till.now.timestamp())
    actions = BlockingActions(BotActions.of(bot, bookings=bookings), bot.name, SENDER, CHANNEL)
    till = Till(bot, now, actions)
    before = [_book_before(store, plan, entry, now) for entry in spec.get("booked_before") or ()]
    transcript: list[str] = []
    replies = _converse(bot, till, spec["turns"], transcript)
    actions.close()
    found = list(store._bookings.values())  # the reference store: everything it holds
    problems, wrong = _judge(spec["expect"], before, found, replies, bool(till.orders))
    return Outcome(spec["name"], lang, not problems, problems, wrong, transcript)


def _book_before(store: MemoryBookings, plan: Plan, entry: dict[str, Any], now: datetime) -> int:
    zone = plan.business.timezone
    start = datetime.fromisoformat(str(entry["start"])).replace(tzinfo=zone)
    service = plan.services[entry["service"]]
    offer = Offer.at(start, service, entry.get("staff") or service.staff[0])
    conversation = str(SessionKey(plan.bot, CHANNEL, SENDER))
    earlier = now.timestamp() - 3 * 86400
    hold = new_hold(plan, service, offer, earlier, plan.hold, conversation=conversation)
    booking = asyncio.run(store.hold(hold, earlier))
    asyncio.run(store.confirm(plan.bot, booking.number, "bot", earlier))
    return booking.number


def _converse(bot: Bot, till: Till, turns: list[Any], transcript: list[str]) -> list[Reply]:
    session = new_session(bot)
    everything: list[Reply] = []
    buttons: list[tuple[str, str]] = []
    for turn in turns:
        if isinstance(turn, dict) and turn.get("pay"):
            transcript.append("~ pays")
            result = till.outside(session, {"payment": "paid"}) if till.orders else None
            if result is None:
                transcript.append("  (there was no payment link to pay)")
                continue
        else:
            text, payload = _said(turn, buttons)
            transcript.append(f"> {text}")
            result = till.step(session, Message(text, till.now, payload))
        session = result.session
        for reply in result.replies:
            transcript.append(f"  {reply.text}")
            everything.append(reply)
            if reply.buttons:
                buttons = [(b.title, b.payload) for b in reply.buttons]
    return everything


def _said(turn: Any, buttons: list[tuple[str, str]]) -> tuple[str, str | None]:
    if isinstance(turn, dict) and "button" in turn:
        index = int(turn["button"]) - 1
        if 0 <= index < len(buttons):
            return buttons[index][0], buttons[index][1]
        return "1", None  # no such button: the customer types the number instead
    return str(turn), None


def _judge(
    expect: dict[str, Any],
    before: list[int],
    found: list[Booking],
    replies: list[Reply],
    asked_to_pay: bool,
) -> tuple[list[str], bool]:
    """What went otherwise than the customer wanted, and whether a booking was made that
    they did not ask for (or a deposit asked for one)."""
    outcome = expect["outcome"]
    new = [b for b in found if b.number not in before and b.status in (CONFIRMED, HELD)]
    old = [b for b in found if b.number in before]
    said = "\n".join(reply.text for reply in replies)
    answers = expect.get("answers") or ()
    problems = [f"no reply says {text!r}" for text in answers if str(text) not in said]
    problems += _outcome_problems(outcome, expect, new, old)
    making = outcome in ("booked", "deposit_unpaid")
    # A hold nobody confirmed or paid for lapses by itself: it is no booking. What counts is
    # an appointment confirmed, or a deposit asked for, that the customer did not want.
    booked = [b for b in new if b.status == CONFIRMED or (asked_to_pay and b.deposit_minor)]
    wrong = any(not making or not _fits(booking, expect) for booking in booked)
    if asked_to_pay and expect.get("service") != "gel_nails":
        problems.append("a deposit was asked for")
        wrong = True
    return problems, wrong


def _outcome_problems(
    outcome: str, expect: dict[str, Any], new: list[Booking], old: list[Booking]
) -> list[str]:
    moved = [b for b in old if b.sequence > 0 and b.status == CONFIRMED]
    if outcome in ("booked", "deposit_unpaid"):
        status = CONFIRMED if outcome == "booked" else HELD
        fitting = [b for b in new if b.status == status and _fits(b, expect)]
        if len(fitting) == 1 and len(new) == 1:
            return []
        return [f"wanted one {status} {expect.get('service')}: {_shown(new)}"]
    problems = [f"booked what was not asked for: {_shown(new)}"] if new else []
    if outcome == "moved" and not any(_fits(b, expect) for b in moved):
        problems.append(f"not moved as wanted: {_shown(old)}")
    if outcome == "cancelled" and not any(b.status == CANCELLED for b in old):
        problems.append(f"not cancelled: {_shown(old)}")
    if outcome in ("nothing", "cancelled") and moved:
        problems.append("moved what was not to be moved")
    return problems


def _fits(booking: Booking, expect: dict[str, Any]) -> bool:
    start = datetime.fromtimestamp(booking.start, BERLIN)
    if expect.get("service") and booking.service != expect["service"]:
        return False
    if expect.get("staff") and booking.resource != expect["staff"]:
        return False
    days = [date.fromisoformat(str(day)) for day in expect.get("days") or ()]
    if days and start.date() not in days:
        return False
    clock = start.time().replace(tzinfo=None)
    if expect.get("from") and clock < time.fromisoformat(str(expect["from"])):
        return False
    return not expect.get("until") or clock < time.fromisoformat(str(expect["until"]))


def _shown(bookings: list[Booking]) -> str:
    zone = BERLIN
    return (
        ", ".join(
            f"{b.number} {b.service} {datetime.fromtimestamp(b.start, zone):%a %d.%m. %H:%M} "
            f"{b.resource} {b.status}"
            for b in bookings
        )
        or "none"
    )


if __name__ == "__main__":
    sys.exit(main())
