"""A question in between, answered from the bot's knowledge ("kann ich bar zahlen?", "how long
does delivery take"): the answer, then the open question again, or the order or answer the
message also gives ("Ist die Funghi vegetarisch? Dann bitte eine mittlere")."""

from __future__ import annotations

import re
from typing import Final

from framework.flows.answering import answer
from framework.flows.asked_about import remember_asked_about
from framework.flows.catalog_answers import PRICE_WORDS, PRICES_ANSWERED, price_answer
from framework.flows.catalog_contents import contents_answer
from framework.flows.committing import committed
from framework.flows.editing import edit_order
from framework.flows.events import Message
from framework.flows.follow_ups import KNOWN_BEFORE, follow_up
from framework.flows.implied_choices import address_switches
from framework.flows.in_progress import order_so_far
from framework.flows.order_checks import about_the_order
from framework.flows.repair import try_digression
from framework.flows.session import Frame
from framework.flows.steps import CartAdd
from framework.flows.told_aside import only_tells, statements
from framework.flows.turn import Turn
from framework.flows.understanding.lexicon import lexicon_for
from framework.flows.understanding.normalize import tokens
from framework.flows.understanding.questions import is_question, only_asks, parts
from framework.flows.understanding.slot_values import find_address
from framework.flows.understanding.story import tells_a_story
from framework.flows.understanding.yesno import parse_yes_no, says_done

__all__ = ["answered_in_between"]


def answered_in_between(
    turn: Turn, message: Message, prices_before: bool, known_before: list[str]
) -> bool:
    """A question the bot's knowledge answers ("kann ich bar zahlen?", "how long does
    delivery take"): the answer, then the open question again. A message that names catalog
    items and asks nothing is an order, not a question; one that asks and orders gets the
    answer and goes on as an order. One that only asks about an item while another question
    is open ("was kostet ein Bier?" at the extras) orders nothing; with nothing open ("was ist
    auf der Capricciosa?") the item's order begins after the answer, as a waiter would take
    it."""
    if message.payload:
        return False
    frame = turn.frame
    waiting = frame is not None and bool(frame.get("wait"))
    if waiting and not is_question(message.text):
        return False  # "deliver to my place" answers "deliver or pick up?", asks nothing
    lexicon, text = lexicon_for(turn.bot), message.text
    prices = price_answer(turn, text, prices_before) if is_question(text) else None
    entries = lexicon.knows(text, PRICE_WORDS if prices else frozenset())
    if prices is None and not entries:
        entries = follow_up(text, known_before)  # "how long does delivery take?" "And pickup?"
    contents = None if prices or entries or not is_question(text) else contents_answer(turn, text)
    if prices is None and contents is None and not entries:
        return False
    turn.session["flags"][KNOWN_BEFORE] = entries
    names_items = lexicon.names_items(text)
    if names_items and not is_question(text):
        return False
    _say_from_the_catalog(turn, prices, contents)
    asks_only = only_asks(text)
    priced = prices is not None and _only_the_item(turn, text)  # not "… Saturday around 2?"
    if _nothing_to_choose(turn, text) and (asks_only or _asks_after_a_story(turn, text)):
        priced = asks_only = True  # "how big is a beer?": answered, nothing written down
    ordering = (
        names_items
        and turn.orders_an_item(text)
        and not ((waiting or priced or _several(turn, text)) and asks_only)
    )  # not the beer of "Mir sin aus Mendig, do wo dat Bier reift. Wie lang dauert's?"
    _say_answers(turn, entries, ordering)
    if ordering:
        return False  # "Ist die Funghi vegetarisch? Dann bitte eine mittlere": answered, and on
    if waiting and frame is not None:  # "was ist auf der Capricciosa?": maybe taken next
        remember_asked_about(turn, turn.bot.slots.get(frame["wait"]), text)
    elif priced and names_items and _invite_the_order(turn, text):
        return True
    return _after_the_answers(turn, frame, text)


def _say_from_the_catalog(turn: Turn, prices: str | None, contents: str | None) -> None:
    """The catalog's answers: prices ("was kostet die große Diavola?"), what is on an item
    ("Is the Tonno with onions?")."""
    if prices is not None:
        turn.reply(prices)
        turn.record("question_answered", entry="catalog_prices")
        turn.session["flags"][PRICES_ANSWERED] = True
    if contents is not None:
        turn.reply(contents)
        turn.record("question_answered", entry="catalog_contents")


def _only_the_item(turn: Turn, text: str) -> bool:
    """Whether the message asks one thing, and names nothing for the order but items, their
    choices and counts ("Hi, was kostet die große Diavola?"; not "How much is a removal? And
    could Maria do it Saturday around 2?"), of an ordering flow that puts items in a cart (a
    booking's "How much is a gel set, and do I pay upfront?" begins the booking, which
    commits nothing: it asks when)."""
    if not _fills_a_cart(turn):
        return False
    asked = [sentence for sentence in _SENTENCES.split(text) if len(tokens(sentence)) > 2]
    slots = [turn.slot(name) for mention in turn.names_for_order(text) for name in mention]
    kinds = all(
        slot.type in ("item", "choice", "choices") or slot.role == "quantity" for slot in slots
    )
    return len(asked) <= 1 and kinds


def _fills_a_cart(turn: Turn) -> bool:
    """Whether the ordering flow puts items in a cart (a booking's commits nothing: it asks
    when)."""
    ordering = turn.ordering_flow()
    program = turn.flow(ordering).program if ordering is not None else ()
    return any(isinstance(step, CartAdd) for step in program)


_SENTENCES: Final = re.compile(r"[.!?;]+")


