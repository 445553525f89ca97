/* Keyboard shortcuts of the console: j / k next and previous conversation, r reply, e resolve,
   / search, ? this list. They never fire while the agent types in a field, nor with Ctrl, Alt
   or Cmd held (the browser's own shortcuts). */
"use strict";

(function () {
  const consoleState = window.BatonConsole;
  const dialog = document.getElementById("shortcuts");
  if (!consoleState || !dialog) return;

  function typing(target) {
    if (!target || !(target instanceof Element)) return false;
    return target.isContentEditable || !!target.closest("input, textarea, select, [contenteditable]");
  }

  function go(step) {
    const ids = consoleState.visibleIds();
    if (!ids.length) return;
    const at = ids.indexOf(consoleState.current);
    const next = at === -1 ? (step > 0 ? 0 : ids.length - 1) : at + step;
    if (next < 0 || next >= ids.length) return;
    window.location.href = "/console/conversations/" + ids[next];
  }

  function showHelp() {
    if (dialog.open) return;
    dialog.showModal();
  }

  const ACTIONS = {
    j: () => go(1),
    k: () => go(-1),
    r: () => {
      const area = document.getElementById("composer-text");
      const reply = document.querySelector('#composer input[value="reply"]');
      if (!area || area.closest("[hidden]")) return;
      if (reply && !reply.disabled && !reply.checked) reply.click();
      area.focus();
    },
    e: () => {
      const resolve = document.querySelector('[data-action="resolve"]');
      if (resolve && !resolve.hidden && !resolve.disabled) resolve.click();
    },
    "/": () => {
      const search = document.getElementById("search-q");
      if (search) search.focus();
    },
    "?": showHelp,
  };

  document.addEventListener("keydown", (event) => {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    if (typing(event.target) || dialog.open) return;
    const action = ACTIONS[event.key];
    if (!action) return;
    event.preventDefault();
    action();
  });

  const opener = document.getElementById("shortcuts-open");
  if (opener) opener.addEventListener("click", showHelp);
})();
