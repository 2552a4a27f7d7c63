// The bookings calendar, kept fresh: every 30 seconds (while the tab is visible) and on "Reload
// now", the page is fetched again and its data (#calendar-data) replaced in place when it changed,
// keeping the focus where it was. Without this script the page is the same; a reload shows the news.
(() => {
  "use strict";
  const EVERY = 30000;
  const region = document.getElementById("calendar-data");
  const announcer = document.getElementById("announcer");
  const reload = document.getElementById("cal-refresh");
  if (!region) return;

  function say(text) {
    if (announcer) announcer.textContent = text;
  }

  function refocus(href) {
    if (!href) return;
    const again = [...region.querySelectorAll("a[href]")].find(
      (link) => link.getAttribute("href") === href && link.tabIndex >= 0,
    );
    if (again) again.focus();
  }

  async function refresh(asked) {
    if (document.hidden && !asked) return;
    let answer;
    try {
      answer = await fetch(reload ? reload.href : location.href, {
        headers: { Accept: "text/html" },
        credentials: "same-origin",
        cache: "no-store",
      });
    } catch {
      if (asked) say("The calendar could not be reloaded: check the connection.");
      return;
    }
    if (!answer.ok || answer.redirected) {
      say("The calendar could not be reloaded: reload the page (you may need to sign in again).");
      return;
    }
    const page = new DOMParser().parseFromString(await answer.text(), "text/html");
    const fresh = page.getElementById("calendar-data");
    if (!fresh) return;
    if (fresh.innerHTML === region.innerHTML) {
      // Unchanged: left as it is, so a click landing just now is not lost on a replaced link.
      if (asked) say("Calendar reloaded: nothing changed.");
      return;
    }
    const focused = region.contains(document.activeElement) ? document.activeElement : null;
    const href = focused ? focused.getAttribute("href") : null;
    region.replaceChildren(...[...fresh.childNodes].map((node) => document.importNode(node, true)));
    refocus(href);
    if (asked) say("Calendar reloaded.");
  }

  if (reload) {
    reload.addEventListener("click", (event) => {
      event.preventDefault();
      refresh(true);
    });
  }
  setInterval(refresh, EVERY);
  document.addEventListener("visibilitychange", () => {
    if (!document.hidden) refresh(false);
  });
})();
