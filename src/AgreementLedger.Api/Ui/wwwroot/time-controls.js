// The two clocks in plain words (docs/api.md "Time travel"): "What the ledger knew on" — recorded time, an
// instant typed in UTC as ISO (or picked from the agreement's own recording moments) with the reader's local time
// echoed beside it — and "What had happened in the world by" — effective time, an ISO date. And, in a past view,
// what the ledger learned since: the events recorded later, and which of the events shown were retracted later.

import { h } from "./dom.js";
import { showInstant } from "./dates.js";

const INSTANT = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,6})?)?)?\s*(?:Z|UTC)?$/i;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * What the API takes for a typed "known on" value: "" for nothing, a bare date as it is (the API reads it as the
 * end of that UTC day), an instant in UTC as ISO 8601; null when it is neither.
 */
export function parseKnownOn(text) {
  const value = text.trim();
  if (!value) return "";
  const m = INSTANT.exec(value);
  if (!m) return null;
  const [, day, hh, mm, ss = "00", fraction = ""] = m;
  if (hh === undefined) return isNaN(Date.parse(day)) ? null : day;
  const iso = `${day}T${hh}:${mm}:${ss}${fraction}Z`;
  return isNaN(Date.parse(iso)) ? null : iso;
}

/** How an instant is written in the "known on" field: UTC, to the millisecond when it has them (so a recording moment is included). */
export function knownOnText(instant) {
  if (!instant) return "";
  if (DATE.test(instant)) return instant;
  // As the API wrote it (to the microsecond): a Date would round it down to the millisecond, before the moment.
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/.test(instant)) return instant.slice(0, -1).replace("T", " ");
  const d = new Date(instant);
  if (isNaN(d)) return instant;
  const iso = d.toISOString();
  return iso.endsWith(".000Z") ? iso.slice(0, 19).replace("T", " ") : iso.slice(0, 23).replace("T", " ");
}

/** "15:30:00 on 2 December 2025, your time (Europe/Berlin)" for an instant, or why not. */
function localEcho(text) {
  const parsed = parseKnownOn(text);
  if (parsed === "") return "";
  if (parsed === null) return "Not an instant yet: yyyy-mm-dd hh:mm:ss, in UTC.";
  if (DATE.test(parsed)) return `All of ${parsed} (UTC): what had been recorded by the end of that day.`;
  const d = new Date(parsed);
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  return `That is ${d.toLocaleTimeString("en-GB", { hour12: false })} on ${d.toLocaleDateString("en-GB", { day: "numeric", month: "long", year: "numeric" })}, your time (${zone}).`;
}

/**
 * The "known on" field for a form: label, UTC input, help, and the local echo that follows what is typed.
 * `prefix` makes the ids unique on the page (the list has one too).
 */
export function knownOnField(prefix, value) {
  const input = h("input", { id: prefix, name: "asOf", type: "text", inputmode: "numeric", autocomplete: "off", spellcheck: "false",
    placeholder: "2025-10-02 14:30:00", value: knownOnText(value), "aria-describedby": `${prefix}-help ${prefix}-local` });
  const echo = h("p", { id: `${prefix}-local`, class: "help", "aria-live": "polite", text: localEcho(input.value) });
  input.addEventListener("input", () => { echo.textContent = localEcho(input.value); });
  return h("div", { class: "field" },
    h("label", { for: prefix, text: "What the ledger knew on (UTC)" }),
    h("p", { id: `${prefix}-help`, class: "help", text: "Recorded time: only what had been recorded by then. A date, or a date and time in UTC (yyyy-mm-dd hh:mm:ss)." }),
    input, echo);
}

/** "As known at … (what the ledger knew then), as in effect on … (what had happened in the world by then)": a past view's banner. */
export function viewedAt({ asOf, effectiveOn }) {
  return [asOf ? `As known at ${/T/.test(asOf) ? showInstant(asOf) : `the end of ${asOf} (UTC)`} (what the ledger knew then)` : "",
    effectiveOn ? `${asOf ? "" : "Shown "}as in effect on ${effectiveOn} (what had happened in the world by then)` : ""].filter(Boolean).join(", ");
}

/** The "happened by" field: an ISO date of effective time. */
export function happenedByField(prefix, value) {
  return h("div", { class: "field" },
    h("label", { for: prefix, text: "What had happened in the world by" }),
    h("p", { id: `${prefix}-help`, class: "help", text: "Effective time: only events that occurred on or before this date (yyyy-mm-dd)." }),
    h("input", { id: prefix, name: "effectiveOn", type: "text", inputmode: "numeric", autocomplete: "off", placeholder: "2025-10-02", value: value || "", "aria-describedby": `${prefix}-help` }));
}

