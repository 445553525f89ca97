/* The console's search box and filters: they build a GET /api/v1/conversations query and show
   its results in place of the tab's list, with "Load more" for the next pages. */
"use strict";

(function () {
  const { api, toast, el } = window.Baton;
  const form = document.getElementById("search");
  if (!form || !window.BatonConsole) return;
  const status = document.getElementById("search-status");
  const summary = document.getElementById("search-summary");
  const FIELDS = ["q", "status", "assignee_id", "team_id", "tag_id", "intent", "customer", "created_from", "created_to"];

  // The filter menus list this account's people, teams and tags.
  async function fillOptions() {
    const [agents, teams, tags] = await Promise.all([
      api("GET", "/api/v1/agents").catch(() => []),
      api("GET", "/api/v1/teams").catch(() => []),
      api("GET", "/api/v1/tags").catch(() => []),
    ]);
    const options = {
      agents: agents.map((a) => [a.user_id, a.name]),
      teams: teams.map((t) => [t.id, t.name]),
      tags: tags.map((t) => [t.id, t.name]),
    };
    form.querySelectorAll("select[data-options]").forEach((select) => {
      const first = select.options[0];
      const chosen = select.value;
      select.replaceChildren(first, ...options[select.dataset.options].map(([value, text]) =>
        el("option", { value: String(value) }, text)));
      select.value = chosen;
    });
  }

  function query() {
    const data = new FormData(form);
    const params = new URLSearchParams();
    const described = [];
    FIELDS.forEach((name) => {
      const value = String(data.get(name) || "").trim();
      if (!value) return;
      params.set(name, value);
      const field = form.elements[name];
      const shown = field.tagName === "SELECT" ? field.options[field.selectedIndex].text : value;
      described.push(name === "q" ? "“" + value + "”" : shown);
    });
    params.set("limit", "50");
    return { params, described };
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const { params, described } = query();
    if (!described.length) {
      window.BatonConsole.clearSearch();
      return;
    }
    try {
      const page = await window.BatonConsole.showSearch("/api/v1/conversations?" + params.toString());
      summary.textContent = (page.count === 1 ? "1 conversation" : page.count + (page.next_cursor ? "+" : "") + " conversations")
        + " for " + described.join(", ");
      status.hidden = false;
    } catch (error) {
      toast(error.message, true);
    }
  });

  document.getElementById("search-clear").addEventListener("click", () => {
    form.reset();
    window.BatonConsole.clearSearch();
  });
  document.addEventListener("baton:tab", () => { status.hidden = true; });
  const filters = document.getElementById("filters");
  filters.addEventListener("toggle", () => { if (filters.open) fillOptions(); });
})();
