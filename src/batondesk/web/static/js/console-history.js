/* The customer's earlier conversations in the handoff sidebar: date, what each was about,
   how it ended, the rating and a line of what was said, each a link (GET /api/v1/contacts/{id}/conversations).
   The packet is redrawn on every live update, so the last list shown is kept and redrawn
   at once while a fresh one loads. */
"use strict";

window.BatonHistory = (function () {
  const { api, el, label } = window.Baton;
  const OUTCOMES = {
    resolved_by_ai: "resolved by the AI",
    resolved_by_agent: "resolved by an agent",
    with_agent: "with an agent",
    waiting_for_agent: "waiting for an agent",
    with_ai: "open with the AI",
  };
  const PAGE = 10;
  let shown = { key: null, rows: [], next: null, loaded: false };

  function row(c) {
    const opened = new Date(c.created_at);
    return el("li", { "data-conversation": c.id },
      el("a", { href: "/console/conversations/" + c.id }, opened.toLocaleDateString(), " · #" + c.id), " ",
      el("span", { class: "history-intent" }, c.intent ? label(c.intent) : "no intent recognised"),
      " · ", el("span", { class: "history-outcome" }, OUTCOMES[c.outcome] || label(c.outcome)),
      " · ", el("span", { class: "history-rating" }, c.csat_score ? "rated " + c.csat_score + "/5" : "not rated"),
      shown.conversation && shown.conversation.repeat_of_id === c.id
        ? [" ", el("span", { class: "badge repeat-contact", title: "This conversation repeats it" }, "repeated now")] : null,
      c.summary ? el("div", { class: "small muted history-summary" }, c.summary) : null);
  }

  function fill(box) {
    const parts = [];
    if (!shown.loaded) parts.push(el("p", { class: "muted small" }, "Loading earlier conversations…"));
    else if (!shown.rows.length) parts.push(el("p", { class: "muted small" }, "First conversation with this customer."));
    else parts.push(el("ul", { class: "history", id: "history-list" }, shown.rows.map(row)));
    if (shown.next) {
      parts.push(el("button", { type: "button", class: "small-button", onclick: () => more(box) }, "Older conversations"));
    }
    box.replaceChildren(...parts);
  }

  async function load(conv, box) {
    const key = conv.contact_id + ":" + conv.id;
    try {
      const page = await api("GET", "/api/v1/contacts/" + conv.contact_id + "/conversations?limit=" + PAGE + "&exclude=" + conv.id);
      shown = { key, rows: page.data, next: page.next_cursor, loaded: true, conversation: conv };
    } catch (error) {
      shown = { key, rows: [], next: null, loaded: true, conversation: conv };
      box.replaceChildren(el("p", { class: "muted small" }, "Earlier conversations could not be loaded."));
      return;
    }
    if (box.isConnected) fill(box);
    else {
      const live = document.getElementById("customer-history-list");
      if (live) fill(live);
    }
  }

  async function more(box) {
    const conv = shown.conversation;
    if (!shown.next || !conv) return;
    const page = await api("GET", "/api/v1/contacts/" + conv.contact_id + "/conversations?limit=" + PAGE +
      "&exclude=" + conv.id + "&cursor=" + encodeURIComponent(shown.next));
    shown.rows = shown.rows.concat(page.data);
    shown.next = page.next_cursor;
    fill(box);
  }

  // The sidebar's section for this conversation's customer.
  function section(conv) {
    const key = conv.contact_id + ":" + conv.id;
    if (shown.key !== key) shown = { key, rows: [], next: null, loaded: false };
    shown.conversation = conv;
    const box = el("div", { id: "customer-history-list" });
    fill(box);
    load(conv, box);
    return el("section", { id: "customer-history" }, el("h3", {}, "Earlier conversations"), box);
  }

  return { section };
})();
