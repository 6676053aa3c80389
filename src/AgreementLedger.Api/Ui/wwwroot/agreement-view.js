// One agreement's page: its state, timeline picture, events and audit status, as it is now or as it
// was ("as known at", "as in effect on"); the recording forms only on the present state.

import { h, fill, announce, pageTitle } from "./dom.js";
import { api, allPages, answerOrder, query } from "./api.js";
import { showInstant, todayUtc } from "./dates.js";
import { knownOnField, happenedByField, readTimes, viewedAt, recordingMoments, sinceThen, markRetractedSince } from "./time-controls.js";
import { onLiveEvent, debounce } from "./live.js";
import { commandForm } from "./forms.js";
import { COMMANDS, withChoices } from "./commands.js";
import { correctionForm } from "./correction-form.js";
import { go } from "./navigation.js";
import { timelinePicture, legend } from "./timeline-picture.js";
import { fact, eventsTable, sideLists, statusTable } from "./agreement-details.js";
import { inclusionChecks } from "./proofs.js";
import { auditPanel } from "./audit-panel.js";
import { twoClockMap } from "./two-clock-map.js";
import { partyLinks } from "./portfolio-view.js";

export async function agreementView(main, id, params) {
  const asOf = params.asOf || "";
  const effectiveOn = params.effectiveOn || "";
  const travelling = Boolean(asOf || effectiveOn);
  const when = { asOf, effectiveOn };
  const at = query(when);

  const heading = h("div", {}, h("p", { text: "Loading…" }));
  const picture = h("section", { "aria-labelledby": "picture-heading" });
  const clocks = h("section", { "aria-labelledby": "map-heading" });
  const details = h("div", { class: "columns" });
  const audit = h("p", { class: "audit", "aria-live": "polite", text: "Audit: checking the hash chain…" });
  const diverged = h("div", {});
  const inclusion = inclusionChecks();
  const auditing = auditPanel(id);

  const knownOn = knownOnField("as-of", asOf);
  const moments = h("div", {});
  const controls = h("form", { class: "time-travel", "aria-label": "View at another time", novalidate: true },
    h("fieldset", {}, h("legend", { text: "View at another time" }),
      h("div", { class: "grid" }, h("div", {}, knownOn, moments), happenedByField("effective-on", effectiveOn)),
      h("div", { class: "actions" },
        h("button", { type: "submit", text: "Show it then" }),
        h("a", { class: "button secondary", href: `#/agreements/${encodeURIComponent(id)}`, text: "Back to now" }))));
  controls.addEventListener("submit", event => {
    event.preventDefault();
    const times = readTimes(controls);
    if (times) go(`/agreements/${encodeURIComponent(id)}`, times);
  });
  const since = h("div", {});

  const recordArea = h("section", { "aria-labelledby": "record-heading" });
  // Set once the recording forms exist (never while looking at another time): what the events table's buttons do,
  // open the retraction form for a version or the correction form for an entry.
  let actions = null;
  fill(main, 
    h("p", {}, h("a", { href: "#/", text: "← All agreements" })),
    heading, diverged, audit, controls, since, picture, clocks, details, recordArea, auditing.element);

  // The newest state shown, and what it offers next (set once the recording forms exist).
  let current = null;
  let offer = () => {};
  pageTitle.reset();
  const refreshes = answerOrder();
  // How many events the view shows: a past view's audit line says the chain it checked is longer.
  let shownEvents = 0;
  // Reads what the page shows; null when a newer read has started meanwhile (its answer is the one to draw).
  async function load() {
    const ticket = refreshes.take();
    // A past view also reads the present timeline: to offer its recording moments and say what was learned since.
    const [state, timeline, present] = await Promise.all([api(`/agreements/${encodeURIComponent(id)}${at}`), loadTimeline(id, when),
      travelling ? loadTimeline(id, {}) : null]);
    return refreshes.show(ticket) ? { state, timeline, present } : null;
  }
  async function refresh() {
    const read = await load();
    return read ? draw(read) : current;
  }
  // Draws one read: the page is drawn once per read, never half from one answer and half from another.
  // A redraw (a live update, a command recorded) keeps the reader's place: focus returns to the element of the same
  // id, or to the nearest one with an id around it (an event's row for a link in it), once the page is drawn again.
  function draw(read) {
    const active = main.contains(document.activeElement) ? document.activeElement.closest("[id]") : null;
    const drawn = drawRead(read);
    const again = active && !active.isConnected ? document.getElementById(active.id) : null;
    again?.focus({ preventScroll: true });
    return drawn;
  }
  function drawRead({ state, timeline, present }) {
    const now = present ? present.entries : timeline.entries;
    fill(moments, now.length ? recordingMoments(now, knownOn.querySelector("input")) : null);
    let entries = timeline.entries;
    if (asOf) {
      const learned = sinceThen(asOf, timeline.entries, now);
      fill(since, learned.note);
      entries = markRetractedSince(entries, learned.retractedSince);
    }
    shownEvents = entries.length;
    if (!state.ok) {
      fill(heading, h("h1", { text: id }), h("div", { class: "alert", role: "alert" },
        h("h3", { text: state.json?.title || "Not found" }), h("p", { text: state.json?.detail || "" })));
      fill(picture);
      fill(clocks);
      fill(details);
      return null;
    }
    const agreement = state.json;
    pageTitle.set(`${agreement.title} · AgreementLedger`);
    current = agreement;
    offer(agreement);
    fill(heading, 
      h("h1", { text: agreement.title }),
      params.recorded ? h("p", { class: "notice", text: "The proposal was recorded." }) : null,
      travelling ? h("p", { class: "banner", id: "time-banner", text: `${viewedAt(when)}. Recording is possible only on the present state.` }) : null,
      h("dl", { class: "facts" },
        fact("Status", h("span", { class: `badge ${agreement.status}`, id: "status", text: agreement.status })),
        fact("Id", h("code", { text: agreement.id })),
        fact("Kind", agreement.kind),
        fact("Parties", partyLinks(agreement.parties, when)),
        fact("Areas", agreement.areas.join(", ") || "—"),
        fact("Proposed on", agreement.proposedOn),
        fact("Signed on", agreement.signedOn || "—"),
        fact("Funding", Object.entries(agreement.funding).map(([currency, total]) => `${total.toLocaleString("en")} ${currency}`).join(", ") || "—"),
        fact("Version", h("span", { id: "version", text: agreement.version })),
        fact("Last recorded", showInstant(agreement.lastRecordedAt))),
      agreement.summary ? h("p", { text: agreement.summary }) : null);
    fill(picture, 
      h("h2", { id: "picture-heading", text: "Timeline" }),
      timelinePicture(agreement, entries, effectiveOn || (asOf ? asOf.slice(0, 10) : todayUtc())),
      legend(),
      timeline.truncated ? h("p", { class: "help", text: "Only the first 10,000 events are drawn." }) : null);
    // The map shows the whole history as known now, with the view's moment on both clocks as its crosshair.
    fill(clocks, h("h2", { id: "map-heading", text: "When it happened, and when the ledger learned it" }),
      twoClockMap(now, when, times => go(`/agreements/${encodeURIComponent(id)}`, times)));
    const events = eventsTable(entries, actions);
    fill(details, 
      h("section", { "aria-labelledby": "events-heading" }, h("h2", { id: "events-heading", text: "Events" }), events,
        h("p", { class: "help", text: "Transparency log: each event's inclusion proof, the checkpoint's signature and the witnesses' cosignatures, checked in this browser." })),
      h("div", {}, statusTable(agreement), sideLists(agreement)));
    // One read of the newest checkpoint per drawing, for the events' proofs and the audit panel alike.
    const published = api("/audit/checkpoint");
    inclusion.check(events, entries, diverged, published);
    auditing.refresh(entries, published);
    return agreement;
  }

  const audits = answerOrder();
  async function checkAudit() {
    const ticket = audits.take();
    const answer = await api(`/audit/verify${query({ agreementId: id })}`);
    if (!audits.show(ticket)) return;
    auditing.showChain(answer);
    if (answer.status === 403) { audit.className = "audit"; audit.textContent = "Audit status needs the auditor role."; return; }
    if (!answer.ok) { audit.className = "audit failed"; audit.textContent = "Audit: " + (answer.json?.title || "could not be checked"); return; }
    const report = answer.json;
    audit.className = "audit " + (report.verified ? "ok" : "failed");
    fill(audit, report.verified
      ? `Audit: verified — the hash chain of ${report.eventsChecked} event${report.eventsChecked === 1 ? "" : "s"} matches what is stored.` +
        (travelling && shownEvents !== report.eventsChecked ? ` (That is every event recorded up to now; this view shows ${shownEvents}.)` : "")
      : h("span", {}, `Audit: NOT verified — ${report.failures.length} failure(s):`, h("ul", {}, report.failures.map(f => h("li", { text: `version ${f.version}: ${f.reason}` })))));
  }

  // The first read decides whether the recording forms exist; the page is drawn once, with them.
  const first = await load();
  checkAudit();
  if (!first) return;
  if (travelling || !first.state.ok) {
    draw(first);
    fill(recordArea);
  } else {
    const chooser = h("select", { id: "command" });
    const nextSteps = h("ul", { class: "next-steps", "aria-labelledby": "next-heading" });
    const slot = h("div", {});
    const status = h("div", { id: "recorded", "aria-live": "polite" });
    const open = route => {
      chooser.value = route;
      chooser.dispatchEvent(new Event("change"));
      slot.querySelector("input, select, textarea")?.focus();
    };
    // Next steps: the commands the agreement's state allows now; the chooser also offers the others, for an event dated
    // earlier, which the lifecycle judges where it falls in effective time.
    offer = agreement => {
      const allowed = COMMANDS.filter(c => c.when(agreement));
      const others = COMMANDS.filter(c => !c.when(agreement));
      const chosen = chooser.value;
      fill(chooser, h("option", { value: "", text: "Choose…" }),
        h("optgroup", { label: "Next steps" }, allowed.map(c => h("option", { value: c.route, text: c.label }))),
        others.length ? h("optgroup", { label: "Dated earlier (judged where it falls)" }, others.map(c => h("option", { value: c.route, text: c.label }))) : null);
      chooser.value = chosen;
      fill(nextSteps, allowed.filter(c => c.route !== "retractions").map(c =>
        h("li", {}, h("button", { type: "button", class: "secondary", "data-route": c.route, text: c.label, onclick: () => open(c.route) }))));
    };
    chooser.addEventListener("change", () => {
      const command = COMMANDS.find(c => c.route === chooser.value);
      fill(status);
      pageTitle.reset();
      fill(slot, command ? commandForm({
        legend: command.label,
        fields: withChoices(command, current).fields,
        send: (body, idempotencyKey) =>
          api(`/agreements/${encodeURIComponent(id)}/${command.route}`, { method: "POST", body, idempotencyKey }),
        async onRecorded(answer) {
          fill(status, h("p", { class: "notice", text: `Recorded: ${command.label.toLowerCase()} (version ${answer.json.version}).` }));
          announce(`Recorded ${command.label}. Version ${answer.json.version}.`);
          await refresh();
          checkAudit();
        },
      }) : "");
    });
    fill(recordArea, 
      h("h2", { id: "record-heading", text: "Record what happened" }),
      h("h3", { id: "next-heading", text: "Next steps" }), nextSteps,
      h("label", { for: "command", text: "What happened?" }), chooser, status, slot);
    const retract = version => {
      chooser.value = "retractions";
      chooser.dispatchEvent(new Event("change"));
      const form = slot.querySelector("form");
      form.elements.version.value = version;
      form.elements.reason.focus();
      form.scrollIntoView({ block: "center" });
    };
    const correct = entry => {
      chooser.value = "";
      fill(status);
      pageTitle.reset();
      fill(slot, correctionForm({
        entry, agreement: current,
        send: (body, idempotencyKey) => api(`/agreements/${encodeURIComponent(id)}/corrections`, { method: "POST", body, idempotencyKey }),
        async onRecorded(answer) {
          fill(slot);
          fill(status, h("p", { class: "notice", text: `Recorded: the correction of version ${entry.version} (versions ${answer.json.version - 1} and ${answer.json.version}).` }));
          announce(`Recorded the correction of version ${entry.version}. Version ${answer.json.version}.`);
          await refresh();
          checkAudit();
        },
      }));
      const form = slot.querySelector("form");
      form.scrollIntoView({ block: "center" });
      form.querySelector("select, input, textarea").focus();
    };
    actions = { retract, correct };
    draw(first);
    onLiveEvent(debounce(event => {
      if (event.agreementId === id) { refresh(); checkAudit(); announce(`New event on this agreement: ${event.type}`); }
    }, 300));
  }
}

async function loadTimeline(id, when) {
  const { items, truncated } = await allPages(`/agreements/${encodeURIComponent(id)}/timeline`, { ...when, limit: 1000 }, "entries", 10000);
  return { entries: items, truncated };
}
