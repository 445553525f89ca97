/* Answer reviews: the period's random sample of bot answers, judged right or wrong one by one. */
"use strict";

(function () {
  const { api, toast, el } = window.Baton;
  const root = document.getElementById("reviews");
  if (!root) return;
  const canWrite = root.dataset.canWrite === "true";
  const form = document.getElementById("review-period");
  const list = document.getElementById("review-list");
  const progress = document.getElementById("review-progress");
  const REASONS = [["", "No reason"], ["wrong_article", "Wrong article"], ["misunderstood_question", "Misunderstood the question"],
    ["incomplete", "Incomplete"], ["outdated", "Outdated"], ["should_have_handed_over", "Should have handed over"], ["other", "Other"]];
  let sample = null;

  function period() {
    return "from=" + encodeURIComponent(form.elements.from.value) + "&to=" + encodeURIComponent(form.elements.to.value);
  }

  function showProgress() {
    const percent = Math.round((sample.sampled ? sample.reviewed / sample.sampled : 0) * 100);
    progress.textContent = sample.answers + " answers in the period; " + sample.sampled + " in the sample ("
      + Math.round(sample.sample_share * 100) + "%), " + sample.reviewed + " judged (" + percent + "%).";
  }

  function item(answer) {
    const reason = el("select", { "aria-label": "Why the answer was wrong" }, REASONS.map(([value, text]) => el("option", { value }, text)));
    const judge = async (verdict, node) => {
      try {
        await api("PUT", "/api/v1/messages/" + answer.message_id + "/review", { verdict, reason: verdict === "wrong" && reason.value ? reason.value : null });
        sample.reviewed += 1;
        node.remove();
        showProgress();
        toast(verdict === "right" ? "Marked right" : "Marked wrong");
        if (!list.children.length) load();
      } catch (error) {
        toast(error.message, true);
      }
    };
    const node = el("li", { class: "review-item", "data-message": answer.message_id },
      el("p", { class: "small muted" }, new Date(answer.answered_at).toLocaleString(), " · ",
        el("a", { href: "/console/conversations/" + answer.conversation_id }, "conversation #" + answer.conversation_id)),
      el("p", { class: "review-question" }, el("strong", {}, "Customer: "), answer.question || "(no message the bot read)"),
      el("div", { class: "review-answer rich" }, window.BatonMarkdown ? window.BatonMarkdown.render(answer.answer) : answer.answer),
      answer.sources.length ? el("p", { class: "small muted" }, "Cited: " + answer.sources.join(", ")) : null);
    if (canWrite) {
      node.append(el("div", { class: "review-actions" },
        el("button", { type: "button", class: "primary", onclick: () => judge("right", node) }, "Right"),
        el("button", { type: "button", onclick: () => judge("wrong", node) }, "Wrong"), reason));
    }
    return node;
  }

  async function load() {
    list.setAttribute("aria-busy", "true");
    try {
      sample = await api("GET", "/api/v1/answer-reviews/sample?limit=20&" + period());
      showProgress();
      list.replaceChildren(...(sample.data.length ? sample.data.map(item)
        : [el("li", { class: "empty" }, sample.sampled ? "Every sampled answer of this period has been judged." : "No answers in this period.")]));
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
