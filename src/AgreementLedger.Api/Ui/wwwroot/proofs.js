// Each event's place in the transparency log (docs/api.md, "Transparency log"), verified in this browser:
// the newest published checkpoint (GET /audit/checkpoint) once, its signature with the service's key and its
// cosignatures with the witnesses' keys (GET /audit/public-key), then each event's inclusion proof in that
// checkpoint (GET /audit/proofs/inclusion). A row says "In checkpoint N, cosigned by …" only once all of that
// verified; otherwise "Not yet in a checkpoint", "Proof does not verify: …" or "Not checked: …" — never a
// pass for something unchecked. A diverged history (503 /problems/history-diverged) is a banner and no pass.
//
// Every row of the table is checked, in table order, a few proofs at a time, and the run stops once the
// table is replaced (a refresh draws a new one): keyboard and screen-reader users read the table without
// scrolling it into view, so a row's status must not wait for the viewport; an agreement has tens of events,
// and each proof reads O(log n) stored nodes.

import { h, fill } from "./dom.js";
import { api, query } from "./api.js";
import { ProofFailure, canVerify, checkpointBody, cosignedMessage, fromHash, keyIdOf, leafHash, rootFromInclusionProof, toHex, verifiesEs256 } from "./merkle.js";

const PROOFS_AT_ONCE = 4;

/** The line under an event's summary where its status goes (the events table draws it; on a phone a column would scroll out of sight). */
export function proofLine(entry) {
  return h("span", { class: "proof-line" }, h("span", { class: "visually-hidden", text: "Transparency log: " }),
    h("span", { class: "proof", "data-position": entry.position, "data-state": "checking", text: "Checking…" }));
}

/**
 * The checks of one agreement's page: check(table, entries, banner, published?) checks every event of `table` (drawn
 * with proofLine) against the newest checkpoint (the answer of GET /audit/checkpoint, when the page already asked for
 * it), and shows a divergence in `banner`. An inclusion proof is asked for
 * once per position and tree size however often the table is redrawn (it is checked anew each time).
 */
export function inclusionChecks() {
  const proofs = new Map();
  const proofOf = (position, treeSize) => {
    const key = `${position}@${treeSize}`;
    if (!proofs.has(key)) {
      const answer = api(`/audit/proofs/inclusion${query({ position, treeSize })}`);
      proofs.set(key, answer);
      answer.then(a => { if (!a.ok) proofs.delete(key); });
    }
    return proofs.get(key);
  };
  return { check: (table, entries, banner, published) => checkInclusion(table, entries, banner, proofOf, published) };
}

async function checkInclusion(table, entries, banner, proofOf, checkpointAnswer) {
  const cells = new Map(Array.from(table.querySelectorAll(".proof"), cell => [cell.dataset.position, cell]));
  const show = (entry, [state, text]) => {
    const cell = cells.get(String(entry.position));
    if (cell) { cell.dataset.state = state; cell.textContent = text; }
  };
  const showAll = status => entries.forEach(entry => show(entry, status));

  if (!canVerify()) return showAll(["unchecked", "Not checked: this browser checks proofs only on a page served over HTTPS (Web Crypto)"]);
  const [published, keys] = await Promise.all([checkpointAnswer || api("/audit/checkpoint"), api("/audit/public-key")]);
  if (!table.isConnected) return;
  if (published.status === 503 && published.json?.type === "/problems/history-diverged") {
    showDiverged(banner, published.json);
    return showAll(["failed", "Not verified: the history diverged"]);
  }
  fill(banner);
  if (published.status === 403 || keys.status === 403) return showAll(["unchecked", "Needs the auditor role"]);
  if (!published.ok || !keys.ok) return showAll(["unchecked", "Not checked: " + ((published.ok ? keys : published).json?.title || "the service did not answer")]);

  let checkpoint;
  try {
    checkpoint = await verifiedCheckpoint(published.json, keys.json);
  } catch (error) {
    return showAll(failure(error));
  }

  const waiting = [...entries];
  const worker = async () => {
    while (waiting.length && table.isConnected) {
      const entry = waiting.shift();
      show(entry, await statusOf(entry, checkpoint, proofOf).catch(failure));
    }
  };
  await Promise.all(Array.from({ length: PROOFS_AT_ONCE }, worker));
}

/** A proof that does not verify is a failure; anything else that went wrong (a key Web Crypto refused) is no check at all. */
function failure(error) {
  return error instanceof ProofFailure ? ["failed", "Proof does not verify: " + error.message] : ["unchecked", "Not checked: " + error.message];
}