/**
 * Reads a form holding the two fields: { asOf, effectiveOn } to go to, or null after marking what is wrong
 * at its field (and focusing the first).
 */
export function readTimes(form) {
  const errors = [];
  const asOf = form.elements.asOf ? parseKnownOn(form.elements.asOf.value) : "";
  const effectiveOn = form.elements.effectiveOn ? form.elements.effectiveOn.value.trim() : "";
  if (asOf === null) errors.push([form.elements.asOf, "Enter when the ledger knew it as a date or a UTC date and time, for example 2025-10-02 14:30:00"]);
  if (effectiveOn && (!DATE.test(effectiveOn) || isNaN(Date.parse(effectiveOn)))) errors.push([form.elements.effectiveOn, "Enter what had happened by as a date, for example 2025-10-02"]);
  for (const field of [form.elements.asOf, form.elements.effectiveOn].filter(Boolean)) {
    field.removeAttribute("aria-invalid");
    field.parentElement.querySelector(".field-error")?.remove();
  }
  for (const [field, message] of errors) {
    field.setAttribute("aria-invalid", "true");
    field.before(h("p", { class: "field-error", id: `${field.id}-error`, text: message }));
    field.setAttribute("aria-describedby", `${field.id}-error ${field.getAttribute("aria-describedby") || ""}`.trim());
  }
  if (errors.length) { errors[0][0].focus(); return null; }
  return { asOf, effectiveOn };
}

/** The picker of the agreement's recording moments: choosing "after v6 — …: Tokyo round added" fills the "known on" field. */
export function recordingMoments(entries, field) {
  const moments = [...entries].sort((a, b) => a.version - b.version);
  const select = h("select", { id: "as-of-moment", "aria-describedby": "as-of-moment-help" },
    h("option", { value: "", text: "Choose a moment…" }),
    moments.map(e => h("option", { value: e.recordedAt, text: `after v${e.version} — ${showInstant(e.recordedAt)}: ${e.summary}` })));
  select.addEventListener("change", () => {
    if (!select.value) return;
    field.value = knownOnText(select.value);
    field.dispatchEvent(new Event("input"));
  });
  return h("div", { class: "field" },
    h("label", { for: "as-of-moment", text: "Or pick a moment this agreement was recorded" }),
    h("p", { id: "as-of-moment-help", class: "help", text: "Each version as it was just after it was recorded." }), select);
}

/** An ISO instant in microseconds since the epoch: the API records to the microsecond, a Date keeps milliseconds. */
function micros(iso) {
  const m = /^(.*?:\d{2})(?:\.(\d{1,6}))?Z$/.exec(iso);
  return m ? Date.parse(m[1] + "Z") * 1000 + Number((m[2] || "").padEnd(6, "0")) : Date.parse(iso) * 1000;
}

/**
 * In a view as known at `asOf`: the events recorded since (from the present timeline `now`), and which versions the
 * view shows were retracted since — a Map of version → the retraction that did it, for the events table to say so.
 */
export function sinceThen(asOf, shown, now) {
  // A bare date means what was recorded before the next UTC midnight; an instant, at or before it.
  const cutoff = DATE.test(asOf) ? micros(`${asOf}T00:00:00Z`) + 86400e6 - 1 : micros(asOf);
  const later = now.filter(e => micros(e.recordedAt) > cutoff).sort((a, b) => a.version - b.version);
  const retractedSince = new Map();
  for (const e of shown) {
    const current = now.find(n => n.version === e.version);
    if (!e.retracted && current?.retracted) retractedSince.set(e.version, current);
  }
  if (!later.length) return { note: h("p", { class: "notice", id: "since-then", text: "Nothing has been recorded on this agreement since then." }), retractedSince };
  const note = h("div", { class: "notice", id: "since-then" },
    h("p", { text: `Since then the ledger recorded ${later.length} more event${later.length === 1 ? "" : "s"} (v${later[0].version}${later.length > 1 ? `–v${later[later.length - 1].version}` : ""}):` }),
    h("ul", {}, later.slice(0, 10).map(e => h("li", { text: `v${e.version}, ${showInstant(e.recordedAt)}: ${e.summary}` }))),
    later.length > 10 ? h("p", { text: `… and ${later.length - 10} more.` }) : null);
  return { note, retractedSince };
}

/** Marks, in the view's entries, the ones retracted since (a copy: the summary says so, for the table and the picture's text). */
export function markRetractedSince(entries, retractedSince) {
  return entries.map(e => {
    const later = retractedSince.get(e.version);
    if (!later) return e;
    return { ...e, summary: `${e.summary} — retracted later${later.correctedBy ? `, corrected by v${later.correctedBy}` : ""}${later.retractionReason ? ` (${later.retractionReason})` : ""}`, retractedSince: true };
  });
}
