/* The customer chat: start on the first message, show the bot's answers with their sources
   and "Did this answer your question?", "talk to a person", waiting / agent states, live
   updates over SSE, CSAT at the end.
   The visitor token and conversation id are kept so a reload resumes the chat: in the frame's
   own localStorage when the browser allows it, and, inside the widget, also by the host page
   (widget.js), because browsers that block third-party storage give the frame none.
   The account's settings (colour, greeting, topics, privacy notice, pre-chat form) are applied
   by chat-settings.js and refreshed when the widget opens or the settings change. The chat
   says it is an AI assistant until a person joins, then shows that person's name.
   Its texts are in the conversation's language (i18n.js): the page's, the one picked in the
   language menu (kept with the contact, PUT .../language), or the one the server says the
   conversation is held in; every text here goes through `t`.
   A customer signed in on the host page is named by the identity token its server signed
   (widget.js hands it over, and any later change, with "baton:identity"): the chat sends it
   when it starts a conversation, skips the pre-chat form's name and email (the website
   vouches for them), and shows a stored conversation only to the customer it was started
   for. */
"use strict";

(function () {
  const root = document.getElementById("chat");
  const inbox = root.dataset.inbox;
  const embedded = root.dataset.embed === "true";
  const maxChars = Number(root.dataset.maxChars) || 5000;
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
  const lengthNote = document.getElementById("chat-length");
  const Settings = window.BatonChatSettings;
  const Files = window.BatonChatAttachments;
  const attach = document.getElementById("chat-attach");
  const fileInput = document.getElementById("chat-file");
  const prechat = document.getElementById("prechat");
  const prechatError = document.getElementById("prechat-error");
  const topics = document.getElementById("topics");
  const agentTyping = document.getElementById("agent-typing");
  const avatar = document.getElementById("chat-avatar");
  const disclosure = document.getElementById("ai-disclosure");
  const EVENT_TYPES = root.dataset.eventTypes.split(",").filter(Boolean);
  const I18n = window.BatonI18n;
  const t = I18n.t;
  const languageMenu = document.getElementById("chat-language");
  const languageKey = storageKey + ".language";
  const shown = new Set();
  let state = loadLocal();
  let lastId = 0;
  let stream = null;
  let score = 0;
  // The host page that keeps the session for us: learnt from its first message (widget.js).
  let hostOrigin = null;
  let config = JSON.parse(root.dataset.config || "{}");
  let agent = null;
  // Inside the widget the host page says whether the frame is open: only then has the
  // customer seen what arrives (an unseen agent reply may be emailed to them).
  let open = !embedded;
  let seenId = 0;
  let queuePosition = null;
  // The language the customer picked in the menu before the conversation started.
  let pickedLanguage = loadPickedLanguage();
  // The identity token of the customer the host page says is signed in (none: anonymous).
  let identityToken = null;
  // A stored conversation of someone the page does not name now (a signed-in customer's on a
  // page where no one is signed in, or the reverse): not shown, but kept until a new
  // conversation replaces it, so a page that names its customer late still finds theirs.
  let kept = null;

  function loadLocal() {
    try { return JSON.parse(localStorage.getItem(storageKey)) || null; } catch (e) { return null; }
  }
  function loadPickedLanguage() {
    try { return localStorage.getItem(languageKey) || null; } catch (e) { return null; }
  }
  function savePickedLanguage(code) {
    try { localStorage.setItem(languageKey, code); } catch (e) { /* storage blocked */ }
  }
  function save() {
    try {
      if (state) localStorage.setItem(storageKey, JSON.stringify(state));
      else localStorage.removeItem(storageKey);
    } catch (e) { /* storage blocked: the host page keeps it, below */ }
    if (hostOrigin) window.parent.postMessage({ type: "baton:session-save", inbox, session: state }, hostOrigin);
  }

  // Inside the widget, ask the host page for the session it keeps; a page without widget.js
  // (or a standalone chat) does not answer, and the chat goes on with what it has.
  function sessionFromHost() {
    if (!embedded || window.parent === window) return Promise.resolve(null);
    return new Promise((resolve) => {
      const timer = setTimeout(() => { window.removeEventListener("message", onMessage); resolve(null); }, 1500);
      function onMessage(event) {
        if (event.source !== window.parent || !event.data || event.data.type !== "baton:session") return;
        clearTimeout(timer);
        window.removeEventListener("message", onMessage);
        hostOrigin = event.origin;
        identityToken = typeof event.data.identityToken === "string" && event.data.identityToken ? event.data.identityToken : null;
        const session = event.data.session;
        resolve(session && session.token && session.conversationId ? session : null);
      }
      window.addEventListener("message", onMessage);
      // Nothing secret in this message: the host page answers only to Baton's origin.
      window.parent.postMessage({ type: "baton:ready", inbox }, "*");
    });
  }

  // Whom an identity token names: its external_id, read without checking the signature (the
  // server checks it when the conversation starts; here it only tells customers apart). A
  // token that cannot be read names no one else, and the server refuses it.
  function identityOf(token) {
    if (!token) return null;
    try {
      const body = token.split(".")[0].replace(/-/g, "+").replace(/_/g, "/");
      const claims = JSON.parse(atob(body + "=".repeat((4 - (body.length % 4)) % 4)));
      if (claims && typeof claims.external_id === "string") return claims.external_id;
    } catch (e) { /* unreadable: below */ }
    return "unreadable:" + token;
  }
  // Whom a stored conversation belongs to (sessions kept before identity tokens: anonymous).
  function ownerOf(session) {
    return (session && session.identity) || null;
  }

  async function call(method, path, body) {
    const headers = { Accept: "application/json" };
    if (state && state.token) headers.Authorization = "Bearer " + state.token;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    let response;
    try {
      response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    } catch (e) {
      // fetch says "Failed to fetch" (or "Load failed"): not words for a customer.
      const error = new Error(t("We could not reach the chat service. Check your connection and try again."));
      error.network = true;
      throw error;
    }
    const data = await response.json().catch(() => null);
    if (!response.ok) {
      const error = new Error((data && data.error && data.error.message) || t("Something went wrong."));
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

  // An element showing a fixed text, translated again if the language changes.
  function fixedText(tag, className, english) {
    const node = el(tag, className, t(english));
    node.dataset.i18n = english;
    return node;
  }

  // Error codes the chat words itself; other errors show the server's message.
  function describe(error) {
    if (error.network) return error.message;
    const known = {
      rate_limited: t("Too many messages in a short time. Please wait a minute and try again."),
      consent_required: t("Please agree to the privacy notice to start the chat."),
      prechat_required: t("Please fill in the form above to start the chat."),
      invalid_identity: t("We could not confirm that you are signed in, so the chat could not start. Please reload the page or sign in again."),
      token_expired: t("Your sign-in has expired, so the chat could not start. Please reload the page."),
    }[error.code];
    return known || error.message;
  }

  // Quick replies belong to the latest message only: once anything newer arrives they go.
  function clearQuickReplies() {
    document.querySelectorAll(".quick-replies").forEach((n) => n.remove());
  }

  function quickReplies(choices) {
    const group = el("div", "quick-replies");
    group.setAttribute("role", "group");
    group.setAttribute("aria-label", t("Choose one"));
    group.dataset.i18nAriaLabel = "Choose one";
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

  // "Did this answer your question? Yes / No" under each answer of the bot, asked once: only
  // the answer's id and the verdict are sent. What the customer said is kept with the
  // session, so a reload thanks instead of asking again.
  function answerThanks(helpful) {
    const thanks = helpful
      ? fixedText("p", "answer-thanks", "Thanks for letting us know.")
      : fixedText("p", "answer-thanks", "Thanks for letting us know. You can ask in other words, or talk to a person.");
    thanks.setAttribute("role", "status");
    return thanks;
  }

  function answerFeedback(messageId) {
    const given = state && state.feedback ? state.feedback[messageId] : undefined;
    if (given !== undefined) return answerThanks(given);
    const group = el("div", "answer-feedback");
    group.setAttribute("role", "group");
    const question = fixedText("span", "answer-question", "Did this answer your question?");
    question.id = "answer-question-" + messageId;
    group.setAttribute("aria-labelledby", question.id);
    group.append(question);
    const buttons = [[t("Yes"), "Yes", true], [t("No"), "No", false]].map(([label, english, helpful]) => {
      const button = el("button", "answer-verdict", label);
      button.dataset.i18n = english;
      button.type = "button";
      button.addEventListener("click", () => sendFeedback(messageId, helpful, group, buttons));
      group.append(button);
      return button;
    });
    return group;
  }

  async function sendFeedback(messageId, helpful, group, buttons) {
    showError("");
    buttons.forEach((b) => { b.disabled = true; });
    try {
      await call("PUT", "/api/v1/widget/conversations/" + state.conversationId + "/messages/" + messageId + "/feedback", { helpful });
    } catch (error) {
      buttons.forEach((b) => { b.disabled = false; });
      showError(error.network ? error.message : t("Your answer was not sent.") + " " + describe(error));
      return;
    }
    state.feedback = Object.assign({}, state.feedback, { [messageId]: helpful });
    save();
    group.replaceWith(answerThanks(helpful));
    // The pressed button is gone: keep keyboard focus in the chat.
    input.focus();
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
    if (message.sender_type === "bot") item.append(fixedText("span", "who", "AI assistant"));
    else if (message.sender_type === "agent" && message.sender_name) item.append(el("span", "who", message.sender_name));
    else if (message.sender_type === "agent") item.append(fixedText("span", "who", "Support team"));
    if (message.sender_type === "agent") agentTyping.hidden = true;
    topics.hidden = true;
    let body = message.body;
    const sources = message.sources || [];
    // The bot's text ends with a line naming its source ("Source: ...", "Fuente: ...", in
    // the language of the reply); the citation below shows it properly.
    for (const s of sources) {
      const cut = body.lastIndexOf("\n\n");
      const tail = cut >= 0 ? body.slice(cut + 2) : "";
      if (s.title && tail.endsWith(s.title) && tail.length - s.title.length <= 24) body = body.slice(0, cut);
    }
    const bubble = el("div", "bubble");
    if (message.sender_type === "bot" && window.BatonMarkdown) {
      bubble.classList.add("rich");
      bubble.append(window.BatonMarkdown.render(body));
    } else bubble.textContent = body;
    // A file sent alone has no words to show.
    if (body) item.append(bubble);
    if ((message.attachments || []).length) item.append(Files.render(message.attachments, state.token));
    if (sources.length) {
      const cite = el("div", "sources");
      cite.append(fixedText("span", "", "Source:"), " ");
      sources.forEach((s, i) => {
        if (i) cite.append(", ");
        if (s.url) {
          const a = el("a", "", s.title || s.slug);
          a.href = s.url; a.target = "_blank"; a.rel = "noopener";
          cite.append(a);
        } else cite.append(el("cite", "", s.title || s.slug));
      });
      item.append(cite);
      if (message.sender_type === "bot" && message.kind === "answer") item.append(answerFeedback(message.id));
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

  function showAgent(status, person) {
    if (status !== "assigned") agent = null;
    else if (person) agent = person;
    const human = status === "assigned";
    avatar.textContent = human && agent ? agent.initials : "AI";
    avatar.classList.toggle("ai", !(human && agent));
    disclosure.hidden = human;
  }

  function stateText(status) {
    if (status === "bot") return t("AI assistant · answers instantly");
    if (status === "queued") return t("AI assistant · a person will join soon");
    if (status === "assigned") {
      return agent ? t("You are chatting with {name}", { name: agent.name }) : t("You are chatting with our support team");
    }
    if (status === "resolved") return t("This conversation is closed");
    return "";
  }

  function setStatus(status, position, person) {
    root.dataset.status = status;
    queuePosition = position || null;
    showAgent(status, person);
    const queued = status === "queued";
    waiting.hidden = !queued;
    if (queued) {
      waiting.textContent = position
        ? t("Waiting for a person — you are number {position} in the queue. You can keep writing.", { position })
        : t("Waiting for a person. You can keep writing.");
    }
    stateLine.textContent = stateText(status);
    handoff.hidden = status !== "bot" || gated();
    const isRated = state && state.rated === state.conversationId;
    // Writing again after "resolved" reopens the conversation; the rating of the resolved
    // part stays on offer until it is sent.
    if (status === "resolved" && state && !isRated && state.awaitingRating !== state.conversationId) {
      state.awaitingRating = state.conversationId;
      save();
    }
    const awaiting = state && !isRated && state.awaitingRating === state.conversationId;
    rating.hidden = !(status === "resolved" || awaiting) || isRated;
    // The thanks stays until the conversation is resolved again or the customer writes: a
    // reply arriving after the rating of a reopened conversation must not hide it.
    const justRated = isRated && state.awaitingRating === state.conversationId;
    rated.hidden = !(isRated && (status === "resolved" || justRated));
    // Banners and the rating take room from the log: keep the latest message in view.
    log.scrollTop = log.scrollHeight;
  }

  // The browser's language the chat speaks: its first preference among the chat's languages.
  function browserLocale() {
    const offered = (config.languages || []).map((l) => l.code);
    const preferences = navigator.languages && navigator.languages.length ? navigator.languages : [navigator.language || "en"];
    const spoken = preferences.find((tag) => offered.includes(String(tag).split("-")[0].toLowerCase()));
    return String(spoken || preferences[0] || "en").slice(0, 35);
  }

  async function start(details) {
    state = null;
    const token = identityToken;
    const body = Object.assign({ locale: browserLocale() }, pickedLanguage ? { language: pickedLanguage } : {},
      token ? { identity_token: token } : {}, details || {});
    let data;
    try {
      data = await call("POST", "/api/v1/widget/inboxes/" + encodeURIComponent(inbox) + "/conversations", body);
    } catch (error) {
      // The website's developer needs to know why; the customer sees describe()'s words.
      if (token && hostOrigin && (error.code === "invalid_identity" || error.code === "token_expired")) {
        window.parent.postMessage({ type: "baton:identity-refused", inbox, code: error.code }, hostOrigin);
      }
      throw error;
    }
    // The customer changed on the host page while this was on its way: theirs is not this one.
    if (token !== identityToken) throw new Error(t("Something went wrong."));
    state = { token: data.visitor_token, conversationId: data.conversation_id, identity: identityOf(token) };
    kept = null;
    save();
    listen();
    gate();
    followLanguage(data.language);
  }

  async function catchUp() {
    if (!state) return;
    const session = state;
    const data = await call("GET", "/api/v1/widget/conversations/" + state.conversationId + "?after=" + lastId);
    if (state !== session) return; // another customer's chat now
    data.messages.forEach(render);
    setStatus(data.status, data.queue_position, data.agent);
    reportSeen();
    followLanguage(data.language);
  }

  // --- the language: the page's, the customer's pick, or the conversation's ------------------

  async function showLanguage(code) {
    if (!code || code === I18n.language()) return;
    try {
      const catalogue = code === "en" ? {} : (await call("GET", "/api/v1/widget/texts/" + encodeURIComponent(code))).texts;
      I18n.use(code, catalogue);
    } catch (e) {
      return; // keep the texts the chat has
    }
    languageMenu.value = code;
    refreshConfig();
  }

  // The server says which language the conversation is held in (it weighs the customer's
  // pick, the identity token, the browser and their messages): the chat follows it.
  function followLanguage(code) {
    if (code) showLanguage(code);
  }

  languageMenu.addEventListener("change", async () => {
    const code = languageMenu.value;
    pickedLanguage = code;
    savePickedLanguage(code);
    showError("");
    try {
      if (state) await call("PUT", "/api/v1/widget/conversations/" + state.conversationId + "/language", { language: code });
    } catch (error) {
      showError(describe(error));
    }
    await showLanguage(code);
  });

  function ratingLabels() {
    const labels = [t("Very unhappy"), t("Unhappy"), t("Okay"), t("Happy"), t("Very happy")];
    document.querySelectorAll(".rate").forEach((button) => {
      const score = Number(button.dataset.score);
      button.setAttribute("aria-label", t("{score} of 5: {label}", { score, label: labels[score - 1] }));
    });
  }

  // Texts the scripts wrote, in the new language (i18n.js redoes those marked data-i18n).
  I18n.onChange(() => {
    setStatus(root.dataset.status || "bot", queuePosition, agent);
    ratingLabels();
    if (lengthNote.textContent) checkLength();
    if (!agentTyping.hidden) agentTyping.hidden = true;
  });

  // --- the account's settings, the pre-chat form and consent --------------------------------

  // What the chat asks before it starts: for a signed-in customer the website vouches for
  // their name and email, so only the consent (when the account asks for it) remains.
  function startConfig() {
    return identityToken ? Object.assign({}, config, { prechat_form: "off" }) : config;
  }

  function gated() {
    return !state && Settings.needsStartForm(startConfig());
  }

  // Before the conversation starts, the pre-chat form (and consent) stands in for the message
  // box when the account asks for them.
  function gate() {
    const closedForm = gated();
    prechat.hidden = !closedForm;
    form.hidden = closedForm;
    handoff.hidden = closedForm || (root.dataset.status || "bot") !== "bot";
    topics.hidden = closedForm || lastId > 0 || !(config.suggested_topics || []).length;
  }

  function applyConfig() {
    Settings.apply(startConfig(), { onTopic: (topic) => { if (!gated()) send(topic); } });
    gate();
    if (embedded && window.parent !== window) {
      // Not secret: the host page paints its chat button to match (widget.js).
      window.parent.postMessage({ type: "baton:appearance", inbox, color: config.brand_color,
        text: Settings.textOn(config.brand_color), position: config.position }, "*");
    }
  }

  async function refreshConfig() {
    try {
      config = await call("GET", "/api/v1/widget/inboxes/" + encodeURIComponent(inbox) + "/settings?language=" + encodeURIComponent(I18n.language()));
      applyConfig();
    } catch (e) { /* keep what the page has */ }
  }

  prechat.addEventListener("submit", async (event) => {
    event.preventDefault();
    prechatError.hidden = true;
    const problem = Settings.prechatProblem(startConfig());
    if (problem) {
      prechatError.textContent = problem[1];
      prechatError.hidden = false;
      problem[0].setAttribute("aria-invalid", "true");
      problem[0].focus();
      return;
    }
    prechat.querySelectorAll("[aria-invalid]").forEach((n) => n.removeAttribute("aria-invalid"));
    const button = document.getElementById("prechat-start");
    button.disabled = true;
    try {
      await start(Settings.prechatAnswers(startConfig()));
      setStatus("bot");
      input.focus();
    } catch (error) {
      prechatError.textContent = error.network ? error.message : t("The chat could not start.") + " " + describe(error);
      prechatError.hidden = false;
    } finally {
      button.disabled = false;
    }
  });

  // --- typing, both ways, and what the customer has seen ------------------------------------

  let typingSentAt = 0;
  let typingStopTimer = null;
  // Only the fact of typing is sent, at most every 3 seconds; never the text.
  function typingChanged(typing) {
    if (!state) return;
    const now = Date.now();
    clearTimeout(typingStopTimer);
    if (typing) {
      typingStopTimer = setTimeout(() => typingChanged(false), 5000);
      if (now - typingSentAt < 3000) return;
      typingSentAt = now;
    } else {
      if (!typingSentAt) return;
      typingSentAt = 0;
    }
    call("POST", "/api/v1/widget/conversations/" + state.conversationId + "/typing", { typing }).catch(() => null);
  }

  let agentTypingTimer = null;
  function onTyping(notice) {
    if (!notice || notice.sender !== "agent") return;
    clearTimeout(agentTypingTimer);
    agentTyping.textContent = notice.name ? t("{name} is typing…", { name: notice.name }) : t("Our support team is typing…");
    agentTyping.hidden = !notice.typing;
    // A lost "stopped" must not leave the line up for ever.
    if (notice.typing) agentTypingTimer = setTimeout(() => { agentTyping.hidden = true; }, 8000);
  }

  function reportSeen() {
    if (!state || !open || document.visibilityState !== "visible" || lastId <= seenId) return;
    seenId = lastId;
    call("POST", "/api/v1/widget/conversations/" + state.conversationId + "/seen", { message_id: lastId })
      .catch(() => { seenId = 0; });
  }

  // Server-Sent Events read with fetch, so the visitor token goes in the Authorization header
  // (EventSource can only put it in the URL, where logs, proxies and history keep it).
  function listen() {
    if (stream || !state || !window.ReadableStream) return;
    const controller = new AbortController();
    stream = controller;
    const onEvent = () => catchUp().catch(() => null);
    const conversationId = state.conversationId;
    let retryMs = 1000;
    async function run() {
      while (stream === controller && state && state.conversationId === conversationId) {
        try {
          const response = await fetch("/api/v1/widget/conversations/" + conversationId + "/stream", {
            headers: { Accept: "text/event-stream", Authorization: "Bearer " + state.token },
            signal: controller.signal,
          });
          if (response.status === 401 || response.status === 404) break;
          if (!response.ok || !response.body) throw new Error("stream refused");
          retryMs = 1000;
          await readEvents(response.body, (type, data) => {
            if (type === "typing") onTyping(parse(data));
            else if (type === "widget.settings_changed") refreshConfig();
            else if (type === "ready" || type === "message" || EVENT_TYPES.includes(type)) onEvent();
          });
        } catch (e) {
          if (controller.signal.aborted) return;
        }
        await new Promise((resolve) => setTimeout(resolve, retryMs));
        retryMs = Math.min(retryMs * 2, 30000);
      }
      if (stream === controller) stream = null;
    }
    run();
  }

  function parse(data) {
    try { return JSON.parse(data); } catch (e) { return null; }
  }

  async function readEvents(body, onEvent) {
    const reader = body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value.replace(/\r\n?/g, "\n");
      let end;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        let type = "message";
        let data = null;
        for (const line of block.split("\n")) {
          if (line.startsWith("event:")) type = line.slice(6).trim();
          else if (line.startsWith("data:")) data = (data === null ? "" : data + "\n") + line.slice(5).trim();
        }
        if (data !== null) onEvent(type, data);
      }
    }
  }

  async function send(text, choice) {
    showError("");
    clearQuickReplies();
    typingChanged(false);
    if (state && state.rated === state.conversationId && state.awaitingRating) {
      state.awaitingRating = null;  // the thanks for the rating has been seen
      save();
    }
    renderPending(text);
    const botOwns = !state || root.dataset.status === "bot" || root.dataset.status === "resolved";
    typing.hidden = !botOwns;
    try {
      if (!state) await start();
      const session = state;
      const body = choice ? { body: text, choice } : { body: text };
      const turn = await call("POST", "/api/v1/widget/conversations/" + state.conversationId + "/messages", body);
      if (state !== session) return; // another customer's chat now
      render(turn.message);
      if (turn.reply) render(turn.reply);
      setStatus(turn.status, turn.queue_position, turn.agent);
      reportSeen();
    } catch (error) {
      document.querySelectorAll(".msg.pending").forEach((n) => n.remove());
      input.value = text;
      // The account started asking for consent or details since this page loaded.
      if (error.code === "consent_required" || error.code === "prechat_required") await refreshConfig();
      showError(error.code === "message_too_long" ? tooLong(text) || error.message
        : error.network ? error.message : t("Your message was not sent.") + " " + describe(error));
    } finally {
      typing.hidden = true;
    }
  }

  // The paperclip: the file is sent at once, as a message of its own.
  async function sendFile(file) {
    showError("");
    typingChanged(false);
    const pending = el("li", "msg from-customer pending");
    pending.append(el("div", "bubble", "Sending " + file.name + "…"));
    log.append(pending);
    log.scrollTop = log.scrollHeight;
    attach.disabled = true;
    try {
      if (!state) await start();
      const turn = await Files.upload(state.conversationId, state.token, file);
      render(turn.message);
      if (turn.reply) render(turn.reply);
      setStatus(turn.status, turn.queue_position, turn.agent);
      reportSeen();
    } catch (error) {
      if (error.code === "consent_required" || error.code === "prechat_required") await refreshConfig();
      showError(error.network ? error.message : "Your file was not sent: " + error.message);
    } finally {
      pending.remove();
      attach.disabled = false;
      fileInput.value = "";
    }
  }
  attach.addEventListener("click", () => fileInput.click());
  fileInput.addEventListener("change", () => {
    if (fileInput.files && fileInput.files[0]) sendFile(fileInput.files[0]);
  });

  // The box takes a pasted text whole (a maxlength would cut it silently); a text over the
  // limit is kept for the customer to shorten, with the numbers, and is not sent.
  function tooLong(text) {
    const number = (n) => n.toLocaleString(I18n.language());
    return text.length > maxChars
      ? t("Your message has {count} characters; the limit is {limit}. Please shorten it or send it in parts.",
        { count: number(text.length), limit: number(maxChars) })
      : "";
  }
  function checkLength() {
    const problem = tooLong(input.value.trim());
    lengthNote.textContent = problem;
    lengthNote.hidden = !problem;
    input.setAttribute("aria-invalid", problem ? "true" : "false");
    return problem;
  }
  input.addEventListener("input", checkLength);
  input.addEventListener("input", () => typingChanged(!!input.value.trim()));

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    if (checkLength()) { input.focus(); return; }
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
      setStatus(data.status, data.queue_position, data.agent);
      await catchUp();
    } catch (error) {
      showError(error.network ? error.message : t("We could not reach the team.") + " " + describe(error));
    } finally {
      handoff.disabled = false;
      // The button hides once a person is on the way: keep keyboard focus in the chat.
      if (handoff.hidden) input.focus();
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
        showError(error.network ? error.message : t("Your rating was not sent.") + " " + describe(error));
        sendRating.disabled = false;
        return;
      }
    }
    state.rated = state.conversationId;
    save();
    rating.hidden = true;
    rated.hidden = false;
  });

  function closeWidget() {
    window.parent.postMessage({ type: "baton:close" }, "*");
  }
  const close = document.getElementById("chat-close");
  if (close) close.addEventListener("click", closeWidget);
  // Keys pressed in the frame never reach the host page: Escape is relayed from here.
  if (embedded) {
    document.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && !event.defaultPrevented) closeWidget();
    });
  }

  // The host page says when the widget opens or closes: settings are read again on opening.
  window.addEventListener("message", (event) => {
    if (event.source !== window.parent || !event.data || event.data.type !== "baton:visibility") return;
    open = !!event.data.open;
    if (open) { refreshConfig(); reportSeen(); }
  });
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState !== "visible") return;
    if (!embedded) refreshConfig();
    reportSeen();
  });

  // --- who the chat is for: the host page's signed-in customer, or an anonymous visitor -------

  // Empty the chat of the conversation it shows (the customer changed): its messages, the
  // live stream, the banners; the greeting stays.
  function clearChat() {
    const controller = stream;
    stream = null;
    if (controller) controller.abort();
    log.querySelectorAll(".msg:not(.intro)").forEach((n) => n.remove());
    clearQuickReplies();
    shown.clear();
    lastId = 0;
    seenId = 0;
    agent = null;
    typing.hidden = true;
    agentTyping.hidden = true;
    input.value = "";
    showError("");
    checkLength();
    setStatus("bot");
    gate();
  }

  // Resume a conversation: a token that no longer works starts afresh.
  function resume() {
    if (!state) return;
    catchUp().then(listen).catch((error) => {
      if (error.status === 401 || error.status === 404) {
        state = null;
        save();
        gate();
      }
    });
  }

  // Show the stored conversation only to the customer it was started for. `logout`: the
  // customer signed out on the host page, so their conversation is forgotten on this browser.
  function followIdentity(token, logout) {
    const wanted = identityOf(token);
    identityToken = token;
    const candidate = state || kept;
    const shownBefore = state;
    if (logout) {
      kept = null;
      state = null;
      save();
    } else if (candidate && ownerOf(candidate) === wanted) {
      state = candidate;
      kept = null;
    } else if (candidate && ownerOf(candidate) && wanted) {
      // Another signed-in customer: the previous one's conversation is not theirs to see.
      kept = null;
      state = null;
      save();
    } else {
      kept = candidate;
      state = null;
    }
    if (state === shownBefore) {
      applyConfig(); // the pre-chat form differs for signed-in customers
      return;
    }
    if (shownBefore) clearChat();
    applyConfig();
    resume();
  }

  // The host page (widget.js) says the signed-in customer changed.
  window.addEventListener("message", (event) => {
    if (event.source !== window.parent || !event.data || event.data.type !== "baton:identity") return;
    if (hostOrigin && event.origin !== hostOrigin) return;
    const token = typeof event.data.identityToken === "string" && event.data.identityToken ? event.data.identityToken : null;
    followIdentity(token, !!event.data.logout);
  });

  setStatus("bot");
  applyConfig();
  // A language picked before the conversation started (the server keeps it once it has).
  if (pickedLanguage) showLanguage(pickedLanguage);
  sessionFromHost().then((hosted) => {
    if (!state && hosted) state = hosted;
    else if (state && hostOrigin) save(); // the host page learns what the frame kept
    const loaded = state;
    state = null;
    kept = loaded;
    followIdentity(identityToken, false);
    gate();
  });
})();
