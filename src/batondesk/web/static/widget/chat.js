/* The customer chat: start on the first message, show the bot's answers with their sources,
   "talk to a person", waiting / agent states, live updates over SSE, CSAT at the end.
   The visitor token and conversation id live in localStorage so a reload resumes the chat. */
"use strict";

(function () {
  const root = document.getElementById("chat");
  const inbox = root.dataset.inbox;
  const storageKey = "baton.chat." + inbox;
  const log = document.getElementById("chat-log");
  const input = document.getElementById("chat-input");
  const form = document.getElementById("chat-form");
  const handoff = document.getElementById("handoff");
  const typing = document.getElementById("typing");
  const waiting = document.getElementById("waiting");
  const stateLine = document.getElementById("chat-state");
  const rating = document.getElementById("rating");
  const rated = document.getElementById("rated");
  const errorBox = document.getElementById("chat-error");
  const EVENT_TYPES = root.dataset.eventTypes.split(",").filter(Boolean);
  const shown = new Set();
  let state = load();
  let lastId = 0;
  let stream = null;
  let score = 0;

  function load() {
    try { return JSON.parse(localStorage.getItem(storageKey)) || null; } catch (e) { return null; }
  }
  function save() {
    try { localStorage.setItem(storageKey, JSON.stringify(state)); } catch (e) { /* private mode */ }
  }

  async function call(method, path, body) {
    const headers = { Accept: "application/json" };
    if (state && state.token) headers.Authorization = "Bearer " + state.token;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const data = await response.json().catch(() => null);
    if (!response.ok) {
      const error = new Error((data && data.error && data.error.message) || "Something went wrong");
      error.status = response.status;
      error.code = data && data.error && data.error.code;
      throw error;
    }
    return data;
  }

  function showError(text) {
    errorBox.textContent = text;
    errorBox.hidden = !text;
  }

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  // Quick replies belong to the latest message only: once anything newer arrives they go.
  function clearQuickReplies() {
    document.querySelectorAll(".quick-replies").forEach((n) => n.remove());
  }

  function quickReplies(choices) {
    const group = el("div", "quick-replies");
    group.setAttribute("role", "group");
    group.setAttribute("aria-label", "Choose one");
    for (const choice of choices) {
      const button = el("button", "quick-reply" + (choice.article ? "" : " other"), choice.label);
      button.type = "button";
      button.addEventListener("click", () => {
        clearQuickReplies();
        send(choice.label, choice.id);
      });
      group.append(button);
    }
    return group;
  }

  function render(message) {
    if (shown.has(message.id)) return;
    shown.add(message.id);
    const newest = message.id > lastId;
    lastId = Math.max(lastId, message.id);
    if (newest) clearQuickReplies();
    document.querySelectorAll(".msg.pending").forEach((n) => {
      if (message.sender_type === "customer" && n.dataset.text === message.body) n.remove();
    });
    const item = el("li", "msg from-" + message.sender_type);
    item.dataset.id = message.id;
    const who = { bot: "Assistant", agent: "Support team", system: "" }[message.sender_type];
    if (who) item.append(el("span", "who", who));
    let body = message.body;
    const sources = message.sources || [];
    // The bot's text ends with a "Source:" line; the citation below shows it properly.
    for (const s of sources) {
      const suffix = "\n\nSource: " + s.title;
      if (body.endsWith(suffix)) body = body.slice(0, -suffix.length);
    }
    const bubble = el("div", "bubble");
    if (message.sender_type === "bot" && window.BatonMarkdown) {
      bubble.classList.add("rich");
      bubble.append(window.BatonMarkdown.render(body));
    } else bubble.textContent = body;
    item.append(bubble);
    if (sources.length) {
      const cite = el("div", "sources");
      cite.append(el("span", "", "Source: "));
      sources.forEach((s, i) => {
        if (i) cite.append(", ");
        if (s.url) {
          const a = el("a", "", s.title || s.slug);
          a.href = s.url; a.target = "_blank"; a.rel = "noopener";
          cite.append(a);
        } else cite.append(el("cite", "", s.title || s.slug));
      });
      item.append(cite);
    }
    if (newest && message.sender_type === "bot" && (message.choices || []).length) {
      item.append(quickReplies(message.choices));
    }
    log.append(item);
    log.scrollTop = log.scrollHeight;
  }

  function renderPending(text) {
    const item = el("li", "msg from-customer pending");
    item.dataset.text = text;
    item.append(el("div", "bubble", text));
    log.append(item);
    log.scrollTop = log.scrollHeight;
  }

  function setStatus(status, position) {
    root.dataset.status = status;
    const queued = status === "queued";
    waiting.hidden = !queued;
    if (queued) {
      waiting.textContent = position
        ? "Waiting for a person — you are number " + position + " in the queue. You can keep writing."
        : "Waiting for a person. You can keep writing.";
    }
    stateLine.textContent = {
      bot: "We usually answer instantly", queued: "Waiting for a person",
      assigned: "You are chatting with our support team", resolved: "This conversation is closed",
    }[status] || "";
    handoff.hidden = status !== "bot";
    const isRated = state && state.rated === state.conversationId;
    rating.hidden = status !== "resolved" || isRated;
    rated.hidden = !(status === "resolved" && isRated);
    // Banners and the rating take room from the log: keep the latest message in view.
    log.scrollTop = log.scrollHeight;
  }

  async function start() {
    const locale = (navigator.language || "en").slice(0, 16);
    state = null;
    const data = await call("POST", "/api/v1/widget/inboxes/" + encodeURIComponent(inbox) + "/conversations", { locale });
    state = { token: data.visitor_token, conversationId: data.conversation_id };
    save();
    listen();
  }

  async function catchUp() {
    if (!state) return;
    const data = await call("GET", "/api/v1/widget/conversations/" + state.conversationId + "?after=" + lastId);
    data.messages.forEach(render);
    setStatus(data.status, data.queue_position);
  }

  function listen() {
    if (stream || !state || !window.EventSource) return;
    stream = new EventSource("/api/v1/widget/conversations/" + state.conversationId + "/stream?token=" + encodeURIComponent(state.token));
    const onEvent = () => catchUp().catch(() => null);
    EVENT_TYPES.forEach((type) => stream.addEventListener(type, onEvent));
    stream.addEventListener("ready", onEvent);
    stream.onmessage = onEvent;
  }

  async function send(text, choice) {
    showError("");
    clearQuickReplies();
    renderPending(text);
    const botOwns = !state || root.dataset.status === "bot" || root.dataset.status === "resolved";
    typing.hidden = !botOwns;
    try {
      if (!state) await start();
      const body = choice ? { body: text, choice } : { body: text };
      const turn = await call("POST", "/api/v1/widget/conversations/" + state.conversationId + "/messages", body);
      render(turn.message);
      if (turn.reply) render(turn.reply);
      setStatus(turn.status, turn.queue_position);
    } catch (error) {
      document.querySelectorAll(".msg.pending").forEach((n) => n.remove());
      input.value = text;
      showError(error.code === "message_too_long" ? error.message : "Your message was not sent. " + error.message);
    } finally {
      typing.hidden = true;
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    input.value = "";
    grow();
    send(text);
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  function grow() {
    input.style.height = "auto";
    input.style.height = Math.min(input.scrollHeight, 120) + "px";
  }
  input.addEventListener("input", grow);

  handoff.addEventListener("click", async () => {
    showError("");
    handoff.disabled = true;
    try {
      if (!state) await start();
      const data = await call("POST", "/api/v1/widget/conversations/" + state.conversationId + "/handoff");
      setStatus(data.status, data.queue_position);
      await catchUp();
    } catch (error) {
      showError("We could not reach the team. " + error.message);
    } finally {
      handoff.disabled = false;
    }
  });

  const sendRating = document.getElementById("rating-send");
  document.querySelectorAll(".rate").forEach((button) => {
    button.setAttribute("aria-pressed", "false");
    button.addEventListener("click", () => {
      score = Number(button.dataset.score);
      document.querySelectorAll(".rate").forEach((b) => b.setAttribute("aria-pressed", b === button ? "true" : "false"));
      sendRating.disabled = false;
    });
  });
  sendRating.addEventListener("click", async () => {
    if (!score) return;
    sendRating.disabled = true;
    try {
      const comment = document.getElementById("rating-comment").value.trim();
      await call("POST", "/api/v1/widget/conversations/" + state.conversationId + "/csat", comment ? { score, comment } : { score });
    } catch (error) {
      if (error.code !== "already_rated") {
        showError("Your rating was not sent. " + error.message);
        sendRating.disabled = false;
        return;
      }
    }
    state.rated = state.conversationId;
    save();
    setStatus("resolved");
  });

  const close = document.getElementById("chat-close");
  if (close) close.addEventListener("click", () => window.parent.postMessage({ type: "baton:close" }, "*"));

  // Resume a conversation after a reload; a token that no longer works starts afresh.
  setStatus("bot");
  if (state) {
    catchUp().then(listen).catch((error) => {
      if (error.status === 401 || error.status === 404) {
        state = null;
        try { localStorage.removeItem(storageKey); } catch (e) { /* ignore */ }
      }
    });
  }
})();
