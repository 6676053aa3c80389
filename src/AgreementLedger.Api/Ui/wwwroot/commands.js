// The recording commands the agreement page offers: each one's route under /agreements/{id}/, the fields of its
// request body (docs/api.md), as specs for commandForm, and when the agreement's state allows it next (the lifecycle
// table of docs/api.md, read from the details answer); the treaty-law ones after the lifecycle's. A field's choices
// name the pick list it offers from the agreement: its parties, the ones yet to sign, or the deliverables not delivered.
// A command with a `type` (the event it records) is one a correction may record in place of a mistaken event.

import { MILESTONES, INSTRUMENTS, RESERVATION_KINDS } from "./vocabulary.js";

const BEFORE_SIGNATURE = ["Proposed", "Negotiating", "Negotiated"];
const IN_FORCE = ["Signed", "Funded", "Delivered"];
const FINAL = ["Terminated", "Withdrawn"];
const open = a => !FINAL.includes(a.status);
const unsigned = a => a.parties.filter(p => !a.signatories.some(s => s.party === p));
const participation = a => a.participation || [];

export const COMMANDS = [
  { route: "negotiation-rounds", type: "negotiation_round_held", label: "Negotiation round", when: a => ["Proposed", "Negotiating"].includes(a.status), fields: [
    { name: "occurredOn", label: "Held on", type: "date" },
    { name: "location", label: "Where" },
    { name: "participants", label: "Participants", type: "list", upper: true, help: "Party codes, separated by spaces or commas (JP GB IT)" },
    { name: "summary", label: "Summary", type: "textarea" }] },
  { route: "terms-agreed", type: "terms_agreed", label: "Terms agreed", when: a => ["Proposed", "Negotiating"].includes(a.status), fields: [
    { name: "occurredOn", label: "Agreed on", type: "date" },
    { name: "summary", label: "Summary", type: "textarea" }] },
  { route: "signatures", type: "party_signed", label: "A party signed", when: a => BEFORE_SIGNATURE.includes(a.status) && unsigned(a).length > 0, fields: [
    { name: "party", label: "Party", required: true, upper: true, choices: "unsigned", help: "Code such as JP, GB, EU" },
    { name: "occurredOn", label: "Signed on", type: "date" },
    { name: "signedBy", label: "Signed by" },
    { name: "place", label: "Place" }] },
  { route: "parties", type: "party_joined", label: "A party joined", when: a => BEFORE_SIGNATURE.includes(a.status), fields: [
    { name: "party", label: "Party", required: true, upper: true, help: "Code such as JP, GB, EU" },
    { name: "occurredOn", label: "Joined on", type: "date" }] },
  { route: "deliverables", type: "deliverable_planned", label: "Plan a deliverable", when: open, fields: [
    { name: "deliverableId", label: "Deliverable id", required: true, help: "A short id, used again when it is delivered" },
    { name: "name", label: "Name", required: true },
    { name: "dueBy", label: "Due by", type: "date" },
    { name: "occurredOn", label: "Planned on", type: "date" }] },
  { route: "funding", type: "funding_committed", label: "Funding committed", when: a => IN_FORCE.includes(a.status), fields: [
    { name: "funder", label: "Funder", required: true, upper: true, choices: "parties", help: "Code; need not be a party" },
    { name: "amount", label: "Amount", type: "number", required: true, step: "0.01", min: "0.01" },
    { name: "currency", label: "Currency", required: true, upper: true, help: "ISO 4217, such as EUR or JPY" },
    { name: "purpose", label: "Purpose" },
    { name: "occurredOn", label: "Committed on", type: "date" }] },
  { route: "deliveries", type: "deliverable_delivered", label: "A deliverable was delivered", when: a => ["Signed", "Funded"].includes(a.status) && a.deliverables.some(d => !d.deliveredOn), fields: [
    { name: "deliverableId", label: "Deliverable", required: true, choices: "undelivered", pick: true },
    { name: "occurredOn", label: "Delivered on", type: "date" },
    { name: "note", label: "Note", type: "textarea" }] },
  { route: "targets", type: "target_set", label: "Set a target date", when: open, fields: [
    { name: "milestone", label: "Milestone", type: "select", options: MILESTONES, required: true },
    { name: "targetDate", label: "Target date", type: "date", required: true },
    { name: "note", label: "Note" },
    { name: "occurredOn", label: "Set on", type: "date" }] },
  { route: "sources", type: "source_cited", label: "Cite a source", when: open, fields: [
    { name: "publisher", label: "Publisher", required: true },
    { name: "url", label: "Address", type: "url" },
    { name: "publishedOn", label: "Published on", type: "date" },
    { name: "note", label: "Note", type: "textarea" },
    { name: "occurredOn", label: "Cited on", type: "date" }] },
  { route: "amendments", type: "agreement_amended", label: "Amendment", when: open, fields: [
    { name: "summary", label: "What changed", type: "textarea", required: true },
    { name: "occurredOn", label: "Amended on", type: "date" }] },
  ...["suspension", "resumption", "termination", "withdrawal"].map(route => ({
    route, label: { suspension: "Suspend", resumption: "Resume", termination: "Terminate", withdrawal: "Withdraw" }[route],
    type: `agreement_${{ suspension: "suspended", resumption: "resumed", termination: "terminated", withdrawal: "withdrawn" }[route]}`,
    when: a => ({ suspension: IN_FORCE, resumption: ["Suspended"], termination: [...IN_FORCE, "Suspended"], withdrawal: BEFORE_SIGNATURE })[route].includes(a.status), fields: [
      { name: "reason", label: "Reason", type: "textarea", required: true },
      { name: "occurredOn", label: "On", type: "date" }] })),
  { route: "consents", label: "Consent to be bound (ratification, accession…)", when: open, fields: [
    { name: "party", label: "Party", required: true, upper: true, choices: "parties", help: "Code such as JP, GB, IT" },
    { name: "instrument", label: "Instrument", type: "select", options: INSTRUMENTS, required: true },
    { name: "occurredOn", label: "Deposited on", type: "date" },
    { name: "depositary", label: "Depositary" },
    { name: "signedBy", label: "Signed by" },
    { name: "place", label: "Place" },
    { name: "note", label: "Note", type: "textarea" }] },
  { route: "entry-into-force", label: "Entry into force", when: a => open(a) && participation(a).some(p => p.consent && !p.inForceOn && !p.withdrawnOn), fields: [
    { name: "occurredOn", label: "In force from", type: "date" },
    { name: "parties", label: "For parties", type: "list", upper: true, help: "Leave empty for every party that has consented by then and is not yet in force" },
    { name: "note", label: "Note", type: "textarea" }] },
  { route: "provisional-application", label: "Provisional application", when: a => open(a) && a.signatories.length > 0, fields: [
    { name: "party", label: "Party", required: true, upper: true, choices: "signatories", help: "A party that has signed" },
    { name: "occurredOn", label: "Applied from", type: "date" },
    { name: "note", label: "Note", type: "textarea" }] },
  { route: "reservations", label: "Reservation, declaration or objection", when: open, fields: [
    { name: "party", label: "Party", required: true, upper: true, choices: "parties" },
    { name: "kind", label: "Kind", type: "select", options: RESERVATION_KINDS, required: true },
    { name: "text", label: "Text", type: "textarea", required: true },
    { name: "refersTo", label: "Refers to version", type: "number", step: "1", min: "2", help: "For an objection or a withdrawal: the version of the reservation meant" },
    { name: "occurredOn", label: "Made on", type: "date" }] },
  { route: "denunciations", label: "A party withdraws (denunciation)", when: a => open(a) && participation(a).some(p => p.consent && !p.withdrawnOn), fields: [
    { name: "party", label: "Party", required: true, upper: true, choices: "parties" },
    { name: "occurredOn", label: "Notified on", type: "date" },
    { name: "effectiveOn", label: "Takes effect on", type: "date", help: "May lie in the future; the same day when left empty" },
    { name: "note", label: "Note", type: "textarea" }] },
  { route: "retractions", label: "Retract a mistaken event", when: a => a.version > 1, fields: [
    { name: "version", label: "Version to retract", type: "number", required: true, step: "1", min: "2", help: "The event's version in the list of events" },
    { name: "reason", label: "Why it was wrong", type: "textarea", required: true }] },
];

/** The pick list a field offers from the agreement, as { value, label }. */
export function choicesFor(kind, agreement) {
  const codes = list => list.map(code => ({ value: code, label: code }));
  switch (kind) {
    case "parties": return codes(agreement.parties);
    case "unsigned": return codes(unsigned(agreement));
    case "signatories": return codes(agreement.signatories.map(s => s.party));
    case "undelivered": return deliverables(agreement.deliverables.filter(d => !d.deliveredOn));
    case "deliverables": return deliverables(agreement.deliverables);
    default: return [];
  }
}

const deliverables = list => list.map(d => ({ value: d.deliverableId, label: `${d.name} (${d.deliverableId})` }));

// In a correction the mistaken event is left out: the party that signed, or the deliverable delivered, is a choice again.
const CORRECTING = { unsigned: "parties", undelivered: "deliverables" };

/** The command with its fields' pick lists filled from the agreement (as a correction sees them, when correcting). */
export function withChoices(command, agreement, correcting = false) {
  return { ...command, fields: command.fields.map(f => f.choices
    ? { ...f, choices: choicesFor(correcting ? CORRECTING[f.choices] || f.choices : f.choices, agreement) } : f) };
}
