"""Flows: the model of a bot (model.py, steps.py: plain data), the flow language that builds it
from YAML (`language/`: reader, compiler, checker, schema, graph) and the pure interpreter
that runs it (engine, execution, understanding, answer-back requests). The names below are
the ones most code needs."""

from framework.flows.engine import StepResult, step
from framework.flows.events import Button, Effect, Event, Message, Record, Remember, Reply
from framework.flows.language.problems import BotDefinitionError, Problem
from framework.flows.language.reader import load_bot, read_bot
from framework.flows.model import Bot
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
