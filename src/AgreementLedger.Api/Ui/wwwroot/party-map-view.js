// A party's two-clock map (#/parties/{party}/map): every event of every agreement the party is a party to, when it
// happened and when the ledger recorded it, with the party's agreements as they stood at the moment chosen on both
// clocks. The histories are read one agreement at a time (four at once), with progress shown while they come.

import { h, fill, pageTitle } from "./dom.js";
import { api, allPages, query } from "./api.js";
import { viewedAt } from "./time-controls.js";
import { go } from "./navigation.js";
import { twoClockMap } from "./two-clock-map.js";

// More agreements than this are not read for one map: the note says so and how many were left out.
const MOST_AGREEMENTS = 200;
const AT_ONCE = 4;

export async function partyMapView(main, party, params) {
  const when = { asOf: params.asOf || "", effectiveOn: params.effectiveOn || "" };
  const here = `/parties/${encodeURIComponent(party)}/map`;
  pageTitle.reset();
  pageTitle.set(`${party}'s two-clock map · AgreementLedger`);
  const progress = h("p", { class: "help", id: "party-map-progress", "aria-live": "polite", text: "Reading the agreements…" });
  const mapArea = h("section", { "aria-labelledby": "map-heading" });
  const standing = h("section", { "aria-labelledby": "standing-heading" });
  fill(main,
    h("p", {}, h("a", { href: "#/" + query({ party }), text: `← ${party}'s agreements` })),
    h("h1", { text: `${party}'s agreements on two clocks` }),
    progress, mapArea, standing);

  const listed = await api(`/parties/${encodeURIComponent(party)}/agreements`);
  if (!listed.ok) {
    fill(progress, h("span", { class: "alert", role: "alert", text: `${listed.json?.title || "Could not read the agreements"}: ${listed.json?.detail || ""}` }));
    return;
  }
  const agreements = listed.json.agreements;
  const read = agreements.slice(0, MOST_AGREEMENTS);
  const entries = [];
  let done = 0, failed = 0;
  const next = [...read];
  await Promise.all(Array.from({ length: AT_ONCE }, async () => {
    for (let agreement = next.shift(); agreement; agreement = next.shift()) {
      const { items, problem } = await allPages(`/agreements/${encodeURIComponent(agreement.id)}/timeline`, { limit: 1000 }, "entries", 10000);
      if (problem) failed++;
      entries.push(...items.map(e => ({ ...e, agreementId: agreement.id })));
      fill(progress, `Reading the histories: ${++done} of ${read.length} agreements…`);
    }
  }));
  fill(progress, `${entries.length} events of ${read.length} agreement${read.length === 1 ? "" : "s"}` +
    (agreements.length > read.length ? ` (the first ${read.length} of ${agreements.length}, by id)` : "") +
    (failed ? `; ${failed} could not be read` : "") + ".");
  if (!entries.length) return;
  fill(mapArea, h("h2", { id: "map-heading", text: "When it happened, and when the ledger learned it" }),
    twoClockMap(entries, when, times => go(here, times)));
  await showStanding(standing, party, when);
}

/** The party's agreements as they stood then: as known at asOf, as in effect on effectiveOn (or now). */
async function showStanding(section, party, when) {
  const { items, problem } = await allPages("/agreements", { party, ...when, limit: 100 }, "items", 1000);
  const then = viewedAt(when) || "Now";
  if (problem) { fill(section, h("p", { class: "alert", role: "alert", text: problem.json?.title || "Could not list the agreements" })); return; }
  fill(section, h("h2", { id: "standing-heading", text: `Where they stood. ${then}` }),
    h("div", { class: "table-wrap" }, h("table", { id: "party-standing" },
      h("caption", { class: "visually-hidden", text: `${party}'s agreements, ${then}` }),
      h("thead", {}, h("tr", {}, ["Agreement", "Status", "Version"].map(t => h("th", { scope: "col", text: t })))),
      h("tbody", {}, items.map(a => h("tr", { "data-id": a.id },
        h("td", {}, h("a", { href: `#/agreements/${encodeURIComponent(a.id)}${query(when)}`, text: a.title })),
        h("td", {}, h("span", { class: `badge ${a.status}`, text: a.status })),
        h("td", { text: a.version })))))));
}
