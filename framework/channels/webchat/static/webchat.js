// Theke web chat: one bot's chat page. Plain ES2020, no build step, no dependencies.
//
// The page talks to the server over one WebSocket, /chat/<bot>/ws?customer=<id>&after=<seq>:
//   server → page  {type: "entry", entry: {seq, from, text, buttons?, list_button?, image?, link?}}
//                  {type: "typing"} · {type: "idle"} · {type: "error", code, message}
//   page → server  {type: "message", id, text, payload?}
// The customer's own messages are shown as "pending" until the server echoes them back as
// entries; entries are kept in seq order and an entry already shown is ignored, so replays after
// a reconnect never show anything twice. Server text is only ever set with textContent.
"use strict";

(() => {
  const STRINGS = {
    de: {
      you: "Du",
      typing: (name) => `${name} schreibt …`,
      sending: "Wird gesendet …",
      queued: "Wird gesendet, sobald die Verbindung steht",
      failed: "Nicht gesendet.",
      retry: "Erneut senden",
      connecting: "Verbinde …",
      reconnecting: "Verbindung unterbrochen – neuer Versuch …",
      offline: "Du bist offline. Nachrichten werden gesendet, sobald du wieder online bist.",
      newMessages: "Neue Nachricht",
      image: "Bild",
      choose: "Auswählen",
      errors: {
        rate_limited: "Du schreibst gerade sehr schnell. Bitte warte einen Moment.",
        bad_message: "Diese Nachricht konnte nicht verarbeitet werden.",
        unavailable: "Der Chat ist gerade nicht erreichbar. Wir versuchen es weiter.",
      },
      error: "Etwas ist schiefgelaufen.",
    },
    en: {
      you: "You",
      typing: (name) => `${name} is typing …`,
      sending: "Sending …",
      queued: "Will be sent once the connection is back",
      failed: "Not sent.",
      retry: "Send again",
      connecting: "Connecting …",
      reconnecting: "Connection lost – trying again …",
      offline: "You are offline. Messages will be sent when you are back online.",
      newMessages: "New message",
      image: "Image",
      choose: "Choose",
      errors: {
        rate_limited: "You are writing very fast. Please wait a moment.",
        bad_message: "This message could not be processed.",
        unavailable: "The chat is unavailable right now. We keep trying.",
      },
      error: "Something went wrong.",
    },
  };

  const BACKOFF_MIN = 500;
  const BACKOFF_MAX = 5000;
  const CONNECT_TIMEOUT = 10000;
  const TYPING_TIMEOUT = 30000;
  const NOTICE_TIME = 6000;
  const CUSTOMER_ID = /^[A-Za-z0-9_-]{8,64}$/;

  const bot = JSON.parse(document.getElementById("theke-bot").textContent);
  const t = STRINGS[bot.lang] || STRINGS[String(bot.lang).split("-")[0]] || STRINGS.en;
  const $ = (id) => document.getElementById(id);
  const ui = {
    conversation: $("conversation"),
    messages: $("messages"),
    typing: $("typing"),
    typingLabel: $("typing-label"),
    status: $("status"),
    jump: $("jump"),
    jumpLabel: $("jump-label"),
    form: $("composer"),
    input: $("composer-input"),
    send: $("composer-send"),
  };
  const coarsePointer = window.matchMedia("(pointer: coarse)").matches;
  const reducedMotion = window.matchMedia("(prefers-reduced-motion: reduce)");

  // ---------- Ids ----------

  function randomBytes(count) {
    const bytes = new Uint8Array(count);
    crypto.getRandomValues(bytes);
    return bytes;
  }

  function base64url(bytes) {
    return btoa(String.fromCharCode(...bytes))
      .replace(/\+/g, "-")
      .replace(/\//g, "_")
      .replace(/=+$/, "");
  }

  // crypto.randomUUID exists only in secure contexts (https, localhost).
  function uuid() {
    if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
    const b = randomBytes(16);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const hex = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }

  function customerId() {
    const key = `theke:${bot.name}:customer`;
    try {
      let id = window.localStorage.getItem(key);
      if (!id || !CUSTOMER_ID.test(id)) {
        id = base64url(randomBytes(18));
        window.localStorage.setItem(key, id);
      }
      return id;
    } catch {
      // Storage blocked (private mode, cookies off): the chat still works for this page view.
      return base64url(randomBytes(18));
    }
  }

  // ---------- State ----------

  const customer = customerId();
  const shown = new Map(); // seq → message element
  const textOf = new WeakMap(); // customer message element → its text
  let highestSeq = 0;
  const pending = []; // {id, text, payload, li, sent, failed}
  let socket = null;
  let connected = false;
  let attempt = 0;
  let reconnectTimer = 0;
  let connectTimer = 0;
  let statusTimer = 0;
  let typingTimer = 0;

  // ---------- Small DOM helpers ----------

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  const SVG_NS = "http://www.w3.org/2000/svg";
  const ICONS = {
    clock: "M12 7v5l3 2M21 12a9 9 0 1 1-18 0 9 9 0 0 1 18 0Z",
    alert: "M12 8v5m0 3.5v.01M21 12a9 9 0 1 1-18 0 9 9 0 0 1 18 0Z",
    chevron: "m6 9 6 6 6-6",
    list: "M9 6h11M9 12h11M9 18h11M4.5 6h.01M4.5 12h.01M4.5 18h.01",
    offline:
      "M3 3l18 18M8.5 16.4a5 5 0 0 1 7 0M5 12.9a10 10 0 0 1 5.1-2.8M19 12.9a10 10 0 0 0-2.5-1.7M2 8.8a15 15 0 0 1 4.5-2.7M22 8.8A15 15 0 0 0 11 5.1M12 20h.01",
  };

  function icon(name, size = 18) {
    const svg = document.createElementNS(SVG_NS, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("width", String(size));
    svg.setAttribute("height", String(size));
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    svg.classList.add("icon");
    const path = document.createElementNS(SVG_NS, "path");
    path.setAttribute("d", ICONS[name]);
    path.setAttribute("fill", "none");
    path.setAttribute("stroke", "currentColor");
    path.setAttribute("stroke-width", "2");
    path.setAttribute("stroke-linecap", "round");
    path.setAttribute("stroke-linejoin", "round");
    svg.append(path);
    return svg;
  }

  function sameText(a, b) {
    const norm = (s) => String(s).replace(/\s+/g, " ").trim();
    return norm(a) === norm(b);
  }

  function safeImageUrl(value) {
    if (typeof value !== "string" || !value) return null;
    try {
      const url = new URL(value, window.location.href);
      return url.protocol === "https:" || url.protocol === "http:" ? url.href : null;
    } catch {
      return null;
    }
  }

  // ---------- Scrolling ----------

  function distanceToBottom() {
    const box = ui.conversation;
    return box.scrollHeight - box.scrollTop - box.clientHeight;
  }

  function nearBottom() {
    return distanceToBottom() < 160;
  }

  // Whether the view follows the newest message: true until the reader scrolls up.
  let stuck = true;
  let autoScrollUntil = 0;

  function scrollToBottom(smooth) {
    const box = ui.conversation;
    const far = distanceToBottom() > box.clientHeight * 1.5;
    const behavior = smooth && !reducedMotion.matches && !far ? "smooth" : "auto";
    stuck = true;
    autoScrollUntil = behavior === "smooth" ? performance.now() + 800 : 0;
    box.scrollTo({ top: box.scrollHeight, behavior });
    ui.jump.hidden = true;
  }

  // Keeps the newest message in view when it arrives, unless the reader scrolled up to read
  // older ones: then a "new message" button appears instead.
  function afterInsert(follow, smooth = true) {
    if (follow) {
      scrollToBottom(smooth);
    } else {
      ui.jumpLabel.textContent = t.newMessages;
      ui.jump.hidden = false;
    }
  }

  ui.conversation.addEventListener(
    "scroll",
    () => {
      if (performance.now() < autoScrollUntil) return; // our own smooth scroll is under way
      stuck = nearBottom();
      if (stuck) ui.jump.hidden = true;
    },
    { passive: true },
  );
  // The reader taking over ends our smooth scroll at once.
  for (const type of ["wheel", "touchstart", "mousedown"]) {
    ui.conversation.addEventListener(type, () => (autoScrollUntil = 0), { passive: true });
  }
  // When the conversation's box shrinks or grows (notices above the composer, a taller input,
  // a phone keyboard), the newest message stays in view.
  if (window.ResizeObserver) {
    new ResizeObserver(() => {
      if (stuck) ui.conversation.scrollTop = ui.conversation.scrollHeight;
    }).observe(ui.conversation);
  }
  ui.jump.addEventListener("click", () => {
    scrollToBottom(true);
    ui.input.focus({ preventScroll: true });
  });

  // ---------- Rendering entries ----------

  function bubble(from, text, image) {
    const box = el("div", "msg__bubble");
    box.append(el("span", "visually-hidden", `${from === "customer" ? t.you : bot.title}: `));
    const src = safeImageUrl(image);
    if (src) {
      const img = el("img", "msg__image");
      img.src = src;
      img.alt = t.image;
      img.loading = "lazy";
      img.decoding = "async";
      img.addEventListener("load", () => {
        if (stuck) scrollToBottom(false);
      });
      box.append(img);
    }
    if (text) box.append(el("span", "msg__text", text));
    return box;
  }

  function validButtons(buttons) {
    if (!Array.isArray(buttons)) return [];
    return buttons.filter(
      (b) => b && typeof b.title === "string" && b.title && typeof b.payload === "string",
    );
  }

  const lastPress = new WeakMap(); // button group → time of its last press

  function press(button, choice, group) {
    // A double tap on one message's buttons sends one answer, not two.
    const now = performance.now();
    if (now - (lastPress.get(group) ?? -Infinity) < 1000) return;
    lastPress.set(group, now);
    for (const other of group.querySelectorAll("[data-chosen]")) {
      other.dataset.chosen = String(other === button);
    }
    send(choice.title, choice.payload);
    if (!coarsePointer) ui.input.focus({ preventScroll: true });
  }

  function replyButtons(buttons) {
    const group = el("div", "actions");
    group.setAttribute("role", "group");
    for (const choice of buttons) {
      const button = el("button", "reply-button", choice.title);
      button.type = "button";
      button.dataset.chosen = "false";
      button.addEventListener("click", () => press(button, choice, group));
      group.append(button);
    }
    return group;
  }

  let menuCount = 0;

  function pickList(label, buttons) {
    const box = el("div", "picklist");
    const toggle = el("button", "picklist__toggle");
    toggle.type = "button";
    toggle.append(icon("list"), el("span", "", label || t.choose), icon("chevron"));
    toggle.lastChild.classList.add("picklist__chevron");
    const menu = el("ul", "picklist__menu");
    menu.id = `theke-menu-${++menuCount}`;
    menu.hidden = true;
    toggle.setAttribute("aria-expanded", "false");
    toggle.setAttribute("aria-controls", menu.id);
    const setOpen = (open) => {
      menu.hidden = !open;
      toggle.setAttribute("aria-expanded", String(open));
    };
    toggle.addEventListener("click", () => {
      const open = menu.hidden;
      setOpen(open);
      if (open) {
        menu.querySelector("button").focus({ preventScroll: true });
        if (stuck || box.closest(".msg:last-child")) scrollToBottom(true);
      }
    });
    menu.addEventListener("keydown", (event) => {
      if (event.key === "Escape") {
        setOpen(false);
        toggle.focus();
        return;
      }
      if (event.key !== "ArrowDown" && event.key !== "ArrowUp") return;
      const rows = Array.from(menu.querySelectorAll("button"));
      const index = rows.indexOf(document.activeElement);
      const next = event.key === "ArrowDown" ? index + 1 : index - 1;
      if (next >= 0 && next < rows.length) rows[next].focus();
      event.preventDefault();
    });
    for (const choice of buttons) {
      const row = el("button", "picklist__row", choice.title);
      row.type = "button";
      row.dataset.chosen = "false";
      row.addEventListener("click", () => {
        setOpen(false);
        press(row, choice, menu);
      });
      const item = el("li");
      item.append(row);
      menu.append(item);
    }
    box.append(toggle, menu);
    return box;
  }

  function renderEntry(entry) {
    const from = entry.from === "customer" ? "customer" : "bot";
    const li = el("div", `msg msg--${from}`);
    li.dataset.seq = String(entry.seq);
    if (from === "customer") textOf.set(li, typeof entry.text === "string" ? entry.text : "");
    li.append(bubble(from, typeof entry.text === "string" ? entry.text : "", entry.image));
    const buttons = from === "bot" ? validButtons(entry.buttons) : [];
    if (buttons.length && typeof entry.list_button === "string") {
      li.append(pickList(entry.list_button, buttons));
    } else if (buttons.length) {
      li.append(replyButtons(buttons));
    }
    const link = from === "bot" ? linkButton(entry.link) : null;
    if (link) li.append(link);
    return li;
  }

  // A payment (or other) page opens in a new tab; the conversation stays here.
  function linkButton(link) {
    if (!link || typeof link.title !== "string" || !link.title) return null;
    const href = safeImageUrl(link.url);
    if (!href) return null;
    const a = el("a", "msg__link", link.title);
    a.href = href;
    a.target = "_blank";
    a.rel = "noopener";
    return a;
  }

  // Inserts an entry in seq order, always before the pending messages at the end.
  function insertEntry(li, seq) {
    ui.conversation.classList.add("has-messages");
    let after = ui.messages.lastElementChild;
    while (after && (after.classList.contains("msg--pending") || Number(after.dataset.seq) > seq)) {
      after = after.previousElementSibling;
    }
    ui.messages.insertBefore(li, after ? after.nextElementSibling : ui.messages.firstElementChild);
  }

  // Buttons of a bot message step back once the customer has written after it, and the button
  // the answer names is shown as chosen (also for a conversation reloaded from history).
  function markPast() {
    let past = false;
    let answer = null;
    const items = Array.from(ui.messages.children);
    for (let i = items.length - 1; i >= 0; i -= 1) {
      const item = items[i];
      if (item.classList.contains("msg--customer")) {
        past = true;
        answer = textOf.get(item) ?? null;
        continue;
      }
      item.classList.toggle("msg--past", past);
      const choices = Array.from(item.querySelectorAll("[data-chosen]"));
      if (!choices.length) continue;
      if (answer !== null && !choices.some((b) => b.dataset.chosen === "true")) {
        const chosen = choices.find((b) => sameText(b.textContent, answer));
        if (chosen) chosen.dataset.chosen = "true";
      }
      answer = null;
    }
  }

  function showEntry(entry) {
    if (!entry || !Number.isInteger(entry.seq) || shown.has(entry.seq)) return;
    const follow = stuck || nearBottom();
    const li = renderEntry(entry);
    let mine = false;
    if (entry.from === "customer") {
      const index = pending.findIndex((p) =>
        entry.id ? p.id === entry.id : sameText(p.text, entry.text),
      );
      if (index >= 0) {
        pending[index].li.remove();
        pending.splice(index, 1);
        mine = true;
      }
    } else {
      hideTyping();
    }
    insertEntry(li, entry.seq);
    shown.set(entry.seq, li);
    highestSeq = Math.max(highestSeq, entry.seq);
    markPast();
    afterInsert(follow || mine);
  }

  // ---------- Pending messages (sent, not yet echoed by the server) ----------

  function renderPending(message) {
    const li = el("div", "msg msg--customer msg--pending");
    textOf.set(li, message.text);
    li.append(bubble("customer", message.text));
    const state = el("div", "msg__state");
    li.append(state);
    message.li = li;
    updatePending(message);
    return li;
  }

  function updatePending(message) {
    const state = message.li.querySelector(".msg__state");
    state.replaceChildren();
    message.li.classList.toggle("msg--failed", message.failed);
    if (message.failed) {
      const retry = el("button", "msg__retry", t.retry);
      retry.type = "button";
      retry.addEventListener("click", () => {
        message.failed = false;
        updatePending(message);
        transmit(message);
        ui.input.focus({ preventScroll: true });
      });
      state.append(icon("alert", 14), el("span", "", t.failed), retry);
    } else {
      state.append(icon("clock", 14), el("span", "", connected ? t.sending : t.queued));
    }
  }

  function transmit(message) {
    if (!connected || !socket) return;
    const data = { type: "message", id: message.id, text: message.text };
    if (message.payload !== undefined) data.payload = message.payload;
    try {
      socket.send(JSON.stringify(data));
      message.sent = true;
    } catch {
      // The close handler reconnects; the message stays pending and is sent again.
    }
  }

  function send(text, payload) {
    const message = { id: uuid(), text, payload, li: null, sent: false, failed: false };
    pending.push(message);
    ui.conversation.classList.add("has-messages");
    ui.messages.append(renderPending(message));
    markPast();
    transmit(message);
    scrollToBottom(true);
  }

  function flushPending() {
    for (const message of pending) {
      if (!message.failed) transmit(message);
      updatePending(message);
    }
  }

  // ---------- Typing indicator ----------

  function showTyping() {
    const follow = stuck || nearBottom();
    ui.typingLabel.textContent = t.typing(bot.title);
    ui.typing.hidden = false;
    clearTimeout(typingTimer);
    typingTimer = window.setTimeout(hideTyping, TYPING_TIMEOUT);
    if (follow) scrollToBottom(true);
  }

  function hideTyping() {
    clearTimeout(typingTimer);
    ui.typing.hidden = true;
  }

  // ---------- Notices ----------

  let connectionNotice = null;

  function setConnectionNotice(text, offline = false) {
    if (!text) {
      if (connectionNotice) connectionNotice.remove();
      connectionNotice = null;
      return;
    }
    if (!connectionNotice) {
      connectionNotice = el("div", "notice notice--connection");
      ui.status.prepend(connectionNotice);
    }
    const sign = offline ? icon("offline", 16) : el("span", "notice__spinner");
    connectionNotice.replaceChildren(sign, el("span", "", text));
  }

  function showError(code, message) {
    const text = t.errors[code] || (typeof message === "string" && message) || t.error;
    const notice = el("div", "notice notice--error");
    notice.append(icon("alert", 16), el("span", "", text));
    ui.status.append(notice);
    while (ui.status.querySelectorAll(".notice--error").length > 2) {
      ui.status.querySelector(".notice--error").remove();
    }
    window.setTimeout(() => notice.remove(), NOTICE_TIME);
  }

  function onError(data) {
    showError(data.code, data.message);
    if (data.code !== "rate_limited" && data.code !== "bad_message") return;
    // The server did not take the message: let the customer send it again (same id, so a
    // message that did get through is not processed twice).
    for (const message of pending) {
      if (message.sent && (!data.id || data.id === message.id)) {
        message.failed = true;
        updatePending(message);
      }
    }
  }

  // ---------- Connection ----------

  function setConnected(value) {
    connected = value;
    clearTimeout(statusTimer);
    if (value) {
      setConnectionNotice(null);
    } else {
      // A quick reconnect should not flash a warning.
      statusTimer = window.setTimeout(() => {
        if (connected) return;
        if (navigator.onLine === false) setConnectionNotice(t.offline, true);
        else setConnectionNotice(attempt ? t.reconnecting : t.connecting);
      }, 1200);
    }
    for (const message of pending) updatePending(message);
  }

  function socketUrl() {
    const scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
    const query = new URLSearchParams({ customer, after: String(highestSeq) });
    return `${scheme}//${window.location.host}/chat/${encodeURIComponent(bot.name)}/ws?${query}`;
  }

  function connect() {
    clearTimeout(reconnectTimer);
    clearTimeout(connectTimer);
    if (socket) return;
    let ws;
    try {
      ws = new WebSocket(socketUrl());
    } catch {
      scheduleReconnect();
      return;
    }
    socket = ws;
    connectTimer = window.setTimeout(() => {
      if (socket === ws && ws.readyState === WebSocket.CONNECTING) ws.close();
    }, CONNECT_TIMEOUT);
    ws.addEventListener("open", () => {
      if (socket !== ws) return;
      clearTimeout(connectTimer);
      attempt = 0;
      setConnected(true);
      flushPending();
    });
    ws.addEventListener("message", (event) => {
      if (socket !== ws) return;
      let data;
      try {
        data = JSON.parse(event.data);
      } catch {
        return;
      }
      if (!data || typeof data !== "object") return;
      if (data.type === "entry") showEntry(data.entry);
      else if (data.type === "typing") showTyping();
      else if (data.type === "idle") hideTyping();
      else if (data.type === "error") onError(data);
    });
    ws.addEventListener("close", () => {
      if (socket !== ws) return;
      clearTimeout(connectTimer);
      socket = null;
      hideTyping();
      setConnected(false);
      scheduleReconnect();
    });
  }

  function scheduleReconnect() {
    clearTimeout(reconnectTimer);
    const base = Math.min(BACKOFF_MAX, BACKOFF_MIN * 2 ** attempt);
    attempt += 1;
    const delay = Math.min(BACKOFF_MAX, base * (0.8 + Math.random() * 0.4));
    reconnectTimer = window.setTimeout(connect, delay);
  }

  function reconnectNow() {
    if (socket) return;
    attempt = 0;
    connect();
  }

  window.addEventListener("online", reconnectNow);
  window.addEventListener("offline", () => {
    if (!connected) setConnectionNotice(t.offline, true);
  });
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") reconnectNow();
  });

  // ---------- Composer ----------

  function resizeInput() {
    ui.input.style.height = "auto";
    ui.input.style.height = `${ui.input.scrollHeight + 2}px`;
    ui.send.dataset.empty = String(!ui.input.value.trim());
  }

  ui.form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = ui.input.value.trim();
    if (text) {
      send(text);
      ui.input.value = "";
      resizeInput();
    }
    ui.input.focus({ preventScroll: true });
  });

  ui.input.addEventListener("keydown", (event) => {
    if (event.key !== "Enter" || event.shiftKey || event.altKey || event.isComposing) return;
    if (event.keyCode === 229) return; // an input method is still composing
    event.preventDefault();
    ui.form.requestSubmit();
  });

  ui.input.addEventListener("input", resizeInput);
  // Tapping send must not take the focus (and the phone's keyboard) away from the input.
  ui.send.addEventListener("pointerdown", (event) => event.preventDefault());

  // ---------- Info panel ----------

  const info = document.querySelector(".info");
  if (info) {
    document.addEventListener("click", (event) => {
      if (info.open && !info.contains(event.target)) info.open = false;
    });
    document.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && info.open) {
        info.open = false;
        info.querySelector("summary").focus();
      }
    });
  }

  // ---------- Phone keyboards ----------

  // The shell is as tall as the visual viewport, so an on-screen keyboard pushes the composer up
  // instead of covering it (browsers that resize the layout viewport need none of this).
  const viewport = window.visualViewport;
  if (viewport) {
    const fit = () => {
      if (Math.abs(viewport.scale - 1) > 0.01) return; // pinch zoom: leave the layout alone
      document.documentElement.style.setProperty("--app-height", `${Math.round(viewport.height)}px`);
      if (window.scrollY) window.scrollTo(0, 0);
    };
    viewport.addEventListener("resize", fit);
    fit();
  }

  resizeInput();
  connect();
  if (!coarsePointer) ui.input.focus({ preventScroll: true });
})();
