/* The agent workspace: live conversation lists, the handoff packet, the thread and its actions. */
"use strict";

(function () {
  const { api, toast, el, duration, label } = window.Baton;
  const root = document.getElementById("workspace");
  if (!root) return;

  const me = Number(root.dataset.me);
  const canWrite = root.dataset.canWrite === "true";
  const current = root.dataset.conversation ? Number(root.dataset.conversation) : null;
  const slaMinutes = root.dataset.slaMinutes.split(",").map(Number);
  const EVENT_TYPES = root.dataset.eventTypes.split(",").filter(Boolean);
  const PRIORITY = ["low", "normal", "high", "urgent"];
  // Each list's first page; "Load more" follows its next_cursor. `search` is set by the search
  // form (console-search.js) and shown instead of the tabs' lists while it is active.
  const LISTS = {
    queue: "/api/v1/queue",
    mine: "/api/v1/conversations?mine=true&status=open&limit=50",
    bot: "/api/v1/conversations?status=bot&limit=50",
    resolved: "/api/v1/conversations?status=resolved&limit=30",
    search: null,
  };
  const MAX_PAGE = 200;
  const contacts = new Map();
  let activeList = sessionStorage.getItem("baton.console.list") || "queue";
  if (activeList === "search") activeList = "queue";
  let lists = {};
  const nextCursor = {};
  let conversation = null;
  let packet = null;
  let suggestion = null;

  // --- contacts ------------------------------------------------------------------------------

  async function contact(id) {
    if (!contacts.has(id)) {
      contacts.set(id, api("GET", "/api/v1/contacts/" + id).catch(() => ({ id })));
    }
    return contacts.get(id);
  }

  function displayName(person) {
    return (person && person.name) || "Visitor #" + (person && person.id);
  }

  // --- lists ---------------------------------------------------------------------------------

  function slaDue(c) {
    const due = c.sla_first_response_due_at || c.sla_due_at;
    if (due) return new Date(due);
    if (!c.escalated_at) return null;
    const minutes = slaMinutes[Math.min(Math.max(c.priority, 0), slaMinutes.length - 1)];
    return new Date(new Date(c.escalated_at).getTime() + minutes * 60000);
  }

  function timingNodes(c) {
    const nodes = [];
    if (c.status === "queued" && c.escalated_at) {
      nodes.push(el("span", { class: "wait", "data-since": c.escalated_at }, "waiting"));
      const due = slaDue(c);
      if (due && !c.first_human_response_at) {
        nodes.push(el("span", { class: "sla", "data-due": due.toISOString() }, ""));
      }
    } else if (c.last_message_at) {
      nodes.push(el("span", { class: "wait muted", "data-since": c.last_message_at, "data-suffix": " ago" }, ""));
    }
    return nodes;
  }

  // The list is drawn at once from what the lists API returned, in the same step as the tab
  // counts, so the badge and the list never disagree; contact names fill in when they arrive.
  const people = new Map();
  let listsLoaded = false;

  function renderList() {
    const list = document.getElementById("list");
    list.setAttribute("aria-labelledby", "tab-" + activeList);
    if (!listsLoaded) {
      list.setAttribute("aria-busy", "true");
      list.replaceChildren(el("li", { class: "empty" }, "Loading conversations…"));
      return;
    }
    list.setAttribute("aria-busy", "false");
    const rows = lists[activeList] || [];
    const items = rows.map((c) => {
      const person = people.get(c.contact_id) || { id: c.contact_id };
      const badges = [];
      if (c.repeat_of_id) {
        badges.push(el("span", { class: "badge repeat-contact", title: "The customer wrote about this before (#" + c.repeat_of_id + ")" }, "Repeat contact"));
      }
      if (c.priority >= 2 || c.status === "queued") {
        badges.push(el("span", { class: "badge prio-" + c.priority }, PRIORITY[c.priority] || c.priority));
      }
      if (c.escalation_reason && c.status !== "bot") {
        badges.push(el("span", { class: "badge reason", title: "Why the AI handed over" }, label(c.escalation_reason)));
      }
      if (c.status === "resolved" && c.csat_score) badges.push(el("span", { class: "badge ok" }, "CSAT " + c.csat_score + "/5"));
      if (c.snoozed_until && new Date(c.snoozed_until) > new Date()) {
        badges.push(el("span", { class: "badge snoozed", title: "Snoozed until " + new Date(c.snoozed_until).toLocaleString() }, "snoozed"));
      }
      (c.tags || []).forEach((t) => badges.push(el("span", { class: "badge tag" }, t.name)));
      return el("li", {},
        el("a", { href: "/console/conversations/" + c.id, "aria-current": c.id === current ? "page" : null },
          el("span", { class: "row1" }, el("span", { class: "person" }, displayName(person)), el("span", { class: "muted small" }, "#" + c.id)),
          el("span", { class: "row2" }, badges, timingNodes(c))));
    });
    if (nextCursor[activeList]) {
      items.push(el("li", { class: "more" }, el("button", { type: "button", class: "small-button", id: "load-more",
        onclick: (event) => loadMore(activeList, event.currentTarget) }, "Load more")));
    }
    const empty = { queue: "Nobody is waiting. New hand-overs appear here instantly.", search: "No conversation matches." };
    list.replaceChildren(...(items.length ? items : [el("li", { class: "empty" }, empty[activeList] || "Nothing here.")]));
    tick();
    const missing = [...new Set(rows.map((c) => c.contact_id))].filter((id) => !people.has(id));
    if (missing.length) {
      Promise.all(missing.map(async (id) => people.set(id, await contact(id)))).then(renderList);
    }
  }

  // A refresh keeps as many rows as were loaded ("Load more" is not undone by a live update).
  function firstPageUrl(name) {
    const url = LISTS[name];
    if (!url || !lists[name] || lists[name].length <= 30 || url === LISTS.queue) return url;
    const limit = Math.min(MAX_PAGE, lists[name].length);
    return url.replace(/([?&])limit=\d+/, "$1limit=" + limit) + (/[?&]limit=/.test(url) ? "" : "&limit=" + limit);
  }

  async function refreshLists() {
    const names = Object.keys(LISTS).filter((name) => LISTS[name]);
    const results = await Promise.all(names.map((name) => api("GET", firstPageUrl(name)).catch(() => null)));
    const waitingBefore = lists.queue ? lists.queue.length : null;
    names.forEach((name, i) => {
      if (!results[i]) return;
      lists[name] = results[i].data;
      nextCursor[name] = results[i].next_cursor || null;
      const count = document.getElementById("count-" + name);
      if (count) count.textContent = results[i].count;
    });
    listsLoaded = listsLoaded || results.some(Boolean);
    if (waitingBefore !== null && lists.queue && lists.queue.length > waitingBefore) {
      toast("A customer is waiting in the queue");
    }
    renderList();
  }

  async function loadMore(name, button) {
    const cursor = nextCursor[name];
    if (!cursor || !LISTS[name]) return;
    button.disabled = true;
    try {
      const page = await api("GET", LISTS[name] + "&cursor=" + encodeURIComponent(cursor));
      const known = new Set((lists[name] || []).map((c) => c.id));
      lists[name] = (lists[name] || []).concat(page.data.filter((c) => !known.has(c.id)));
      nextCursor[name] = page.next_cursor || null;
      renderList();
      const links = document.querySelectorAll("#list a");
      const first = links[known.size];
      if (first) first.focus();
    } catch (error) {
      toast(error.message, true);
      button.disabled = false;
    }
  }

  // Shown by the search form: the results replace the tab's list until cleared.
  async function showSearch(url) {
    LISTS.search = url;
    document.querySelectorAll('.tabs [role="tab"]').forEach((t) => t.setAttribute("aria-selected", "false"));
    activeList = "search";
    const page = await api("GET", url);
    lists.search = page.data;
    nextCursor.search = page.next_cursor || null;
    listsLoaded = true;
    renderList();
    return page;
  }

  function clearSearch() {
    const tab = document.getElementById("tab-" + (sessionStorage.getItem("baton.console.list") || "queue"))
      || document.getElementById("tab-queue");
    tab.click();
  }

  function setupTabs() {
    const tabs = [...document.querySelectorAll('.tabs [role="tab"]')];
    function select(tab, focus) {
      tabs.forEach((t) => {
        const on = t === tab;
        t.setAttribute("aria-selected", on ? "true" : "false");
        t.tabIndex = on ? 0 : -1;
      });
      activeList = tab.dataset.list;
      sessionStorage.setItem("baton.console.list", activeList);
      // A tab leaves the search results.
      LISTS.search = null;
      document.dispatchEvent(new CustomEvent("baton:tab"));
      if (focus) tab.focus();
      renderList();
    }
    tabs.forEach((tab, index) => {
      tab.addEventListener("click", () => select(tab, false));
      tab.addEventListener("keydown", (event) => {
        const step = event.key === "ArrowRight" ? 1 : event.key === "ArrowLeft" ? -1 : 0;
        if (step) select(tabs[(index + step + tabs.length) % tabs.length], true);
      });
    });
    const initial = tabs.find((t) => t.dataset.list === activeList) || tabs[0];
    select(initial, false);
  }

  function tick() {
    const now = Date.now();
    document.querySelectorAll("[data-since]").forEach((node) => {
      const since = new Date(node.dataset.since).getTime();
      node.textContent = (node.dataset.suffix ? "" : "waiting ") + duration((now - since) / 1000) + (node.dataset.suffix || "");
    });
    document.querySelectorAll("[data-due]").forEach((node) => {
      const left = (new Date(node.dataset.due).getTime() - now) / 1000;
      node.classList.toggle("late", left < 0);
      node.classList.toggle("soon", left >= 0 && left < 120);
      node.textContent = left < 0 ? "SLA breached " + duration(-left) + " ago" : "SLA " + duration(left) + " left";
    });
  }

  // --- live updates ------------------------------------------------------------------------------

  let listTimer = null;
  let threadTimer = null;
  function scheduleLists() {
    clearTimeout(listTimer);
    listTimer = setTimeout(refreshLists, 250);
  }
  function scheduleThread() {
    clearTimeout(threadTimer);
    threadTimer = setTimeout(loadConversation, 250);
  }

  // Other scripts of the page (alerts, typing) hear the stream through this DOM event rather
  // than opening a second connection.
  function relay(type, data) {
    document.dispatchEvent(new CustomEvent("baton:live", { detail: { type, data } }));
  }

  function connect() {
    const status = document.getElementById("live-status");
    const source = new EventSource("/api/v1/stream");
    const onEvent = (event) => {
      let data = {};
      try { data = JSON.parse(event.data); } catch (e) { /* keep-alive */ }
      relay(event.type, data);
      scheduleLists();
      if (current && data.conversation_id === current) scheduleThread();
    };
    source.addEventListener("ready", () => {
      status.textContent = "Live";
      status.classList.add("live");
      scheduleLists();
    });
    EVENT_TYPES.forEach((type) => source.addEventListener(type, onEvent));
    // Typing changes nothing stored: passed on (console-alerts.js), no refetch.
    source.addEventListener("typing", (event) => {
      try { relay("typing", JSON.parse(event.data)); } catch (e) { /* malformed: ignore */ }
    });
    source.onmessage = onEvent;
    source.onerror = () => {
      status.textContent = "Reconnecting…";
      status.classList.remove("live");
    };
    // A slow safety net: lists stay right even if a notification is lost.
    setInterval(() => { if (source.readyState !== 1) refreshLists(); }, 15000);
  }

  // --- conversation ----------------------------------------------------------------------------

  async function loadConversation() {
    if (!current) return;
    const [conv, messages, events] = await Promise.all([
      api("GET", "/api/v1/conversations/" + current),
      api("GET", "/api/v1/conversations/" + current + "/messages"),
      api("GET", "/api/v1/conversations/" + current + "/events").catch(() => ({ data: [] })),
    ]);
    conversation = conv;
    [packet, suggestion] = await Promise.all([loadPacket(), loadSuggestion(conv)]);
    const person = await contact(conv.contact_id);
    renderHeader(conv, person);
    renderPacket(conv, person, messages, events.data);
    const workflow = window.BatonWorkflow;
    if (workflow) await workflow.ready;
    renderMessages(messages, workflow ? events.data.filter((e) => workflow.isActivity(e)) : []);
    document.dispatchEvent(new CustomEvent("baton:conversation", { detail: conv }));
  }

  async function loadSuggestion(conv) {
    if (root.dataset.featureSuggestions !== "true" || !canWrite || conv.status === "resolved") return null;
    try {
      return await api("GET", "/api/v1/conversations/" + current + "/suggestions");
    } catch (error) {
      return null;
    }
  }

  async function loadPacket() {
    if (root.dataset.featurePacket !== "true") return null;
    try {
      return await api("GET", "/api/v1/conversations/" + current + "/packet");
    } catch (error) {
      return null; // shown as "not available"; the rest of the page still works
    }
  }

  function renderHeader(conv, person) {
    document.getElementById("thread-title").textContent = displayName(person) + " · #" + conv.id;
    const bits = ["Status: " + label(conv.status), "priority " + (PRIORITY[conv.priority] || conv.priority)];
    if (conv.assignee_id) bits.push(conv.assignee_id === me ? "assigned to you" : "assigned to another agent");
    if (conv.csat_score) bits.push("CSAT " + conv.csat_score + "/5");
    document.getElementById("thread-meta").textContent = bits.join(" · ");
    const allowed = {
      "take-over": conv.status !== "resolved" && !(conv.status === "assigned" && conv.assignee_id === me),
      "hand-back": conv.status === "queued" || conv.status === "assigned",
      resolve: conv.status !== "resolved",
      reopen: conv.status === "resolved",
    };
    document.querySelectorAll("[data-action]").forEach((button) => {
      button.hidden = !canWrite || !allowed[button.dataset.action];
    });
    const composer = document.getElementById("composer");
    composer.hidden = !canWrite;
    const resolved = conv.status === "resolved";
    const replyMode = composer.querySelector('input[value="reply"]');
    replyMode.disabled = resolved;
    if (resolved && replyMode.checked) composer.querySelector('input[value="note"]').click();
  }

  function section(title, ...children) {
    return el("section", {}, el("h3", {}, title), ...children);
  }

  function notAvailable(what) {
    return el("p", { class: "muted small" }, what + " is not available on this server yet.");
  }

  function renderPacket(conv, person, messages, events) {
    const box = document.getElementById("packet");
    const parts = [];
    if (!packet) {
      parts.push(el("p", { class: "notice" }, "The full handoff packet is not available on this server; showing what the console can derive from the conversation."));
    }
    // Summary
    parts.push(section("Summary", packet && packet.summary ? el("p", {}, packet.summary) : notAvailable("An AI summary")));
    // A repeat contact on the same intent: the earlier conversation did not settle it.
    if (packet && packet.repeat_contact) {
      const r = packet.repeat_contact;
      parts.push(el("p", { class: "notice repeat-contact", id: "repeat-contact" },
        el("span", { class: "badge repeat-contact" }, "Repeat contact"), " ",
        "Same topic as ", el("a", { href: "/console/conversations/" + r.conversation_id }, "#" + r.conversation_id),
        " on " + new Date(r.created_at).toLocaleDateString() + (r.summary ? ": " + r.summary : "")));
    }

    // Why it came to a person
    const escalation = (packet && packet.escalation) || fallbackEscalation(conv, events);
    if (escalation) {
      const evidence = Object.entries(escalation.evidence || {}).filter(([k, v]) => !HIDDEN_EVIDENCE.test(k) && !isEmpty(v));
      const thresholds = Object.entries(escalation.thresholds || {});
      parts.push(section("Why a person is needed",
        el("p", {}, el("span", { class: "badge reason" }, label(escalation.reason))),
        evidence.length ? evidenceList(evidence) : null,
        thresholds.length ? el("p", { class: "small muted" }, "Thresholds: " + thresholds.map(([k, v]) => label(k) + " " + formatValue(v)).join(", ")) : null));
    } else {
      parts.push(section("Why a person is needed", el("p", { class: "muted small" }, "Not escalated: the AI has been handling this conversation.")));
    }

    // Intent and confidence
    const intents = (packet && packet.intents) || fallbackIntents(messages);
    parts.push(section("Intent & confidence", intents.length ? intents.slice(0, 3).map((i) =>
      el("div", { class: "intent-row" },
        el("div", { class: "row1" }, el("strong", {}, label(i.intent)), " ", el("span", { class: "muted small" }, Math.round((i.confidence || 0) * 100) + "%")),
        el("div", { class: "meter", role: "img", "aria-label": "confidence " + Math.round((i.confidence || 0) * 100) + " percent" },
          el("span", { style: "width:" + Math.round((i.confidence || 0) * 100) + "%" }))))
      : el("p", { class: "muted small" }, "No intent recognised yet.")));

    // Sentiment timeline
    const timeline = (packet && packet.sentiment_timeline) || fallbackTimeline(messages);
    parts.push(section("Sentiment timeline", timeline.length ? [
      el("div", { class: "timeline", role: "img", "aria-label": "Frustration per customer message: " + timeline.map((p) => Math.round((p.frustration || 0) * 100) + "%").join(", ") },
        timeline.map((p) => {
          const f = p.frustration || 0;
          return el("span", { class: f >= 0.6 ? "hot" : f >= 0.3 ? "warm" : "", style: "height:" + Math.max(6, Math.round(f * 100)) + "%", title: "frustration " + Math.round(f * 100) + "%" });
        })),
      el("p", { class: "small muted" }, "Frustration per customer message, oldest first. Latest: " + Math.round((timeline[timeline.length - 1].frustration || 0) * 100) + "%"),
    ] : el("p", { class: "muted small" }, "No customer messages yet.")));

    // Profile
    const profile = (packet && packet.contact) || person;
    parts.push(section("Customer", identityNote(conv, person), renderProfile(profile)));

    // The customer's earlier conversations (console-history.js).
    parts.push(window.BatonHistory ? window.BatonHistory.section(conv) : notAvailable("Conversation history"));
    // What to offer them, and why (console-recommendations.js).
    if (window.BatonRecommendations) parts.push(window.BatonRecommendations.section(packet && packet.recommendations));

    // Sources the AI used
    const sources = packet && packet.ai_answers
      ? packet.ai_answers.flatMap((a) => a.sources || [])
      : messages.flatMap((m) => (m.annotations && m.annotations.sources) || []);
    const unique = [...new Map(sources.map((s) => [s.article_id || s.slug || s.title, s])).values()];
    parts.push(section("What the AI answered from", unique.length
      ? el("ul", { class: "sources" }, unique.map((s) => el("li", {}, s.title || s.slug)))
      : el("p", { class: "muted small" }, "The AI has not cited any article.")));

    box.replaceChildren(...parts);
    box.setAttribute("aria-busy", "false");

    renderSuggestions(conv, messages.some((m) => m.sender_type === "agent" && !m.private));
  }

  function renderSuggestions(conv, agentReplied) {
    const box = document.getElementById("suggestions");
    const options = [];
    // The packet's suggestion is an opening line: useful only before the first human reply.
    if (packet && packet.suggested_reply && !agentReplied) options.push({ label: "Suggested first reply", text: packet.suggested_reply });
    if (suggestion && suggestion.draft) {
      const cited = (suggestion.sources || []).map((s) => s.title || s.slug).filter(Boolean);
      options.push({ label: "Drafted from the knowledge base", text: suggestion.draft, cited });
    }
    box.hidden = !options.length || !canWrite || conv.status === "resolved";
    box.replaceChildren(...options.map((o) => el("div", { class: "suggestion" },
      el("span", { class: "suggestion-label" }, o.label),
      window.BatonMarkdown ? el("div", { class: "rich suggestion-text" }, window.BatonMarkdown.render(o.text)) : el("p", {}, o.text),
      o.cited && o.cited.length ? el("p", { class: "small muted" }, "Sources: " + o.cited.join(", ")) : null,
      el("button", { type: "button", class: "small-button", onclick: () => useSuggestion(o.text) }, "Use this reply"))));
  }

  function useSuggestion(text) {
    const form = document.getElementById("composer");
    form.querySelector('input[value="reply"]').click();
    const area = document.getElementById("composer-text");
    area.value = text;
    area.focus();
  }

  // Whether the website vouched for who the customer is (a signed identity token) or the
  // name and email are only what someone typed: agents must not act on the latter alone.
  function identityNote(conv, person) {
    if (conv.identity_verified) {
      return el("p", { class: "identity-note", id: "customer-identity" },
        el("span", { class: "badge ok" }, "Verified"), " Signed in on your website",
        person && person.external_id ? " as customer " + person.external_id : "", ".");
    }
    return el("p", { class: "identity-note muted small", id: "customer-identity" },
      "Not verified: an anonymous visitor, or details typed in the chat.");
  }

  function renderProfile(p) {
    if (!p) return el("p", { class: "muted small" }, "Unknown visitor.");
    const rows = [["Name", p.name || "Anonymous visitor"], ["Email", p.email], ["Phone", p.phone],
      ["Tier", p.tier], ["Language", p.locale]];
    const attributes = p.attributes || {};
    for (const [key, value] of Object.entries(attributes)) {
      if (key === "transactions" || value === null || typeof value === "object") continue;
      rows.push([label(key), String(value)]);
    }
    const dl = el("dl", {}, rows.filter(([, v]) => v).map(([k, v]) => [el("dt", {}, k), el("dd", {}, v)]));
    // The latest orders and transactions the bank's systems sent (the packet's contact.orders).
    const orders = Array.isArray(p.orders) ? p.orders.slice(0, 6) : [];
    return [dl, orders.length ? [el("p", { class: "small muted" }, "Recent orders and transactions"),
      el("ul", { class: "history", id: "customer-orders" }, orders.map((o) => el("li", {},
        [o.date, o.kind ? label(o.kind) : null, o.description || (o.card_last4 ? "card ending " + o.card_last4 : null),
          typeof o.total === "number" ? o.total.toFixed(2) + " " + (o.currency || "") : null,
          o.status && o.status !== "completed" ? o.status : null,
          o.reason].filter(Boolean).join(" · "))))] : null];
  }

  // Ids and positions mean nothing to an agent; the evidence is about what was said and felt.
  const HIDDEN_EVIDENCE = /(^|_)(id|ids|index)$/;

  function isEmpty(v) {
    return v === null || v === undefined || v === "" || (Array.isArray(v) && !v.length)
      || (typeof v === "object" && !Array.isArray(v) && !Object.keys(v).length);
  }

  function evidenceList(entries) {
    return el("dl", {}, entries.map(([k, v]) => {
      let value;
      if (v && typeof v === "object" && !Array.isArray(v)) {
        value = evidenceList(Object.entries(v).filter(([key, x]) => !HIDDEN_EVIDENCE.test(key) && !isEmpty(x)));
      } else if (Array.isArray(v) && v.some((x) => x && typeof x === "object")) {
        value = v.map((x) => (x && (x.title || x.slug || x.name)) || formatValue(x)).join(", ");
      } else {
        value = formatValue(v);
      }
      return [el("dt", {}, label(k)), el("dd", {}, value)];
    }));
  }

  function formatValue(v) {
    if (typeof v === "boolean") return v ? "yes" : "no";
    if (typeof v === "number") return Number.isInteger(v) ? String(v) : v.toFixed(2);
    if (Array.isArray(v)) return v.map(formatValue).join(", ");
    if (v && typeof v === "object") return Object.entries(v).filter(([k, x]) => !HIDDEN_EVIDENCE.test(k) && !isEmpty(x))
      .map(([k, x]) => label(k) + ": " + formatValue(x)).join(", ");
    return label(v);
  }

  function fallbackEscalation(conv, events) {
    if (!conv.escalation_reason) return null;
    const escalated = events.filter((e) => e.type === "conversation.escalated").pop();
    return { reason: conv.escalation_reason, evidence: (escalated && escalated.payload.evidence) || {} };
  }

  function fallbackIntents(messages) {
    const last = messages.filter((m) => m.sender_type === "customer" && m.annotations && m.annotations.intent).pop();
    if (!last) return [];
    const top = last.annotations.top || [[last.annotations.intent, last.annotations.confidence]];
    return top.map(([intent, confidence]) => ({ intent, confidence }));
  }

  function fallbackTimeline(messages) {
    return messages.filter((m) => m.sender_type === "customer" && m.annotations && "frustration" in m.annotations)
      .map((m) => ({ message_id: m.id, at: m.created_at, frustration: m.annotations.frustration }));
  }

  // Messages and, between them, one line per workflow change (assigned, tagged, snoozed...).
  function renderMessages(messages, activity) {
    const list = document.getElementById("messages");
    const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 60;
    const before = Number(list.dataset.count || 0);
    const grew = messages.length > before;
    // The list is redrawn, so it is not a live region; announce what is new instead.
    const latest = messages[messages.length - 1];
    if (before && grew && latest.sender_type === "customer") toast("New message from the customer");
    const entries = messages.map((m) => [m.created_at, renderMessage(m)])
      .concat((activity || []).map((e) => [e.created_at, el("li", { class: "message activity", "data-event": e.id },
        el("div", { class: "body" }, window.BatonWorkflow.activityText(e), " · ",
          el("time", { datetime: e.created_at }, new Date(e.created_at).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }))))]));
    entries.sort((a, b) => new Date(a[0]) - new Date(b[0]));
    list.replaceChildren(...entries.map(([, node]) => node));
    // Follow new messages; leave the agent where they are when they scrolled up to read.
    if (atBottom || grew) list.scrollTop = list.scrollHeight;
    list.dataset.count = String(messages.length);
  }

  function renderMessage(m) {
    const kind = m.private ? "note" : m.sender_type;
    const who = { customer: "Customer", bot: "AI assistant", system: "System" }[m.sender_type]
      || (m.sender_user_id === me ? "You" : "Agent");
    const time = new Date(m.created_at).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
    const meta = [el("span", {}, m.private ? who + " · private note" : who), el("time", { datetime: m.created_at }, time)];
    // A file sent alone has no words whose intent could be corrected.
    if (m.sender_type === "customer" && m.body) meta.push(intentNode(m));
    const sources = (m.annotations && m.annotations.sources) || [];
    if (m.customer_feedback) meta.push(customerFeedbackNode(m.customer_feedback));
    if (isBotAnswer(m)) meta.push(reviewNode(m));
    return el("li", { class: "message " + kind, "data-message": m.id },
      el("div", { class: "meta" }, meta),
      m.sender_type === "bot" && window.BatonMarkdown
        ? el("div", { class: "body rich" }, window.BatonMarkdown.render(m.body))
        : m.body ? el("div", { class: "body" }, m.body) : null,
      window.BatonAttachments ? window.BatonAttachments.render(m) : null,
      sources.length ? el("div", { class: "meta" }, "Cited: " + sources.map((s) => s.title || s.slug).join(", ")) : null,
      accountFieldsNode(m));
  }

  // Which of the customer's own data a bot answer stated ("orders.TX-001-03.status").
  function accountFieldsNode(m) {
    const used = (m.annotations && m.annotations.profile_fields) || [];
    if (m.sender_type !== "bot" || !used.length) return null;
    return el("div", { class: "meta account-fields", title: "Read from the customer's profile and account records" },
      "From the customer's account: " + used.join(", "));
  }

  function intentNode(m) {
    const a = m.annotations || {};
    const corrected = a.corrected_intent;
    const wrap = el("span", { class: "intent" });
    if (corrected) {
      wrap.append(el("span", { class: "corrected", title: "Corrected by an agent; the AI said " + (a.intent || "nothing") }, "✓ " + label(corrected.intent)));
    } else if (a.intent) {
      const confidence = typeof a.confidence === "number" ? " · " + Math.round(a.confidence * 100) + "%" : "";
      wrap.append(el("span", { class: "chip", title: "What the AI understood" }, label(a.intent) + confidence));
    } else if (a.out_of_scope) {
      wrap.append(el("span", { class: "chip" }, "out of scope"));
    }
    if (canWrite) {
      wrap.append(el("button", { type: "button", class: "small-button link-button", "aria-label": "Correct the intent of this message",
        onclick: () => wrap.replaceWith(intentForm(m)) }, "Correct intent"));
    }
    return wrap;
  }

  // An answer citing an article, as the reports count them (quick-reply offers are not).
  function isBotAnswer(m) {
    const a = m.annotations || {};
    return m.sender_type === "bot" && !m.private && (a.sources || []).length > 0 && (a.decision || "answer") === "answer";
  }

  // The customer's own "Did this answer your question?", beside the agents' verdict: it says
  // whether the answer solved their problem, not whether it was right.
  function customerFeedbackNode(feedback) {
    const text = feedback.helpful ? "Customer: helpful" : "Customer: not helpful";
    return el("span", { class: "badge customer-feedback " + (feedback.helpful ? "ok" : "bad"),
      title: "The customer's answer to “Did this answer your question?”" }, text);
  }

  const WRONG_REASONS = [["", "No reason"], ["wrong_article", "Wrong article"], ["misunderstood_question", "Misunderstood the question"],
    ["incomplete", "Incomplete"], ["outdated", "Outdated"], ["should_have_handed_over", "Should have handed over"], ["other", "Other"]];

  function reviewNode(m) {
    const review = (m.annotations || {}).review;
    const wrap = el("span", { class: "answer-review", "data-review": review ? review.verdict : "none" });
    if (review) {
      wrap.append(el("span", { class: review.verdict === "right" ? "chip review-right" : "chip review-wrong" },
        review.verdict === "right" ? "✓ answer right" : "✗ answer wrong" + (review.reason ? " · " + label(review.reason) : "")));
    }
    if (!canWrite) return wrap;
    const reason = el("select", { class: "review-reason", "aria-label": "Why the answer was wrong" },
      WRONG_REASONS.map(([value, text]) => el("option", { value, selected: review && review.reason === value ? "selected" : null }, text)));
    const send = async (verdict) => {
      try {
        await api("PUT", "/api/v1/messages/" + m.id + "/review", { verdict, reason: verdict === "wrong" && reason.value ? reason.value : null });
        toast(verdict === "right" ? "Marked the answer right" : "Marked the answer wrong");
        loadConversation();
      } catch (error) {
        toast(error.message, true);
      }
    };
    wrap.append(
      el("button", { type: "button", class: "small-button link-button", "aria-label": "Mark this answer right", onclick: () => send("right") }, "Right"),
      el("button", { type: "button", class: "small-button link-button", "aria-label": "Mark this answer wrong", onclick: () => send("wrong") }, "Wrong"),
      reason);
    return wrap;
  }

  function intentForm(m) {
    const id = "intent-" + m.id;
    const input = el("input", { id, list: "intent-options", value: (m.annotations.corrected_intent || {}).intent || m.annotations.intent || "", required: true, autocomplete: "off" });
    const form = el("form", { class: "intent-form" },
      el("label", { for: id, class: "visually-hidden" }, "Correct intent"), input,
      el("button", { type: "submit", class: "small-button" }, "Save"),
      el("button", { type: "button", class: "small-button", onclick: () => loadConversation() }, "Cancel"));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      try {
        await api("POST", "/api/v1/messages/" + m.id + "/intent", { intent: input.value });
        toast("Intent corrected; it will be used to retrain the model");
        loadConversation();
      } catch (error) {
        toast(error.message, true);
      }
    });
    setTimeout(() => input.focus(), 0);
    return form;
  }

  function setupActions() {
    document.querySelectorAll("[data-action]").forEach((button) => {
      button.addEventListener("click", async () => {
        button.disabled = true;
        try {
          await api("POST", "/api/v1/conversations/" + current + "/" + button.dataset.action);
          toast({ "take-over": "You own this conversation; the AI is silent", "hand-back": "Handed back to the AI",
            resolve: "Conversation resolved", reopen: "Conversation reopened" }[button.dataset.action]);
          await loadConversation();
          scheduleLists();
        } catch (error) {
          toast(error.message, true);
        } finally {
          button.disabled = false;
        }
      });
    });

    const form = document.getElementById("composer");
    const text = document.getElementById("composer-text");
    const send = document.getElementById("send");
    const mode = () => form.querySelector('input[name="mode"]:checked').value;
    form.addEventListener("change", () => {
      const note = mode() === "note";
      form.classList.toggle("note-mode", note);
      send.textContent = note ? "Add note" : "Send reply";
      text.placeholder = note ? "A private note for your team… (Ctrl+Enter to add)" : "Write a reply… (Ctrl+Enter to send)";
    });
    text.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        form.requestSubmit();
      }
    });
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const body = text.value.trim();
      if (!body) { text.focus(); return; }
      send.disabled = true;
      try {
        const path = "/api/v1/conversations/" + current + (mode() === "note" ? "/notes" : "/messages");
        await api("POST", path, { body });
        text.value = "";
        await loadConversation();
        scheduleLists();
      } catch (error) {
        toast(error.message, true);
      } finally {
        send.disabled = false;
        text.focus();
      }
    });
  }

  // --- shared with the console's other scripts (search, workflow, canned responses, keys) ------

  window.BatonConsole = {
    me,
    canWrite,
    current,
    reload: () => loadConversation(),
    refreshLists: () => scheduleLists(),
    showSearch,
    clearSearch,
    // The conversations of the list on screen, in order (for j / k).
    visibleIds: () => (lists[activeList] || []).map((c) => c.id),
  };

  // --- start -----------------------------------------------------------------------------------

  setupTabs();
  refreshLists();
  connect();
  setInterval(tick, 1000);
  if (current) {
    setupActions();
    loadConversation().catch((error) => toast(error.message, true));
  }
})();
