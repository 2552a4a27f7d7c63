// The agent inbox page: live updates over /inbox/live, and its forms sent without a reload.
// Plain JavaScript, no build step. Everything a store or a customer wrote reaches the page as
// server-rendered, escaped HTML (fetched anew) or as text (textContent), never as markup.
"use strict";

(function () {
  const csrf = document.querySelector('meta[name="csrf-token"]');
  const token = csrf ? csrf.content : "";
  const announcer = document.getElementById("announcer");
  const alertBox = document.getElementById("alert");
  const opened = document.querySelector("[data-session]");
  let refreshing = null;
  let again = false;

  function say(text) {
    announcer.textContent = "";
    window.setTimeout(function () { announcer.textContent = text; }, 50);
  }

  function warn(text) {
    alertBox.textContent = text;
    alertBox.hidden = !text;
  }

  // Regions marked data-live take the fresh page's; one with an unchanged data-key or the same
  // markup stays (a text being typed survives, and a click landing while the page looks again
  // is not lost on a replaced link); the transcript only gets its new lines.
  function swap(fresh) {
    document.querySelectorAll("[data-live]").forEach(function (region) {
      const next = fresh.getElementById(region.id);
      if (!next) { return; }
      if (region.dataset.live === "append") { return append(region, next); }
      if (region.dataset.key !== undefined && region.dataset.key === next.dataset.key) { return; }
      if (region.innerHTML === next.innerHTML) { return; }
      const focused = document.activeElement;
      const had = region.contains(focused) ? focusKey(focused) : null;
      region.replaceChildren(...Array.from(next.childNodes));
      if (next.dataset.key !== undefined) { region.dataset.key = next.dataset.key; }
      if (had) { refocus(region, had); }
    });
  }

  function focusKey(element) {
    return element.id ? "#" + CSS.escape(element.id)
      : element.getAttribute("href") ? 'a[href="' + CSS.escape(element.getAttribute("href")) + '"]'
      : null;
  }

  function refocus(region, selector) {
    const found = region.querySelector(selector);
    (found || document.getElementById("main")).focus();
  }

  function append(log, fresh) {
    const last = Array.from(log.querySelectorAll("[data-seq]")).reduce(function (most, line) {
      return Math.max(most, Number(line.dataset.seq));
    }, 0);
    let added = 0;
    fresh.querySelectorAll("[data-seq]").forEach(function (line) {
      if (Number(line.dataset.seq) > last) {
        const empty = log.querySelector('[data-seq="0"]');
        if (empty) { empty.remove(); }
        log.appendChild(document.importNode(line, true));
        added += 1;
      }
    });
    if (added) { log.scrollTop = log.scrollHeight; }
  }

  async function refresh() {
    if (refreshing) { again = true; return refreshing; }
    refreshing = (async function () {
      try {
        const answer = await fetch(window.location.href, { headers: { Accept: "text/html" } });
        if (answer.redirected || answer.status === 401) { window.location.assign("/inbox/login"); return; }
        if (answer.ok) { swap(new DOMParser().parseFromString(await answer.text(), "text/html")); }
      } catch (error) {
        // offline for a moment: the socket's reconnect fetches again
      } finally {
        refreshing = null;
        if (again) { again = false; refresh(); }
      }
    })();
    return refreshing;
  }

  const NEWS = {
    queued: "A conversation is waiting for a person.",
    claimed: "A conversation was claimed.",
    released: "A conversation is back in the queue.",
    returned: "A conversation went back to the bot.",
    closed: "A conversation was closed.",
    timeout: "A customer stopped waiting.",
  };

  function heard(change) {
    // New transcript lines are announced by the transcript itself (role=log).
    if (NEWS[change.what]) { say(NEWS[change.what]); }
    refresh();
  }

  let delay = 1000;
  function listen() {
    const scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
    const socket = new WebSocket(scheme + "//" + window.location.host + "/inbox/live");
    socket.addEventListener("open", function () {
      delay = 1000;
      document.body.dataset.live = "on";
      if (opened) {
        socket.send(JSON.stringify({ watch: { bot: opened.dataset.bot, session: opened.dataset.session } }));
      }
      refresh();
    });
    socket.addEventListener("message", function (event) {
      try { heard(JSON.parse(event.data)); } catch (error) { /* not ours */ }
    });
    socket.addEventListener("close", function (event) {
      document.body.dataset.live = "off";
      if (event.code === 4001) { window.location.assign("/inbox/login"); return; }
      window.setTimeout(listen, delay);
      delay = Math.min(delay * 2, 30000);
    });
  }

  async function send(form) {
    const button = form.querySelector("button[type=submit]");
    if (button) { button.disabled = true; }
    try {
      const answer = await fetch(form.action, {
        method: "POST",
        body: new URLSearchParams(new FormData(form)),
        headers: { Accept: "application/json", "X-CSRF-Token": token },
      });
      let body = {};
      try { body = await answer.json(); } catch (error) { body = {}; }
      if (!answer.ok) {
        warn(body.error || (answer.status === 413
          ? "The message is far too long: it was not sent."
          : "That did not work (" + answer.status + "): nothing was changed."));
        return;
      }
      warn("");
      say(body.notice || "Done.");
      if (form.hasAttribute("data-composer")) { form.reset(); }
      if (form.classList.contains("form--slot")) { form.reset(); }
      await refresh();
    } catch (error) {
      warn("The server cannot be reached: nothing was sent. Try again in a moment.");
    } finally {
      if (button && button.isConnected) { button.disabled = false; }
    }
  }

  document.addEventListener("submit", function (event) {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-action")) { return; }
    event.preventDefault();
    send(form);
  });

  // Ctrl/Cmd + Enter sends the composer's message (Enter alone is a new line).
  document.addEventListener("keydown", function (event) {
    const field = event.target;
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && field.form &&
        field.form.hasAttribute("data-composer")) {
      event.preventDefault();
      field.form.requestSubmit();
    }
  });

  const log = document.getElementById("transcript");
  if (log) { log.scrollTop = log.scrollHeight; }
  listen();
})();
