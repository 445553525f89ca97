/* Candidate models: the regression gate's decision per slice, the shadow's agreement with the
   active model and its disagreements (redacted), promote, roll back, retrain now. Customer
   text is always set as text, never as HTML. */
"use strict";

(function () {
  const { api, toast, el } = window.Baton;
  const root = document.getElementById("learning-models");
  if (!root || root.dataset.isAdmin !== "true") return;
  const list = document.getElementById("candidate-list");
  const progress = document.getElementById("models-progress");
  const overview = document.getElementById("models-overview");
  const actionStatus = document.getElementById("models-action-status");
  const STATUS = {
    trained: ["being judged", "warn"],
    refused: ["refused by the gate", "bad"],
    shadow: ["in shadow", "warn"],
    retired: ["retired", ""],
    promoted: ["promoted", "ok"],
    rolled_back: ["rolled back", ""],
  };

  const percent = (value) => (value === null || value === undefined ? "–" : (value * 100).toFixed(1) + "%");
  const points = (value) => (value > 0 ? "+" : "") + value.toFixed(1);

  function sliceTable(gate) {
    const active = {};
    const candidate = {};
    for (const row of [gate.active.overall, ...gate.active.slices]) active[row.name + "=" + row.value] = row;
    for (const row of [gate.candidate.overall, ...gate.candidate.slices]) candidate[row.name + "=" + row.value] = row;
    const rows = gate.comparisons.map((c) => {
      const key = c.name + "=" + c.value;
      const before = active[key] || {};
      const after = candidate[key] || {};
      const verdict = c.verdict === "dropped" ? el("span", { class: "badge bad" }, "fell")
        : c.verdict === "too_few" ? el("span", { class: "badge" }, "too few to judge")
          : el("span", { class: "badge ok" }, "ok");
      return el("tr", { "data-slice": key, class: c.verdict === "dropped" ? "slice-dropped" : null },
        el("th", { scope: "row" }, c.name === "overall" ? "Overall" : c.name + ": " + c.value),
        el("td", {}, String(c.examples)),
        el("td", {}, percent(c.active_accuracy) + " → " + percent(c.candidate_accuracy)),
        el("td", {}, points(c.change_points)),
        el("td", {}, percent(before.out_of_scope_rate) + " → " + percent(after.out_of_scope_rate)),
        el("td", {}, percent(before.escalation_rate) + " → " + percent(after.escalation_rate)),
        el("td", {}, verdict));
    });
    return el("table", { class: "data-table slice-table" },
      el("caption", { class: "small muted" }, "Active model → candidate on the frozen evaluation set. The gate: " + gate.rule + "."),
      el("thead", {}, el("tr", {},
        ["Slice", "Examples", "Accuracy", "Change (points)", "Out of scope", "Escalated", "Verdict"]
          .map((name) => el("th", { scope: "col" }, name)))),
      el("tbody", {}, rows));
  }

  async function showDisagreements(candidate, box, button) {
    button.disabled = true;
    try {
      const rows = await api("GET", "/api/v1/learning/models/" + candidate.id + "/disagreements?limit=20");
      box.replaceChildren(rows.length
        ? el("ul", { class: "gap-examples", "aria-label": "Messages the two models decided differently" },
          rows.map((row) => el("li", {}, el("q", {}, row.text), " ",
            el("span", { class: "small muted" }, "active: " + row.active + " · candidate: " + row.candidate))))
        : el("p", { class: "small muted" }, "No disagreement yet."));
    } catch (error) {
      box.textContent = error.message;
    } finally {
      button.disabled = false;
    }
  }

  function card(candidate) {
    const [statusText, statusClass] = STATUS[candidate.status] || [candidate.status, ""];
    const node = el("li", { class: "card candidate", "data-version": candidate.version },
      el("h2", { class: "gap-name" }, el("code", {}, candidate.version), " ",
        el("span", { class: "badge " + statusClass }, statusText)),
      el("p", { class: "small muted" },
        candidate.base_examples.toLocaleString() + " base + " + candidate.reviewed_examples.toLocaleString()
        + " reviewed examples · trained in " + Math.round(candidate.training_seconds) + " s by " + candidate.trigger
        + " · " + new Date(candidate.created_at).toLocaleString()
        + (candidate.compared_with ? " · compared with " + candidate.compared_with : "")));
    if (candidate.gate && candidate.gate.comparisons) {
      node.append(el("p", { class: candidate.gate.passed ? "gate-summary" : "gate-summary notice" }, "Gate " + candidate.gate.summary));
      node.append(sliceTable(candidate.gate));
    }
    if (candidate.shadow) {
      const shadow = candidate.shadow;
      node.append(el("p", { class: "shadow-summary" }, shadow.predicted
        ? "In shadow: agreed with the active model on " + percent(shadow.agreement_rate) + " of "
          + shadow.predicted.toLocaleString() + " live messages"
        : "In shadow since " + new Date(shadow.started_at).toLocaleString() + ": no live message predicted yet",
      shadow.sample_share < 1 ? " (" + percent(shadow.sample_share) + " sample)" : ""));
      const box = el("div", { class: "disagreements" });
      const button = el("button", { type: "button", onclick: () => showDisagreements(candidate, box, button) }, "Show disagreements");
      node.append(el("div", { class: "review-actions" }, button,
        candidate.status === "shadow"
          ? el("button", { type: "button", class: "primary", "data-promote": candidate.version, onclick: () => promote(candidate.version) }, "Promote")
          : null), box);
    }
    return node;
  }

  function describeOverview(models) {
    const source = { account: "this account's own model", default: "the server default model",
      "built-in": "the built-in model", none: "no intent model" }[models.source] || models.source;
    const evaluation = models.evaluation_set
      ? "Frozen evaluation set: " + models.evaluation_set.name + ", " + models.evaluation_set.examples
        + " examples" + (models.evaluation_set.slice_fields.length ? ", slices by " + models.evaluation_set.slice_fields.join(", ") : ", no slice tags")
      : "No frozen evaluation set yet: an operator sets one with baton nlu retrain --eval FILE; until then nothing is retrained.";
    const schedule = models.settings.auto_retrain
      ? "Scheduled retrain: every " + models.settings.retrain_every_days + " days with at least "
        + models.settings.retrain_min_new_examples + " new reviewed examples."
      : "Scheduled retrain: off.";
    overview.replaceChildren(
      el("p", {}, "Answering now with ", el("strong", {}, source), models.active ? " (" + models.active + ")" : "", "."),
      el("p", { class: "small muted" }, evaluation), el("p", { class: "small muted" }, schedule));
  }

  async function load() {
    list.setAttribute("aria-busy", "true");
    try {
      const models = await api("GET", "/api/v1/learning/models");
      describeOverview(models);
      progress.textContent = models.candidates.length + (models.candidates.length === 1 ? " candidate." : " candidates.");
      list.replaceChildren(...(models.candidates.length ? models.candidates.map(card)
        : [el("li", { class: "empty" }, "No candidate yet.")]));
    } catch (error) {
      progress.textContent = error.message;
    } finally {
      list.setAttribute("aria-busy", "false");
    }
  }

  async function act(method, path, body, done) {
    try {
      const result = await api(method, path, body);
      actionStatus.textContent = done(result);
      toast(actionStatus.textContent);
      await load();
    } catch (error) {
      actionStatus.textContent = error.message;
      toast(error.message, true);
    }
  }

  function promote(version) {
    act("POST", "/api/v1/admin/models/promote", { version }, (result) => "Active: " + result.active);
  }

  document.getElementById("models-rollback").addEventListener("click", () =>
    act("POST", "/api/v1/admin/models/rollback", undefined, (result) => "Active: " + (result.active || "the server default")));
  document.getElementById("retrain-now").addEventListener("click", () =>
    act("POST", "/api/v1/learning/retrain", undefined, () => "Retraining: the candidate appears here when it is trained and judged."));
  load();
})();
