// The composer's knowledge-base picker.
//   [data-kb-open="ID"]    opens the picker dialog ID (the "k" key clicks it)
//   [data-kb-option]       a result; data-kb-link holds "Title: URL" for public articles,
//                          data-kb-internal marks one that only an internal note may quote
//   [data-kb-insert]       "link" or "content": inserts that into the reply box
//   [data-kb-close]        closes the picker
// Text goes in at the reply box's cursor (or at its end when it was never focused), and
// focus returns there. Closing the modal dialog first gives focus back where it was.
(function () {
  "use strict";
  let touched = false;

  function body() {
    return document.getElementById("composer-body");
  }

  document.addEventListener("focusin", (event) => {
    if (event.target.id === "composer-body") touched = true;
  });

  function options(dialog) {
    return Array.from(dialog.querySelectorAll("[data-kb-option]"));
  }

  function highlight(dialog, index) {
    const all = options(dialog);
    const input = dialog.querySelector("input[type=search]");
    all.forEach((o) => { o.classList.remove("is-current"); o.setAttribute("aria-selected", "false"); });
    if (!all.length) { input.removeAttribute("aria-activedescendant"); return; }
    const current = all[Math.max(0, Math.min(all.length - 1, index))];
    current.classList.add("is-current");
    current.setAttribute("aria-selected", "true");
    current.scrollIntoView({ block: "nearest" });
    input.setAttribute("aria-activedescendant", current.id);
  }

  function open(dialog) {
    if (!dialog || dialog.open) return;
    dialog.showModal();
    dialog.querySelector("input[type=search]").focus();
  }

  function insertText(text) {
    const box = body();
    if (!box || !text) return;
    let start = touched ? box.selectionStart : box.value.length;
    const end = touched ? box.selectionEnd : box.value.length;
    // Keep the inserted text on lines of its own unless the cursor is mid-line on purpose.
    let before = "";
    if (start > 0 && box.value[start - 1] !== "\n") before = text.includes("\n") ? "\n\n" : " ";
    box.focus();
    box.setRangeText(before + text, start, end, "end");
    start = box.selectionEnd;
    box.setSelectionRange(start, start);
    box.dispatchEvent(new Event("input", { bubbles: true }));
  }

  function isPublicReply() {
    const kind = document.querySelector("input[name=kind]:checked");
    return !kind || kind.value === "public";
  }

  function choose(option, kind) {
    const dialog = option.closest("dialog");
    const link = option.dataset.kbLink || "";
    const content = option.querySelector(".kb-content").value;
    // An internal article is for agents: its text may go into a note, never to a customer.
    if ("kbInternal" in option.dataset && isPublicReply()) {
      const warning = dialog && dialog.querySelector(".kb-warning");
      if (warning) warning.textContent = "This article is internal: switch to Internal note (n) to insert it.";
      return;
    }
    const text = kind === "link" && link ? link : content;
    if (dialog && dialog.open) dialog.close();
    insertText(text);
  }

  document.addEventListener("click", (event) => {
    const opener = event.target.closest("[data-kb-open]");
    if (opener) { open(document.getElementById(opener.dataset.kbOpen)); return; }
    const closer = event.target.closest("[data-kb-close]");
    if (closer) { closer.closest("dialog").close(); return; }
    const button = event.target.closest("[data-kb-insert]");
    if (button) { choose(button.closest("[data-kb-option]"), button.dataset.kbInsert); return; }
    const option = event.target.closest("[data-kb-option]");
    if (option) choose(option, "link");
  });

  // Capture: the workspace's own keys (Enter opens a row) must not see these.
  document.addEventListener("keydown", (event) => {
    const dialog = event.target.closest && event.target.closest("dialog.kb-picker");
    if (!dialog || event.ctrlKey || event.metaKey || event.altKey) return;
    const all = options(dialog);
    const index = all.findIndex((o) => o.classList.contains("is-current"));
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      highlight(dialog, index + (event.key === "ArrowDown" ? 1 : -1));
    } else if (event.key === "Enter") {
      const choice = all[Math.max(index, 0)];
      if (choice) choose(choice, event.shiftKey ? "content" : "link");
    } else {
      return;
    }
    event.preventDefault();
    event.stopPropagation();
  }, true);

  // Escape or Close: back to the reply box, where the agent was writing.
  document.addEventListener("close", (event) => {
    if (event.target.id === "kb-picker" && body()) body().focus();
  }, true);

  document.addEventListener("htmx:afterSwap", (event) => {
    if (event.detail.target.id === "kb-options") highlight(event.detail.target.closest("dialog"), 0);
  });
})();
