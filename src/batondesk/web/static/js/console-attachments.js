/* Files in the console: thumbnails (click for the full image in a new tab) and PDF links
   under each message, and the composer's "Attach file", which sends the file with the text
   in the box as a reply or a private note. File names are only ever set as text. */
"use strict";

window.BatonAttachments = (function () {
  const { el, toast } = window.Baton;

  function size(bytes) {
    if (bytes < 1024) return bytes + " B";
    if (bytes < 1024 * 1024) return Math.round(bytes / 1024) + " KB";
    return (bytes / (1024 * 1024)).toFixed(1) + " MB";
  }

  function render(message) {
    const files = message.attachments || [];
    if (!files.length) return null;
    return el("div", { class: "attachments" }, files.map((a) => {
      if (a.kind === "image") {
        const scale = a.width && a.height ? Math.min(1, 200 / Math.max(a.width, a.height)) : 1;
        return el("a", { class: "attachment-image", href: a.url, target: "_blank", rel: "noopener", title: "Open the full image: " + a.filename },
          el("img", { src: a.thumbnail_url, alt: "Image sent: " + a.filename, loading: "lazy",
            width: a.width ? Math.round(a.width * scale) : null, height: a.height ? Math.round(a.height * scale) : null }));
      }
      return el("a", { class: "attachment-file", href: a.url, download: a.filename, title: "Download" },
        el("span", { class: "file-icon" }, "PDF"), el("span", { class: "file-name" }, a.filename),
        el("span", { class: "file-size" }, size(a.size_bytes)));
    }));
  }

  // The form's own fetch: the page's JSON client cannot send multipart bodies.
  async function upload(conversationId, file, text, note) {
    const form = new FormData();
    form.append("file", file, file.name);
    if (text) form.append("body", text);
    if (note) form.append("private", "true");
    const response = await fetch("/api/v1/conversations/" + conversationId + "/attachments", {
      method: "POST", credentials: "same-origin", body: form,
      headers: { "X-Requested-With": "baton", Accept: "application/json" },
    });
    const data = await response.json().catch(() => null);
    if (!response.ok) throw new Error((data && data.error && data.error.message) || response.statusText);
    return data;
  }

  function setupComposer() {
    const consoleState = window.BatonConsole;
    const button = document.getElementById("composer-attach");
    const input = document.getElementById("composer-file");
    if (!button || !input || !consoleState || !consoleState.current) return;
    button.addEventListener("click", () => input.click());
    input.addEventListener("change", async () => {
      const file = input.files && input.files[0];
      if (!file) return;
      const form = document.getElementById("composer");
      const text = document.getElementById("composer-text");
      const note = form.querySelector('input[name="mode"]:checked').value === "note";
      button.disabled = true;
      try {
        await upload(consoleState.current, file, text.value.trim(), note);
        text.value = "";
        toast(note ? "File added to a private note" : "File sent to the customer");
        await consoleState.reload();
        consoleState.refreshLists();
      } catch (error) {
        toast("The file was not sent: " + error.message, true);
      } finally {
        button.disabled = false;
        input.value = "";
      }
    });
  }

  document.addEventListener("DOMContentLoaded", setupComposer);
  return { render };
})();
