/* Canned responses in the reply box: typing "/" and a shortcut offers the matching saved
   replies; arrow keys choose, Enter or Tab inserts the one chosen, filled from the customer's
   profile by the API, Escape closes. The offer is a listbox tied to the textarea (combobox). */
"use strict";

(function () {
  const { api, toast, el } = window.Baton;
  const area = document.getElementById("composer-text");
  const list = document.getElementById("canned-list");
  const consoleState = window.BatonConsole;
  if (!area || !list || !consoleState || !consoleState.current) return;

  // "/ref" at the caret, at the start of the text or after a space.
  const TRIGGER = /(^|\s)\/([a-z0-9_-]{0,40})$/i;
  let responses = null;
  let matches = [];
  let active = -1;
  let trigger = null;

  async function all() {
    if (responses === null) {
      responses = await api("GET", "/api/v1/canned-responses").catch(() => null);
    }
    return responses || [];
  }

  function close() {
    list.hidden = true;
    list.replaceChildren();
    area.setAttribute("aria-expanded", "false");
    area.removeAttribute("aria-activedescendant");
    matches = [];
    active = -1;
    trigger = null;
  }

  function highlight(index) {
    active = index;
    [...list.children].forEach((item, i) => item.setAttribute("aria-selected", i === index ? "true" : "false"));
    const chosen = list.children[index];
    if (chosen) {
      area.setAttribute("aria-activedescendant", chosen.id);
      chosen.scrollIntoView({ block: "nearest" });
    }
  }

  async function offer() {
    const before = area.value.slice(0, area.selectionStart);
    const found = TRIGGER.exec(before);
    if (!found || area.selectionStart !== area.selectionEnd) { close(); return; }
    const typed = found[2].toLowerCase();
    const rows = await all();
    matches = rows.filter((r) => r.shortcut.startsWith(typed) || (typed && r.title.toLowerCase().includes(typed))).slice(0, 8);
    if (!matches.length) { close(); return; }
    trigger = { start: found.index + found[1].length, end: area.selectionStart };
    list.replaceChildren(...matches.map((r, i) => el("li", {
      id: "canned-" + r.id, role: "option", "aria-selected": "false",
      onmousedown: (event) => { event.preventDefault(); insert(i); },
    }, el("span", { class: "canned-shortcut" }, "/" + r.shortcut), " ", el("span", { class: "canned-title" }, r.title))));
    list.hidden = false;
    area.setAttribute("aria-expanded", "true");
    highlight(0);
  }

  async function insert(index) {
    const chosen = matches[index];
    const span = trigger;
    close();
    if (!chosen || !span) return;
    try {
      const filled = await api("GET", "/api/v1/conversations/" + consoleState.current + "/canned-responses/" + chosen.id);
      area.value = area.value.slice(0, span.start) + filled.text + area.value.slice(span.end);
      const caret = span.start + filled.text.length;
      area.setSelectionRange(caret, caret);
      area.focus();
      if (filled.missing.length) toast("Fill in before sending: " + filled.missing.join(", "), true);
    } catch (error) {
      toast(error.message, true);
    }
  }

  area.addEventListener("input", offer);
  area.addEventListener("blur", () => setTimeout(close, 150));
  // Capture phase: these keys belong to the open offer, not to the composer's own shortcuts.
  area.addEventListener("keydown", (event) => {
    if (list.hidden) return;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      const step = event.key === "ArrowDown" ? 1 : -1;
      highlight((active + step + matches.length) % matches.length);
    } else if ((event.key === "Enter" && !event.ctrlKey && !event.metaKey) || event.key === "Tab") {
      event.preventDefault();
      event.stopImmediatePropagation();
      insert(active);
    } else if (event.key === "Escape") {
      event.preventDefault();
      event.stopPropagation();
      close();
    }
  }, true);
  // A response saved by an admin meanwhile shows up on the next "/".
  document.addEventListener("baton:conversation", () => { responses = null; });
})();
