// Live updates for a page that carries data-live-stream (an SSE URL). The page names what
// to refresh with data-live-refresh (CSS selectors of parts that the same URL renders);
// on a change the parts are fetched again through htmx, so what is shown always comes from
// the views that check access. Ticket pages also share presence and warn of collisions.
// Pages load it in their head, before htmx; both are deferred, so start once the page is
// parsed and every deferred script has run.
document.addEventListener("DOMContentLoaded", function () {
  "use strict";
  const root = document.querySelector("[data-live-stream]");
  if (!root || !window.EventSource || !window.htmx) return;
  const me = Number(root.dataset.liveMe || 0);
  const ticket = Number(root.dataset.liveTicket || 0);
  const parts = (root.dataset.liveRefresh || "").split(/\s+/).filter(Boolean);
  const presenceUrl = root.dataset.livePresence;
  const csrf = (JSON.parse(document.body.getAttribute("hx-headers") || "{}"))["X-CSRFToken"];
  const people = new Map(); // user id -> {name, kind, at}
  // A queue refreshes at most every couple of seconds and its counts every ten, so a busy
  // desk does not make every open page ask for everything on every change.
  const gap = Number(root.dataset.liveGap || 250);
  let refreshTimer = null;
  let lastRefresh = 0;
  let lastRail = 0;
  let pendingCollision = false;

  function busy(el) {
    return el.contains(document.activeElement) || !!el.querySelector("input[type=checkbox]:checked");
  }

  // One request for the whole page; each part that is not in use is replaced by its new
  // version (htmx.ajax per part would send several requests that htmx drops as duplicates).
  async function refresh() {
    lastRefresh = Date.now();
    let html;
    try {
      const answer = await fetch(window.location.href, { credentials: "same-origin", headers: { "HX-Request": "true", "HX-Target": "live" } });
      if (!answer.ok) return;
      html = await answer.text();
    } catch (error) {
      return;
    }
    const fresh = new DOMParser().parseFromString(html, "text/html");
    let stale = 0;
    for (const selector of parts) {
      const el = document.querySelector(selector);
      const next = fresh.querySelector(selector);
      if (!el || !next) continue;
      if (busy(el)) { stale += 1; continue; }
      el.replaceWith(next);
      htmx.process(next);
    }
    const notice = document.getElementById("live-stale");
    if (notice) notice.hidden = stale === 0;
    const rail = document.getElementById("rail");
    if (rail && root.dataset.liveRail && Date.now() - lastRail > 10000) {
      lastRail = Date.now();
      htmx.ajax("GET", root.dataset.liveRail, { target: "#rail", swap: "outerHTML" });
    }
  }

  function scheduleRefresh() {
    if (refreshTimer) return;
    const wait = Math.max(100, gap - (Date.now() - lastRefresh));
    refreshTimer = setTimeout(() => { refreshTimer = null; refresh(); }, wait);
  }

  function onEvents(events) {
    const mine = events.filter((e) => !ticket || e.ticket === ticket);
    if (!mine.length) return;
    scheduleRefresh();
    const replied = mine.some((e) => e.kind === "message" && e.public && e.by_agent && e.actor !== me);
    if (replied && ticket) {
      pendingCollision = true;
      const banner = document.getElementById("collision");
      if (banner) banner.hidden = false;
    }
  }

  function showPresence() {
    const el = document.getElementById("presence");
    if (!el) return;
    const now = Date.now();
    const words = [];
    for (const [id, p] of people) {
      if (id === me || now - p.at > 50000) continue;
      const typing = p.kind === "typing" && now - p.at < 8000;
      words.push(`${p.name} is ${typing ? "typing a reply…" : "viewing"}`);
    }
    el.textContent = words.join(" · ");
    el.hidden = words.length === 0;
  }

  function onPresence(signals) {
    for (const s of signals) {
      const known = people.get(s.user);
      // Reloading a page sends "left" from the old page, which may arrive just after
      // "viewing" from the new one: a leave that soon after a sign of life is that.
      if (s.kind === "left") {
        if (!known || Date.now() - known.at > 3000) people.delete(s.user);
      } else {
        people.set(s.user, { name: s.name, kind: s.kind, at: Date.now() });
      }
    }
    showPresence();
  }

  const source = new EventSource(root.dataset.liveStream);
  source.addEventListener("batch", (msg) => {
    const data = JSON.parse(msg.data);
    if (data.notified && document.getElementById("bell")) {
      htmx.ajax("GET", "/agent/notifications/bell/", { target: "#bell", select: "#bell", swap: "outerHTML" });
    }
    if (data.presence && data.presence.length) onPresence(data.presence);
    if (data.events && data.events.length) onEvents(data.events);
  });
  setInterval(showPresence, 5000);

  // Presence: this agent is viewing (a heartbeat), typing (at most every 4 s), or left.
  if (presenceUrl) {
    const send = (kind) => fetch(presenceUrl, {
      method: "POST", headers: { "X-CSRFToken": csrf }, body: new URLSearchParams({ kind }),
      credentials: "same-origin", keepalive: kind === "left",
    }).catch(() => {});
    send("viewing");
    setInterval(() => send("viewing"), 20000);
    let lastTyping = 0;
    const body = document.getElementById("composer-body");
    if (body) body.addEventListener("input", () => {
      if (Date.now() - lastTyping > 4000) { lastTyping = Date.now(); send("typing"); }
    });
    window.addEventListener("pagehide", () => {
      const form = new FormData();
      form.append("kind", "left");
      form.append("csrfmiddlewaretoken", csrf);
      navigator.sendBeacon(presenceUrl, form);
    });
  }

  // Collision: someone else replied since this page loaded. Sending asks first; the
  // server asks too (the composer carries the last message it showed).
  const composer = document.querySelector("form.composer");
  if (composer) composer.addEventListener("submit", (event) => {
    const kind = composer.querySelector("input[name=kind]:checked");
    if (!pendingCollision || (kind && kind.value !== "public")) return;
    const confirmBox = composer.querySelector("input[name=confirm_collision]");
    if (confirmBox && confirmBox.value === "1") return;
    event.preventDefault();
    const banner = document.getElementById("collision");
    if (banner) { banner.hidden = false; banner.focus(); }
    const again = document.getElementById("collision-send");
    if (again) again.hidden = false;
  });
  const sendAnyway = document.getElementById("collision-send");
  if (sendAnyway && composer) sendAnyway.addEventListener("click", () => {
    composer.querySelector("input[name=confirm_collision]").value = "1";
    composer.requestSubmit();
  });
});
