// The API client: every call to the public HTTP API (docs/api.md) with the caller's bearer token,
// its problems as the API answers them, Idempotency-Keys for recordings and the quiet 503 retry.

import { announce } from "./dom.js";
import { authHeaders, session, showTokenPanel } from "./session.js";

export async function api(path, { method = "GET", body, idempotencyKey } = {}) {
  const headers = { Accept: "application/json", ...(await authHeaders()) };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (idempotencyKey) headers["Idempotency-Key"] = idempotencyKey;
  const sentWith = session.token;
  let response;
  try {
    response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (error) {
    return { ok: false, status: 0, json: { title: "The service cannot be reached", detail: String(error) } };
  }
  const text = await response.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { json = { title: "Unexpected answer", detail: text.slice(0, 200) }; }
  // Only while the token it was sent with is still the one in use: a 401 to a request sent before the user
  // signed in, arriving after, must not open the panel over the signed-in page.
  if (response.status === 401 && session.token === sentWith) showTokenPanel();
  return { ok: response.ok, status: response.status, json, headers: response.headers };
}

/**
 * Sends a recording; when the service asks for a retry (a 503: the database blinked, or the
 * agreement's stored state was just rebuilt) sends it once more, quietly, after Retry-After.
 * send must carry the same Idempotency-Key both times, so the recording is made at most once.
 */
export async function sendRetryingOnce(send) {
  const answer = await send();
  if (answer.status !== 503) return answer;
  const seconds = Math.min(Math.max(Number(answer.headers?.get("Retry-After")) || 1, 1), 5);
  announce(`The service asked to retry; retrying in ${seconds} s.`);
  await new Promise(resolve => setTimeout(resolve, seconds * 1000));
  return send();
}

/** A fresh Idempotency-Key (getRandomValues also works where randomUUID does not: plain http off localhost). */
export function newIdempotencyKey() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return "ui-" + Array.from(bytes, b => b.toString(16).padStart(2, "0")).join("");
}

export function query(params) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined && value !== null && value !== "") search.set(key, value);
  const text = search.toString();
  return text ? "?" + text : "";
}

/** Follows `next` from page to page until the last page or maxItems; an error ends it with what came so far. */
export async function allPages(path, params, itemsKey, maxItems) {
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

/**
 * For requests that overlap (a recording, a live event): take() before asking, then show(ticket)
 * says whether the answer may be shown — never one older than an answer already shown.
 */
export function answerOrder() {
  let taken = 0, shown = 0;
  return {
    take: () => ++taken,
    show(ticket) { if (ticket < shown) return false; shown = ticket; return true; },
  };
}
