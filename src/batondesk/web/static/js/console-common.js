/* Shared by every console page: the JSON API client, toasts, availability and logout. */
"use strict";

window.Baton = (function () {
  // One request at a time from a page: the console's calls are small, and a burst of parallel
  // reads from one agent adds load without making the page noticeably faster.
  let queue = Promise.resolve();
  function api(method, path, body) {
    const run = queue.then(() => request(method, path, body));
    queue = run.catch(() => null);
    return run;
  }

  // Every call carries X-Requested-With so a CSRF check can require it server-side.
  async function request(method, path, body) {
    const options = {
      method,
      credentials: "same-origin",
      headers: { "X-Requested-With": "baton", Accept: "application/json" },
    };
    if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    let response;
    try {
      response = await fetch(path, options);
    } catch (e) {
      // The browser's own words ("Failed to fetch") tell an agent nothing.
      const error = new Error("Could not reach the server. Check your connection; your work is kept on this page.");
      error.network = true;
      throw error;
    }
    if (response.status === 401 && !path.startsWith("/api/v1/auth/")) {
      window.location.href = "/console/login?next=" + encodeURIComponent(location.pathname);
      throw new Error("not signed in");
    }
    const data = response.status === 204 ? null : await response.json().catch(() => null);
    if (!response.ok) {
      const error = new Error((data && data.error && data.error.message) || response.statusText);
      error.status = response.status;
      error.code = data && data.error && data.error.code;
      throw error;
    }
    return data;
  }

  let toastTimer = null;
  function toast(text, isError) {
    const box = document.getElementById("toast");
    if (!box) return;
    box.textContent = text;
    box.classList.toggle("error", !!isError);
    box.classList.add("show");
    clearTimeout(toastTimer);
    toastTimer = setTimeout(() => box.classList.remove("show"), 3500);
  }

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key === "class") node.className = value;
      else if (key === "text") node.textContent = value;
      // Through the CSSOM: the page's CSP forbids inline style attributes.
      else if (key === "style") node.style.cssText = value;
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? "" : value);
    }
    for (const child of children.flat(Infinity)) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  function duration(seconds) {
    const s = Math.max(0, Math.floor(seconds));
    if (s < 60) return s + "s";
    const m = Math.floor(s / 60);
    if (m < 60) return m + "m " + String(s % 60).padStart(2, "0") + "s";
    const h = Math.floor(m / 60);
    if (h < 48) return h + "h " + String(m % 60).padStart(2, "0") + "m";
    return Math.floor(h / 24) + "d";
  }

  function label(code) {
    return String(code || "").replace(/_/g, " ");
  }

  function setupTopbar() {
    const toggle = document.getElementById("availability");
    if (toggle) {
      toggle.addEventListener("click", async () => {
        const next = toggle.dataset.availability === "available" ? "away" : "available";
        toggle.disabled = true;
        try {
          const me = await api("PUT", "/api/v1/me/availability", { availability: next });
          toggle.dataset.availability = me.availability;
          toggle.setAttribute("aria-pressed", me.availability === "available" ? "true" : "false");
          toggle.querySelector(".availability-label").textContent =
            me.availability === "available" ? "Available" : "Away";
          toast(me.availability === "available" ? "You are available for new conversations" : "You are away");
        } catch (error) {
          toast(error.message, true);
        } finally {
          toggle.disabled = false;
        }
      });
    }
    const logout = document.getElementById("logout");
    if (logout) {
      logout.addEventListener("click", async () => {
        await api("POST", "/api/v1/auth/logout").catch(() => null);
        window.location.href = "/console/login";
      });
    }
  }

  document.addEventListener("DOMContentLoaded", setupTopbar);
  return { api, toast, el, duration, label };
})();
