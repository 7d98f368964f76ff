// Keyboard shortcuts for the agent workspace. Pages opt in with markup, not code:
//   data-shortcut="r"   a control that the key clicks (buttons, links) or focuses (fields)
//   data-rows           a list whose [data-row] children j/k move through; o/Enter opens
//                       the row's a[data-open]; x ticks the row's checkbox
// Everything here only enhances: each action is also a plain link, button or form.
(function () {
  "use strict";
  let pendingG = false;

  function typing(el) {
    return el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName));
  }

  function visible(el) {
    return !!(el.offsetWidth || el.offsetHeight || el.getClientRects().length);
  }

  function rows() {
    const list = document.querySelector("[data-rows]");
    return list ? Array.from(list.querySelectorAll("[data-row]")) : [];
  }

  function currentIndex(all) {
    return all.findIndex((r) => r.classList.contains("is-current"));
  }

  function moveTo(all, index) {
    if (!all.length) return;
    index = Math.max(0, Math.min(all.length - 1, index));
    all.forEach((r) => r.classList.remove("is-current"));
    const row = all[index];
    row.classList.add("is-current");
    row.scrollIntoView({ block: "nearest" });
    const link = row.querySelector("a[data-open]");
    if (link) link.focus({ preventScroll: true });
  }

  function openCurrent(all) {
    const row = all[currentIndex(all)];
    const link = row && row.querySelector("a[data-open]");
    if (link) link.click();
    return !!link;
  }

  function toggleCurrent(all) {
    const row = all[currentIndex(all)];
    const box = row && row.querySelector("input[type=checkbox]");
    if (box) box.click();
  }

  function trigger(key) {
    const el = Array.from(document.querySelectorAll(`[data-shortcut="${CSS.escape(key)}"]`)).find(visible);
    if (!el) return false;
    if (typing(el)) el.focus();
    else el.click();
    // A control that also moves the cursor: "r" picks Public reply, then the text box.
    const focus = el.dataset.focus && document.querySelector(el.dataset.focus);
    if (focus) focus.focus();
    return true;
  }

  function showHelp() {
    const dialog = document.getElementById("shortcuts");
    if (dialog && !dialog.open) dialog.showModal();
  }

  document.addEventListener("click", (event) => {
    const opener = event.target.closest("[data-shortcut='?']");
    if (opener) showHelp();
  });

  document.addEventListener("keydown", (event) => {
    const el = event.target;
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && el.form) {
      event.preventDefault();
      el.form.requestSubmit();
      return;
    }
    if (typing(el)) {
      if (event.key === "Escape") el.blur();
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const all = rows();
    if (pendingG) {
      pendingG = false;
      if (event.key === "v") {
        window.location.href = "/agent/";
        event.preventDefault();
      }
      return;
    }
    let handled = true;
    switch (event.key) {
      case "?": showHelp(); break;
      case "/": {
        const search = document.getElementById("global-search");
        if (search) search.focus(); else handled = false;
        break;
      }
      case "g": pendingG = true; setTimeout(() => { pendingG = false; }, 1500); break;
      case "j": moveTo(all, currentIndex(all) + 1); handled = all.length > 0; break;
      // Without a list (the ticket page) "k" is the composer's knowledge-base picker.
      case "k": if (all.length) moveTo(all, currentIndex(all) - 1); else handled = trigger("k"); break;
      case "o": handled = openCurrent(all); break;
      case "Enter": handled = el.tagName !== "A" && el.tagName !== "BUTTON" && openCurrent(all); break;
      case "x": toggleCurrent(all); handled = all.length > 0; break;
      default: handled = trigger(event.key);
    }
    if (handled) event.preventDefault();
  });

  // A checked row is highlighted, and the bulk bar says how many are selected.
  document.addEventListener("change", (event) => {
    const box = event.target;
    if (!box.matches("[data-rows] input[type=checkbox], [data-select-all]")) return;
    const list = document.querySelector("[data-rows]");
    if (box.matches("[data-select-all]")) {
      list.querySelectorAll("[data-row] input[type=checkbox]").forEach((b) => { b.checked = box.checked; });
    }
    const checked = list.querySelectorAll("[data-row] input[type=checkbox]:checked").length;
    list.querySelectorAll("[data-row]").forEach((r) => {
      const b = r.querySelector("input[type=checkbox]");
      r.classList.toggle("is-selected", !!(b && b.checked));
    });
    const counter = document.querySelector("[data-selected-count]");
    if (counter) counter.textContent = checked ? `${checked} selected` : "None selected";
  });
})();
