// The recording commands the agreement page offers: each one's route under /agreements/{id}/ and
// the fields of its request body (docs/api.md), as specs for commandForm; the treaty-law ones after the lifecycle's.

import { MILESTONES, INSTRUMENTS, RESERVATION_KINDS } from "./vocabulary.js";

export const COMMANDS = [
  { route: "negotiation-rounds", label: "Negotiation round", fields: [
    { name: "occurredOn", label: "Held on", type: "date" },
    { name: "location", label: "Where" },
    { name: "participants", label: "Participants", type: "list", help: "Party codes, separated by spaces or commas (JP GB IT)" },
    { name: "summary", label: "Summary", type: "textarea" }] },
  { route: "terms-agreed", label: "Terms agreed", fields: [
    { name: "occurredOn", label: "Agreed on", type: "date" },
    { name: "summary", label: "Summary", type: "textarea" }] },
  { route: "signatures", label: "A party signed", fields: [
    { name: "party", label: "Party", required: true, help: "Code such as JP, GB, EU" },
    { name: "occurredOn", label: "Signed on", type: "date" },
    { name: "signedBy", label: "Signed by" },
    { name: "place", label: "Place" }] },
  { route: "parties", label: "A party joined", fields: [
    { name: "party", label: "Party", required: true, help: "Code such as JP, GB, EU" },
    { name: "occurredOn", label: "Joined on", type: "date" }] },
  { route: "deliverables", label: "Plan a deliverable", fields: [
    { name: "deliverableId", label: "Deliverable id", required: true, help: "A short id, used again when it is delivered" },
    { name: "name", label: "Name", required: true },
    { name: "dueBy", label: "Due by", type: "date" },
    { name: "occurredOn", label: "Planned on", type: "date" }] },
  { route: "funding", label: "Funding committed", fields: [
    { name: "funder", label: "Funder", required: true, help: "Code; need not be a party" },
    { name: "amount", label: "Amount", type: "number", required: true, step: "0.01", min: "0.01" },
    { name: "currency", label: "Currency", required: true, help: "ISO 4217, such as EUR or JPY" },
    { name: "purpose", label: "Purpose" },
    { name: "occurredOn", label: "Committed on", type: "date" }] },
  { route: "deliveries", label: "A deliverable was delivered", fields: [
    { name: "deliverableId", label: "Deliverable id", required: true },
    { name: "occurredOn", label: "Delivered on", type: "date" },
    { name: "note", label: "Note", type: "textarea" }] },
  { route: "targets", label: "Set a target date", fields: [
    { name: "milestone", label: "Milestone", type: "select", options: MILESTONES, required: true },
    { name: "targetDate", label: "Target date", type: "date", required: true },
    { name: "note", label: "Note" },
    { name: "occurredOn", label: "Set on", type: "date" }] },
  { route: "sources", label: "Cite a source", fields: [
    { name: "publisher", label: "Publisher", required: true },
    { name: "url", label: "Address", type: "url" },
    { name: "publishedOn", label: "Published on", type: "date" },
    { name: "note", label: "Note", type: "textarea" },
    { name: "occurredOn", label: "Cited on", type: "date" }] },
  { route: "amendments", label: "Amendment", fields: [
    { name: "summary", label: "What changed", type: "textarea", required: true },
    { name: "occurredOn", label: "Amended on", type: "date" }] },
  ...["suspension", "resumption", "termination", "withdrawal"].map(route => ({
    route, label: { suspension: "Suspend", resumption: "Resume", termination: "Terminate", withdrawal: "Withdraw" }[route], fields: [
      { name: "reason", label: "Reason", type: "textarea", required: true },
      { name: "occurredOn", label: "On", type: "date" }] })),
  { route: "consents", label: "Consent to be bound (ratification, accession…)", fields: [
    { name: "party", label: "Party", required: true, help: "Code such as JP, GB, IT" },
    { name: "instrument", label: "Instrument", type: "select", options: INSTRUMENTS, required: true },
    { name: "occurredOn", label: "Deposited on", type: "date" },
    { name: "depositary", label: "Depositary" },
    { name: "signedBy", label: "Signed by" },
    { name: "place", label: "Place" },
    { name: "note", label: "Note", type: "textarea" }] },
  { route: "entry-into-force", label: "Entry into force", fields: [
    { name: "occurredOn", label: "In force from", type: "date" },
    { name: "parties", label: "For parties", type: "list", help: "Leave empty for every party that has consented by then and is not yet in force" },
    { name: "note", label: "Note", type: "textarea" }] },
  { route: "provisional-application", label: "Provisional application", fields: [
    { name: "party", label: "Party", required: true, help: "A party that has signed" },
    { name: "occurredOn", label: "Applied from", type: "date" },
    { name: "note", label: "Note", type: "textarea" }] },
  { route: "reservations", label: "Reservation, declaration or objection", fields: [
    { name: "party", label: "Party", required: true },
    { name: "kind", label: "Kind", type: "select", options: RESERVATION_KINDS, required: true },
    { name: "text", label: "Text", type: "textarea", required: true },
    { name: "refersTo", label: "Refers to version", type: "number", step: "1", min: "2", help: "For an objection or a withdrawal: the version of the reservation meant" },
    { name: "occurredOn", label: "Made on", type: "date" }] },
  { route: "denunciations", label: "A party withdraws (denunciation)", fields: [
    { name: "party", label: "Party", required: true },
    { name: "occurredOn", label: "Notified on", type: "date" },
    { name: "effectiveOn", label: "Takes effect on", type: "date", help: "May lie in the future; the same day when left empty" },
    { name: "note", label: "Note", type: "textarea" }] },
  { route: "retractions", label: "Retract a mistaken event", fields: [
    { name: "version", label: "Version to retract", type: "number", required: true, step: "1", min: "2", help: "The event's version in the list of events" },
    { name: "reason", label: "Why it was wrong", type: "textarea", required: true }] },
];
