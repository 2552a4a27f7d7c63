"""What agents do from the inbox reaches the customer's channel: of two agents who claim at once
one wins and the other reads who took it; what the holder writes, the slot it sets, returning
to the bot and closing are heard on the customer's REST channel. Hostile input stays harmless:
a 1 MB message is refused with a clear error and nothing is sent, a customer's HTML is shown as
text, an agent limited to other bots is refused."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from html.parser import HTMLParser

from aiohttp.test_utils import TestClient

from framework.handoffs.web import HANDOFFS
from framework.inbox.auth import AGENTS
from framework.stores.agents import Agent
from tests.handoffs.test_handoff_served import later
from tests.inbox.conftest import NOON, PASSWORD, Browser, say

ADA = "shop:rest:ada"
PAGE = f"/inbox/c/shop/{ADA}"


async def _held_by_anna(shop: TestClient, open_browser: Callable[[], Browser]) -> Browser:
    assert await say(shop, "ada", "order") == ["Which size?"]
    await say(shop, "ada", "I want to talk to a person")
    anna = open_browser()
    await anna.sign_in("anna")
    assert (await anna.post(f"{PAGE}/claim")).status == 200
    return anna


async def test_of_two_agents_who_claim_at_once_one_wins_and_the_other_reads_who(
    shop: TestClient, open_browser: Callable[[], Browser]
) -> None:
    await say(shop, "ada", "I want to talk to a person")
    anna, ben = open_browser(), open_browser()
    await anna.sign_in("anna")
    await ben.sign_in("ben")
    answers = await asyncio.gather(anna.post(f"{PAGE}/claim"), ben.post(f"{PAGE}/claim"))
    assert sorted(answer.status for answer in answers) == [200, 409]
    winner, loser = (anna, ben) if answers[0].status == 200 else (ben, anna)
    holder = "anna" if winner is anna else "ben"
    lost = next(answer for answer in answers if answer.status == 409)
    assert (await lost.json())["error"].startswith(f"Taken by {holder}: they claimed it first.")
    page = await (await loser.session.get(loser.url(PAGE))).text()
    assert f"Taken by {holder}." in page and 'name="text"' not in page  # no composer for them
    mine = await (await winner.session.get(winner.url(PAGE))).text()
    assert "Return to bot" in mine and "Message to the customer" in mine
    without_js = await loser.post(f"{PAGE}/claim", json=False)
    assert without_js.status == 409 and f"Taken by {holder}" in await without_js.text()


async def test_what_the_holder_writes_and_the_return_reach_the_customer(
    shop: TestClient, open_browser: Callable[[], Browser]
) -> None:
    anna = await _held_by_anna(shop, open_browser)
    sent = await anna.post(f"{PAGE}/say", {"text": "Yes, all our sizes are vegan."})
    assert (await sent.json()) == {"notice": "Sent to the customer."}
    set_slot = await anna.post(f"{PAGE}/slots", {"slot": "size", "value": "large"})
    assert set_slot.status == 200, await set_slot.text()
    unknown = await anna.post(f"{PAGE}/slots", {"slot": "colour", "value": "red"})
    assert unknown.status == 400 and "no slot 'colour'" in (await unknown.json())["error"]
    assert (await anna.post(f"{PAGE}/return")).status == 200
    heard = await later(shop, "ada", "Size large it is.", "You're back")
    assert heard[-4:] == [
        "anna is with you now.",
        "Yes, all our sizes are vegan.",
        "You're back with the bot.",
        "Size large it is.",
    ]
    assert await shop.server.app[HANDOFFS].store.get("shop", ADA) is None
    page = await (await anna.session.get(anna.url(PAGE))).text()
    assert "Not waiting for a person" in page and "Yes, all our sizes are vegan." in page


async def test_closing_is_heard_and_releasing_queues_it_again(
    shop: TestClient, open_browser: Callable[[], Browser]
) -> None:
    anna = await _held_by_anna(shop, open_browser)
    assert (await anna.post(f"{PAGE}/release")).status == 200
    assert (await shop.server.app[HANDOFFS].store.get("shop", ADA)).state == "queued"
    assert (await anna.post(f"{PAGE}/claim")).status == 200
    assert (await anna.post(f"{PAGE}/close")).status == 200
    heard = await later(
        shop, "ada", "Thanks for the chat! Just write when you need something again.", ""
    )
    assert heard[-1].startswith("Thanks for the chat!")
    again = await anna.post(f"{PAGE}/say", {"text": "still there?"})
    assert again.status == 409 and "claim it first" in (await again.json())["error"]


async def test_a_huge_or_empty_message_is_refused_clearly_and_nothing_is_sent(
    shop: TestClient, open_browser: Callable[[], Browser]
) -> None:
    anna = await _held_by_anna(shop, open_browser)
    before = await later(shop, "ada", "anna is with you now.", "anna is with you now.")
    huge = await anna.post(f"{PAGE}/say", {"text": "x" * 1_000_000})
    assert huge.status == 413
    assert "larger than" in (await huge.json())["error"]
    long = await anna.post(f"{PAGE}/say", {"text": "y" * 5000})
    assert long.status == 400
    assert (await long.json())["error"] == "The message is too long: at most 4096 characters."
    empty = await anna.post(f"{PAGE}/say", {"text": "   "})
    assert (await empty.json())["error"] == "Write something first: the message is empty."
    await asyncio.sleep(0.6)  # the runtime's tick would have delivered anything sent
    assert await later(shop, "ada", before[-1], before[-1]) == before


class _Scripts(HTMLParser):
    """The elements of a page, as a browser's parser sees them."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


async def test_a_customers_html_is_shown_as_text(
    shop: TestClient, open_browser: Callable[[], Browser]
) -> None:
    hostile = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    await say(shop, "ada", "I want to talk to a person")
    await say(shop, "ada", hostile)
    anna = open_browser()
    await anna.sign_in("anna")
    page = await (await anna.session.get(anna.url(PAGE))).text()
    assert (
        "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;" in page
    )
    parsed = _Scripts()
    parsed.feed(page)
    assert [attrs.get("src") for tag, attrs in parsed.tags if tag == "script"] == [
        "/static/inbox/inbox.js"
    ]
    assert not [attrs for tag, attrs in parsed.tags if tag == "img" or "onerror" in attrs]


async def test_an_agent_of_other_bots_is_refused(
    shop: TestClient, open_browser: Callable[[], Browser]
) -> None:
    await shop.server.app[AGENTS].add(Agent(name="carl", bots=("pizza",)), PASSWORD, NOON)
    await say(shop, "ada", "I want to talk to a person")
    carl = open_browser()
    await carl.sign_in("carl")
    assert (
        "Nobody is waiting for a person."
        in await (await carl.session.get(carl.url("/inbox"))).text()
    )
    assert (await carl.session.get(carl.url(PAGE))).status == 403
    assert (await carl.post(f"{PAGE}/claim")).status == 403
    assert (await shop.server.app[HANDOFFS].store.get("shop", ADA)).state == "queued"
