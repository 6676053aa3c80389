// The transparency log's checks, done in this browser with Web Crypto (crypto.subtle) and nothing the
// service computed: RFC 9162's leaf and node hashes and inclusion proof (§2.1.3.2), the checkpoint body
// and the cosigned message byte for byte as docs/audit.md gives them, and ES256 signatures (IEEE P1363
// r ‖ s, which is Web Crypto's own ECDSA format). No DOM here.

/** Why a proof, a checkpoint or a cosignature does not verify: shown to the reader as it is. */
export class ProofFailure extends Error {}

/** Web Crypto exists only in a secure context (HTTPS, or http on localhost): without it nothing can be checked. */
export function canVerify() {
  return Boolean(globalThis.crypto?.subtle);
}

/** The 32 bytes of a hash as the API gives it (lowercase hex). */
export function fromHash(text, what) {
  if (typeof text !== "string" || !/^[0-9a-f]{64}$/.test(text)) throw new ProofFailure(`${what} is not a 32-byte hash in lowercase hex`);
  return Uint8Array.from(text.match(/../g), pair => parseInt(pair, 16));
}

export function toHex(bytes) {
  return Array.from(bytes, b => b.toString(16).padStart(2, "0")).join("");
}

function fromBase64(text, what) {
  try {
    return Uint8Array.from(atob(text), c => c.charCodeAt(0));
  } catch {
    throw new ProofFailure(`${what} is not base64`);
  }
}

function toBase64(bytes) {
  return btoa(String.fromCharCode(...bytes));
}

async function sha256(...parts) {
  const bytes = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) { bytes.set(part, at); at += part.length; }
  return new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
}

/** RFC 9162 leaf hash: SHA-256(0x00 ‖ the 32 bytes of the event's `hash`). */
export function leafHash(eventHash) {
  return sha256(Uint8Array.of(0), eventHash);
}

function nodeHash(left, right) {
  return sha256(Uint8Array.of(1), left, right);
}

/**
 * The root an inclusion proof leads to (RFC 9162 §2.1.3.2), or null when the audit path does not fit
 * leaf `leafIndex` of a tree of `treeSize` (too short, too long, or a leaf beyond the tree). BigInt:
 * JavaScript's bit operators on numbers stop at 32 bits.
 */
export async function rootFromInclusionProof(leafIndex, treeSize, leaf, auditPath) {
  let fn = BigInt(leafIndex), sn = BigInt(treeSize) - 1n;
  if (fn < 0n || fn > sn) return null;
  let r = leaf;
  for (const p of auditPath) {
    if (sn === 0n) return null;
    if ((fn & 1n) === 1n || fn === sn) {
      r = await nodeHash(p, r);
      while ((fn & 1n) === 0n && fn !== 0n) { fn >>= 1n; sn >>= 1n; }
    } else {
      r = await nodeHash(r, p);
    }
    fn >>= 1n; sn >>= 1n;
  }
  return sn === 0n ? r : null;
}

/** The signed checkpoint body (docs/audit.md): origin, tree size and base64 root, each line ending in "\n". */
export function checkpointBody(origin, treeSize, rootHash) {
  return new TextEncoder().encode(`${origin}\n${treeSize}\n${toBase64(rootHash)}\n`);
}

/** The message a witness signs (docs/audit.md, "Witness"): two lines before the body; the time from the cosignature's RFC 3339 `timestamp`. */
export function cosignedMessage(timestamp, body) {
  if (typeof timestamp !== "string" || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/.test(timestamp) || isNaN(Date.parse(timestamp))) {
    throw new ProofFailure(`the cosignature's timestamp "${timestamp}" is not RFC 3339 UTC to the second`);
  }
  const head = new TextEncoder().encode(`cosignature/v1\ntime ${Date.parse(timestamp) / 1000}\n`);
  const message = new Uint8Array(head.length + body.length);
  message.set(head);
  message.set(body, head.length);
  return message;
}

/** The keyId of a public key (docs/audit.md section 2): the first 16 hex characters of SHA-256 over its DER SubjectPublicKeyInfo. */
export async function keyIdOf(publicKey) {
  return toHex(await sha256(fromBase64(publicKey, "a public key"))).slice(0, 16);
}

/** Whether `signature` (base64 r ‖ s) verifies over `message` with `publicKey` (base64 DER SubjectPublicKeyInfo, ECDSA P-256). */
export async function verifiesEs256(publicKey, message, signature) {
  const bytes = fromBase64(signature, "a signature");
  if (bytes.length !== 64) return false;
  let key;
  try {
    key = await crypto.subtle.importKey("spki", fromBase64(publicKey, "a public key"), { name: "ECDSA", namedCurve: "P-256" }, false, ["verify"]);
  } catch {
    throw new ProofFailure("a public key is not an ECDSA P-256 key");
  }
  return crypto.subtle.verify({ name: "ECDSA", hash: "SHA-256" }, key, bytes, message);
}
