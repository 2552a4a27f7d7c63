"""The YAML flow language: reader → checker → engine."""

from framework.flows.engine import StepResult, step
from framework.flows.events import Button, Effect, Event, Message, Record, Remember, Reply
from framework.flows.model import Bot
from framework.flows.problems import BotDefinitionError, Problem
from framework.flows.reader import load_bot, read_bot
from framework.flows.session import Session, new_session

__all__ = [
    "Bot",
    "BotDefinitionError",
    "Button",
    "Effect",
    "Event",
    "Message",
    "Problem",
    "Record",
    "Remember",
    "Reply",
    "Session",
    "StepResult",
    "load_bot",
    "new_session",
    "read_bot",
    "step",
]
