// The parts of an agreement's page drawn from its state and timeline: facts, the table of events
// (with its place in the transparency log, how its events refer to each other, and retract and correct buttons per
// event while recording is possible)
// and the side lists.

import { h, eventLink } from "./dom.js";
import { showInstant } from "./dates.js";
import { proofLine } from "./proofs.js";
import { relations, retractionsInPlace } from "./history-links.js";
import { correctable } from "./correction-form.js";

export function fact(term, value) {
  return h("div", {}, h("dt", { text: term }), h("dd", {}, value));
}

/**
 * The events in effective order, each retraction placed under the event it retracted and linked both ways (and a
 * correction's replacement to what it corrects); a fact recorded after events it happened before says so. With
 * actions ({ retract(version), correct(entry) }, only while recording is possible) each event offers both.
 */
export function eventsTable(entries, actions) {
  const related = relations(entries);
  const link = (version, text) => eventLink({ version }, text);
  const notes = e => {
    const r = related.get(e.version);
    return [
      r.retracts ? h("span", { class: "relation" }, " — retracts ", link(r.retracts, `v${r.retracts}`)) : null,
      r.corrects ? h("span", { class: "relation" }, " — corrects ", link(r.corrects, `v${r.corrects}`)) : null,
      e.retracted ? h("span", { class: "relation" }, " (retracted",
        r.retractedIn ? [" by ", link(r.retractedIn, `v${r.retractedIn}`)] : null,
        e.retractionReason ? `: ${e.retractionReason}` : "",
        r.correctedBy ? ["; corrected by ", link(r.correctedBy, `v${r.correctedBy}`)] : null, ")") : null,
      r.recordedAfter ? h("span", { class: "late" }, "recorded after ", link(r.recordedAfter, `v${r.recordedAfter}`)) : null,
    ];
  };
  const buttons = e => [
    e.version > 1 && !e.retracted && e.type !== "event_retracted"
      ? h("button", { type: "button", class: "secondary", "aria-label": `Retract version ${e.version}`, text: "Retract…", onclick: () => actions.retract(e.version) })
      : null,
    correctable(e) ? h("button", { type: "button", class: "secondary", "aria-label": `Correct version ${e.version}`, text: "Correct…", onclick: () => actions.correct(e) }) : null,
  ];
  return h("div", { class: "table-wrap" }, h("table", { id: "events" },
    h("caption", { class: "visually-hidden", text: "Events in effective order, each retraction under the event it retracted" }),
    h("thead", {}, h("tr", {}, ["Occurred on", "What happened", "Version"].map(t => h("th", { scope: "col", text: t })), h("th", { scope: "col", class: "hide-narrow", text: "Recorded" }),
      actions ? h("th", { scope: "col", text: "Correct" }) : null)),
    h("tbody", {}, retractionsInPlace(entries).map(e => h("tr", { id: `event-${e.version}`, tabindex: "-1", "data-type": e.type,
      class: [e.retracted ? "retracted" : "", e.type === "event_retracted" ? "retraction" : ""].join(" ").trim() || null },
      h("td", { "data-label": "Occurred on", text: e.occurredOn || "—" }),
      h("td", {}, h("span", { class: "what" }, e.summary), notes(e), proofLine(e)),
      h("td", { "data-label": "Version", text: e.version }),
      h("td", { class: "hide-narrow", text: `${showInstant(e.recordedAt)} by ${e.recordedBy}` }),
      actions ? h("td", { class: "row-actions" }, buttons(e)) : null)))));
}

// The depositary's status table: one row per party (docs/api.md "Treaty law"), shown once any treaty-law fact is known.
export function statusTable(agreement) {
  const rows = agreement.participation || [];
  if (!rows.some(p => p.consent || p.provisionalFrom || p.inForceOn || p.withdrawnOn || p.reservations?.length) && agreement.kind !== "treaty") return null;
  const reservations = p => p.reservations.map(r => `${r.kind} (v${r.version}${r.refersTo ? " → v" + r.refersTo : ""}, ${r.on})`).join("; ");
  return [
    h("h2", { text: `Treaty status${agreement.inForce ? " — in force" : ""}${agreement.inForceOn ? ` (since ${agreement.inForceOn})` : ""}` }),
    // Wider than the side column: a region the keyboard can scroll.
    h("div", { class: "table-wrap", tabindex: "0", role: "region", "aria-label": "Treaty status table" }, h("table", { id: "treaty-status" },
      h("caption", { class: "visually-hidden", text: "Each party's signature, consent, provisional application, entry into force, reservations and withdrawal" }),
      h("thead", {}, h("tr", {}, ["Party", "Signed", "Consent", "Provisional application", "In force", "Reservations", "Withdrawal"].map(t => h("th", { scope: "col", text: t })))),
      h("tbody", {}, rows.map(p => h("tr", { "data-party": p.party },
        h("th", { scope: "row", text: p.party }),
        h("td", { text: p.signedOn || "—" }),
        h("td", { text: p.consent ? `${p.consent.instrument}, ${p.consent.on}` : "—" }),
        h("td", { text: p.provisionalFrom ? `from ${p.provisionalFrom}` : "—" }),
        h("td", { text: p.inForceOn ? `from ${p.inForceOn}` : "—" }),
        h("td", { text: reservations(p) || "—" }),
        h("td", { text: p.withdrawnOn ? `notified ${p.withdrawnOn}, effective ${p.withdrawalEffectiveOn}` : "—" })))))),
  ];
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
