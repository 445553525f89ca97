/* Baton chat widget. Embed with one tag:
   <script src="https://support.example.com/widget.js" data-inbox="INBOX_ID" async></script>
   It adds a chat button; the chat runs in a frame served by Baton, so the host page's styles
   and scripts cannot interfere with it (and it cannot read the host page).
   Browsers that block third-party storage (Safari, private windows, strict tracking
   protection) give that frame no storage, so this page keeps the chat's session (visitor
   token and conversation id) in its own localStorage and hands it back to the frame after a
   reload, over postMessage and only to Baton's origin.
   The chat tells this page the account's colour and corner ("baton:appearance"), and this
   page tells the chat when it opens or closes ("baton:visibility"): the chat reads its
   settings again on opening, and knows what the customer has really seen. */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || window.BatonWidget) return;
  var inbox = script.getAttribute("data-inbox");
  if (!inbox) { console.warn("Baton widget: data-inbox is missing"); return; }
  var origin = new URL(script.src, location.href).origin;
  var label = script.getAttribute("data-label") || "Chat with us";
  var sessionKey = "baton.chat." + inbox;
  var open = false;
  var side = "right";

  function savedSession() {
    try { return JSON.parse(localStorage.getItem(sessionKey)) || null; } catch (e) { return null; }
  }
  function keepSession(session) {
    try {
      if (session) localStorage.setItem(sessionKey, JSON.stringify(session));
      else localStorage.removeItem(sessionKey);
    } catch (e) { /* storage off here too: the chat resumes only while the page stays open */ }
  }

  function style(node, rules) { for (var k in rules) node.style[k] = rules[k]; }

  var button = document.createElement("button");
  button.type = "button";
  button.id = "baton-widget-button";
  button.setAttribute("aria-expanded", "false");
  button.setAttribute("aria-controls", "baton-widget-frame");
  button.textContent = label;
  style(button, {
    position: "fixed", right: "20px", bottom: "20px", zIndex: "2147483000", border: "0",
    borderRadius: "28px", padding: "14px 20px", background: "#1d4ed8", color: "#fff",
    font: "600 15px system-ui, -apple-system, Segoe UI, Roboto, sans-serif", cursor: "pointer",
    boxShadow: "0 6px 20px rgba(15, 27, 61, .3)",
  });

  var frame = document.createElement("iframe");
  frame.id = "baton-widget-frame";
  frame.title = "Chat";
  frame.src = origin + "/chat/" + encodeURIComponent(inbox) + "?embed=1";
  frame.setAttribute("allow", "clipboard-write");
  frame.hidden = true;

  // The frame's own backdrop while the chat loads, in the visitor's scheme as the chat is.
  var darkScheme = window.matchMedia ? window.matchMedia("(prefers-color-scheme: dark)") : null;

  function layout() {
    var backdrop = darkScheme && darkScheme.matches ? "#171d2b" : "#fff";
    var phone = window.innerWidth < 520;
    var other = side === "left" ? "right" : "left";
    var corner = {};
    corner[side] = "20px";
    corner[other] = "auto";
    style(button, corner);
    style(frame, phone
      ? { position: "fixed", inset: "0", width: "100%", height: "100%", border: "0", borderRadius: "0",
          zIndex: "2147483001", background: backdrop }
      : { position: "fixed", inset: "auto", bottom: "88px", width: "380px", height: "min(620px, calc(100vh - 110px))",
          border: "0", borderRadius: "14px", zIndex: "2147483001", background: backdrop,
          boxShadow: "0 12px 40px rgba(15, 27, 61, .28)" });
    if (!phone) style(frame, corner);
  }

  function tellFrame() {
    if (frame.contentWindow) frame.contentWindow.postMessage({ type: "baton:visibility", open: open }, origin);
  }

  var HEX = /^#[0-9a-f]{6}$/i;
  function appearance(data) {
    if (HEX.test(data.color || "") && HEX.test(data.text || "")) style(button, { background: data.color, color: data.text });
    if (data.position === "left" || data.position === "right") side = data.position;
    layout();
  }

  function toggle(next) {
    open = next;
    frame.hidden = !open;
    button.setAttribute("aria-expanded", open ? "true" : "false");
    button.textContent = open ? "Close chat" : label;
    try { sessionStorage.setItem("baton.widget.open", open ? "1" : ""); } catch (e) { /* private mode */ }
    tellFrame();
    if (open) frame.focus();
    else button.focus();
  }

  button.addEventListener("click", function () { toggle(!open); });
  window.addEventListener("resize", layout);
  if (darkScheme && darkScheme.addEventListener) darkScheme.addEventListener("change", layout);
  window.addEventListener("message", function (event) {
    // Only the chat frame, served by Baton, is listened to.
    if (event.origin !== origin || event.source !== frame.contentWindow || !event.data) return;
    var type = event.data.type;
    if (type === "baton:close") toggle(false);
    else if (type === "baton:ready") {
      frame.contentWindow.postMessage({ type: "baton:session", session: savedSession() }, origin);
      tellFrame();
    } else if (type === "baton:appearance" && event.data.inbox === inbox) {
      appearance(event.data);
    } else if (type === "baton:session-save" && event.data.inbox === inbox) {
      keepSession(event.data.session || null);
    } else if (type === "baton:unavailable") {
      console.warn("Baton widget: there is no inbox \"" + inbox + "\" on " + origin +
        "; check the data-inbox attribute of the widget snippet (Admin > Inboxes & widget).");
    }
  });
  document.addEventListener("keydown", function (event) {
    if (open && event.key === "Escape") toggle(false);
  });

  function mount() {
    layout();
    document.body.appendChild(frame);
    document.body.appendChild(button);
    var wasOpen = false;
    try { wasOpen = sessionStorage.getItem("baton.widget.open") === "1"; } catch (e) { /* ignore */ }
    if (wasOpen) toggle(true);
  }
  window.BatonWidget = { open: function () { toggle(true); }, close: function () { toggle(false); } };
  if (document.body) mount();
  else document.addEventListener("DOMContentLoaded", mount);
})();
