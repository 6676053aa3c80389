// The portfolio: every agreement as a lane of its stages along one date axis, filtered, sorted, as known at an
// instant and as in effect on a date, a page at a time — each page drawn from ONE answer of GET /agreements.
// With a party chosen it is that party's portfolio (every party code on the page links to it). It reloads on
// live events unless it shows a past instant.

import { h, fill, pageTitle } from "./dom.js";
import { api, query } from "./api.js";
import { showInstant, todayUtc } from "./dates.js";
import { knownOnField, happenedByField, readTimes, viewedAt } from "./time-controls.js";
import { onLiveEvent, debounce } from "./live.js";
import { go } from "./navigation.js";
import { STATUSES, KINDS } from "./vocabulary.js";
import { portfolioTable } from "./portfolio-lanes.js";

export const PAGE_SIZE = 50;
const SORTS = [["", "Agreement id"], ["nextTarget", "Next target, soonest first"], ["-signedOn", "Signed on, latest first"],
  ["signedOn", "Signed on, earliest first"], ["-lastChange", "Last change, newest first"]];
// What the URL keeps of the view (the cursor too: a page can be bookmarked).
const KEPT = ["party", "status", "kind", "area", "inForce", "sort", "asOf", "effectiveOn"];

/** Party codes, comma-separated, each a link to that party's portfolio, keeping the times and the order looked at. */
export function partyLinks(codes, params = {}) {
  return codes.flatMap((code, i) => [i ? ", " : null,
    h("a", { class: "party", href: "#/" + query({ party: code, sort: params.sort, asOf: params.asOf, effectiveOn: params.effectiveOn }), text: code })]);
}

export async function portfolioView(main, params) {
  pageTitle.reset();
  const party = params.party || "";
  pageTitle.set(`${party ? `${party}'s agreements` : "Agreements"} · AgreementLedger`);
  const select = (id, name, label, options) => h("div", {}, h("label", { for: id, text: label }),
    h("select", { id, name }, options.map(([value, text]) => h("option", { value, text, selected: (params[name] || "") === value }))));
  const filters = h("form", { class: "filters", "aria-label": "Filter and sort agreements", novalidate: true },
    h("div", { class: "grid" },
      h("div", {}, h("label", { for: "filter-party", text: "Party" }), h("input", { id: "filter-party", name: "party", value: party, placeholder: "JP" })),
      select("filter-status", "status", "Status", [["", "Any"], ...STATUSES.map(s => [s, s])]),
      select("filter-kind", "kind", "Kind", [["", "Any"], ...KINDS.map(k => [k, k])]),
      h("div", {}, h("label", { for: "filter-area", text: "Area" }), h("input", { id: "filter-area", name: "area", value: params.area || "", placeholder: "defence-industry" })),
      select("filter-in-force", "inForce", "In force", [["", "Any"], ["true", "In force"], ["false", "Not in force"]]),
      select("sort", "sort", "Sort by", SORTS)),
    h("div", { class: "grid" }, knownOnField("filter-asof", params.asOf), happenedByField("filter-effective-on", params.effectiveOn)),
    h("div", { class: "actions" }, h("button", { type: "submit", text: "Show" }), h("a", { href: "#/", class: "button secondary", text: "Clear filters" })));
  filters.addEventListener("submit", event => {
    event.preventDefault();
    const times = readTimes(filters);
    if (times) go("/", { ...Object.fromEntries(new FormData(filters)), ...times });
  });

  const results = h("div", { "aria-live": "polite" }, h("p", { text: "Loading…" }));
  fill(main, h("h1", { text: party ? `${party}'s agreements` : "Agreements" }),
    party ? h("p", { text: `Every agreement ${party} is a party to, as a lane of its stages.`, class: "help" }, " ",
      h("a", { href: `#/parties/${encodeURIComponent(party)}/map${query({ asOf: params.asOf, effectiveOn: params.effectiveOn })}`, id: "party-map-link", text: `${party}'s agreements on two clocks` }),
      " · ", h("a", { href: "#/", text: "All agreements" })) : null,
    filters, results);

  const kept = Object.fromEntries(KEPT.map(k => [k, params[k]]));
  const when = { asOf: params.asOf, effectiveOn: params.effectiveOn };
  const agreementLink = (item, text = item.title) => h("a", { href: `#/agreements/${encodeURIComponent(item.id)}${query(when)}`, text });
  async function load() {
    const answer = await api("/agreements" + query({ ...kept, cursor: params.cursor, limit: PAGE_SIZE }));
    if (!answer.ok) {
      fill(results, h("div", { class: "alert", role: "alert" }, h("h2", { text: answer.json?.title || "Could not list agreements" }), h("p", { text: answer.json?.detail || "" })));
      return;
    }
    const { items, next } = answer.json;
    // A redraw on a live event keeps the lanes whose details are open, and the focus, where they were.
    const open = [...results.querySelectorAll('button.lane[aria-expanded="true"]')].map(b => b.dataset.id);
    const focused = results.contains(document.activeElement) ? document.activeElement.closest("button.lane")?.dataset.id : null;
    const reference = params.effectiveOn || (params.asOf ? params.asOf.slice(0, 10) : todayUtc());
    const picture = items.length ? portfolioTable(items, reference, { partyLinks: codes => partyLinks(codes, params), agreementLink }) : null;
    fill(results,
      params.asOf || params.effectiveOn ? h("p", { class: "banner", id: "time-banner", text: `${viewedAt(params)}.` }) : null,
      h("p", { id: "portfolio-count", text: `${items.length} agreement${items.length === 1 ? "" : "s"}` + (next || params.cursor ? " on this page" : "") +
        (params.asOf ? ` as known at ${showInstant(params.asOf)}` : "") }),
      picture ? h("p", { class: "help", text: `Each lane runs along the dates of its axis; the dashed line is ${reference === todayUtc() ? "today" : reference}. A lane's button opens its details.` }) : null,
      picture ? h("div", { class: "portfolio-wrap" }, picture.table) : null,
      h("nav", { class: "actions", "aria-label": "Pages" },
        params.cursor ? h("a", { href: "#/" + query(kept), text: "First page" }) : null,
        next ? h("a", { href: "#/" + query({ ...kept, cursor: next }), rel: "next", text: "Next page" }) : null));
    picture?.draw();
    for (const button of results.querySelectorAll("button.lane")) {
      if (open.includes(button.dataset.id)) button.click();
      if (button.dataset.id === focused) button.focus();
    }
    // For the first-paint benchmark: the frame in which the lanes are painted.
    requestAnimationFrame(() => performance.mark("portfolio-drawn"));
  }

  await load();
  if (!params.asOf) onLiveEvent(debounce(load, 500));
}
