/* Admin > Integrations: add, pause and resume webhook endpoints, send a delivery again, start a
   CRM sync. Everything goes through the JSON API; text from the server is set as text only. */
"use strict";

(function () {
  const { api, el } = window.Baton;
  const status = document.getElementById("integrations-status");
  const form = document.getElementById("webhook-form");

  async function act(button, method, path, body, done) {
    button.disabled = true;
    try {
      await api(method, path, body);
      status.textContent = done;
      window.location.reload();
    } catch (error) {
      status.textContent = error.message;
      button.disabled = false;
    }
  }

  if (form) {
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const formStatus = document.getElementById("webhook-status");
      const chosen = Array.from(form.elements.event_types.selectedOptions).map((o) => o.value);
      const body = {
        url: form.elements.url.value.trim(),
        event_types: chosen.includes("*") || !chosen.length ? ["*"] : chosen,
        description: form.elements.description.value.trim(),
      };
      try {
        const created = await api("POST", "/api/v1/admin/webhooks", body);
        const secretBox = document.getElementById("webhook-secret");
        secretBox.querySelector("[data-role=secret]").textContent = created.secret;
        secretBox.hidden = false;
        const rows = document.querySelector("#webhook-table tbody");
        if (!rows.querySelector("[data-endpoint]")) rows.replaceChildren();
        rows.append(
          el("tr", { "data-endpoint": created.id },
            el("td", {}, el("a", { href: "?endpoint=" + created.id }, el("code", { text: created.url }))),
            el("td", { class: "small", text: created.event_types.join(", ") }),
            el("td", {}, el("span", { class: "badge ok", text: "on" })),
            el("td", { text: "0" }), el("td", { text: "0" }), el("td")));
        form.reset();
        formStatus.textContent = "Added. Copy the signing secret now: it is not shown again.";
      } catch (error) {
        formStatus.textContent = error.message;
      }
    });
  }

  document.querySelectorAll("[data-toggle-endpoint]").forEach((button) => button.addEventListener("click", () => {
    const enabled = button.dataset.enabled !== "true";
    act(button, "PATCH", "/api/v1/admin/webhooks/" + button.dataset.toggleEndpoint, { enabled },
      enabled ? "Resumed." : "Paused.");
  }));
  document.querySelectorAll("[data-redeliver]").forEach((button) => button.addEventListener("click", () => {
    act(button, "POST", "/api/v1/admin/webhooks/" + button.dataset.endpointId + "/deliveries/" +
      button.dataset.redeliver + "/retry", undefined, "Queued again.");
  }));
  document.querySelectorAll("[data-sync]").forEach((button) => button.addEventListener("click", () => {
    act(button, "POST", "/api/v1/admin/crm/connectors/" + button.dataset.sync + "/sync", undefined,
      "Sync started.");
  }));
})();
