/* Content gaps: unanswered questions grouped by meaning, with "draft an article" (opens the
   knowledge-base editor prefilled) and "suggest as new intent" (names the group's questions in
   the review queue). Customer text is always set as text, never as HTML. */
"use strict";

(function () {
  const { api, toast, el } = window.Baton;
  const root = document.getElementById("content-gaps");
  if (!root) return;
  const canWrite = root.dataset.canWrite === "true";
  const canDraft = root.dataset.canDraft === "true";
  const form = document.getElementById("gap-filters");
  const list = document.getElementById("gap-list");
  const progress = document.getElementById("gaps-progress");
  // The draft travels to the editor in this tab's sessionStorage, never in a URL (URLs end up
  // in access logs and browser history).
  const DRAFT_KEY = "baton:kb-draft";

  function draft(gap) {
    sessionStorage.setItem(DRAFT_KEY, JSON.stringify({ title: gap.draft_title, body: gap.draft_body }));
    window.location.href = "/console/admin/knowledge#draft";
  }

  function suggestForm(gap, node) {
    const input = el("input", { name: "intent", value: gap.suggested_intent, maxlength: "80", required: true, "aria-label": "New intent name" });
    const status = el("span", { class: "small muted", role: "status" });
    const suggestion = el("form", { class: "inline-form gap-suggest" }, input,
      el("button", { type: "submit", class: "primary small-button" }, "Suggest"), status);
    suggestion.addEventListener("submit", async (event) => {
      event.preventDefault();
      try {
        const done = await api("POST", "/api/v1/content-gaps/intent-suggestions", { name: input.value, message_ids: gap.message_ids });
        status.replaceChildren("Suggested ", el("strong", {}, done.intent), " for " + done.items + " questions: ",
          el("a", { href: "/console/review-queue" }, "review them"));
        toast("Suggested as new intent: " + done.intent);
      } catch (error) {
        status.textContent = error.message;
        toast(error.message, true);
      }
    });
    node.append(suggestion);
    input.focus();
  }

  function card(gap, index) {
    const growth = gap.this_week - gap.last_week;
    const node = el("li", { class: "gap-item card", "data-gap": index },
      el("h2", { class: "gap-name" }, gap.name),
      el("p", { class: "small muted gap-figures" },
        gap.volume + " questions · " + gap.this_week + " this week, " + gap.last_week + " the week before",
        growth > 0 ? el("span", { class: "badge warn" }, "+" + growth) : null),
      el("ul", { class: "gap-examples", "aria-label": "Example questions" },
        gap.examples.map((example) => el("li", {}, example))));
    const actions = el("div", { class: "review-actions" });
    if (canDraft) actions.append(el("button", { type: "button", class: "primary", onclick: () => draft(gap) }, "Draft an article"));
    if (canWrite) {
      const suggest = el("button", { type: "button", onclick: () => { suggest.disabled = true; suggestForm(gap, node); } }, "Suggest as new intent");
      actions.append(suggest);
    }
    node.append(actions);
    return node;
  }

  async function load() {
    list.setAttribute("aria-busy", "true");
    try {
      const gaps = await api("GET", "/api/v1/content-gaps?days=" + encodeURIComponent(form.elements.days.value));
      progress.textContent = gaps.questions + " unanswered questions in the last " + gaps.days + " days; "
        + gaps.data.length + (gaps.data.length === 1 ? " group." : " groups.")
        + (gaps.clustered ? "" : " Grouping needs the sentence encoder, which is not installed on this server.");
      list.replaceChildren(...(gaps.data.length ? gaps.data.map(card)
        : [el("li", { class: "empty" }, "No group of similar unanswered questions yet.")]));
    } catch (error) {
      progress.textContent = error.message;
      list.replaceChildren();
    } finally {
      list.setAttribute("aria-busy", "false");
    }
  }

  form.addEventListener("submit", (event) => { event.preventDefault(); load(); });
  load();
})();
