// Signing in, as GET /ui/config says the service takes tokens: with its OpenID provider (oidc.js), by a
// token pasted from whoever holds the service's signing key, or not at all on a developer's own machine.
// The bearer token stays in this browser tab only (sessionStorage).

import { announce } from "./dom.js";
import { claims, completeSignIn, refresh, refreshDue, signOut, startSignIn } from "./oidc.js";

export const session = {
  get token() { return sessionStorage.getItem("ledger.token") || ""; },
  set token(value) { value ? sessionStorage.setItem("ledger.token", value) : sessionStorage.removeItem("ledger.token"); },
};

const ROLES = "recorder to record events, auditor to read agreements and check the audit trail, subscriber for live updates; admin may do everything";
let config = { mode: "key" };
let changed = () => {};
const byId = id => document.getElementById(id);
const host = () => new URL(config.authority).host;
const signsIn = () => config.mode === "oidc" && Boolean(config.clientId);

/** The page's sign-in settings (anonymous), or key mode when the service cannot be asked. */
export async function loadConfig() {
  try {
    const response = await fetch("/ui/config", { headers: { Accept: "application/json" } });
    if (response.ok) config = await response.json();
  } catch { /* the API's own answers will say the service cannot be reached */ }
  return config;
}

let renewing = null, timer = null;
function renew() {
  renewing ??= refresh(config)
    .then(token => { session.token = token; schedule(); })
    .catch(() => {
      session.token = "";
      describeToken();
      showTokenPanel("Your sign-in has ended: sign in again.");
    })
    .finally(() => { renewing = null; });
  return renewing;
}
function schedule() {
  clearTimeout(timer);
  const due = refreshDue();
  if (due !== null) timer = setTimeout(renew, Math.max(0, due - Date.now()));
}

/** The Authorization header, with an access token renewed first when it is due (a tab asleep past its timer). */
export async function authHeaders() {
  const due = refreshDue();
  if (signsIn() && session.token && due !== null && Date.now() >= due) await renew();
  return session.token ? { Authorization: "Bearer " + session.token } : {};
}

export function showTokenPanel(message) {
  byId("token-panel").hidden = false;
  byId("token-toggle").setAttribute("aria-expanded", "true");
  describePanel();
  announce(message || (signsIn() ? "This needs you to sign in." : config.mode === "local" ? "" : "This needs a token: paste one below."));
}

function who() {
  const payload = claims(session.token);
  if (!payload) return null;
  return { name: payload.sub || payload.name || "signed in", roles: [].concat(payload.role || []).join(", ") || "no role" };
}

export function describeToken() {
  const button = byId("token-toggle");
  const signedIn = who();
  if (config.mode === "local") button.textContent = "local (admin)";
  else if (!session.token) button.textContent = "Sign in";
  else button.textContent = signedIn ? `${signedIn.name} (${signedIn.roles})` : "Token set";
  describePanel();
}

/** What the panel says and offers in each mode, signed in or not. */
function describePanel() {
  const signedIn = session.token ? who() : null;
  const help = byId("signin-help");
  byId("token-form").hidden = config.mode === "local" || signsIn();
  byId("signin-actions").hidden = !signsIn();
  byId("signin-start").hidden = Boolean(signedIn);
  byId("signin-end").hidden = !signedIn;
  if (config.mode === "local") {
    help.textContent = "No sign-in here: this service runs for development on this machine, and everything you do here you do as its local admin, \u201clocal\u201d.";
  } else if (signsIn()) {
    byId("signin-start").textContent = `Sign in at ${host()}`;
    help.textContent = signedIn
      ? `Signed in at ${host()} as ${signedIn.name}, with the roles ${signedIn.roles}.`
      : `Sign in with your account at ${host()}. Ask its administrators for the ledger role your work needs: ${ROLES}.`;
  } else if (config.mode === "oidc") {
    help.textContent = `This ledger takes tokens from ${host()}, but this page has no sign-in set up with it: ask the ledger's administrator, or paste an access token from ${host()} below.`;
  } else {
    help.textContent = `Tokens for this ledger are issued by its administrator, who holds its signing key. Ask them for one with the roles your work needs (${ROLES}), then paste it below.`;
  }
}

async function begin() {
  try {
    await startSignIn(config);
  } catch (error) {
    showTokenPanel(`Signing in at ${host()} failed: ${error.message}.`);
  }
}

/** Wires the panel, finishing a sign-in this load returns from; tokenChanged runs after a token is set or forgotten. */
export async function setUpTokenPanel(tokenChanged) {
  changed = tokenChanged;
  const panel = byId("token-panel");
  const toggle = byId("token-toggle");
  const returned = signsIn() ? await completeSignIn(config) : null;
  if (returned?.token) session.token = returned.token;
  toggle.addEventListener("click", () => {
    if (signsIn() && !session.token) return begin();
    panel.hidden = !panel.hidden;
    toggle.setAttribute("aria-expanded", String(!panel.hidden));
    if (!panel.hidden) (signsIn() ? byId("signin-end") : config.mode === "local" ? toggle : byId("token")).focus();
  });
  byId("signin-start").addEventListener("click", begin);
  byId("signin-end").addEventListener("click", async () => {
    clearTimeout(timer);
    session.token = "";
    describeToken();
    panel.hidden = true;
    toggle.setAttribute("aria-expanded", "false");
    await signOut(config);
    changed();
  });
  byId("token-form").addEventListener("submit", event => {
    event.preventDefault();
    session.token = byId("token").value.trim();
    byId("token").value = "";
    panel.hidden = true;
    toggle.setAttribute("aria-expanded", "false");
    describeToken();
    changed();
  });
  byId("token-clear").addEventListener("click", () => {
    session.token = "";
    describeToken();
    changed();
  });
  // Until here a click on the toggle would do nothing: it stays disabled in the page until it is wired.
  toggle.disabled = false;
  describeToken();
  schedule();
  if (returned?.problem) showTokenPanel(`Signing in at ${host()} failed: ${returned.problem}.`);
  else if (returned?.token) announce(`Signed in as ${who()?.name}.`);
}
