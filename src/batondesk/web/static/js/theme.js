/* Light or dark console. The agent picks "light", "dark" or "system" (the operating system's
   `prefers-color-scheme`, the default) in the top bar; the choice is kept in this browser's
   localStorage, as it belongs to the screen rather than the account. Loaded without `defer`
   in <head> so data-theme is on <html> before the first paint (no white flash in the dark);
   console.css holds the palettes. Changing the choice, or the system's scheme while on
   "system", restyles the page at once, without a reload. */
"use strict";

window.BatonTheme = (function () {
  const STORAGE_KEY = "baton.theme";
  const CHOICES = ["system", "light", "dark"];
  const systemDark = window.matchMedia("(prefers-color-scheme: dark)");

  function saved() {
    try {
      const value = localStorage.getItem(STORAGE_KEY);
      return CHOICES.includes(value) ? value : "system";
    } catch (e) {
      return "system"; // storage blocked: follow the system
    }
  }

  let picked = saved();

  function apply() {
    const scheme = picked === "system" ? (systemDark.matches ? "dark" : "light") : picked;
    document.documentElement.dataset.theme = scheme;
  }

  function choose(next) {
    if (!CHOICES.includes(next)) return;
    picked = next;
    try {
      if (next === "system") localStorage.removeItem(STORAGE_KEY);
      else localStorage.setItem(STORAGE_KEY, next);
    } catch (e) { /* storage blocked: the choice lasts until the page is left */ }
    apply();
  }

  apply();
  systemDark.addEventListener("change", apply);
  // Another tab of the console changed the choice.
  window.addEventListener("storage", (event) => {
    if (event.key === STORAGE_KEY) { picked = saved(); apply(); syncMenu(); }
  });

  function syncMenu() {
    const menu = document.getElementById("theme-choice");
    if (menu) menu.value = picked;
  }

  document.addEventListener("DOMContentLoaded", () => {
    const menu = document.getElementById("theme-choice");
    if (!menu) return;
    syncMenu();
    menu.addEventListener("change", () => choose(menu.value));
  });

  return { choice: () => picked, choose };
})();
