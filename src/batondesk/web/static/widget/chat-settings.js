/* The chat's account settings on the page: brand colour, greeting, the office-hours note,
   suggested topics, the privacy link and the pre-chat form (name, email, consent).
   Every text goes in as text, never as HTML; the colour goes through the CSSOM (the page's
   Content-Security-Policy allows no inline style). chat.js calls `apply` with the settings
   from `GET /api/v1/widget/inboxes/{id}/settings` on load, on open and when they change
   (asked in the chat's language, so the default greeting and away message are in it). */
"use strict";

window.BatonChatSettings = (function () {
  const t = window.BatonI18n.t;
  const HEX = /^#[0-9a-f]{6}$/i;

  // Dark text on a light brand colour, white on a dark one (WCAG relative luminance).
  function textOn(hex) {
    const channel = (i) => {
      const c = parseInt(hex.slice(i, i + 2), 16) / 255;
      return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
    };
    const luminance = 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
    return luminance > 0.4 ? "#111827" : "#ffffff";
  }

  function darker(hex) {
    const part = (i) => Math.round(parseInt(hex.slice(i, i + 2), 16) * 0.72).toString(16).padStart(2, "0");
    return "#" + part(1) + part(3) + part(5);
  }

  function safeLink(url) {
    try {
      const parsed = new URL(url);
      return parsed.protocol === "https:" || parsed.protocol === "http:" ? parsed.href : null;
    } catch (e) {
      return null;
    }
  }

  function needsStartForm(config) {
    return config.prechat_form !== "off" || config.consent_required;
  }

  function applyColour(color) {
    if (!HEX.test(color || "")) return;
    const style = document.documentElement.style;
    style.setProperty("--primary", color);
    style.setProperty("--primary-dark", darker(color));
    style.setProperty("--on-primary", textOn(color));
  }

  function applyTopics(topics, onPick) {
    const box = document.getElementById("topics");
    box.replaceChildren(...(topics || []).map((topic) => {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "topic";
      button.textContent = topic;
      button.addEventListener("click", () => onPick(topic));
      return button;
    }));
  }

  function applyPrechat(config) {
    const required = config.prechat_form === "required";
    document.getElementById("prechat-details").hidden = config.prechat_form === "off";
    for (const id of ["prechat-name", "prechat-email"]) {
      const input = document.getElementById(id);
      input.required = required;
      input.setAttribute("aria-required", required ? "true" : "false");
    }
    document.querySelectorAll(".optional-mark").forEach((mark) => { mark.hidden = required; });
    document.getElementById("prechat-consent-row").hidden = !config.consent_required;
    document.getElementById("prechat-consent").required = !!config.consent_required;
  }

  // What is wrong with the form, in words, or "" when it can be sent.
  function prechatProblem(config) {
    const name = document.getElementById("prechat-name");
    const email = document.getElementById("prechat-email");
    const consent = document.getElementById("prechat-consent");
    if (config.prechat_form === "required" && !name.value.trim()) return [name, t("Please enter your name.")];
    if (config.prechat_form === "required" && !email.value.trim()) return [email, t("Please enter your email address.")];
    if (config.prechat_form !== "off" && email.value.trim() && !email.checkValidity()) {
      return [email, t("Please enter an email address like name@example.com.")];
    }
    if (config.consent_required && !consent.checked) {
      return [consent, t("Please agree to the privacy notice to start the chat.")];
    }
    return null;
  }

  function prechatAnswers(config) {
    const answers = { consent: !!(config.consent_required && document.getElementById("prechat-consent").checked) };
    if (config.prechat_form !== "off") {
      const name = document.getElementById("prechat-name").value.trim();
      const email = document.getElementById("prechat-email").value.trim();
      if (name) answers.name = name;
      if (email) answers.email = email;
    }
    return answers;
  }

  function apply(config, handlers) {
    applyColour(config.brand_color);
    document.getElementById("greeting").textContent = config.greeting;
    const closed = document.getElementById("closed-note");
    closed.textContent = config.office_open ? "" : config.closed_message || "";
    closed.hidden = config.office_open || !config.closed_message;
    applyTopics(config.suggested_topics, handlers.onTopic);
    const link = document.getElementById("privacy-link");
    const href = config.privacy_policy_url ? safeLink(config.privacy_policy_url) : null;
    link.hidden = !href;
    if (href) link.href = href;
    else link.removeAttribute("href");
    applyPrechat(config);
  }

  return { apply, needsStartForm, prechatProblem, prechatAnswers, textOn };
})();
