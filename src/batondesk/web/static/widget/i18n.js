/* The chat's own texts in the customer's language. The page arrives translated (the server
   renders it in its language); elements carry their English text in data-i18n (text),
   data-i18n-placeholder and data-i18n-aria-label, so `use` can switch language without a
   reload. `t` translates a text of the scripts: its English text is the key (the `widget`
   message catalogue, from GET /api/v1/widget/texts/{language}); `{name}` placeholders are
   filled after translation. Texts go in as text, never as HTML. */
"use strict";

window.BatonI18n = (function () {
  const root = document.getElementById("chat");
  let language = (root && root.dataset.language) || "en";
  let texts = {};
  try { texts = JSON.parse((root && root.dataset.texts) || "{}") || {}; } catch (e) { texts = {}; }
  const listeners = [];

  function t(text, values) {
    const translated = Object.prototype.hasOwnProperty.call(texts, text) ? texts[text] : text;
    if (!values) return translated;
    return translated.replace(/\{(\w+)\}/g, (whole, name) =>
      Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : whole);
  }

  function translatePage() {
    document.querySelectorAll("[data-i18n]").forEach((node) => { node.textContent = t(node.dataset.i18n); });
    for (const attribute of ["placeholder", "aria-label"]) {
      document.querySelectorAll("[data-i18n-" + attribute + "]").forEach((node) => {
        node.setAttribute(attribute, t(node.getAttribute("data-i18n-" + attribute)));
      });
    }
    document.documentElement.lang = language;
  }

  // Switch to `code` with its catalogue (English needs none: its texts are the keys).
  function use(code, catalogue) {
    language = code;
    texts = catalogue || {};
    translatePage();
    listeners.forEach((listener) => listener(code));
  }

  // Called after each switch, for texts the scripts put on the page.
  function onChange(listener) { listeners.push(listener); }

  return { t, use, onChange, language: () => language };
})();
