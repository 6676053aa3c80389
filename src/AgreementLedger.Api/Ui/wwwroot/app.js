// AgreementLedger's page for policy staff and auditors. No framework and no build step: it calls the
// public HTTP API (docs/api.md) with the caller's bearer token and renders what it answers,
// including the API's own validation and lifecycle messages.
"use strict";

const STATUSES = ["Proposed", "Negotiating", "Negotiated", "Signed", "Funded", "Delivered", "Suspended", "Terminated", "Withdrawn"];
const KINDS = ["partnership", "treaty", "forum", "programme", "exercise", "other"];
const MILESTONES = ["Negotiating", "Negotiated", "Signed", "Funded", "Delivered"];
const STAGE_COLOURS = { Proposed: "#d9dee5", Negotiating: "#b9d3f0", Negotiated: "#8db8e8", Signed: "#a6d8b4", Funded: "#74c08c", Delivered: "#3f9d5e" };

// ---------------------------------------------------------------- DOM helpers (no innerHTML: data is never markup)

function h(tag, attrs, ...children) {
  const node = document.createElement(tag);
  setAttributes(node, attrs);
  append(node, children);
  return node;
}

function svg(tag, attrs, ...children) {
  const node = document.createElementNS("http://www.w3.org/2000/svg", tag);
  setAttributes(node, attrs);
  append(node, children);
  return node;
}

function setAttributes(node, attrs) {
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") node.addEventListener(key.slice(2), value);
    else if (key === "text") node.textContent = value;
    else node.setAttribute(key, value === true ? "" : String(value));
  }
}

function append(node, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** replaceChildren that, like h(), skips null and false (the DOM's own would write "null"). */
function fill(node, ...children) {
  node.replaceChildren();
  append(node, children);
  return node;
}

function announce(message) {
  const region = document.getElementById("announce");
  region.textContent = "";
  setTimeout(() => { region.textContent = message; }, 50);
}

// ---------------------------------------------------------------- the API

const session = {
  get token() { return sessionStorage.getItem("ledger.token") || ""; },
  set token(value) { value ? sessionStorage.setItem("ledger.token", value) : sessionStorage.removeItem("ledger.token"); },
};

function authHeaders() {
  return session.token ? { Authorization: "Bearer " + session.token } : {};
}

async function api(path, { method = "GET", body, idempotencyKey } = {}) {
  const headers = { Accept: "application/json", ...authHeaders() };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (idempotencyKey) headers["Idempotency-Key"] = idempotencyKey;
  let response;
  try {
    response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (error) {
    return { ok: false, status: 0, json: { title: "The service cannot be reached", detail: String(error) } };
  }
  const text = await response.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { json = { title: "Unexpected answer", detail: text.slice(0, 200) }; }
  if (response.status === 401) showTokenPanel("This needs a token: paste one below.");
  return { ok: response.ok, status: response.status, json, headers: response.headers };
}

/** A fresh Idempotency-Key (getRandomValues also works where randomUUID does not: plain http off localhost). */
function newIdempotencyKey() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return "ui-" + Array.from(bytes, b => b.toString(16).padStart(2, "0")).join("");
}

function query(params) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined && value !== null && value !== "") search.set(key, value);
  const text = search.toString();
  return text ? "?" + text : "";
}

// ---------------------------------------------------------------- dates

function todayUtc() { return new Date().toISOString().slice(0, 10); }
function dayNumber(isoDate) { return Date.UTC(+isoDate.slice(0, 4), +isoDate.slice(5, 7) - 1, +isoDate.slice(8, 10)) / 86400000; }
function dateOfDay(day) { return new Date(day * 86400000).toISOString().slice(0, 10); }
function localInputToInstant(value) { return value ? new Date(value).toISOString() : ""; }
function instantToLocalInput(instant) {
  if (!instant) return "";
  const d = new Date(instant);
  if (isNaN(d)) return "";
  const pad = n => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}
function showInstant(instant) { return instant ? instant.replace("T", " ").replace(/\.\d+Z$/, " UTC") : ""; }

// ---------------------------------------------------------------- sign-in

function showTokenPanel(message) {
  const panel = document.getElementById("token-panel");
  panel.hidden = false;
  document.getElementById("token-toggle").setAttribute("aria-expanded", "true");
  if (message) announce(message);
}

