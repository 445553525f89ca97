/* Admin pages: settings forms, copy-to-clipboard, knowledge-base editing, model promotion. */
"use strict";

(function () {
  const { api, toast, el, label } = window.Baton;

  // Copy buttons (widget snippet)
  document.querySelectorAll("[data-copy]").forEach((button) => {
    button.addEventListener("click", async () => {
      const field = document.getElementById(button.dataset.copy);
      field.select();
      try {
        await navigator.clipboard.writeText(field.value);
      } catch (e) {
        document.execCommand("copy");
      }
      toast("Snippet copied");
    });
  });

  // Settings forms: one numeric input per setting the API returns.
  document.querySelectorAll(".settings-form").forEach(async (form) => {
    const endpoint = form.dataset.endpoint;
    const fields = form.querySelector(".fields");
    const status = form.querySelector('[role="status"]');
    let current = {};
    try {
      current = await api("GET", endpoint);
    } catch (error) {
      fields.replaceChildren(el("p", { class: "notice" }, "Not available: " + error.message));
      form.querySelector("button[type=submit]").disabled = true;
      return;
    }
    // Numbers, switches, text, comma-separated lists and one level of nested numbers (SLA
    // targets). A field's hint (below) gives its label, range and step when it has one.
    const hints = {
      max_wrong_rate: { label: "Maximum wrong-answer rate (share of the bot's answers)", min: "0.001", max: "0.2", step: "0.001" },
      max_choices: { label: "Quick replies offered when unsure", min: "1", max: "4", step: "1" },
      choice_floor: { label: "Smallest likelihood worth offering as a choice", min: "0", max: "1", step: "0.01" },
      scope: { label: "What the bot can help with (completes “I can help with …”)" },
      currency: { label: "Currency (ISO 4217, e.g. EUR)" },
      agent_cost_per_hour: { label: "An agent's cost per hour", min: "0", step: "0.01" },
      ai_cost_per_bot_message: { label: "AI cost per bot message", min: "0", step: "0.0001" },
      ai_cost_per_1k_tokens: { label: "AI cost per 1,000 LLM tokens", min: "0", step: "0.0001" },
      fixed_cost_per_conversation: { label: "Fixed cost per conversation", min: "0", step: "0.01" },
      allowed_origins: { label: "Websites allowed to embed the chat" },
    };
    function input(id, name, value, kind) {
      if (kind === "bool") return el("input", { id, name, type: "checkbox", checked: value, "data-kind": kind });
      if (kind === "list") return el("input", { id, name, value: value.join(", "), "data-kind": kind });
      if (kind === "text") return el("input", { id, name, value, "data-kind": kind, maxlength: "300" });
      const hint = hints[name] || {};
      const threshold = /threshold|similarity|confidence/.test(name);
      return el("input", { id, name, type: "number", "data-kind": kind, value: String(value),
        step: hint.step || (Number.isInteger(value) && !threshold ? "1" : "0.01"),
        min: hint.min || (threshold ? "0" : null), max: hint.max || (threshold ? "1" : null) });
    }
    function kindOf(value) {
      if (typeof value === "boolean") return "bool";
      if (typeof value === "number") return "number";
      if (typeof value === "string") return "text";
      if (Array.isArray(value) && value.every((v) => typeof v === "string")) return "list";
      return null;
    }
    function render(values) {
      const nodes = [];
      for (const [key, value] of Object.entries(values)) {
        const kind = kindOf(value);
        if (kind) {
          const id = form.id + "-" + key;
          const text = (hints[key] && hints[key].label) || label(key);
          nodes.push(el("div", {}, el("label", { for: id }, text), input(id, key, value, kind)));
        } else if (value && typeof value === "object" && Object.values(value).every((v) => v && typeof v === "object")) {
          for (const [group, inner] of Object.entries(value)) {
            for (const [field, v] of Object.entries(inner)) {
              if (typeof v !== "number") continue;
              const id = form.id + "-" + key + "-" + group + "-" + field;
              nodes.push(el("div", {}, el("label", { for: id }, label(key) + " · " + group + " · " + label(field)),
                input(id, key + "." + group + "." + field, v, "number")));
            }
          }
        }
      }
      fields.replaceChildren(...nodes);
      fields.setAttribute("aria-busy", "false");
    }
    function read(inputNode) {
      const kind = inputNode.dataset.kind;
      if (kind === "bool") return inputNode.checked;
      if (kind === "list") return inputNode.value.split(",").map((v) => v.trim()).filter(Boolean);
      if (kind === "text") return inputNode.value;
      return Number(inputNode.value);
    }
    render(current);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const changes = {};
      form.querySelectorAll("input[name]").forEach((node) => {
        const value = read(node);
        const path = node.name.split(".");
        if (path.length === 3) {
          const [key, group, field] = path;
          if (value !== current[key][group][field]) {
            // Nested settings are sent whole, so the server validates a complete object.
            changes[key] = changes[key] || JSON.parse(JSON.stringify(current[key]));
            changes[key][group][field] = value;
          }
        } else if (JSON.stringify(value) !== JSON.stringify(current[node.name])) {
          changes[node.name] = value;
        }
      });
      if (!Object.keys(changes).length) { status.textContent = "Nothing changed."; return; }
      try {
        current = await api("PUT", endpoint, changes);
        render(current);
        status.textContent = "Saved.";
        toast("Settings saved");
      } catch (error) {
        status.textContent = error.message;
        toast(error.message, true);
      }
    });
  });

  // Knowledge base editor (only when the server has the knowledge-base API).
  const editor = document.getElementById("kb-editor");
  if (editor) {
    const endpoint = editor.dataset.endpoint;
    const form = document.getElementById("kb-form");
    const status = document.getElementById("kb-status");
    const reset = () => { form.reset(); form.elements.id.value = ""; document.getElementById("kb-form-title").textContent = "New article"; };
    document.getElementById("kb-reset").addEventListener("click", reset);
    // A draft started from Content gaps (kept in this tab's sessionStorage, not in the URL).
    const draft = sessionStorage.getItem("baton:kb-draft");
    if (draft) {
      sessionStorage.removeItem("baton:kb-draft");
      try {
        const { title, body } = JSON.parse(draft);
        form.elements.title.value = title || "";
        form.elements.slug.value = (title || "").toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "").slice(0, 160);
        form.elements.body.value = body || "";
        form.elements.status.value = "draft";
        document.getElementById("kb-form-title").textContent = "New article (draft from a content gap)";
        document.getElementById("kb-details").open = true;
        form.elements.title.focus();
      } catch (error) { toast("Could not read the draft", true); }
    }
    document.querySelectorAll("[data-edit]").forEach((button) => button.addEventListener("click", async () => {
      try {
        const article = await api("GET", endpoint + "/" + button.dataset.edit);
        form.elements.id.value = article.id;
        form.elements.title.value = article.title;
        form.elements.slug.value = article.slug;
        form.elements.intents.value = (article.intents || []).join(", ");
        form.elements.body.value = article.body;
        form.elements.status.value = article.status === "draft" ? "draft" : "published";
        document.getElementById("kb-form-title").textContent = "Edit article: " + article.title;
        document.getElementById("kb-details").open = true;
        form.elements.title.focus();
      } catch (error) { toast(error.message, true); }
    }));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const body = {
        title: form.elements.title.value.trim(), slug: form.elements.slug.value.trim(), body: form.elements.body.value,
        intents: form.elements.intents.value.split(",").map((s) => s.trim()).filter(Boolean),
        status: form.elements.status.value,
      };
      try {
        if (form.elements.id.value) await api("PATCH", endpoint + "/" + form.elements.id.value, body);
        else await api("POST", endpoint, body);
        status.textContent = "Saved.";
        window.location.reload();
      } catch (error) {
        status.textContent = error.message;
        toast(error.message, true);
      }
    });
  }

  // Models: promote and roll back.
  const modelsStatus = document.getElementById("models-status");
  async function modelAction(path, body) {
    try {
      const result = await api("POST", path, body);
      modelsStatus.textContent = "Active: " + (result.active || "the server default");
      setTimeout(() => window.location.reload(), 900);
    } catch (error) {
      modelsStatus.textContent = error.message;
      toast(error.message, true);
    }
  }
  document.querySelectorAll("[data-promote]").forEach((button) => button.addEventListener("click",
    () => modelAction("/api/v1/admin/models/promote", { version: button.dataset.promote })));
  const rollback = document.getElementById("rollback");
  if (rollback) rollback.addEventListener("click", () => modelAction("/api/v1/admin/models/rollback"));
})();

/* Agents & teams: change a member's role or team, add a person. */
(function () {
  "use strict";
  const { api, toast } = window.Baton;
  document.querySelectorAll("[data-save-member]").forEach((button) => {
    button.addEventListener("click", async () => {
      const row = button.closest("tr");
      const body = { role: row.querySelector('[name="role"]').value,
                     team_id: Number(row.querySelector('[name="team_id"]').value) };
      button.disabled = true;
      try {
        await api("PATCH", "/api/v1/admin/members/" + button.dataset.saveMember, body);
        toast("Saved");
      } catch (error) {
        toast(error.message, true);
      } finally {
        button.disabled = false;
      }
    });
  });
  const form = document.getElementById("member-form");
  if (!form) return;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const status = document.getElementById("member-status");
    const body = { name: form.elements.name.value.trim(), email: form.elements.email.value.trim(), role: form.elements.role.value,
                   password: form.elements.password.value };
    if (form.elements.team_id.value) body.team_id = Number(form.elements.team_id.value);
    try {
      await api("POST", "/api/v1/admin/members", body);
      status.textContent = "Added. They can log in at /console.";
      setTimeout(() => window.location.reload(), 700);
    } catch (error) {
      status.textContent = error.message;
      toast(error.message, true);
    }
  });
})();
