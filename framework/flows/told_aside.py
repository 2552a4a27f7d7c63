"""Flows that only tell (the opening hours, the menu) beside something else the message says.

A flow that only says things may be taken in passing: a question beside an open one ("wie lange
habt ihr offen? und was kostet die Lieferung?"), or a question beside an order with nothing
open ("… zwei Salami und eine Cola. Bis wann habt ihr heute offen?": the order is taken, and the
hours told first). A trigger word in a sentence that asks nothing tells nothing beside an order
("Her flight was delayed three hours, … We'll have a Diavola …": the order, no opening hours).
"""

from __future__ import annotations

from framework.flows.events import Message
from framework.flows.flow_follow_ups import followed_up, note_answering_flow
from framework.flows.model import Flow
from framework.flows.steps import Branch, End, Jump, Say
from framework.flows.turn import Turn
from framework.flows.understanding.lexicon import lexicon_for
from framework.flows.understanding.normalize import MAX_CHARS, without_emoji
from framework.flows.understanding.questions import is_question
from framework.flows.understanding.segments import SENTENCES

__all__ = ["flow_asked", "only_tells", "statements", "tell_beside"]


def only_tells(flow: Flow) -> bool:
    """A flow that only says things (the opening hours, the menu): a question beside an open
    one may take it in passing; one that asks or books (a paid visit) waits to be asked for."""
    return all(isinstance(step, Say | Branch | Jump | End) for step in flow.program)


def statements(text: str) -> list[str]:
    """The sentences of a message that ask nothing."""
    return [part for part in SENTENCES.findall(text[:MAX_CHARS]) if not is_question(part)]


def _asked_beside_the_order(turn: Turn, text: str, target: str) -> str | None:
    """The flow that only tells, when a question of the message asks for it; None when only a
    statement names its trigger."""
    lexicon = lexicon_for(turn.bot)
    asked = (part for part in SENTENCES.findall(text[:MAX_CHARS]) if is_question(part))
    return target if any(lexicon.trigger(part) == target for part in asked) else None


def flow_asked(
    turn: Turn, message: Message, text: str, names_items: bool
) -> tuple[str | None, str | None]:
    """The flow a message with nothing open starts by its trigger, and one that only tells
    asked beside the order it names ("… zwei Salami. Bis wann habt ihr offen?")."""
    lexicon = lexicon_for(turn.bot)
    target = lexicon.trigger(message.payload or "") or lexicon.trigger(text, written=names_items)
    ordering = names_items and lexicon.names_items(without_emoji(text))
    if target and ordering and not message.payload and only_tells(turn.flow(target)):
        return None, _asked_beside_the_order(turn, text, target)
    return target or followed_up(turn, text), None  # "und am Sonntag?" after the hours


def tell_beside(turn: Turn, flow: str) -> None:
    """Tell the flow on top of the order just begun, which then goes on with its question."""
    turn.start_flow(flow, digression=True)
    note_answering_flow(turn, flow)
