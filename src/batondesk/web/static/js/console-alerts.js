/* Agents' alerts in the console: the unread count in the page title, an optional sound,
   desktop notifications (asked with a button, never on page load), and typing indicators
   both ways ("The customer is typing…" here; this agent's typing to the customer's chat).
   It hears the live stream through console.js ("baton:live" DOM events). Alerts name
   conversations by number only: no message text or customer data leaves the page. */
"use strict";

(function () {
  const root = document.getElementById("workspace");
  if (!root) return;
  const { api } = window.Baton;
  const me = Number(root.dataset.me);
  const canWrite = root.dataset.canWrite === "true";
  const current = root.dataset.conversation ? Number(root.dataset.conversation) : null;
  const baseTitle = document.title;
  const UNREAD_KEY = "baton.console.unread";
  const SOUND_KEY = "baton.console.sound";
  const DESKTOP_KEY = "baton.console.desktop";
  const soundButton = document.getElementById("alert-sound");
  const desktopButton = document.getElementById("alert-desktop");

  function read(storage, key, fallback) {
    try { return JSON.parse(storage.getItem(key)) || fallback; } catch (e) { return fallback; }
  }
  function write(storage, key, value) {
    try { storage.setItem(key, JSON.stringify(value)); } catch (e) { /* private mode */ }
  }

  // --- unread count in the title ---------------------------------------------------------------

  // Conversation id -> customer messages and hand-overs not yet looked at (this tab session).
  const unread = read(sessionStorage, UNREAD_KEY, {});

  function showTitle() {
    const count = Object.values(unread).reduce((sum, n) => sum + n, 0);
    document.title = count ? "(" + count + ") " + baseTitle : baseTitle;
  }

  function looking(id) {
    return id === current && document.visibilityState === "visible" && document.hasFocus();
  }

  function markRead() {
    if (current && unread[current] && looking(current)) {
      delete unread[current];
      write(sessionStorage, UNREAD_KEY, unread);
      showTitle();
    }
  }

  // A hand-over waits for anyone; a customer's message matters in the queue or when it is mine.
  function needsAttention(type, data) {
    if (type === "conversation.escalated") return true;
    if (type !== "message.received") return false;
    return data.status === "queued" || (data.status === "assigned" && data.assignee_id === me);
  }

  // --- sound -------------------------------------------------------------------------------

  let soundOn = read(localStorage, SOUND_KEY, false) === true;
  let audio = null;
  function showSound() {
    soundButton.setAttribute("aria-pressed", soundOn ? "true" : "false");
    soundButton.textContent = soundOn ? "Sound on" : "Sound off";
  }
  soundButton.addEventListener("click", () => {
    soundOn = !soundOn;
    write(localStorage, SOUND_KEY, soundOn);
    showSound();
    if (soundOn) ring();  // browsers let a page play sound after a click: this one
  });
  function ring() {
    if (!soundOn || !window.AudioContext) return;
    try {
      audio = audio || new AudioContext();
      const tone = audio.createOscillator();
      const volume = audio.createGain();
      tone.frequency.value = 880;
      volume.gain.value = 0.06;
      tone.connect(volume).connect(audio.destination);
      tone.start();
      tone.stop(audio.currentTime + 0.15);
    } catch (e) { /* no audio device */ }
  }

  // --- desktop notifications -----------------------------------------------------------------

  const supported = "Notification" in window;
  let desktopOn = read(localStorage, DESKTOP_KEY, false) === true;
  function showDesktop() {
    if (!supported) return;
    desktopButton.hidden = false;
    const permission = Notification.permission;
    const on = desktopOn && permission === "granted";
    desktopButton.setAttribute("aria-pressed", on ? "true" : "false");
    desktopButton.disabled = permission === "denied";
    desktopButton.textContent = permission === "denied" ? "Desktop notifications blocked"
      : on ? "Desktop notifications on" : "Turn on desktop notifications";
    desktopButton.title = permission === "denied"
      ? "Allow notifications for this site in the browser's settings, then reload." : "";
  }
  desktopButton.addEventListener("click", async () => {
    if (desktopOn && Notification.permission === "granted") {
      desktopOn = false;
    } else {
      // The browser asks the agent only now, after their click.
      const answer = await Notification.requestPermission();
      desktopOn = answer === "granted";
    }
    write(localStorage, DESKTOP_KEY, desktopOn);
    showDesktop();
  });
  function notifyDesktop(type, data) {
    if (!supported || !desktopOn || Notification.permission !== "granted") return;
    const title = type === "conversation.escalated" ? "A customer is waiting" : "New message from a customer";
    const note = new Notification(title, { body: "Conversation #" + data.conversation_id, tag: "baton-" + data.conversation_id });
    note.onclick = () => {
      window.focus();
      window.location.href = "/console/conversations/" + data.conversation_id;
    };
  }

  // --- typing ------------------------------------------------------------------------------

  let customerTyping = null;
  let customerTypingTimer = null;
  function showCustomerTyping(typing) {
    const messages = document.getElementById("messages");
    if (!messages) return;
    if (!customerTyping) {
      customerTyping = document.createElement("p");
      customerTyping.id = "customer-typing";
      customerTyping.className = "customer-typing muted small";
      customerTyping.setAttribute("aria-live", "polite");
      customerTyping.textContent = "The customer is typing…";
      messages.after(customerTyping);
    }
    clearTimeout(customerTypingTimer);
    customerTyping.hidden = !typing;
    // A lost "stopped" must not leave the line up for ever.
    if (typing) customerTypingTimer = setTimeout(() => { customerTyping.hidden = true; }, 8000);
  }

  function setupTypingOut() {
    const composer = document.getElementById("composer");
    const text = document.getElementById("composer-text");
    if (!current || !canWrite || !composer || !text) return;
    let sentAt = 0;
    let stopTimer = null;
    const replying = () => (composer.querySelector('input[name="mode"]:checked') || {}).value !== "note";
    // Only the fact of typing a reply is sent, at most every 3 seconds; a private note never.
    function typing(on) {
      clearTimeout(stopTimer);
      if (on) {
        stopTimer = setTimeout(() => typing(false), 5000);
        if (Date.now() - sentAt < 3000) return;
        sentAt = Date.now();
      } else {
        if (!sentAt) return;
        sentAt = 0;
      }
      api("POST", "/api/v1/conversations/" + current + "/typing", { typing: on }).catch(() => null);
    }
    text.addEventListener("input", () => typing(replying() && !!text.value.trim()));
    composer.addEventListener("change", () => { if (!replying()) typing(false); });
    composer.addEventListener("submit", () => typing(false));
  }

  // --- the stream ----------------------------------------------------------------------------

  document.addEventListener("baton:live", (event) => {
    const { type, data } = event.detail;
    if (!data || !data.conversation_id) return;
    if (type === "typing") {
      if (data.sender === "customer" && data.conversation_id === current) showCustomerTyping(!!data.typing);
      return;
    }
    if (type === "message.received" && data.conversation_id === current) showCustomerTyping(false);
    if (!needsAttention(type, data) || looking(data.conversation_id)) return;
    unread[data.conversation_id] = (unread[data.conversation_id] || 0) + 1;
    write(sessionStorage, UNREAD_KEY, unread);
    showTitle();
    ring();
    notifyDesktop(type, data);
  });
  document.addEventListener("visibilitychange", markRead);
  window.addEventListener("focus", markRead);

  showSound();
  showDesktop();
  markRead();
  showTitle();
  setupTypingOut();
})();
