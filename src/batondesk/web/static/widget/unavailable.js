/* The chat frame for an inbox that does not exist: tell the host page (widget.js warns its
   developer on the console) and let the customer close the frame. */
"use strict";
(function () {
  const root = document.getElementById("chat-unavailable");
  if (window.parent === window) return;
  // Nothing secret: the inbox id is the one the host page itself put in its snippet.
  window.parent.postMessage({ type: "baton:unavailable", inbox: root.dataset.inbox }, "*");
  const close = () => window.parent.postMessage({ type: "baton:close" }, "*");
  const button = document.getElementById("chat-close");
  if (button) button.addEventListener("click", close);
  document.addEventListener("keydown", (event) => { if (event.key === "Escape") close(); });
})();
