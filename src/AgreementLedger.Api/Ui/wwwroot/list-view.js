// The list of agreements, with its filters; it reloads on live events unless it shows a past instant.

import { h, fill, pageTitle } from "./dom.js";
import { allPages } from "./api.js";
import { showInstant } from "./dates.js";
import { knownOnField, readTimes } from "./time-controls.js";
import { onLiveEvent, debounce } from "./live.js";
import { go } from "./navigation.js";
import { STATUSES, KINDS } from "./vocabulary.js";

export async function listView(main, params) {
  pageTitle.reset();
  pageTitle.set("Agreements · AgreementLedger");
  const filters = h("form", { class: "filters", "aria-label": "Filter agreements", novalidate: true },
    h("div", { class: "grid" },
      h("div", {}, h("label", { for: "filter-party", text: "Party" }), h("input", { id: "filter-party", name: "party", value: params.party || "", placeholder: "JP" })),
      h("div", {}, h("label", { for: "filter-status", text: "Status" }), h("select", { id: "filter-status", name: "status" },
        h("option", { value: "", text: "Any" }), STATUSES.map(s => h("option", { value: s, text: s, selected: params.status === s })))),
      h("div", {}, h("label", { for: "filter-kind", text: "Kind" }), h("select", { id: "filter-kind", name: "kind" },
        h("option", { value: "", text: "Any" }), KINDS.map(k => h("option", { value: k, text: k, selected: params.kind === k })))),
      h("div", {}, h("label", { for: "filter-area", text: "Area" }), h("input", { id: "filter-area", name: "area", value: params.area || "", placeholder: "defence-industry" })),
      knownOnField("filter-asof", params.asOf)),
    h("div", { class: "actions" }, h("button", { type: "submit", text: "Show" }), h("a", { href: "#/", class: "button secondary", text: "Clear filters" })));
  filters.addEventListener("submit", event => {
    event.preventDefault();
    const times = readTimes(filters);
    if (!times) return;
    go("/", { ...Object.fromEntries(new FormData(filters)), asOf: times.asOf });
  });

  const results = h("div", { "aria-live": "polite" }, h("p", { text: "Loading…" }));
  fill(main, h("h1", { text: "Agreements" }), filters, results);

  async function load() {
    const { items: rows, problem } = await allPages("/agreements",
      { party: params.party, status: params.status, kind: params.kind, area: params.area, asOf: params.asOf, limit: 100 }, "items", 1000);
    if (problem) {
      fill(results, h("div", { class: "alert", role: "alert" }, h("h2", { text: problem.json?.title || "Could not list agreements" }), h("p", { text: problem.json?.detail || "" })));
      return;
    }
    fill(results, 
      h("p", { text: `${rows.length} agreement${rows.length === 1 ? "" : "s"}` + (params.asOf ? ` as known at ${showInstant(params.asOf)}` : "") }),
      h("div", { class: "table-wrap" }, h("table", {},
        h("caption", { class: "visually-hidden", text: "Agreements" }),
        h("thead", {}, h("tr", {}, ["Agreement", "Kind", "Status", "Parties", "Proposed on", "Version"].map(t => h("th", { scope: "col", text: t })))),
        h("tbody", {}, rows.map(row => h("tr", {},
          h("td", {}, h("a", { href: `#/agreements/${encodeURIComponent(row.id)}`, text: row.title }), h("br"), h("code", { text: row.id })),
          h("td", { text: row.kind }),
          h("td", {}, h("span", { class: `badge ${row.status}`, text: row.status })),
          h("td", { text: row.parties.join(", ") }),
          h("td", { text: row.proposedOn }),
          h("td", { text: row.version })))))));
  }

  await load();
  if (!params.asOf) onLiveEvent(debounce(load, 500));
}
