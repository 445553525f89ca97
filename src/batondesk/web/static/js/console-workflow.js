/* Assignee, team, priority, snooze and tags of the open conversation, and the activity lines
   the thread shows for each change. Every control calls the same API as any integrator. */
"use strict";

window.BatonWorkflow = (function () {
  const { api, toast, el } = window.Baton;
  const names = { agents: new Map(), teams: new Map(), tags: new Map() };
  const PRIORITY = ["low", "normal", "high", "urgent"];

  async function loadNames() {
    const [agents, teams, tags] = await Promise.all([
      api("GET", "/api/v1/agents").catch(() => []),
      api("GET", "/api/v1/teams").catch(() => []),
      api("GET", "/api/v1/tags").catch(() => []),
    ]);
    names.agents = new Map(agents.map((a) => [a.user_id, a.name]));
    names.teams = new Map(teams.map((t) => [t.id, t.name]));
    names.tags = new Map(tags.map((t) => [t.id, t.name]));
  }
  const ready = window.BatonConsole && window.BatonConsole.current ? loadNames() : Promise.resolve();

  // --- activity lines ------------------------------------------------------------------------

  const ACTIVITY = new Set(["conversation.assigned", "conversation.unassigned", "conversation.transferred",
    "conversation.tagged", "conversation.untagged", "conversation.snoozed", "conversation.unsnoozed",
    "conversation.prioritised", "conversation.resolved", "conversation.reopened", "conversation.handed_back"]);

  function isActivity(e) {
    return ACTIVITY.has(e.type);
  }

  function person(id) {
    if (id === null || id === undefined) return "someone";
    if (window.BatonConsole && id === window.BatonConsole.me) return "you";
    return names.agents.get(id) || "agent #" + id;
  }

  function activityText(e) {
    const p = e.payload || {};
    const who = e.actor_type === "agent" ? (e.actor_id ? person(e.actor_id) : "An integration")
      : e.actor_type === "customer" ? "The customer" : e.actor_type === "bot" ? "The AI" : "Baton";
    const actor = who.charAt(0).toUpperCase() + who.slice(1);
    const tag = names.tags.get(p.tag_id) || "a deleted tag";
    switch (e.type) {
      case "conversation.assigned":
        if (p.automatic) return "Assigned to " + person(p.assignee_id) + " automatically";
        return p.assignee_id === e.actor_id ? actor + " took over" : actor + " assigned it to " + person(p.assignee_id);
      case "conversation.unassigned": return actor + " unassigned " + person(p.from_assignee_id) + "; back in the queue";
      case "conversation.transferred":
        return actor + " transferred it to " + (p.team_id ? names.teams.get(p.team_id) || "team #" + p.team_id : "no team");
      case "conversation.tagged": return actor + " tagged it “" + tag + "”";
      case "conversation.untagged": return actor + " removed the tag “" + tag + "”";
      case "conversation.snoozed": return actor + " snoozed it until " + new Date(p.until).toLocaleString();
      case "conversation.unsnoozed":
        return { customer: "The customer wrote: no longer snoozed", time: "The snooze ended" }[p.cause] || actor + " unsnoozed it";
      case "conversation.prioritised":
        return (p.cause === "agent" ? actor + " set" : "Waiting raised") + " the priority to " + (PRIORITY[p.to] || p.to);
      case "conversation.resolved": return actor + " resolved it";
      case "conversation.reopened": return actor + " reopened it";
      case "conversation.handed_back": return actor + " handed it back to the AI";
      default: return e.type;
    }
  }

  // --- controls --------------------------------------------------------------------------------

  const SNOOZE_CHOICES = [["1h", "For 1 hour"], ["4h", "For 4 hours"], ["tomorrow", "Until tomorrow 9:00"],
    ["week", "Until next Monday 9:00"]];

  function snoozeUntil(choice) {
    const now = new Date();
    if (choice === "1h") return new Date(now.getTime() + 3600e3);
    if (choice === "4h") return new Date(now.getTime() + 4 * 3600e3);
    const day = new Date(now);
    day.setHours(9, 0, 0, 0);
    day.setDate(day.getDate() + (choice === "week" ? ((8 - day.getDay()) % 7 || 7) : 1));
    return day;
  }

  function setupControls() {
    const box = document.getElementById("workflow");
    const consoleState = window.BatonConsole;
    if (!box || !consoleState || !consoleState.current) return;
    const base = "/api/v1/conversations/" + consoleState.current;
    const assignee = document.getElementById("wf-assignee");
    const team = document.getElementById("wf-team");
    const priority = document.getElementById("wf-priority");
    const snooze = document.getElementById("wf-snooze");
    const tagList = document.getElementById("wf-tags");
    const tagForm = document.getElementById("wf-tag-form");
    const tagInput = document.getElementById("wf-tag-input");
    let conversation = null;

    async function change(method, path, body, done) {
      box.setAttribute("aria-busy", "true");
      try {
        await api(method, base + path, body);
        if (done) toast(done);
        await consoleState.reload();
        consoleState.refreshLists();
      } catch (error) {
        toast(error.message, true);
        render(conversation);
      } finally {
        box.setAttribute("aria-busy", "false");
      }
    }

    function render(conv) {
      conversation = conv;
      const resolved = conv.status === "resolved";
      box.hidden = false;
      box.querySelectorAll("select, input, button").forEach((control) => {
        control.disabled = !consoleState.canWrite || (resolved && control !== tagInput && !tagForm.contains(control));
      });
      assignee.replaceChildren(el("option", { value: "" }, "Unassigned"),
        ...[...names.agents].map(([id, name]) => el("option", { value: String(id) }, id === consoleState.me ? name + " (you)" : name)));
      assignee.value = conv.assignee_id ? String(conv.assignee_id) : "";
      team.replaceChildren(el("option", { value: "" }, "No team"),
        ...[...names.teams].map(([id, name]) => el("option", { value: String(id) }, name)));
      team.value = conv.team_id ? String(conv.team_id) : "";
      priority.value = PRIORITY[conv.priority] || "normal";
      const snoozed = conv.snoozed_until && new Date(conv.snoozed_until) > new Date();
      snooze.replaceChildren(
        ...(snoozed ? [el("option", { value: "until" }, "Until " + new Date(conv.snoozed_until).toLocaleString()),
          el("option", { value: "" }, "Unsnooze now")] : [el("option", { value: "" }, "Not snoozed")]),
        ...SNOOZE_CHOICES.map(([value, text]) => el("option", { value }, text)));
      snooze.value = snoozed ? "until" : "";
      tagList.replaceChildren(...(conv.tags || []).map((t) => el("li", { class: "tag" }, t.name,
        consoleState.canWrite ? el("button", { type: "button", class: "tag-remove", "aria-label": "Remove tag " + t.name,
          onclick: () => change("DELETE", "/tags/" + t.id, undefined, "Tag removed") }, "×") : null)));
      document.getElementById("wf-tag-options").replaceChildren(
        ...[...names.tags.values()].map((name) => el("option", { value: name })));
    }

    assignee.addEventListener("change", () => change("PUT", "/assignee",
      { user_id: assignee.value ? Number(assignee.value) : null },
      assignee.value ? "Assigned to " + assignee.options[assignee.selectedIndex].text : "Unassigned; back in the queue"));
    team.addEventListener("change", () => change("PUT", "/team",
      { team_id: team.value ? Number(team.value) : null }, "Transferred"));
    priority.addEventListener("change", () => change("PUT", "/priority", { priority: priority.value }, "Priority changed"));
    snooze.addEventListener("change", () => {
      if (snooze.value === "until") return;
      if (!snooze.value) { change("POST", "/unsnooze", undefined, "No longer snoozed"); return; }
      const until = snoozeUntil(snooze.value);
      change("POST", "/snooze", { until: until.toISOString() }, "Snoozed until " + until.toLocaleString());
    });
    tagForm.addEventListener("submit", async (event) => {
      event.preventDefault();
      const wanted = tagInput.value.trim().replace(/\s+/g, " ");
      if (!wanted) return;
      let id = [...names.tags].find(([, name]) => name.toLowerCase() === wanted.toLowerCase());
      try {
        if (!id) {
          const created = await api("POST", "/api/v1/tags", { name: wanted });
          names.tags.set(created.id, created.name);
          id = [created.id];
        }
        tagInput.value = "";
        await change("POST", "/tags", { tag_id: id[0] }, "Tagged “" + names.tags.get(id[0]) + "”");
      } catch (error) {
        toast(error.message, true);
      }
    });
    document.addEventListener("baton:conversation", (event) => render(event.detail));
  }

  // Deferred: the page is parsed, and the console's first conversation load is still waiting
  // for the server when this runs.
  setupControls();
  return { ready, isActivity, activityText };
})();
