"""A customer who checks their order: asks what they have so far ("what's in my order?", "was
hab ich bis jetzt bestellt?") or sums it up as a question ("so that's two pizzas, a Coke and a
beer, right?", "also zwei Pizzen und ein Bier, oder?"). A waiter answers with the order as it
stands; nothing the summary names is ordered a second time, also not what the same message
ordered a sentence before ("Plus one beer for me. So that's … and a beer, right?").

A summing-up sentence is dropped only when every item it names is in the order already (or in
progress, or ordered by another sentence of the message) and it asks for nothing more
("another", "noch"): one that names something new is left to be read as an order."""

from __future__ import annotations

import re
from typing import Final

from framework.flows.bot_slots import item_slots
from framework.flows.events import Message, Reply
from framework.flows.in_progress import order_so_far
from framework.flows.quoted_cart import beside_the_quote
from framework.flows.restating import MORE
from framework.flows.turn import Turn
from framework.flows.understanding.lexicon import lexicon_for
from framework.flows.understanding.normalize import MAX_CHARS, tokens
from framework.flows.understanding.segments import SENTENCES
from framework.flows.understanding.yesno import says_done

__all__ = ["about_the_order", "answer_after_the_order", "the_order_checked"]

_TAG: Final = re.compile(
    r"(?:^|[,\s])(?:right|correct|yes|yeah|yep|ok|okay|is that right|is that correct|"
    r"did i get that right|oder|oder nicht|richtig|korrekt|ne|nä|nich|gell|gelle|"
    r"stimmt(?:'?s| das| so)?|passt(?: das| so)?|nicht wahr|ja)\s*\?+\W*$",
    re.IGNORECASE,
)
"""A question tag at the end of a sentence: ", right?", ", oder?", "stimmt's?"."""
_OPENING: Final = re.compile(
    r"^\W*(?:(?:ok(?:ay)?|alright|right|and|so|also|und|gut|alles klar|dann)[,\s]+)*"
    r"(?:so that'?s|that'?s|that is|that makes|that'?ll be|so i have|i have|i'?ve got|"
    r"we have|we'?ve got|you have|you'?ve got|so we have|"
    r"das (?:wären|wäre|sind|ist|macht|wär)|dann (?:sind|wären|hab|habe|hätte)|"
    r"ich (?:hab|habe|hätte)|wir (?:haben|hätten)|du hast|insgesamt|zusammen|"
    r"(?:hab|habe|hätte) ich|(?:haben|hätten) wir|(?:have|did) (?:i|we) (?:got|order)|"
    r"do (?:i|we) have)\b",
    re.IGNORECASE,
)
"""How a summing-up begins: "so that's …", "das wären dann …", "hab ich jetzt also …?"; a
leading "also" is German's "so" here, and is not enough alone (English "also a Coke?" asks
for one)."""
_RECAP: Final = re.compile(
    r"\b(?:(?:just )?to (?:recap|sum (?:it )?up|summari[sz]e|(?:double[- ])?check|confirm)|recap|"
    r"let me (?:repeat|read (?:it )?back)|zusammengefasst|zur kontrolle|zur sicherheit nochmal|"
    r"(?:nur )?damit ich'?s richtig (?:hab|habe)|(?:ich )?wiederhole (?:nochmal|noch mal))\b",
    re.IGNORECASE,
)
"""How a recap says itself, question or not: "So just to recap: …", "Zusammengefasst: …"."""
_SHOWS_THE_ORDER: Final = re.compile(r"\bcart\s*\|\s*summary\b")
_ASKS_FOR_THE_ORDER: Final = re.compile(
    r"\b(?:what(?:'?s| is| do i have| have i (?:got|ordered)| did i order)"
    r"(?: (?:in|on))? (?:my|the|our) (?:order|cart|basket)|"
    r"what (?:have|did) (?:i|we) (?:ordered|order|got)(?: so far)?|"
    r"(?:show|tell|read)(?: me)?(?: back)? (?:my|the|our) (?:order|cart|basket)|"
    r"what(?:'?s| is) in (?:my|the|our) (?:order|cart|basket)|"
    r"was (?:hab|habe|haben) (?:ich|wir) (?:bis jetzt|bisher|schon|jetzt|denn|alles)"
    r"(?: \w+)?(?: bestellt| drin| im warenkorb)?|"
    r"was ist (?:in|im) (?:meiner|unserer|der) (?:bestellung|warenkorb)|"
    r"was ist im warenkorb|(?:zeig|sag|lies)(?: mir)?(?: nochmal| noch mal)? "
    r"(?:meine|unsere|die) bestellung|where (?:was i|were we|are we)(?: at)?|"
    r"wo (?:war ich|waren wir|sind wir)(?: stehen geblieben| gerade)?)\b",
    re.IGNORECASE,
)


