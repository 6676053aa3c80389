// The audit panel of an agreement's page (docs/api.md "Audit" and "Transparency log"): what an auditor checks
// and takes away — this agreement's hash chain and the whole ledger's, each with when it was checked; the
// newest signed digest; the newest published checkpoint with its cosignatures; each event's hash, position and
// leaf index; the export, the public keys, a checkpoint and each event's inclusion proof as files; and the steps
// that check them offline with nothing but those files (docs/audit.md).

import { h, fill, announce } from "./dom.js";
import { api, query } from "./api.js";
import { authHeaders } from "./session.js";
import { showInstant } from "./dates.js";

/** "2026-12-02 16:50:01 UTC (17:50:01 your time)": the page's UTC, with the reader's own clock beside it. */
function checkedAt(date) {
  const utc = showInstant(date.toISOString());
  const local = date.toLocaleTimeString("en-GB", { hour12: false });
  return `${utc} (${local} your time)`;
}

const hex = (text, label) => h("code", { class: "hash", "aria-label": label, text });

/** Saves `text` as a file named `name` (a link to a blob, clicked and removed). */
function save(name, text, type) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = h("a", { href: url, download: name, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** Fetches `path` as text with the caller's token: the export is NDJSON or CSV, not one JSON document. */
async function fetchText(path) {
  try {
    const response = await fetch(path, { headers: await authHeaders() });
    return { ok: response.ok, status: response.status, text: await response.text() };
  } catch (error) {
    return { ok: false, status: 0, text: String(error) };
  }
}

export function auditPanel(id) {
  const chain = h("p", { id: "audit-chain", text: "This agreement's hash chain: checking…" });
  const ledger = h("p", { id: "audit-ledger", text: "Not checked yet on this page." });
  const digest = h("div", { id: "audit-digest" });
  const checkpoint = h("div", { id: "audit-checkpoint" });
  const hashes = h("div", { id: "audit-hashes" });
  const downloads = h("p", { id: "audit-downloaded", "aria-live": "polite" });

  const checkLedger = h("button", { type: "button", class: "secondary", text: "Check the whole ledger" });
  checkLedger.addEventListener("click", async () => {
    checkLedger.disabled = true;
    fill(ledger, "Checking every event's hash chain and the Merkle tree… (this reads the whole ledger)");
    const answer = await api("/audit/verify");
    checkLedger.disabled = false;
    fill(ledger, verifyReport(answer, "The whole ledger", new Date()));
    announce(ledger.textContent);
  });

  const button = (text, onclick) => h("button", { type: "button", class: "secondary", text, onclick });
  const fileButtons = h("div", { class: "actions" },
    button("Download the export (NDJSON)", () => downloadExport("ndjson")),
    button("Download the export (CSV)", () => downloadExport("csv")),
    button("Download the public key (key.pem)", downloadKey),
    button("Download the checkpoint (checkpoint.json)", downloadCheckpoint));

  async function downloadExport(format) {
    fill(downloads, `Preparing the ${format.toUpperCase()} export…`);
    const answer = await fetchText(`/audit/export${query({ format })}`);
    if (!answer.ok) return fill(downloads, `The export could not be made (${answer.status}).`);
    save(`ledger.${format}`, answer.text, format === "csv" ? "text/csv" : "application/x-ndjson");
    fill(downloads, `Saved ledger.${format} (${answer.text.split("\n").filter(Boolean).length.toLocaleString("en")} lines).`);
  }

  async function downloadKey() {
    const answer = await api("/audit/public-key");
    if (!answer.ok) return fill(downloads, `The public key could not be read (${answer.status}).`);
    save("key.pem", answer.json.keys.map(k => k.pem).join("\n"), "application/x-pem-file");
    fill(downloads, `Saved key.pem (key ${answer.json.keys.map(k => k.keyId).join(", ")}).`);
  }

  async function downloadCheckpoint() {
    const answer = await api("/audit/checkpoint");
    if (!answer.ok) return fill(downloads, `The checkpoint could not be read (${answer.status}).`);
    save("checkpoint.json", JSON.stringify(answer.json, null, 2), "application/json");
    fill(downloads, `Saved checkpoint.json (tree size ${answer.json.treeSize}).`);
  }

  async function downloadProof(entry) {
    const answer = await api(`/audit/proofs/inclusion${query({ position: entry.position })}`);
    if (!answer.ok) return fill(downloads, `The proof of version ${entry.version} could not be read: ${answer.json?.title || answer.status}.`);
    save(`proof-v${entry.version}.json`, JSON.stringify(answer.json, null, 2), "application/json");
    fill(downloads, `Saved proof-v${entry.version}.json (leaf ${answer.json.leafIndex} of a tree of ${answer.json.treeSize}).`);
  }

  const element = h("section", { class: "audit-panel", "aria-labelledby": "audit-heading" },
    h("h2", { id: "audit-heading", text: "Audit" }),
    h("h3", { text: "Checks" }), chain, ledger, checkLedger,
    h("h3", { text: "Newest signed digest" }), digest,
    h("h3", { text: "Newest checkpoint of the transparency log" }), checkpoint,
    h("h3", { text: "This agreement's events in the ledger" }), hashes,
    h("h3", { text: "Files to check offline" }), fileButtons, downloads,
    h("h3", { text: "How to check them offline" }), offlineSteps());

  return {
    element,
    /** Shows the per-agreement check that `GET /audit/verify?agreementId=` answered. */
    showChain(answer) { fill(chain, verifyReport(answer, "This agreement's hash chain", new Date())); },
    /** Reads the newest digest again, shows the newest checkpoint (the page's answer of GET /audit/checkpoint) and lists `entries`' hashes. */
    async refresh(entries, checkpointAnswer) {
      fill(hashes, hashTable(entries, downloadProof));
      const [signed, published] = await Promise.all([api("/audit/digest"), checkpointAnswer]);
      fill(digest, signed.ok ? digestFacts(signed.json) : unavailable(signed));
      fill(checkpoint, published.ok ? checkpointFacts(published.json) : unavailable(published));
    },
  };
}

function verifyReport(answer, subject, at) {
  if (answer.status === 403) return `${subject}: checking it needs the auditor role.`;
  if (!answer.ok) return `${subject}: could not be checked — ${answer.json?.title || answer.status}.`;
  const r = answer.json;
  const counted = `${r.eventsChecked.toLocaleString("en")} event${r.eventsChecked === 1 ? "" : "s"}` +
    (r.streamsChecked > 1 ? ` in ${r.streamsChecked.toLocaleString("en")} agreements` : "");
  return r.verified
    ? h("span", { class: "verified" }, `${subject}: verified, ${counted}, checked ${checkedAt(at)}.`)
    : h("span", { class: "not-verified" }, `${subject}: NOT verified (${counted}, checked ${checkedAt(at)}):`,
      h("ul", {}, r.failures.slice(0, 20).map(f => h("li", { text: `${f.agreementId || "ledger"} version ${f.version}: ${f.reason}` }))),
      r.failures.length > 20 ? h("p", { text: `… and ${r.failures.length - 20} more.` }) : null);
}

function unavailable(answer) {
  if (answer.status === 403) return h("p", { text: "Needs the auditor role." });
  if (answer.json?.type === "/problems/history-diverged") return h("p", { class: "not-verified", text: `Not signed: the history diverged. ${answer.json.detail || ""}` });
  return h("p", { text: `Not available: ${answer.json?.title || answer.status}.` });
}

function digestFacts(d) {
  return h("dl", { class: "facts audit-facts" },
    h("div", {}, h("dt", { text: "Covers positions" }), h("dd", { text: `1 to ${d.position}` })),
    h("div", {}, h("dt", { text: "Digest" }), h("dd", {}, hex(d.digest, "Digest"))),
    h("div", {}, h("dt", { text: "Signed with key" }), h("dd", {}, hex(d.keyId, "Key id"))),
    h("div", {}, h("dt", { text: "Signature" }), h("dd", {}, hex(d.signature, "Signature"))));
}

function checkpointFacts(c) {
  return [
    h("dl", { class: "facts audit-facts" },
      h("div", {}, h("dt", { text: "Tree size" }), h("dd", { id: "audit-tree-size", text: c.treeSize })),
      h("div", {}, h("dt", { text: "Root hash" }), h("dd", {}, hex(c.rootHash, "Root hash"))),
      h("div", {}, h("dt", { text: "Last leaf at position" }), h("dd", { text: c.position })),
      h("div", {}, h("dt", { text: "Signed at" }), h("dd", { text: checkedAt(new Date(c.timestamp)) })),
      h("div", {}, h("dt", { text: "Signed with key" }), h("dd", {}, hex(c.keyId, "Key id")))),
    c.cosignatures.length
      ? h("ul", { id: "audit-cosignatures", "aria-label": "Cosignatures" }, c.cosignatures.map(s =>
        h("li", {}, `Cosigned by ${s.witness} (key `, hex(s.keyId, "Witness key id"), `) at ${checkedAt(new Date(s.timestamp))}`)))
      : h("p", { id: "audit-cosignatures", text: "No witness has cosigned it yet." }),
  ];
}

function hashTable(entries, downloadProof) {
  // A list rather than a table: a hash is 64 characters, and on a phone a column of them would be a sliver.
  return h("ol", { id: "audit-events", class: "audit-events", "aria-label": "Each event's version, position, leaf index and hash" },
    entries.map(e => h("li", { "data-version": e.version, "data-position": e.position, "data-leaf": e.leafIndex ?? "" },
      h("span", { class: "audit-event-head", text: `Version ${e.version} (${e.type}) · position ${e.position} · ` +
        (e.leafIndex === undefined || e.leafIndex === null ? "not yet in the tree" : `leaf ${e.leafIndex}`) }),
      hex(e.hash, `Hash of version ${e.version}`),
      e.leafIndex === undefined || e.leafIndex === null ? null : h("button", {
        type: "button", class: "secondary", text: "Download its proof", "aria-label": `Download its proof: the inclusion proof of version ${e.version}`,
        onclick: () => downloadProof(e),
      }))));
}

function offlineSteps() {
  const step = (text, command) => h("li", {}, text, command ? h("pre", {}, h("code", { text: command })) : null);
  return h("ol", { id: "audit-offline" },
    step("Download the export and the public key above. Obtain the key apart from this page too (from the service's operators), so that a tampered service cannot hand you its own."),
    step("Check every event's hash, every kept digest, the checkpoint and its signatures, with the service's own checker:",
      "AgreementLedger.Api verify-export ledger.ndjson --public-key key.pem"),
    step("Or without the service's code, with Python 3 and OpenSSL (docs/verify_export.py in the repository):",
      "python3 docs/verify_export.py ledger.ndjson --public-key key.pem"),
    step("Check one event against a checkpoint with its inclusion proof (Download its proof, in the list above) and the event's hash:",
      "AgreementLedger.Api verify-proof --proof proof-v2.json --checkpoint checkpoint.json --public-key key.pem --event-hash HASH"),
    step("Add --witness-key witness.pem --min-cosignatures 1 to either command to require a witness's cosignature (the witness's key from its operator)."));
}
