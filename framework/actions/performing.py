"""A bot's actions from all their sources, and the one way an action request is performed.

Every driver (the runtime, `theke chat`, `theke test`) answers an `ActionRequest` through
`BotActions.perform`: the context is built, the runner that knows the name runs it within the
request's timeout, and whatever happens — an outcome, a refusal, a timeout, an exception in
the business's code — becomes an `ActionDone` for the engine. Nothing an action does can break
the turn; failures are logged for the business (without the conversation's data).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from framework.action_calls import ActionContext, ActionError, ActionOutcome, ActionRunner
from framework.actions.http_calls import HttpCalls
from framework.actions.python_actions import PythonActions
from framework.actions.rasa_protocol import domain_for
from framework.bookings.desk import booking_desk
from framework.bookings.service import Bookings
from framework.consents.desk import ConsentDesk
from framework.consents.service import Consents
from framework.contacts.desk import ContactDesk
from framework.flows.events import ActionDone, ActionRequest
from framework.flows.model import Bot
from framework.flows.steps import Act
from framework.secrets import resolve
from framework.stores.contacts import ContactStore
from framework.stores.memory.consents import MemoryConsents
from framework.stores.memory.contacts import MemoryContacts
from framework.stores.memory.tickets import MemoryTickets
from framework.tickets.desk import TicketDesk
from framework.tickets.service import Tickets

__all__ = ["BotActions", "FixedActions", "Where", "action_steps", "called_actions", "request_id"]

log = logging.getLogger("theke.actions")


@dataclass(frozen=True, slots=True)
class Where:
    """Whose conversation asks: the bot, the customer's id on the channel, the channel, and
    the request's id (stable across a replayed turn: the idempotency key)."""

    bot: str
    sender: str
    channel: str
    request_id: str


def request_id(seed: str, number: int) -> str:
    """The id of a turn's `number`th request: from what identifies the turn (`seed`), naming
    nothing of it (no customer, no message)."""
    return f"{hashlib.sha256(seed.encode()).hexdigest()[:24]}-{number}"


class FixedActions:
    """Actions replaced by fixed results (conversation tests): an outcome, or an error text."""

    def __init__(self, results: Mapping[str, ActionOutcome | str]) -> None:
        self._results = dict(results)

    def names(self) -> frozenset[str]:
        return frozenset(self._results)

    async def run(self, context: ActionContext) -> ActionOutcome:
        result = self._results[context.action]
        if isinstance(result, str):
            raise ActionError(result)
        return result

    async def close(self) -> None:
        return None


class BotActions:
    """The runners of one bot; the first that knows a name runs it."""

    def __init__(self, runners: Sequence[ActionRunner]) -> None:
        self._runners = tuple(runners)

    @classmethod
    def of(
        cls,
        bot: Bot,
        first: Sequence[ActionRunner] = (),
        tickets: Tickets | None = None,
        bookings: Bookings | None = None,
        links: str = "",
        consents: Consents | None = None,
        contacts: ContactStore | None = None,
    ) -> BotActions:
        """The built-in runners (HTTP calls, the ticket desk on `tickets`, the consent desk on
        `consents`, the contact desk on `contacts`, the booking desk on `bookings` for a bot
        with a booking.yaml — each on a store of its own in memory when not given) and the
        bot's configured sources (`actions:` in bot.yaml), after `first` (overrides). `links`
        is the server's public URL, for calendar links."""
        desk = TicketDesk(tickets if tickets is not None else Tickets(MemoryTickets()))
        consent = ConsentDesk(
            consents if consents is not None else Consents(MemoryConsents()), bot.consents
        )
        contact = ContactDesk(contacts if contacts is not None else MemoryContacts())
        built_in: list[ActionRunner] = [
            HttpCalls(),
            desk,
            consent,
            contact,
            *booking_desk(bot, bookings, links),
        ]
        return cls([*first, *built_in, *_sources(bot)])

    @classmethod
    def own(cls, bot: Bot) -> BotActions:
        """The bot's configured sources alone, without the built-in runners."""
        return cls(_sources(bot))

    def names(self) -> frozenset[str]:
        return frozenset().union(*(runner.names() for runner in self._runners))

    def _runner(self, name: str) -> ActionRunner | None:
        return next((runner for runner in self._runners if name in runner.names()), None)

    async def perform(self, request: ActionRequest, where: Where) -> ActionDone:
        runner = self._runner(request.action)
        if runner is None:
            return _failed(request, where, f"no action {request.action!r} is known to the bot")
        try:
            outcome = await asyncio.wait_for(runner.run(_context(request, where)), request.timeout)
        except TimeoutError:
            return _failed(request, where, f"no answer within {request.timeout:g} s")
        except ActionError as error:
            return _failed(request, where, str(error))
        except Exception as error:  # the business's code: anything can happen in it
            log.warning("action raised", exc_info=error, extra=_fields(request, where))
            return _failed(request, where, f"raised {type(error).__name__}")
        return ActionDone(request.action, request.now, outcome, message=request.message)

    async def close(self) -> None:
        for runner in self._runners:
            await runner.close()


def _sources(bot: Bot) -> tuple[ActionRunner, ...]:
    """The runners of a bot's `actions:`: new ones for each driver, since a runner may hold
    a connection bound to the driver's event loop."""
    sources = bot.actions
    runners: list[ActionRunner] = []
    if sources.python is not None:
        runners.append(PythonActions.from_file(sources.python, bot.name))
    if sources.rasa is not None or sources.rasa_server is not None:
        runners += _rasa(bot)
    return tuple(runners)


def _rasa(bot: Bot) -> list[ActionRunner]:
    """rasa-sdk actions in-process and a remote action server; imported only when a bot has
    them (rasa-sdk is the optional extra theke[rasa])."""
    from framework.actions.rasa_local import RasaInProcess
    from framework.actions.rasa_remote import RemoteRasa

    sources = bot.actions
    domain = domain_for(bot, called_actions(bot))
    runners: list[ActionRunner] = []
    if sources.rasa is not None:
        runners.append(RasaInProcess(sources.rasa, domain))
    if sources.rasa_server is not None:
        token = resolve(sources.rasa_server_token).reveal() if sources.rasa_server_token else None
        names = frozenset(sources.rasa_server_actions)
        timeout = sources.timeout.total_seconds()
        runners.append(RemoteRasa(sources.rasa_server, names, domain, timeout, token))
    return runners


def action_steps(bot: Bot) -> list[Act]:
    """Every step of the bot's flows that calls an action (an `http:` step too)."""
    return [step for flow in bot.flows.values() for step in flow.program if isinstance(step, Act)]


def called_actions(bot: Bot) -> frozenset[str]:
    """Every action name the bot's flows call (what a Rasa domain lists)."""
    return frozenset(step.action for step in action_steps(bot))


def _context(request: ActionRequest, where: Where) -> ActionContext:
    return ActionContext(
        action=request.action,
        args=request.args,
        request_id=where.request_id,
        bot=where.bot,
        sender=where.sender,
        channel=where.channel,
        lang=request.lang,
        slots=request.slots,
        cart=request.cart,
        profile=request.profile,
        message=request.message,
        now=request.now,
    )


def _failed(request: ActionRequest, where: Where, error: str) -> ActionDone:
    log.warning("action failed", extra={**_fields(request, where), "error": error})
    return ActionDone(request.action, request.now, None, error, request.message)


def _fields(request: ActionRequest, where: Where) -> dict[str, str]:
    return {"bot": where.bot, "action": request.action, "request": where.request_id}