function describeToken() {
  const button = document.getElementById("token-toggle");
  const token = session.token;
  if (!token) { button.textContent = "Sign in"; return; }
  try {
    const payload = JSON.parse(atob(token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/")));
    const roles = [].concat(payload.role || []).join(", ");
    button.textContent = `${payload.sub || payload.name || "signed in"} (${roles})`;
  } catch {
    button.textContent = "Token set";
  }
}

function setUpTokenPanel() {
  const panel = document.getElementById("token-panel");
  const toggle = document.getElementById("token-toggle");
  toggle.addEventListener("click", () => {
    panel.hidden = !panel.hidden;
    toggle.setAttribute("aria-expanded", String(!panel.hidden));
    if (!panel.hidden) document.getElementById("token").focus();
  });
  panel.addEventListener("submit", event => {
    event.preventDefault();
    session.token = document.getElementById("token").value.trim();
    document.getElementById("token").value = "";
    panel.hidden = true;
    toggle.setAttribute("aria-expanded", "false");
    describeToken();
    live.restart();
    route();
  });
  document.getElementById("token-clear").addEventListener("click", () => {
    session.token = "";
    describeToken();
    live.restart();
    route();
  });
  describeToken();
}

// ---------------------------------------------------------------- live updates (SSE over fetch, so the token can be sent)

const live = {
  controller: null,
  lastId: null,
  listener: null,

  restart() {
    this.controller?.abort();
    this.controller = new AbortController();
    this.follow(this.controller.signal);
  },

  status(on, text) {
    const badge = document.getElementById("live");
    badge.classList.toggle("on", on);
    badge.textContent = text;
  },

  async follow(signal) {
    let delay = 1000;
    while (!signal.aborted) {
      try {
        const headers = { Accept: "text/event-stream", ...authHeaders() };
        if (this.lastId) headers["Last-Event-ID"] = this.lastId;
        const response = await fetch("/events/stream", { headers, signal });
        if (response.status === 401 || response.status === 403) {
          this.status(false, response.status === 403 ? "Live updates need the subscriber or auditor role" : "Live updates need a token");
          return;
        }
        if (response.status === 429) {
          // Too many streams for this user on this node (other tabs): wait as long as the service asks.
          const wait = Math.max(1, Number(response.headers.get("Retry-After")) || 5);
          this.status(false, `Live updates paused: too many open tabs follow the ledger; retrying in ${wait} s`);
          await new Promise(resolve => setTimeout(resolve, wait * 1000));
          continue;
        }
        if (!response.ok) throw new Error("status " + response.status);
        this.status(true, "Live");
        delay = 1000;
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = "";
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value;
          let end;
          while ((end = buffer.indexOf("\n\n")) >= 0) {
            this.dispatch(buffer.slice(0, end));
            buffer = buffer.slice(end + 2);
          }
        }
      } catch (error) {
        if (signal.aborted) return;
      }
      this.status(false, "Live updates reconnecting…");
      await new Promise(resolve => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, 30000);
    }
  },

  dispatch(block) {
    let id = null, data = "";
    for (const line of block.split("\n")) {
      if (line.startsWith("id: ")) id = line.slice(4);
      else if (line.startsWith("data: ")) data += line.slice(6);
    }
    if (id) this.lastId = id;
    if (!data) return;
    const event = JSON.parse(data);
    this.listener?.(event);
  },
};

/** The page on screen is the only one that hears new events. */
function onLiveEvent(listener) {
  live.listener = listener;
}

function debounce(action, ms) {
  let timer = null;
  return (...args) => { clearTimeout(timer); timer = setTimeout(() => action(...args), ms); };
}

// ---------------------------------------------------------------- forms and the API's problems

/**
 * For requests that overlap (a recording, a live event): take() before asking, then show(ticket)
 * says whether the answer may be shown — never one older than an answer already shown.
 */
function answerOrder() {
  let taken = 0, shown = 0;
  return {
    take: () => ++taken,
    show(ticket) { if (ticket < shown) return false; shown = ticket; return true; },
  };
}

let formCount = 0;

/**
 * A form built from field specs: submit sends send(body, idempotencyKey) and shows the API's problem
 * inline; on success the form is emptied first and only then onRecorded(answer) runs, so nothing
 * typed after the "recorded" notice is wiped by a late reset.
 */
function commandForm({ legend, fields, submitLabel, send, onRecorded }) {
  const prefix = "f" + (++formCount);
  const alertBox = h("div", { role: "alert", tabindex: "-1" });
  const inputs = {};
  const groups = fields.map(field => {
    const id = `${prefix}-${field.name}`;
    const helpId = field.help ? id + "-help" : null;
    let input;
    if (field.type === "select") {
      input = h("select", { id, name: field.name, required: field.required },
        field.required ? null : h("option", { value: "" , text: "—" }),
        field.options.map(option => h("option", { value: option, text: option })));
    } else if (field.type === "textarea") {
      input = h("textarea", { id, name: field.name, required: field.required });
    } else {
      const type = { date: "date", number: "number", url: "url" }[field.type] || "text";
      input = h("input", { id, name: field.name, type, required: field.required, step: field.step, min: field.min, autocomplete: "off" });
    }
    if (helpId) input.setAttribute("aria-describedby", helpId);
    if (field.value !== undefined) input.value = field.value;
    inputs[field.name] = input;
    return h("div", { class: field.type === "textarea" ? "wide" : null },
      h("label", { for: id, text: field.label + (field.required ? " (required)" : "") }),
      input,
      field.help ? h("p", { id: helpId, class: "help", text: field.help }) : null);
  });
  const submit = h("button", { type: "submit", text: submitLabel || "Record" });
  const form = h("form", { novalidate: true, "data-command": legend },
    h("fieldset", {}, h("legend", { text: legend }), alertBox, h("div", { class: "grid" }, groups),
      h("div", { class: "actions" }, submit)));

  function clearProblems() {
    fill(alertBox);
    for (const input of Object.values(inputs)) {
      input.removeAttribute("aria-invalid");
      const error = document.getElementById(input.id + "-error");
      error?.remove();
      const described = (input.getAttribute("aria-describedby") || "").split(" ").filter(x => x && x !== input.id + "-error");
      described.length ? input.setAttribute("aria-describedby", described.join(" ")) : input.removeAttribute("aria-describedby");
    }
  }

  function showProblem(problem, status) {
    clearProblems();
    const unplaced = [];
    let first = null;
    for (const [key, messages] of Object.entries(problem?.errors || {})) {
      const name = key.split(/[.[]/)[0];
      const input = inputs[name] || inputs[name.charAt(0).toLowerCase() + name.slice(1)];
      if (!input) { unplaced.push(`${key}: ${[].concat(messages).join(" ")}`); continue; }
      input.setAttribute("aria-invalid", "true");
      const errorId = input.id + "-error";
      input.after(h("p", { id: errorId, class: "field-error", text: [].concat(messages).join(" ") }));
      input.setAttribute("aria-describedby", [input.getAttribute("aria-describedby"), errorId].filter(Boolean).join(" "));
      first ??= input;
    }
    alertBox.append(h("div", { class: "alert" },
      h("h3", { text: `${problem?.title || "Not recorded"} (${status})` }),
      problem?.detail ? h("p", { text: problem.detail }) : null,
      unplaced.length ? h("ul", {}, unplaced.map(text => h("li", { text }))) : null));
    (first || alertBox).focus?.();
    announce(`${problem?.title || "Not recorded"}: ${problem?.detail || ""}`);
  }

  // One key per thing recorded: a submission retried after a lost answer is recorded once; after
  // a success the next one gets a new key. Refusals are not stored, so a corrected retry may reuse it.
  let idempotencyKey = newIdempotencyKey();
  form.addEventListener("submit", async event => {
    event.preventDefault();
    const body = {};
    for (const field of fields) {
      const raw = inputs[field.name].value.trim();
      if (raw === "") continue;
      if (field.type === "list") body[field.name] = raw.split(/[\s,]+/).filter(Boolean);
      else if (field.type === "number") body[field.name] = Number(raw);
      else body[field.name] = raw;
    }
    submit.disabled = true;
    try {
      let answer = await send(body, idempotencyKey);
      if (answer.status === 503) {
        // The service asked for a retry (the database blinked, or the agreement's stored state was
        // just rebuilt): once, quietly, after Retry-After, with the same key — recorded at most once.
        const seconds = Math.min(Math.max(Number(answer.headers?.get("Retry-After")) || 1, 1), 5);
        announce(`The service asked to retry; retrying in ${seconds} s.`);
        await new Promise(resolve => setTimeout(resolve, seconds * 1000));
        answer = await send(body, idempotencyKey);
      }
      if (!answer.ok) { showProblem(answer.json, answer.status); return; }
      clearProblems();
      form.reset();
      idempotencyKey = newIdempotencyKey();
      submit.disabled = false;
      await onRecorded(answer);
    } finally {
      submit.disabled = false;
    }
  });
  return form;
}

const COMMANDS = [
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

// ---------------------------------------------------------------- routing

function parseHash() {
  const hash = location.hash.replace(/^#/, "") || "/";
  const [path, search] = hash.split("?");
  return { path, params: Object.fromEntries(new URLSearchParams(search || "")) };
}

function go(path, params) {
  location.hash = "#" + path + query(params || {});
}

function route() {
  const { path, params } = parseHash();
  const main = document.getElementById("main");
  onLiveEvent(null);
  const agreement = path.match(/^\/agreements\/([^/]+)$/);
  if (agreement) return agreementView(main, decodeURIComponent(agreement[1]), params);
  if (path === "/propose") return proposeView(main);
  return listView(main, params);
}

// ---------------------------------------------------------------- the list

async function listView(main, params) {
  document.title = "Agreements · AgreementLedger";
  const filters = h("form", { class: "filters", "aria-label": "Filter agreements" },
    h("div", { class: "grid" },
      h("div", {}, h("label", { for: "filter-party", text: "Party" }), h("input", { id: "filter-party", name: "party", value: params.party || "", placeholder: "JP" })),
      h("div", {}, h("label", { for: "filter-status", text: "Status" }), h("select", { id: "filter-status", name: "status" },
        h("option", { value: "", text: "Any" }), STATUSES.map(s => h("option", { value: s, text: s, selected: params.status === s })))),
      h("div", {}, h("label", { for: "filter-kind", text: "Kind" }), h("select", { id: "filter-kind", name: "kind" },
        h("option", { value: "", text: "Any" }), KINDS.map(k => h("option", { value: k, text: k, selected: params.kind === k })))),
      h("div", {}, h("label", { for: "filter-area", text: "Area" }), h("input", { id: "filter-area", name: "area", value: params.area || "", placeholder: "defence-industry" })),
      h("div", {}, h("label", { for: "filter-asof", text: "As known at (your time)" }), h("input", { id: "filter-asof", name: "asOf", type: "datetime-local", step: "1", value: instantToLocalInput(params.asOf) }))),
    h("div", { class: "actions" }, h("button", { type: "submit", text: "Show" }), h("a", { href: "#/", class: "button secondary", text: "Clear filters" })));
  filters.addEventListener("submit", event => {
    event.preventDefault();
    const data = Object.fromEntries(new FormData(filters));
    data.asOf = localInputToInstant(data.asOf);
    go("/", data);
  });

  const results = h("div", { "aria-live": "polite" }, h("p", { text: "Loading…" }));
  fill(main, h("h1", { text: "Agreements" }), filters, results);

  async function load() {
    const { items: rows, problem } = await allPages("/agreements",
      { party: params.party, status: params.status, kind: params.kind, area: params.area, asOf: params.asOf, limit: 100 }, "items", 1000);
    if (problem) {
      fill(results, h("div", { class: "alert", role: "alert" }, h("h3", { text: problem.json?.title || "Could not list agreements" }), h("p", { text: problem.json?.detail || "" })));
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

// ---------------------------------------------------------------- proposing

function proposeView(main) {
  document.title = "Record a new agreement · AgreementLedger";
  const form = commandForm({
    legend: "The agreement",
    submitLabel: "Record the proposal",
    fields: [
      { name: "title", label: "Title", required: true },
      { name: "id", label: "Id", help: "Lowercase letters, digits and hyphens, e.g. gcap-treaty; left empty, the service assigns one" },
      { name: "kind", label: "Kind", type: "select", options: KINDS, required: true },
      { name: "parties", label: "Parties", type: "list", required: true, help: "Party codes, separated by spaces or commas (JP GB IT)" },
      { name: "areas", label: "Areas", type: "list", help: "Lowercase tags such as defence-industry space" },
      { name: "occurredOn", label: "Proposed on", type: "date", help: "Default: today" },
      { name: "summary", label: "Summary", type: "textarea" },
    ],
    send(body, idempotencyKey) {
      body.areas ??= [];
      return api("/agreements", { method: "POST", body, idempotencyKey });
    },
    onRecorded(answer) {
      announce(`Recorded ${answer.json.title}`);
      go(`/agreements/${encodeURIComponent(answer.json.id)}`, { recorded: "1" });
    },
  });
  fill(main, h("h1", { text: "Record a new agreement" }), form);
}

// ---------------------------------------------------------------- one agreement

async function agreementView(main, id, params) {
  const asOf = params.asOf || "";
  const effectiveOn = params.effectiveOn || "";
  const travelling = Boolean(asOf || effectiveOn);
  const when = { asOf, effectiveOn };
  const at = query(when);

  const heading = h("div", {}, h("p", { text: "Loading…" }));
  const picture = h("section", { "aria-labelledby": "picture-heading" });
  const details = h("div", { class: "columns" });
  const audit = h("p", { class: "audit", "aria-live": "polite", text: "Audit: checking the hash chain…" });

  const controls = h("form", { class: "time-travel", "aria-label": "View at another time" },
    h("fieldset", {}, h("legend", { text: "View at another time" }),
      h("div", { class: "grid" },
        h("div", {}, h("label", { for: "as-of", text: "As known at (your time)" }),
          h("input", { id: "as-of", name: "asOf", type: "datetime-local", step: "1", value: instantToLocalInput(asOf), "aria-describedby": "as-of-help" }),
          h("p", { id: "as-of-help", class: "help", text: "What the ledger had recorded by then" })),
        h("div", {}, h("label", { for: "effective-on", text: "As in effect on" }),
          h("input", { id: "effective-on", name: "effectiveOn", type: "date", value: effectiveOn, "aria-describedby": "effective-on-help" }),
          h("p", { id: "effective-on-help", class: "help", text: "Only what had happened in the world by that date" }))),
      h("div", { class: "actions" },
        h("button", { type: "submit", text: "Show it then" }),
        h("a", { class: "button secondary", href: `#/agreements/${encodeURIComponent(id)}`, text: "Back to now" }))));
  controls.addEventListener("submit", event => {
    event.preventDefault();
    go(`/agreements/${encodeURIComponent(id)}`, { asOf: localInputToInstant(controls.elements.asOf.value), effectiveOn: controls.elements.effectiveOn.value });
  });

  const recordArea = h("section", { "aria-labelledby": "record-heading" });
  // Set once the recording forms exist (never while looking at another time): opens the retraction form for a version.
  let retract = null;
  fill(main, 
    h("p", {}, h("a", { href: "#/", text: "← All agreements" })),
    heading, audit, controls, picture, details, recordArea);

  const refreshes = answerOrder();
  async function refresh() {
    const ticket = refreshes.take();
    const [state, timeline] = await Promise.all([api(`/agreements/${encodeURIComponent(id)}${at}`), loadTimeline(id, when)]);
    if (!refreshes.show(ticket)) return state.ok ? state.json : null;
    if (!state.ok) {
      fill(heading, h("h1", { text: id }), h("div", { class: "alert", role: "alert" },
        h("h3", { text: state.json?.title || "Not found" }), h("p", { text: state.json?.detail || "" })));
      fill(picture);
      fill(details);
      return null;
    }
    const agreement = state.json;
    document.title = `${agreement.title} · AgreementLedger`;
    fill(heading, 
      h("h1", { text: agreement.title }),
      params.recorded ? h("p", { class: "notice", text: "The proposal was recorded." }) : null,
      travelling ? h("p", { class: "banner", id: "time-banner", text:
        [asOf ? `As known at ${showInstant(asOf)}` : "", effectiveOn ? `as in effect on ${effectiveOn}` : ""].filter(Boolean).join(", ") + ". Recording is possible only on the present state." }) : null,
      h("dl", { class: "facts" },
        fact("Status", h("span", { class: `badge ${agreement.status}`, id: "status", text: agreement.status })),
        fact("Id", h("code", { text: agreement.id })),
        fact("Kind", agreement.kind),
        fact("Parties", agreement.parties.join(", ")),
        fact("Areas", agreement.areas.join(", ") || "—"),
        fact("Proposed on", agreement.proposedOn),
        fact("Signed on", agreement.signedOn || "—"),
        fact("Funding", Object.entries(agreement.funding).map(([currency, total]) => `${total.toLocaleString("en")} ${currency}`).join(", ") || "—"),
        fact("Version", h("span", { id: "version", text: agreement.version })),
        fact("Last recorded", showInstant(agreement.lastRecordedAt))),
      agreement.summary ? h("p", { text: agreement.summary }) : null);
    fill(picture, 
      h("h2", { id: "picture-heading", text: "Timeline" }),
      timelinePicture(agreement, timeline.entries, effectiveOn || (asOf ? asOf.slice(0, 10) : todayUtc())),
      legend(),
      timeline.truncated ? h("p", { class: "help", text: "Only the first 10,000 events are drawn." }) : null);
    fill(details, 
      h("section", { "aria-labelledby": "events-heading" }, h("h2", { id: "events-heading", text: "Events" }), eventsTable(timeline.entries, retract)),
      h("div", {}, sideLists(agreement)));
    return agreement;
  }

  const audits = answerOrder();
  async function checkAudit() {
    const ticket = audits.take();
    const answer = await api(`/audit/verify${query({ agreementId: id })}`);
    if (!audits.show(ticket)) return;
    if (answer.status === 403) { audit.className = "audit"; audit.textContent = "Audit status needs the auditor role."; return; }
    if (!answer.ok) { audit.className = "audit failed"; audit.textContent = "Audit: " + (answer.json?.title || "could not be checked"); return; }
    const report = answer.json;
    audit.className = "audit " + (report.verified ? "ok" : "failed");
    fill(audit, report.verified
      ? `Audit: verified — the hash chain of ${report.eventsChecked} event${report.eventsChecked === 1 ? "" : "s"} matches what is stored.`
      : h("span", {}, `Audit: NOT verified — ${report.failures.length} failure(s):`, h("ul", {}, report.failures.map(f => h("li", { text: `version ${f.version}: ${f.reason}` })))));
  }

  const agreement = await refresh();
  checkAudit();
  if (!agreement) return;

  if (travelling) {
    fill(recordArea);
  } else {
    const chooser = h("select", { id: "command" }, h("option", { value: "", text: "Choose…" }), COMMANDS.map(c => h("option", { value: c.route, text: c.label })));
    const slot = h("div", {});
    const status = h("div", { id: "recorded", "aria-live": "polite" });
    chooser.addEventListener("change", () => {
      const command = COMMANDS.find(c => c.route === chooser.value);
      fill(status);
      fill(slot, command ? commandForm({
        legend: command.label,
        fields: command.fields,
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
      h("label", { for: "command", text: "What happened?" }), chooser, status, slot);
    retract = version => {
      chooser.value = "retractions";
      chooser.dispatchEvent(new Event("change"));
      const form = slot.querySelector("form");
      form.elements.version.value = version;
      form.elements.reason.focus();
      form.scrollIntoView({ block: "center" });
    };
    await refresh();
    onLiveEvent(debounce(event => {
      if (event.agreementId === id) { refresh(); checkAudit(); announce(`New event on this agreement: ${event.type}`); }
    }, 300));
  }
}

function fact(term, value) {
  return h("div", {}, h("dt", { text: term }), h("dd", {}, value));
}

/** Follows `next` from page to page until the last page or maxItems; an error ends it with what came so far. */
async function allPages(path, params, itemsKey, maxItems) {
  const items = [];
  let cursor = null;
  do {
    const answer = await api(path + query({ ...params, cursor }));
    if (!answer.ok) return { items, truncated: false, problem: answer };
    items.push(...answer.json[itemsKey]);
    cursor = answer.json.next;
  } while (cursor && items.length < maxItems);
  return { items, truncated: Boolean(cursor), problem: null };
}

async function loadTimeline(id, when) {
  const { items, truncated } = await allPages(`/agreements/${encodeURIComponent(id)}/timeline`, { ...when, limit: 1000 }, "entries", 10000);
  return { entries: items, truncated };
}

function eventsTable(entries, retract) {
  return h("div", { class: "table-wrap" }, h("table", { id: "events" },
    h("caption", { class: "visually-hidden", text: "Events in effective order" }),
    h("thead", {}, h("tr", {}, ["Occurred on", "What happened", "Version"].map(t => h("th", { scope: "col", text: t })), h("th", { scope: "col", class: "hide-narrow", text: "Recorded" }),
      retract ? h("th", { scope: "col", text: "Correct" }) : null)),
    h("tbody", {}, entries.map(e => h("tr", { "data-type": e.type, class: e.retracted ? "retracted" : null },
      h("td", { text: e.occurredOn || "—" }),
      h("td", {}, e.summary, e.retracted ? h("span", { text: ` (retracted${e.retractionReason ? ": " + e.retractionReason : ""})` }) : null),
      h("td", { text: e.version }),
      h("td", { class: "hide-narrow", text: `${showInstant(e.recordedAt)} by ${e.recordedBy}` }),
      retract ? h("td", {}, e.version > 1 && !e.retracted && e.type !== "event_retracted"
        ? h("button", { type: "button", class: "secondary", "aria-label": `Retract version ${e.version}`, text: "Retract…", onclick: () => retract(e.version) })
        : null) : null)))));
}

function sideLists(agreement) {
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

// ---------------------------------------------------------------- the timeline picture

const LANES = ["Stage", "Negotiation", "Signatures", "Funding", "Deliveries", "Targets", "Other"];

function legend() {
  return h("ul", { class: "legend", "aria-label": "Legend" },
    h("li", { text: "● negotiation round" }), h("li", { text: "◆ terms agreed / signature" }), h("li", { text: "■ funding" }),
    h("li", { text: "△ deliverable planned, ▲ delivered" }), h("li", { text: "⚑ target (red: overdue, green: met)" }),
    h("li", { text: "○ source, amendment, standing" }));
}

function timelinePicture(agreement, entries, referenceDate) {
  const live = entries.filter(e => !e.retracted && e.occurredOn);
  const dates = [agreement.proposedOn, referenceDate, ...live.map(e => e.occurredOn),
    ...agreement.targets.map(t => t.targetDate), ...agreement.deliverables.map(d => d.dueBy).filter(Boolean)];
  const known = dates.filter(d => d !== referenceDate).map(dayNumber);
  let first = Math.min(...known), last = Math.max(...known);
  // The reference date (today, or the date looked at) widens the picture only when it is near the
  // events; far beyond them it would squeeze every event into a corner, so the bands run to the edge.
  const reference = dayNumber(referenceDate);
  const referenceShown = reference <= last || reference - last <= Math.max(180, (last - first) / 2);
  if (referenceShown) { first = Math.min(first, reference); last = Math.max(last, reference); }
  const pad = Math.max(7, Math.round((last - first) * 0.04));
  first -= pad; last += pad;
  const width = 960, left = 104, right = 16, top = 8, lane = 38, axis = 28;
  const height = top + LANES.length * lane + axis;
  const x = date => left + (dayNumber(date) - first) / (last - first) * (width - left - right);
  const y = name => top + LANES.indexOf(name) * lane + lane / 2;

  const title = svg("title", { id: "picture-title" }, `Timeline of ${agreement.title}`);
  const desc = svg("desc", { id: "picture-desc" }, `Stages reached: ${agreement.stages.map(s => `${s.stage} on ${s.reachedOn}`).join(", ")}. ` +
    `${live.length} events from ${agreement.proposedOn}. The table of events below lists the same events.`);
  const picture = svg("svg", { class: "timeline-picture", id: "timeline-picture", viewBox: `0 0 ${width} ${height}`, role: "img", "aria-labelledby": "picture-title picture-desc" }, title, desc);

  LANES.forEach((name, i) => {
    picture.append(
      svg("rect", { x: 0, y: top + i * lane, width, height: lane, fill: i % 2 ? "#f7f9fb" : "#ffffff" }),
      svg("text", { x: 8, y: y(name) + 4, class: "lane-label" }, name));
  });

  // Stages along the line, each from the day it was reached to the next one (or the reference date).
  agreement.stages.forEach((stage, i) => {
    const from = x(stage.reachedOn);
    const to = i + 1 < agreement.stages.length ? x(agreement.stages[i + 1].reachedOn) : referenceShown ? x(referenceDate) : width - right;
    const band = svg("g", { class: "stage", "data-stage": stage.stage },
      svg("title", {}, `${stage.stage} from ${stage.reachedOn}`),
      svg("rect", { x: from, y: y("Stage") - 12, width: Math.max(2, to - from), height: 24, fill: STAGE_COLOURS[stage.stage] || "#ccc", stroke: "#ffffff" }));
    if (to - from > 64) band.append(svg("text", { x: from + 4, y: y("Stage") + 4 }, stage.stage));
    picture.append(band);
  });
  if (["Suspended", "Terminated", "Withdrawn"].includes(agreement.status)) {
    picture.append(svg("text", { x: width - right - 4, y: y("Stage") - 14, "text-anchor": "end", fill: "#a4161a" }, `now ${agreement.status}`));
  }

  // Labels of markers close together in one lane alternate above and below, so they do not overlap.
  const lastLabel = {};
  const marker = (entry, laneName, shape, label) => {
    const cx = x(entry.occurredOn), cy = y(laneName);
    const group = svg("g", { class: "marker", "data-type": entry.type, "data-version": entry.version },
      svg("title", {}, `${entry.occurredOn}: ${entry.summary}`), shapeAt(shape, cx, cy));
    if (label) {
      const previous = lastLabel[laneName];
      const row = previous && cx - previous.x < 8 * previous.length + 12 ? (previous.row + 1) % 3 : 0;
      lastLabel[laneName] = { x: cx, length: label.length, row };
      group.append(svg("text", { x: cx + 8 + (row === 2 ? 8 * previous.length + 4 : 0), y: row === 1 ? cy + 15 : cy - 6 }, label));
    }
    picture.append(group);
  };

  for (const e of live) {
    switch (e.type) {
      case "negotiation_round_held": marker(e, "Negotiation", "circle"); break;
      case "terms_agreed": marker(e, "Negotiation", "diamond", "terms"); break;
      case "party_signed": marker(e, "Signatures", "diamond", e.data.party); break;
      case "funding_committed": marker(e, "Funding", "square", `${Number(e.data.amount).toLocaleString("en")} ${e.data.currency}`); break;
      case "deliverable_planned": marker(e, "Deliveries", "triangle-open", e.data.deliverableId); break;
      case "deliverable_delivered": marker(e, "Deliveries", "triangle", e.data.deliverableId); break;
      case "target_set": break;
      case "agreement_proposed": break;
      default: marker(e, "Other", "ring");
    }
  }

  for (const target of agreement.targets) {
    const state = target.met ? "met" : target.overdue ? "overdue" : "pending";
    const colour = { met: "#1d6b33", overdue: "#a4161a", pending: "#4a5360" }[state];
    const cx = x(target.targetDate), cy = y("Targets");
    picture.append(svg("g", { class: `marker target ${state}`, "data-milestone": target.milestone },
      svg("title", {}, `Target: ${target.milestone} by ${target.targetDate} — ${state}`),
      svg("line", { x1: cx, y1: cy + 11, x2: cx, y2: cy - 11, stroke: colour, "stroke-width": 2 }),
      svg("path", { d: `M${cx},${cy - 11} l11,4 l-11,4 z`, fill: colour }),
      svg("text", { x: cx + 13, y: cy + 4, fill: colour }, `${target.milestone}${state === "overdue" ? " OVERDUE" : ""}`)));
  }

  // The reference date: today, or the date being looked at.
  const referenceLabel = referenceDate === todayUtc() ? `today (${referenceDate})` : referenceDate;
  if (referenceShown) {
    const now = x(referenceDate);
    picture.append(svg("line", { x1: now, y1: top, x2: now, y2: top + LANES.length * lane, stroke: "#0b5cad", "stroke-dasharray": "4 3" }),
      svg("text", { x: Math.min(now + 3, width - 110), y: top + LANES.length * lane - 4, fill: "#0b5cad" }, referenceLabel));
  } else {
    picture.append(svg("text", { x: width - right, y: top + LANES.length * lane - 4, fill: "#0b5cad", "text-anchor": "end" }, `continues to ${referenceLabel} →`));
  }

  picture.append(axisTicks(first, last, x, top + LANES.length * lane, width));
  return picture;
}

function shapeAt(shape, cx, cy) {
  const fill = "#10243e";
  switch (shape) {
    case "circle": return svg("circle", { cx, cy, r: 6, fill });
    case "ring": return svg("circle", { cx, cy, r: 5, fill: "#ffffff", stroke: fill, "stroke-width": 2 });
    case "diamond": return svg("path", { d: `M${cx},${cy - 7} l7,7 l-7,7 l-7,-7 z`, fill: "#1d6b33" });
    case "square": return svg("rect", { x: cx - 6, y: cy - 6, width: 12, height: 12, fill: "#7a4a00" });
    case "triangle": return svg("path", { d: `M${cx},${cy - 7} l7,12 l-14,0 z`, fill });
    default: return svg("path", { d: `M${cx},${cy - 7} l7,12 l-14,0 z`, fill: "#ffffff", stroke: fill, "stroke-width": 2 });
  }
}

function axisTicks(first, last, x, baseline, width) {
  const group = svg("g", { class: "axis" }, svg("line", { x1: 0, y1: baseline, x2: width, y2: baseline, stroke: "#6b7684" }));
  const span = last - first;
  const step = span > 3 * 365 ? 12 : span > 240 ? 3 : 1;
  const start = new Date(first * 86400000);
  let year = start.getUTCFullYear();
  let month = Math.floor(start.getUTCMonth() / step) * step + 1;
  for (let i = 0; i < 400; i++) {
    const day = `${year}-${String(month).padStart(2, "0")}-01`;
    if (dayNumber(day) > last) break;
    if (dayNumber(day) >= first) {
      const tx = x(day);
      group.append(svg("line", { x1: tx, y1: baseline, x2: tx, y2: baseline + 5, stroke: "#6b7684" }),
        svg("text", { x: tx + 2, y: baseline + 17 }, step === 12 ? String(year) : `${year}-${String(month).padStart(2, "0")}`));
    }
    month += step;
    while (month > 12) { month -= 12; year++; }
  }
  return group;
}

// ---------------------------------------------------------------- start

setUpTokenPanel();
// The skip link must not change the hash: the hash is the page's route.
document.querySelector(".skip").addEventListener("click", event => {
  event.preventDefault();
  document.getElementById("main").focus();
});
window.addEventListener("hashchange", route);
live.restart();
route();
