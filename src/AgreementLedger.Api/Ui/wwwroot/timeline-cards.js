// On a phone, the timeline as a vertical line of cards, one per event in effective-time order, each with
// both of its dates: when it happened in the world and when the ledger recorded it (UTC).

import { h } from "./dom.js";
import { isoSeconds } from "./dates.js";

export function timelineCards(entries) {
  return h("ol", { class: "timeline-cards", "aria-label": "Events in effective order, with the dates they occurred and were recorded" },
    entries.map(e => h("li", { class: "card", "data-version": e.version, "data-retracted": e.retracted ? "true" : null },
      h("p", { class: "card-summary" }, h("span", { class: e.retracted ? "retracted" : null, text: e.summary }),
        e.retracted ? h("strong", { class: "card-flag", text: " Retracted" }) : null),
      h("dl", { class: "card-dates" },
        h("div", {}, h("dt", { text: "Occurred on" }),
          h("dd", {}, e.occurredOn ? h("time", { datetime: e.occurredOn, text: e.occurredOn }) : "— (a retraction takes effect when recorded)")),
        h("div", {}, h("dt", { text: "Recorded at (UTC)" }),
          h("dd", {}, h("time", { datetime: e.recordedAt, text: isoSeconds(e.recordedAt) })))),
      h("details", {},
        h("summary", { text: `Details of version ${e.version}` }),
        h("dl", { class: "card-more" },
          h("dt", { text: "Type" }), h("dd", {}, h("code", { text: e.type })),
          h("dt", { text: "Version" }), h("dd", { text: e.version }),
          h("dt", { text: "Recorded by" }), h("dd", { text: e.recordedBy }),
          e.retracted ? [h("dt", { text: "Retracted" }), h("dd", { text: [e.retractionReason, e.correctedBy ? `corrected by version ${e.correctedBy}` : ""].filter(Boolean).join("; ") || "yes" })] : null)))));
}
