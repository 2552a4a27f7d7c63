"""The web chat in a real browser against the real server: a phone-sized pizza order.

Screenshots land in test-artifacts/ at the repository root (kept by CI as artifacts).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

try:
    from playwright.sync_api import (
        BrowserContext,
        ConsoleMessage,
        Locator,
        Page,
        Response,
        expect,
    )
except ImportError as error:  # a clear failure, never a skip
    raise ImportError(
        "tests/e2e need Playwright for Python (pip install -e '.[dev]'); "
        "the browser is Debian's chromium, never `playwright install`"
    ) from error

ORDER = "2 große Salami und eine Cola"
SUM = re.compile(r"Summe:\s*27,50\s*€")  # Babel puts a no-break space before €
MORE = re.compile(r"Summe:\s*27,50\s*€\s*Noch etwas dazu\?")
"""The answer to the extras: the order with its total and "anything else?" (the extras
question before it shows the same total, with the question about extras)."""
PAY = re.compile(r"Deine Bestellung Nr\. \d+ kostet 27,50\s*€")
THANKS = re.compile(r"Danke, bezahlt! Deine Bestellung Nr\. \d+ über 27,50\s*€ ist eingegangen")

# Records the page's sockets and what it sends, so a test can drop the connection and check that
# a queued message went out with one id.
RECORD_SOCKETS = """
(() => {
  const Native = window.WebSocket;
  window.__thekeSockets = [];
  window.__thekeSent = [];
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      window.__thekeSockets.push(this);
    }
    send(data) {
      window.__thekeSent.push(String(data));
      return super.send(data);
    }
  };
})();
"""
DROP_SOCKETS = "window.__thekeSockets.forEach((socket) => socket.close())"


def open_chat(context: BrowserContext, server: str, errors: list[str]) -> Page:
    """Opens the pizza chat; script errors, console errors and failed requests go to `errors`."""
    page = context.new_page()
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: _console(message, errors))
    page.on("response", lambda response: _response(response, errors))
    page.goto(f"{server}/chat/pizza")
    return page


def _console(message: ConsoleMessage, errors: list[str]) -> None:
    # Failed reconnects while offline are expected.
    if message.type == "error" and "WebSocket connection" not in message.text:
        errors.append(message.text)


def _response(response: Response, errors: list[str]) -> None:
    if response.status >= 400:
        errors.append(f"{response.status} {response.url}")


def message_box(page: Page) -> Locator:
    return page.get_by_label("Nachricht", exact=True)


def last_bot(page: Page) -> Locator:
    return page.locator(".msg--bot").last


def bot_messages(page: Page, text: str | re.Pattern[str]) -> Locator:
    return page.locator(".msg--bot").filter(has_text=text)


def customer_messages(page: Page, text: str) -> Locator:
    exact = re.compile(rf"^(Du: )?{re.escape(text)}$")
    return page.locator(".msg--customer:not(.msg--pending)").filter(has_text=exact)


def write(page: Page, text: str) -> None:
    box = message_box(page)
    box.fill(text)
    box.press("Enter")
    expect(box).to_have_value("")
    expect(box).to_be_focused()


def no_horizontal_scroll(page: Page) -> None:
    widths = page.evaluate(
        """() => ({
            page: document.scrollingElement.scrollWidth,
            chat: document.getElementById("conversation").scrollWidth,
            chatBox: document.getElementById("conversation").clientWidth,
        })"""
    )
    assert widths["page"] <= 360, widths
    assert widths["chat"] <= widths["chatBox"], widths


def settle(page: Page) -> None:
    """Waits until the conversation has scrolled to its newest message."""
    page.wait_for_function(
        """() => {
            const box = document.getElementById("conversation");
            return box.scrollHeight - box.scrollTop - box.clientHeight < 2;
        }"""
    )


def screenshot(page: Page, path: Path) -> None:
    settle(page)
    page.screenshot(path=str(path), full_page=True, animations="disabled")


def screenshot_whole_conversation(page: Page, path: Path) -> None:
    """The phone's width, tall enough that the whole conversation fits without scrolling."""
    hidden = page.evaluate(
        """() => {
            const box = document.getElementById("conversation");
            return box.scrollHeight - box.clientHeight;
        }"""
    )
    page.set_viewport_size({"width": 360, "height": 640 + int(hidden)})
    screenshot(page, path)
    page.set_viewport_size({"width": 360, "height": 640})


