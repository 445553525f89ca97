/* Review queue: flagged customer messages, labelled one by one or in bulk, by keyboard or mouse.
   j/k move, x selects, 1-9 pick a shortcut intent, / types one, r/w/s choose right/wrong/skip,
   Enter applies the chosen label to the selection (or to the current message). */
"use strict";

(function () {
  const { api, toast, el, label } = window.Baton;
  const root = document.getElementById("review-queue");
  if (!root) return;
  const canWrite = root.dataset.canWrite === "true";
  const filters = document.getElementById("queue-filters");
  const list = document.getElementById("queue-list");
  const progress = document.getElementById("queue-progress");
  const intentInput = document.getElementById("label-intent");
  const intentOptions = document.getElementById("intent-options");
  const choiceShown = document.getElementById("label-choice");
  const shortcuts = document.getElementById("intent-shortcuts");
  const KIND_NAMES = { answer_right: "Answer right", answer_wrong: "Answer wrong", skip: "Skip" };

  let items = [];
  let intents = [];
  let current = 0;
  const selected = new Set();
  let choice = null; // {kind, intent}
  let shortcutIntents = [];

  function query() {
    const params = new URLSearchParams({ limit: "100", status: filters.elements.status.value });
    if (filters.elements.reason.value) params.set("reason", filters.elements.reason.value);
    return params.toString();
  }

  function describe(c) {
    if (!c) return "No label chosen";
    if (c.kind === "intent") return "Intent: " + c.intent;
    if (c.kind === "new_intent") return "New intent: " + c.intent;
    return KIND_NAMES[c.kind];
  }

  function choose(c) {
    choice = c;
    if (choiceShown) choiceShown.textContent = describe(c);
    if (intentInput) intentInput.value = c && c.intent ? c.intent : "";
  }

  // An intent name typed or picked: an existing one, or a new one named by the reviewer.
  function chooseIntent(name) {
    const cleaned = name.trim().toLowerCase().replace(/[\s-]+/g, "_");
    if (!cleaned) return;
    choose({ kind: intents.includes(cleaned) ? "intent" : "new_intent", intent: cleaned });
  }

  function row(item, index) {
    const prediction = item.predicted_intent
      ? item.predicted_intent + (item.confidence !== null ? " (" + Math.round(item.confidence * 100) + "%)" : "")
      : "no intent";
    const node = el("li", {
      class: "queue-item", role: "option", id: "queue-item-" + item.id, "data-item": item.id,
      "aria-selected": selected.has(item.id) ? "true" : "false",
    },
      canWrite ? el("input", {
        type: "checkbox", class: "queue-select", tabindex: "-1", "aria-label": "Select this message",
        checked: selected.has(item.id), onchange: () => toggle(index),
      }) : null,
      el("div", { class: "queue-body" },
        el("p", { class: "queue-text" }, item.text),
        el("p", { class: "small muted" },
          el("span", { class: "badge reason" }, item.reasons.map(label).join(", ")), " ",
          "Predicted: ", el("strong", {}, prediction),
          item.suggested_intent ? [" · Suggested: ", el("span", { class: "chip suggested" }, item.suggested_intent + (item.suggested_new ? " (new)" : ""))] : null,
          item.similar_pending ? " · " + item.similar_pending + " similar waiting" : null,
          item.label_kind ? [" · Labelled: ", el("span", { class: "chip" }, item.label || label(item.label_kind))] : null),
        el("p", { class: "small muted queue-why" }, item.why, " ",
          el("a", { href: "/console/conversations/" + item.conversation_id }, "conversation #" + item.conversation_id))));
    node.addEventListener("click", (event) => {
      if (event.target.closest("a, input")) return;
      current = index;
      paint();
    });
    return node;
  }

  function paint() {
    const nodes = list.querySelectorAll(".queue-item");
    nodes.forEach((node, index) => {
      const id = items[index].id;
      node.classList.toggle("current", index === current);
      node.setAttribute("aria-selected", selected.has(id) ? "true" : "false");
      const box = node.querySelector(".queue-select");
      if (box) box.checked = selected.has(id);
    });
    if (nodes[current]) {
      list.setAttribute("aria-activedescendant", nodes[current].id);
      nodes[current].scrollIntoView({ block: "nearest" });
    }
    showShortcuts();
  }

  // 1-9: the current message's suggestion and prediction first, then the intents the model
  // predicts most among the listed messages, then the rest alphabetically.
  function showShortcuts() {
    if (!shortcuts) return;
    const item = items[current];
    const counts = new Map();
    items.forEach((i) => { if (i.predicted_intent) counts.set(i.predicted_intent, (counts.get(i.predicted_intent) || 0) + 1); });
    const frequent = [...counts.keys()].sort((a, b) => counts.get(b) - counts.get(a));
    const first = item ? [item.suggested_intent, item.predicted_intent] : [];
    shortcutIntents = [...new Set([...first, ...frequent, ...intents].filter(Boolean))].slice(0, 9);
    shortcuts.replaceChildren(...shortcutIntents.map((name, i) =>
      el("li", {}, el("button", { type: "button", class: "small-button", onclick: () => chooseIntent(name) },
        el("kbd", {}, String(i + 1)), " ", name))));
  }

  function toggle(index) {
    const id = items[index].id;
    if (selected.has(id)) selected.delete(id); else selected.add(id);
    current = index;
    paint();
    showProgress();
  }

  function showProgress() {
    progress.textContent = items.length
      ? items.length + " shown of " + total + "; " + selected.size + " selected."
      : "Nothing to show.";
  }

  let total = 0;
  async function load() {
    list.setAttribute("aria-busy", "true");
    try {
      const page = await api("GET", "/api/v1/review-queue?" + query());
      items = page.data;
      total = page.total;
      intents = page.intents;
      selected.clear();
      current = Math.min(current, Math.max(0, items.length - 1));
      if (intentOptions) intentOptions.replaceChildren(...intents.map((name) => el("option", { value: name })));
      list.replaceChildren(...(items.length ? items.map(row)
        : [el("li", { class: "empty" }, filters.elements.status.value === "pending" ? "Nothing waiting for a label." : "No messages here.")]));
      paint();
      showProgress();
    } catch (error) {
      progress.textContent = error.message;
      list.replaceChildren();
    } finally {
      list.setAttribute("aria-busy", "false");
    }
  }

  async function apply() {
    if (!canWrite || !items.length) return;
    if (!choice) { toast("Choose a label first: a number key, / to type an intent, or r, w, s.", true); return; }
    const ids = selected.size ? items.filter((i) => selected.has(i.id)).map((i) => i.id) : [items[current].id];
    const labels = ids.map((id) => ({ id, kind: choice.kind, intent: choice.intent || null }));
    try {
      const done = await api("POST", "/api/v1/review-queue/labels", { labels });
      toast("Labelled " + done.labelled + (done.labelled === 1 ? " message" : " messages") + ": " + describe(choice));
      const firstIndex = items.findIndex((i) => ids.includes(i.id));
      current = Math.max(0, firstIndex);
      await load();
      list.focus();
    } catch (error) {
      toast(error.message, true);
    }
  }

  function onKey(event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.target.closest("input:not([type=checkbox]), select, textarea")) return;
    const key = event.key;
    // Enter on a button or link is that button's or link's own.
    if (key === "Enter" && event.target.closest("button, a")) return;
    if (key === "j" || key === "ArrowDown") { current = Math.min(items.length - 1, current + 1); paint(); }
    else if (key === "k" || key === "ArrowUp") { current = Math.max(0, current - 1); paint(); }
    else if (key === "x" && canWrite && items.length) toggle(current);
    else if (/^[1-9]$/.test(key) && canWrite) { const name = shortcutIntents[Number(key) - 1]; if (name) chooseIntent(name); }
    else if (key === "/" && intentInput) { intentInput.focus(); intentInput.select(); }
    else if (key === "r" && canWrite) choose({ kind: "answer_right" });
    else if (key === "w" && canWrite) choose({ kind: "answer_wrong" });
    else if (key === "s" && canWrite) choose({ kind: "skip" });
    else if (key === "Enter" && canWrite) apply();
    else return;
    event.preventDefault();
  }

  document.addEventListener("keydown", onKey);
  if (intentInput) {
    intentInput.addEventListener("keydown", (event) => {
      if (event.key === "Enter") {
        event.preventDefault();
        chooseIntent(intentInput.value);
        list.focus();
      } else if (event.key === "Escape") {
        list.focus();
      }
    });
    intentInput.addEventListener("change", () => chooseIntent(intentInput.value));
  }
  document.getElementById("apply-label")?.addEventListener("click", () => {
    if (intentInput && intentInput.value.trim()) chooseIntent(intentInput.value);
    apply();
  });
  root.querySelectorAll("[data-kind]").forEach((button) => button.addEventListener("click", () => {
    choose({ kind: button.dataset.kind });
    apply();
  }));
  filters.addEventListener("submit", (event) => { event.preventDefault(); current = 0; load(); });
  load();
})();