function showDiverged(banner, problem) {
  fill(banner, h("div", { class: "alert diverged", role: "alert", id: "history-diverged" },
    h("h2", { text: "The ledger's history has diverged" }),
    h("p", { text: `The stored events no longer yield the checkpoint of tree size ${problem.treeSize} with root ${problem.rootHash}, signed by ${problem.signedBy}. No event on this page is shown as verified.` }),
    problem.detail ? h("p", { text: problem.detail }) : null));
}

/**
 * The checkpoint once its signature verifies with the service's key of its keyId, and each cosignature with the
 * key of its witness: { treeSize, rootHash (bytes), cosignedBy: [names], unverified: [names] }. A cosignature
 * whose witness key is not known is unverified, not counted; one by a known key that does not verify fails.
 */
async function verifiedCheckpoint(checkpoint, keys) {
  const rootHash = fromHash(checkpoint.rootHash, "the checkpoint's rootHash");
  if (!Number.isSafeInteger(checkpoint.treeSize) || checkpoint.treeSize < 0) throw new ProofFailure("the checkpoint's treeSize is not a whole number");
  const body = checkpointBody(checkpoint.origin, checkpoint.treeSize, rootHash);
  const serviceKey = await keyNamed(keys.keys, checkpoint.keyId);
  if (!serviceKey) throw new ProofFailure(`the checkpoint's key ${checkpoint.keyId} is not one of the service's keys`);
  if (!await verifiesEs256(serviceKey.publicKey, body, checkpoint.signature)) throw new ProofFailure(`the signature of checkpoint ${checkpoint.treeSize} does not verify with the service's key ${checkpoint.keyId}`);

  const cosignedBy = [], unverified = [];
  for (const cosignature of checkpoint.cosignatures || []) {
    const witnessKey = await keyNamed(keys.witnesses, cosignature.keyId);
    if (!witnessKey) { unverified.push(cosignature.witness); continue; }
    if (!await verifiesEs256(witnessKey.publicKey, cosignedMessage(cosignature.timestamp, body), cosignature.signature)) {
      throw new ProofFailure(`the cosignature of ${cosignature.witness} does not verify with its key ${cosignature.keyId}`);
    }
    cosignedBy.push(cosignature.witness);
  }
  return { treeSize: checkpoint.treeSize, rootHash, cosignedBy, unverified };
}

/** The key of `keyId` among `keys`, only if it really has that id (SHA-256 of the key). */
async function keyNamed(keys, keyId) {
  const key = (keys || []).find(k => k.keyId === keyId);
  return key && await keyIdOf(key.publicKey) === keyId ? key : null;
}

async function statusOf(entry, checkpoint, proofOf) {
  if (entry.leafIndex === null || entry.leafIndex === undefined || entry.leafIndex >= checkpoint.treeSize) return ["pending", "Not yet in a checkpoint"];
  const answer = await proofOf(entry.position, checkpoint.treeSize);
  if (!answer.ok) return ["unchecked", "Not checked: " + (answer.json?.title || "the proof could not be read")];
  const proof = answer.json;
  if (proof.leafIndex !== entry.leafIndex || proof.treeSize !== checkpoint.treeSize) {
    throw new ProofFailure(`the proof is for leaf ${proof.leafIndex} of a tree of ${proof.treeSize}, not leaf ${entry.leafIndex} of ${checkpoint.treeSize}`);
  }
  const leaf = await leafHash(fromHash(entry.hash, "the event's hash"));
  if (toHex(leaf) !== proof.leafHash) throw new ProofFailure("the proof's leaf hash is not SHA-256(0x00 ‖ the event's hash)");
  if (!Array.isArray(proof.auditPath)) throw new ProofFailure("the proof has no audit path");
  const root = await rootFromInclusionProof(entry.leafIndex, checkpoint.treeSize, leaf, proof.auditPath.map((hash, i) => fromHash(hash, `audit path hash ${i + 1}`)));
  if (!root) throw new ProofFailure(`the audit path does not fit leaf ${entry.leafIndex} of a tree of ${checkpoint.treeSize}`);
  if (toHex(root) !== toHex(checkpoint.rootHash)) throw new ProofFailure(`the audit path does not lead to the root of checkpoint ${checkpoint.treeSize}`);
  return ["verified", inCheckpoint(checkpoint)];
}

function inCheckpoint({ treeSize, cosignedBy, unverified }) {
  const cosigned = cosignedBy.length ? `cosigned by ${cosignedBy.join(", ")}` : "cosigned by no witness";
  const uncounted = unverified.length ? `; not counted: ${unverified.length === 1 ? "a cosignature" : unverified.length + " cosignatures"} by ${unverified.join(", ")} (witness key unknown)` : "";
  return `In checkpoint ${treeSize}, ${cosigned}${uncounted}`;
}