def _invite_the_order(turn: Turn, text: str) -> bool:
    """ "Was kostet die große Diavola?" with nothing open: the price, as a waiter says it,
    and nothing written down (a question about an item's toppings begins its order, which
    asks its size before anything is in the cart). The ordering flow begins at its item
    question, where "ok, die nehm ich" takes the item asked about and "dann lieber eine
    Margherita" another."""
    ordering = turn.ordering_flow()
    if ordering is None:
        return False
    turn.start_flow(ordering)
    asked = next(
        (slot for slot in turn.slots(turn.flow(ordering).asks) if slot.type == "item"), None
    )
    remember_asked_about(turn, asked, text)
    return True


def _asks_after_a_story(turn: Turn, text: str) -> bool:
    """Whether the message only asks, once the sentences that name nothing for the order are
    set aside ("Ich ha Geisse am Rigi-Hang und bi es paar Täg z'Berlin. Wie gross isch bi
    öich es Bier?": who writes, then the question)."""
    said = parts(text)
    asked = [part for part in said if turn.names_for_order(part) or is_question(part)]
    return 0 < len(asked) < len(said) and only_asks("\n".join(asked))


def _nothing_to_choose(turn: Turn, text: str) -> bool:
    """Whether every item the question names has nothing to choose ("Wie groß ist ein Bier?"):
    its order would go straight into the cart, so, as with its price, the answer comes and
    nothing is written down (a pizza's order begins by asking its size)."""
    named = lexicon_for(turn.bot).items(frozenset()).find_all(tokens(text))
    items = turn.bot.catalog.items
    plain = bool(named) and all(not items[match.value].options for match in named)
    return plain and _fills_a_cart(turn)


def _several(turn: Turn, text: str) -> bool:
    """ "Funghi or Prosciutto, what's the difference?": a question about several items orders
    none of them."""
    named = lexicon_for(turn.bot).items(frozenset()).find_all(tokens(text))
    return len({match.value for match in named}) > 1


def _say_answers(turn: Turn, entries: list[str], ordering: bool) -> None:
    """The knowledge's answers; one about the order, asked with it ("… zwei Fanta. Was macht
    das zusammen?"), once the turn has taken the order."""
    with order_so_far(turn):  # "what's the total so far?" counts the pizza being asked about
        for entry in entries:
            if ordering and about_the_order(turn, entry):
                turn.after_the_order.append(entry)
                continue
            turn.say(turn.bot.knowledge[entry].answer)
            turn.record("question_answered", entry=entry)


def _after_the_answers(turn: Turn, frame: Frame | None, text: str) -> bool:
    """After the knowledge answered: the flow the message also asks for, the choice it also
    makes, or the open question again; False when the message goes on as an answer or order."""
    waiting = frame is not None and bool(frame.get("wait"))
    lexicon = lexicon_for(turn.bot)
    if lexicon.triggers_beside_knowledge(text):
        if not waiting:
            return False  # "Laptop geht nicht an, was kostet eine Reparatur?": and its flow
        target = lexicon.trigger(text)
        if target is not None and only_tells(turn.flow(target)) and try_digression(turn, text):
            return True  # "wie lange habt ihr offen? und was kostet die Lieferung?": both
    said = _the_choice_said(turn, frame, text) if waiting else None
    if said is not None:  # "pick up. when will it be ready?": answered, and the choice taken
        answer(turn, Message(said, turn.now))
        return True
    told = " ".join(_beside_the_question(turn, text))
    ordering = frame is not None and frame["flow"] == turn.ordering_flow()
    if waiting and ordering and told and turn.names_for_order(told):
        # "how much are jalapeños? whatever, put them on it": answered, and the rest goes on
        # as the edit or the answer it is
        if not edit_order(turn, told):
            answer(turn, Message(told, turn.now))
        return True
    turn.reask()
    return True


def _beside_the_question(turn: Turn, text: str) -> list[str]:
    """The sentences that ask nothing, but those that tell a story of the writers ("Mir sin
    zwei aus Mendig, do wo dat Bier en de Lavakeller reift. Wie lang dauert dat, bis ihr
    liefert?" orders no beer: who writes, then the question)."""
    lexicon = lexicon_for(turn.bot)
    return [said for said in statements(text) if not tells_a_story(tokens(said), lexicon)]


def _the_choice_said(turn: Turn, frame: Frame | None, text: str) -> str | None:
    """The sentences of a message that asks something which name a choice of the open
    question and ask nothing ("pick up. when will it be ready?", "what's the difference
    between small and medium? fine, small"; not "ist die scharf?"), a yes that commits the
    order beside a question ("Yes please. How long will it take?"; not "yes, but how long
    …?"), or None."""
    slot = turn.bot.slots.get(frame.get("wait") or "") if frame is not None else None
    if frame is None or slot is None:
        return None  # no question, or the payment waited for ("is it ordered yet?")
    said = statements(text)
    if slot.type == "yes_no" and frame["flow"] == turn.ordering_flow():
        # "That's all. What's …?", "Nein. Abholen ich. Wie lange?", "Deliver to …. How long?"
        done = any(says_done(p) or parse_yes_no(p) is False or find_address(p) for p in said)
        return " ".join(said) if done else None
    if slot.role == "confirm":  # "Jo gern. Wie lang gaht's?": answered, and the yes taken
        # (or "Can you deliver please? To Boddinstraße 11, 12053": the address a switch)
        joined = " ".join(said)
        taken = bool(said) and (
            committed(turn, joined) or address_switches(turn, joined) is not None
        )
        return joined if taken else None
    if slot.type not in ("choice", "choices"):
        return None
    naming = [p for p in said if any(slot.name in m for m in turn.kept_mentions(p, [slot]))]
    return " ".join(naming) if naming else None
