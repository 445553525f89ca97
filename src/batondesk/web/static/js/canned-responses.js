/* Admin > Canned responses: add, edit and delete the account's saved replies. */
"use strict";

(function () {
  const { api, toast } = window.Baton;
  const form = document.getElementById("canned-form");
  if (!form) return;
  const status = document.getElementById("canned-status");
  const cancel = document.getElementById("canned-cancel");
  const fields = ["id", "shortcut", "title", "body"].reduce((all, name) => {
    all[name] = document.getElementById("canned-" + name);
    return all;
  }, {});

  function edit(row) {
    fields.id.value = row.dataset.canned;
    fields.shortcut.value = row.dataset.shortcut;
    fields.title.value = row.dataset.title;
    fields.body.value = row.dataset.body;
    document.getElementById("canned-form-title").textContent = "Edit /" + row.dataset.shortcut;
    cancel.hidden = false;
    fields.shortcut.focus();
  }

  document.querySelectorAll("[data-edit-canned]").forEach((button) =>
    button.addEventListener("click", () => edit(button.closest("tr"))));
  document.querySelectorAll("[data-delete-canned]").forEach((button) =>
    button.addEventListener("click", async () => {
      const row = button.closest("tr");
      if (!window.confirm("Delete /" + row.dataset.shortcut + "?")) return;
      try {
        await api("DELETE", "/api/v1/canned-responses/" + row.dataset.canned);
        window.location.reload();
      } catch (error) {
        toast(error.message, true);
      }
    }));
  cancel.addEventListener("click", () => { form.reset(); fields.id.value = ""; cancel.hidden = true;
    document.getElementById("canned-form-title").textContent = "Add a canned response"; });

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = { shortcut: fields.shortcut.value, title: fields.title.value, body: fields.body.value };
    status.textContent = "Saving…";
    try {
      if (fields.id.value) await api("PATCH", "/api/v1/canned-responses/" + fields.id.value, body);
      else await api("POST", "/api/v1/canned-responses", body);
      window.location.reload();
    } catch (error) {
      // What was typed stays in the form, with the reason it was refused.
      status.textContent = error.message;
      toast(error.message, true);
    }
  });
})();
