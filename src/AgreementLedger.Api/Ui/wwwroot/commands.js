// The recording commands the agreement page offers: each one's route under /agreements/{id}/ and
// the fields of its request body (docs/api.md), as specs for commandForm.

import { MILESTONES } from "./vocabulary.js";

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
  { route: "retractions", label: "Retract a mistaken event", fields: [
    { name: "version", label: "Version to retract", type: "number", required: true, step: "1", min: "2", help: "The event's version in the list of events" },
    { name: "reason", label: "Why it was wrong", type: "textarea", required: true }] },
];
