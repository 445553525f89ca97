/* The customer's next-best offers in the handoff sidebar (the packet's `recommendations`):
   each with why (a rule's reason in the customer's own figures, or what similar customers
   hold) and where the customer gets it; or why there are none (the account has them off, or
   the customer has not agreed to marketing: then nothing is offered to them anywhere). */
"use strict";

window.BatonRecommendations = (function () {
  const { el } = window.Baton;
  const WHY_NONE = {
    off: "Recommendations are off for this account.",
    no_consent: "None: the customer has not agreed to marketing, so nothing is offered to them.",
    nothing_to_offer: "Nothing to recommend to this customer yet.",
  };
  const SOURCES = {
    rule: ["from their own figures", "ok"],
    similar_customers: ["similar customers have it", ""],
  };

  function offer(o) {
    const [said, tone] = SOURCES[o.source] || [o.source, ""];
    return el("li", { "data-offer": o.offer },
      el("strong", {}, o.name), " ", el("span", { class: "badge " + tone }, said),
      el("div", { class: "small recommendation-reason" }, o.reason),
      o.where ? el("div", { class: "small muted" }, o.where) : null);
  }

  function section(recommendations) {
    const body = !recommendations
      ? el("p", { class: "muted small" }, "Recommendations are not available on this server yet.")
      : recommendations.status === "shown" && (recommendations.offers || []).length
        ? el("ul", { class: "history", id: "recommendations-list" }, recommendations.offers.map(offer))
        : el("p", { class: "muted small", id: "recommendations-none" },
          WHY_NONE[recommendations.status] || WHY_NONE.nothing_to_offer);
    return el("section", { id: "recommendations" }, el("h3", {}, "Recommended for this customer"), body);
  }

  return { section };
})();
