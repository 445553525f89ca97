/* Files in the customer chat: the paperclip's upload, image previews and PDF downloads.
   Files are fetched with the visitor token in the Authorization header (an <img src> could
   only carry it in the URL, where logs and history keep it) and shown from blob: URLs.
   File names are text: they are only ever set with textContent or as attributes. */
"use strict";

window.BatonChatAttachments = (function () {
  const blobs = new Map();
  const NETWORK_PROBLEM = "We could not reach the chat service. Check your connection and try again.";

  function blobUrl(url, token) {
    if (!blobs.has(url)) {
      const loading = fetch(url, { headers: { Authorization: "Bearer " + token } })
        .then((response) => {
          if (!response.ok) throw new Error("file not available");
          return response.blob();
        })
        .then((blob) => URL.createObjectURL(blob));
      loading.catch(() => blobs.delete(url));
      blobs.set(url, loading);
    }
    return blobs.get(url);
  }

  function size(bytes) {
    if (bytes < 1024) return bytes + " B";
    if (bytes < 1024 * 1024) return Math.round(bytes / 1024) + " KB";
    return (bytes / (1024 * 1024)).toFixed(1) + " MB";
  }

  function node(tag, className, text) {
    const n = document.createElement(tag);
    if (className) n.className = className;
    if (text !== undefined) n.textContent = text;
    return n;
  }

  // Opens the full file (an image in a new tab) or saves it (a PDF, under its own name).
  async function open(attachment, token, save) {
    const url = await blobUrl(attachment.url, token);
    const link = node("a");
    link.href = url;
    if (save) link.download = attachment.filename;
    else { link.target = "_blank"; link.rel = "noopener"; }
    link.click();
  }

  function render(attachments, token) {
    const box = node("div", "attachments");
    for (const a of attachments) {
      const link = node("a", a.kind === "image" ? "attachment-image" : "attachment-file");
      link.href = "#";
      link.addEventListener("click", (event) => {
        event.preventDefault();
        open(a, token, a.kind !== "image").catch(() => link.classList.add("failed"));
      });
      if (a.kind === "image") {
        const img = node("img");
        img.alt = "Image: " + a.filename;
        if (a.width && a.height) {
          // The size it is shown at (the CSS caps it too): the bubble takes the image's width.
          const scale = Math.min(1, 240 / Math.max(a.width, a.height));
          img.width = Math.round(a.width * scale);
          img.height = Math.round(a.height * scale);
        }
        blobUrl(a.thumbnail_url, token).then((url) => { img.src = url; }).catch(() => { img.alt = "Image not available"; });
        link.title = "Open the full image";
        link.append(img);
      } else {
        link.append(node("span", "file-icon", "PDF"), node("span", "file-name", a.filename), node("span", "file-size", size(a.size_bytes)));
        link.title = "Download";
      }
      box.append(link);
    }
    return box;
  }

  async function upload(conversationId, token, file) {
    const form = new FormData();
    form.append("file", file, file.name);
    let response;
    try {
      response = await fetch("/api/v1/widget/conversations/" + conversationId + "/attachments", {
        method: "POST", headers: { Authorization: "Bearer " + token, Accept: "application/json" }, body: form,
      });
    } catch (e) {
      const error = new Error(NETWORK_PROBLEM);
      error.network = true;
      throw error;
    }
    const data = await response.json().catch(() => null);
    if (!response.ok) {
      const error = new Error((data && data.error && data.error.message) || "Something went wrong");
      error.status = response.status;
      error.code = data && data.error && data.error.code;
      throw error;
    }
    return data;
  }

  return { render, upload };
})();
