// The composer's macro picker and the macro editor's value suggestions.
//   [data-macro-open="ID"]  opens the picker dialog ID (the "m" key clicks it)
//   [data-macro-choose]     an option; htmx fetches its preview into #macro-preview
//   [data-macro-clear]      drops the chosen macro (the text stays as written)
// The preview holds the rendered text; choosing fills the reply box with it and puts the
// macro's id in the form, so that sending applies the macro's changes too.
(function () {
  "use strict";
  let lastInserted = "";
  let inserting = false;

  function options(dialog) {
    return Array.from(dialog.querySelectorAll("[data-macro-choose]"));
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
    const input = dialog.querySelector("input[type=search]");
    input.value = "";
    input.focus();
    if (window.htmx) window.htmx.trigger(input, "macro-open");
  }

  function clearMacro() {
    const hidden = document.getElementById("composer-macro");
    const preview = document.getElementById("macro-preview");
    if (hidden) hidden.value = "";
    if (preview) preview.replaceChildren();
    lastInserted = "";
  }

  function insert(chosen) {
    const body = document.getElementById("composer-body");
    const text = chosen.querySelector(".macro-text").value;
    if (!body.value.trim() || body.value === lastInserted) body.value = text;
    else body.value = body.value.replace(/\s+$/, "") + "\n\n" + text;
    lastInserted = body.value;
    const kind = chosen.dataset.macroPublic === "1" ? "public" : "note";
    const radio = body.form && body.form.querySelector(`input[name=kind][value=${kind}]`);
    if (radio) radio.checked = true;
    body.focus();
  }

  document.addEventListener("click", (event) => {
    const opener = event.target.closest("[data-macro-open]");
    if (opener) { open(document.getElementById(opener.dataset.macroOpen)); return; }
    if (event.target.closest("[data-macro-choose]")) inserting = true;
    if (event.target.closest("[data-macro-clear]")) clearMacro();
  });

  // Capture: the workspace's own keys (Enter opens a row) must not see these.
  document.addEventListener("keydown", (event) => {
    const dialog = event.target.closest && event.target.closest("dialog.macro-picker");
    if (!dialog || event.ctrlKey || event.metaKey || event.altKey) return;
    const all = options(dialog);
    const index = all.findIndex((o) => o.classList.contains("is-current"));
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      highlight(dialog, index + (event.key === "ArrowDown" ? 1 : -1));
    } else if (event.key === "Enter") {
      const choice = all[Math.max(index, 0)];
      if (choice) choice.click();
    } else {
      return;
    }
    event.preventDefault();
    event.stopPropagation();
  }, true);

  document.addEventListener("htmx:afterSwap", (event) => {
    const target = event.detail.target;
    if (target.id === "macro-options") {
      highlight(target.closest("dialog"), 0);
      return;
    }
    if (target.id !== "macro-preview") return;
    const chosen = target.querySelector(".macro-chosen");
    const hidden = document.getElementById("composer-macro");
    const dialog = document.getElementById("macro-picker");
    if (hidden) hidden.value = chosen ? chosen.dataset.macroId : "";
    // Closing a modal dialog gives focus back to where it was: close before focusing.
    if (inserting && dialog && dialog.open) dialog.close();
    if (chosen && inserting) insert(chosen);
    inserting = false;
  });

  // The editor: each value box suggests what its kind of action takes.
  document.addEventListener("change", (event) => {
    const select = event.target.closest("select[data-macro-kind]");
    const input = select && document.getElementById(select.dataset.macroKind);
    if (input) input.setAttribute("list", `dl-${select.value}`);
  });
})();
