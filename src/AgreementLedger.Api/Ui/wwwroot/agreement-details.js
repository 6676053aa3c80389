// The parts of an agreement's page drawn from its state and timeline: facts, the table of events
// (with its place in the transparency log, and a retract button per event while recording is possible)
// and the side lists.

import { h } from "./dom.js";
import { showInstant } from "./dates.js";
import { proofLine } from "./proofs.js";

export function fact(term, value) {
  return h("div", {}, h("dt", { text: term }), h("dd", {}, value));
}

export function eventsTable(entries, retract) {
  return h("div", { class: "table-wrap" }, h("table", { id: "events" },
    h("caption", { class: "visually-hidden", text: "Events in effective order" }),
    h("thead", {}, h("tr", {}, ["Occurred on", "What happened", "Version"].map(t => h("th", { scope: "col", text: t })), h("th", { scope: "col", class: "hide-narrow", text: "Recorded" }),
      retract ? h("th", { scope: "col", text: "Correct" }) : null)),
    h("tbody", {}, entries.map(e => h("tr", { "data-type": e.type, class: e.retracted ? "retracted" : null },
      h("td", { text: e.occurredOn || "—" }),
      h("td", {}, e.summary, e.retracted ? h("span", { text: ` (retracted${e.retractionReason ? ": " + e.retractionReason : ""})` }) : null, proofLine(e)),
      h("td", { text: e.version }),
      h("td", { class: "hide-narrow", text: `${showInstant(e.recordedAt)} by ${e.recordedBy}` }),
      retract ? h("td", {}, e.version > 1 && !e.retracted && e.type !== "event_retracted"
        ? h("button", { type: "button", class: "secondary", "aria-label": `Retract version ${e.version}`, text: "Retract…", onclick: () => retract(e.version) })
        : null) : null)))));
}

export function sideLists(agreement) {
  return [
    h("h2", { text: "Targets" }),
    agreement.targets.length ? h("ul", { id: "targets" }, agreement.targets.map(t => h("li", {},
      `${t.milestone} by ${t.targetDate}: `,
      h("span", { class: t.met ? "met" : t.overdue ? "overdue" : null, text: t.met ? `met (${t.reachedOn})` : t.overdue ? "OVERDUE" : "pending" })))) : h("p", { text: "None set." }),
    h("h2", { text: "Signatures" }),
    agreement.signatories.length ? h("ul", {}, agreement.signatories.map(s => h("li", { text: `${s.party} on ${s.signedOn}${s.place ? " in " + s.place : ""}${s.signedBy ? " (" + s.signedBy + ")" : ""}` }))) : h("p", { text: "No party has signed." }),
    h("h2", { text: "Deliverables" }),
    agreement.deliverables.length ? h("ul", {}, agreement.deliverables.map(d => h("li", { text: `${d.name} (${d.deliverableId})${d.dueBy ? ", due " + d.dueBy : ""}: ${d.deliveredOn ? "delivered " + d.deliveredOn : "not delivered"}` }))) : h("p", { text: "None planned." }),
    h("h2", { text: "Sources" }),
    agreement.sources.length ? h("ul", { id: "sources" }, agreement.sources.map(s => h("li", {},
      s.url ? h("a", { href: s.url, rel: "noopener noreferrer", text: s.publisher }) : s.publisher,
      s.publishedOn ? `, ${s.publishedOn}` : "", s.note ? ` — ${s.note}` : ""))) : h("p", { text: "None cited." }),
  ];
}
