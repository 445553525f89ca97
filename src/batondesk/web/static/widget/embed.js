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
   settings again on opening, and knows what the customer has really seen.
   Signed-in customers: the website's server signs an identity token with the inbox's
   identity secret and the page hands it over as `data-identity-token` on this tag, as
   `window.batonSettings = { identityToken }` set before this script loads, or later with
   `Baton.identify(token)`; `Baton.logout()` when the customer signs out. The chat sends the
   token when it starts a conversation, and shows a stored conversation only to the customer
   it was started for ("baton:identity"; chat.js). */
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
  var settings = window.batonSettings || {};
  var identityToken = tokenOrNull(script.getAttribute("data-identity-token") || settings.identityToken, "data-identity-token");
  // The frame has asked for the session: from now on identity changes are told to it at once.
  var frameReady = false;

  function tokenOrNull(token, where) {
    if (token === undefined || token === null || token === "") return null;
    if (typeof token !== "string") {
      console.warn("Baton widget: " + where + " must be the identity token (a string) your server signed; it is ignored");
      return null;
    }
    return token;
  }

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

  function tellIdentity(logout) {
    if (frameReady && frame.contentWindow) {
      frame.contentWindow.postMessage({ type: "baton:identity", identityToken: identityToken, logout: !!logout }, origin);
    }
  }

  // Another customer signed in on this page (or the same one with a fresh token): the chat
  // starts their conversations with it and stops showing anyone else's.
  function identify(token) {
    var checked = tokenOrNull(token, "Baton.identify(token)");
    if (!checked) return;
    identityToken = checked;
    tellIdentity(false);
  }

  // The customer signed out: forget their conversation on this browser (the stored visitor
  // token opens it) and go on as an anonymous visitor.
  function logout() {
    identityToken = null;
    keepSession(null);
    tellIdentity(true);
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
      frameReady = true;
      frame.contentWindow.postMessage({ type: "baton:session", session: savedSession(), identityToken: identityToken }, origin);
      tellFrame();
    } else if (type === "baton:appearance" && event.data.inbox === inbox) {
      appearance(event.data);
    } else if (type === "baton:session-save" && event.data.inbox === inbox) {
      keepSession(event.data.session || null);
    } else if (type === "baton:identity-refused" && event.data.inbox === inbox) {
      console.warn("Baton widget: the chat refused the identity token (" + event.data.code + "). Sign it with " +
        "this inbox's identity secret, with an exp at most 24 hours ahead, and pass a fresh one on each page view.");
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
  window.BatonWidget = {
    open: function () { toggle(true); },
    close: function () { toggle(false); },
    identify: identify,
    logout: logout,
  };
  // `Baton` is the short name; a page that already has a `Baton` of its own keeps it and
  // uses `BatonWidget`.
  if (!window.Baton) window.Baton = window.BatonWidget;
  if (document.body) mount();
  else document.addEventListener("DOMContentLoaded", mount);
})();