def test_order_on_a_phone(server: str, phone: BrowserContext, artifacts: Path) -> None:
    errors: list[str] = []
    page = open_chat(phone, server, errors)

    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(page).to_have_title("Pizzeria Napoli")
    expect(page.get_by_role("heading", level=1)).to_have_text("Pizzeria Napoli")
    expect(page.locator(".topbar .badge")).to_have_text("Geöffnet")
    page.get_by_label("Info und Öffnungszeiten").click()
    expect(page.locator(".hours")).to_contain_text("Freitag")
    page.keyboard.press("Escape")
    expect(page.locator(".hours")).to_be_hidden()
    expect(page.locator("#messages")).to_have_attribute("aria-live", "polite")

    write(page, ORDER)
    expect(last_bot(page)).to_contain_text("Extras dazu?")
    expect(customer_messages(page, ORDER)).to_have_count(1)

    last_bot(page).get_by_role("button", name="Keine Extras").click()
    expect(bot_messages(page, MORE)).to_have_count(1)
    expect(last_bot(page)).to_contain_text("Noch etwas dazu?")
    no_horizontal_scroll(page)
    screenshot(page, artifacts / "webchat-mid-order.png")

    # A reload mid-order shows the conversation again, once, and it goes on from there.
    page.reload()
    expect(bot_messages(page, MORE)).to_have_count(1)
    expect(customer_messages(page, ORDER)).to_have_count(1)
    expect(customer_messages(page, "Keine Extras")).to_have_count(1)
    expect(page.locator(".msg--pending")).to_have_count(0)

    last_bot(page).get_by_role("button", name="Nein", exact=True).click()
    expect(last_bot(page)).to_contain_text("Sollen wir liefern oder holst du ab?")
    last_bot(page).get_by_role("button", name="Abholung").click()
    expect(last_bot(page)).to_contain_text("So bestellen?")
    expect(last_bot(page)).to_contain_text(SUM)

    # Keyboard: Tab from the question reaches its first button, with a visible focus ring, and
    # Enter presses it.
    yes = last_bot(page).get_by_role("button", name="Ja", exact=True)
    last_bot(page).locator(".msg__text").click()
    page.keyboard.press("Tab")
    expect(yes).to_be_focused()
    outline = yes.evaluate("(button) => getComputedStyle(button).outlineStyle")
    assert outline != "none"
    page.keyboard.press("Enter")
    expect(bot_messages(page, PAY)).to_have_count(1)
    expect(customer_messages(page, "Ja")).to_have_count(1)
    expect(page.locator("#typing")).to_be_hidden()

    # The payment link opens the checkout page in a new tab; paying there continues the chat.
    link = last_bot(page).get_by_role("link", name="Jetzt bezahlen")
    expect(link).to_have_attribute("target", "_blank")
    with phone.expect_page() as opened:
        link.click()
    checkout = opened.value
    expect(checkout.get_by_role("table")).to_contain_text("2× Salami (Groß)")
    expect(checkout.locator("[data-total]")).to_have_text(re.compile(r"27,50\s*€"))
    checkout.screenshot(path=str(artifacts / "sandbox-checkout.png"), full_page=True)
    checkout.get_by_role("button", name=re.compile("Bezahlen")).click()
    expect(checkout).to_have_url(re.compile(r"/paid/pizza$"))
    expect(bot_messages(page, THANKS)).to_have_count(1)

    expect(bot_messages(page, THANKS)).to_be_in_viewport()  # scrolled to the newest message
    no_horizontal_scroll(page)
    screenshot(page, artifacts / "webchat-order.png")
    screenshot_whole_conversation(page, artifacts / "webchat-order-conversation.png")
    assert errors == []


def test_message_typed_offline_arrives_once(
    server: str, phone: BrowserContext, artifacts: Path
) -> None:
    errors: list[str] = []
    phone.add_init_script(RECORD_SOCKETS)
    page = open_chat(phone, server, errors)
    write(page, ORDER)
    expect(last_bot(page)).to_contain_text("Extras dazu?")

    phone.set_offline(True)
    page.evaluate(DROP_SOCKETS)
    expect(page.locator(".notice--connection")).to_be_visible()
    write(page, "keine")
    pending = page.locator(".msg--pending")
    expect(pending).to_have_count(1)
    expect(pending).to_contain_text("keine")
    page.wait_for_timeout(2000)  # reconnect attempts fail while offline; the message waits
    expect(pending).to_have_count(1)
    expect(bot_messages(page, MORE)).to_have_count(0)
    screenshot(page, artifacts / "webchat-offline.png")

    phone.set_offline(False)
    expect(bot_messages(page, MORE)).to_have_count(1)
    expect(pending).to_have_count(0)
    expect(customer_messages(page, "keine")).to_have_count(1)
    expect(page.locator(".notice--connection")).to_have_count(0)

    # Another drop and reconnect replays nothing twice.
    page.evaluate(DROP_SOCKETS)
    page.wait_for_function("() => window.__thekeSockets.at(-1).readyState === WebSocket.OPEN")
    page.wait_for_timeout(2500)  # the server polls the log every 2 s
    expect(bot_messages(page, MORE)).to_have_count(1)
    expect(bot_messages(page, "Extras dazu?")).to_have_count(1)
    expect(customer_messages(page, "keine")).to_have_count(1)
    expect(customer_messages(page, ORDER)).to_have_count(1)

    # A button of an older message still works.
    page.locator(".msg--past").get_by_role("button", name="Champignons").click()
    expect(customer_messages(page, "Champignons")).to_have_count(1)

    sent = [json.loads(frame) for frame in page.evaluate("window.__thekeSent")]
    ids = {frame["id"] for frame in sent if frame["text"] == "keine"}
    assert len(ids) == 1, sent
    assert errors == []
