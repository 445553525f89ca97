/* Admin > Inboxes & widget: the chat widget's settings, read from and saved through
   `/api/v1/admin/settings/widget`. The server validates; its message names the field. */
"use strict";

(function () {
  const { api, toast } = window.Baton;
  const form = document.getElementById("widget-form");
  if (!form) return;
  const endpoint = form.dataset.endpoint;
  const status = document.getElementById("widget-status");
  const fields = [...form.querySelectorAll("[name]")];

  function show(values) {
    for (const field of fields) {
      const value = values[field.name];
      if (field.type === "checkbox") field.checked = !!value;
      else if (field.dataset.kind === "lines") field.value = (value || []).join("\n");
      else if (field.dataset.kind === "list") field.value = (value || []).join(", ");
      else field.value = value === null || value === undefined ? "" : String(value);
    }
  }

  function values() {
    const body = {};
    for (const field of fields) {
      if (field.type === "checkbox") body[field.name] = field.checked;
      else if (field.type === "number") body[field.name] = Number(field.value);
      else if (field.dataset.kind === "lines") body[field.name] = field.value.split("\n").map((v) => v.trim()).filter(Boolean);
      else if (field.dataset.kind === "list") body[field.name] = field.value.split(",").map((v) => v.trim()).filter(Boolean);
      else if (field.name === "privacy_policy_url") body[field.name] = field.value.trim() || null;
      else body[field.name] = field.value;
    }
    return body;
  }

  api("GET", endpoint).then(show).catch((error) => {
    status.textContent = "Not available: " + error.message;
    form.querySelector("button[type=submit]").disabled = true;
  });

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      show(await api("PUT", endpoint, values()));
      status.textContent = "Saved. Open chats show the change now.";
      toast("Widget settings saved");
    } catch (error) {
      status.textContent = error.message;
      toast(error.message, true);
    }
  });
})();
