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

  function rgb(hex) {
    return [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
  }

  function toHex(channels) {
    return "#" + channels.map((c) => Math.round(c).toString(16).padStart(2, "0")).join("");
  }

  // WCAG relative luminance and contrast ratio.
  function luminance(hex) {
    const [r, g, b] = rgb(hex).map((value) => {
      const c = value / 255;
      return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  }

  function contrast(a, b) {
    const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x);
    return (light + 0.05) / (dark + 0.05);
  }

  // White on a dark brand colour, near-black on a light one; pure black on the few middle
  // tones (a bright red, say) where neither of those reaches 4.5:1.
  function textOn(hex) {
    return ["#ffffff", "#111827"].find((text) => contrast(text, hex) >= 4.5) || "#000000";
  }

  // The brand colour as text on a surface: itself when it reads there (4.5:1), otherwise the
  // nearest shade of it, mixed towards black or white, that does.
  function readableOn(hex, surface) {
    const target = luminance(surface) > 0.5 ? [0, 0, 0] : [255, 255, 255];
    const start = rgb(hex);
    for (let step = 0; step <= 20; step += 1) {
      const mixed = toHex(start.map((c, i) => c + (target[i] - c) * (step / 20)));
      if (contrast(mixed, surface) >= 4.5) return mixed;
    }
    return toHex(target);
  }

  function darker(hex) {
    return toHex(rgb(hex).map((c) => c * 0.72));
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
    // Against the darkest background of the light scheme and the lightest of the dark one (chat.css).
    style.setProperty("--brand-on-light", readableOn(color, "#f4f6fa"));
    style.setProperty("--brand-on-dark", readableOn(color, "#171d2b"));
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

  return { apply, needsStartForm, prechatProblem, prechatAnswers, textOn, readableOn, contrast };
})();
