// A sending broadcast's page, kept fresh: every few seconds (while the tab is visible) and on
// "Reload now", the page is fetched again (its own URL and the session cookie: nothing secret in
// a URL) and its live part (#broadcast-live: status, progress, results, buttons) replaced in
// place, keeping the focus where it was. It stops when the broadcast no longer sends. Without
// this script the page is the same; a reload shows the news.
(() => {
  "use strict";
  const announcer = document.getElementById("announcer");
  let region = document.getElementById("broadcast-live");
  if (!region) return;
  const href = region.dataset.href;
  let timer = null;

  function say(text) {
    if (announcer) announcer.textContent = text;
  }

  function keyOf(element) {
    if (!element || !region.contains(element)) return null;
    const form = element.closest("form");
    return element.getAttribute("href") || (form && form.getAttribute("action"));
  }

  function refocus(key) {
    if (!key) return;
    const again = [...region.querySelectorAll("a[href], form[action] button")].find(
      (element) => keyOf(element) === key,
    );
    if (again) again.focus();
  }

  function stop() {
    if (timer !== null) clearInterval(timer);
    timer = null;
  }

  async function refresh(asked) {
    if (document.hidden && !asked) return;
    let answer;
    try {
      answer = await fetch(href, {
        headers: { Accept: "text/html" },
        credentials: "same-origin",
        cache: "no-store",
      });
    } catch {
      if (asked) say("The broadcast could not be reloaded: check the connection.");
      return;
    }
    if (!answer.ok || answer.redirected) {
      stop();
      say("The broadcast could not be reloaded: reload the page (you may need to sign in again).");
      return;
    }
    const page = new DOMParser().parseFromString(await answer.text(), "text/html");
    const fresh = page.getElementById("broadcast-live");
    if (!fresh) return;
    const key = keyOf(document.activeElement);
    const was = region.dataset.status;
    const copy = document.importNode(fresh, true);
    region.replaceWith(copy);
    region = copy;
    listen();
    refocus(key);
    if (copy.dataset.status !== was) say(`The broadcast is ${copy.dataset.status} now.`);
    else if (asked) say("Broadcast reloaded.");
    if (!copy.dataset.refresh) stop();
  }

  function listen() {
    const reload = document.getElementById("broadcast-refresh");
    if (!reload) return;
    reload.addEventListener("click", (event) => {
      event.preventDefault();
      refresh(true);
    });
  }

  listen();
  if (region.dataset.refresh) {
    timer = setInterval(refresh, Number(region.dataset.refresh) * 1000);
  }
  document.addEventListener("visibilitychange", () => {
    if (!document.hidden && timer !== null) refresh(false);
  });
})();