def the_order_checked(turn: Turn, message: Message) -> Message | None:
    """The message to read further, without the sentences that only sum up the order; None
    when it only checked the order ("what's in my order?"), which is then shown."""
    if message.payload or turn.ordering_flow() is None:
        return message
    if beside_the_quote(turn, message.text) is not None:
        return message  # "Zur Kontrolle: 1 Salami, 2 Fanta – nur die Funghi klein": a change
    read, checked = _without_checks(turn, message)
    asks = _ASKS_FOR_THE_ORDER.search(read.text[:MAX_CHARS]) is not None
    if (checked and not read.text) or (asks and not lexicon_for(turn.bot).names_items(read.text)):
        _show_the_order(turn)  # "add a coke, what's in my order now?" orders the coke first
        return None
    return read


def _without_checks(turn: Turn, message: Message) -> tuple[Message, bool]:
    """The message without the sentences that sum up the order as it stands, and whether it
    had any (an empty text: the whole message was such a check)."""
    sentences = _tags_joined(SENTENCES.findall(message.text[:MAX_CHARS]))
    checks = [s for s in sentences if _sums_up(turn, s)]
    if not checks:
        return message, False
    rest = " ".join(s.strip() for s in sentences if s not in checks)
    with order_so_far(turn):
        ordered = {line["item"] for line in turn.session["cart"]["lines"]}
    ordered |= _items(turn, rest)
    kept = [s for s in checks if not _items(turn, s) <= ordered]
    if len(kept) == len(checks):
        return message, False
    text = " ".join(s.strip() for s in sentences if s not in checks or s in kept)
    return Message(text, message.now, reachable=message.reachable), True


def _tags_joined(sentences: list[str]) -> list[str]:
    """A question tag said as a sentence of its own joins the one before ("… and three
    Fantas. Right?")."""
    joined: list[str] = []
    for sentence in sentences:
        if joined and _TAG.fullmatch(" " + sentence.strip()):
            joined[-1] = f"{joined[-1].rstrip(' .!')}, {sentence.strip()}"
        else:
            joined.append(sentence)
    return joined


def _show_the_order(turn: Turn) -> None:
    """The order as it stands (the items in progress too), then the open question again
    (only that, when it shows the order itself: "{{ cart | summary }} Anything else?")."""
    if not _question_shows_the_order(turn):
        with order_so_far(turn):
            lines = turn.session["cart"]["lines"]
            turn.say_named("order_so_far" if lines else "cart_empty")
    turn.record("question_answered", entry="order_so_far")
    turn.reask()


def _question_shows_the_order(turn: Turn) -> bool:
    frame = turn.frame
    if frame is None or not frame.get("wait"):
        return False
    step = turn.flow(frame["flow"]).program[frame["pc"]]
    text = getattr(step, "text", None)
    if text is None:
        return False
    source = text.template(turn.lang, turn.bot.business.language).source
    return _SHOWS_THE_ORDER.search(source) is not None


def _sums_up(turn: Turn, sentence: str) -> bool:
    """A question that sums up: a summing-up opening, or a question tag after items, and no
    "another"; not "that's all, right?" (done) nor "the Funghi is vegetarian, right?" (a
    question the knowledge answers)."""
    text = sentence.strip()
    recap = _RECAP.search(text) is not None
    if not (text.endswith("?") or recap) or MORE & set(tokens(text)) or says_done(text):
        return False
    opens = recap or _OPENING.search(text) is not None
    if not (opens or (_TAG.search(text) is not None and _items(turn, text))):
        return False
    return not lexicon_for(turn.bot).knows(text)


def _items(turn: Turn, text: str) -> set[str]:
    ordering = turn.ordering_flow()
    if not text or ordering is None:
        return set()
    items = item_slots(turn.bot) & turn.flow(ordering).asks
    return {str(m[name]) for m in turn.names_for_order(text) for name in items if name in m}


def about_the_order(turn: Turn, entry: str) -> bool:
    """Whether a knowledge entry's answer speaks of the order (its text reads `cart`)."""
    text = turn.bot.knowledge[entry].answer
    source = text.template(turn.lang, turn.bot.business.language).source
    return _READS_THE_CART.search(source) is not None


def answer_after_the_order(turn: Turn) -> None:
    """The answers about the order asked with it, now that the turn has taken it: before
    the question the turn ends with ("So far it's €33.50 …", then "Anything else?")."""
    if not turn.after_the_order:
        return
    asked = [i for i, effect in enumerate(turn.effects) if isinstance(effect, Reply)]
    at = asked[-1] if asked else len(turn.effects)
    ends, turn.effects = turn.effects[at:], turn.effects[:at]
    with order_so_far(turn):
        for entry in turn.after_the_order:
            turn.say(turn.bot.knowledge[entry].answer)
            turn.record("question_answered", entry=entry)
    turn.effects += ends
    turn.after_the_order = []


_READS_THE_CART: Final = re.compile(r"\bcart\b")
