// Signing in: the caller's bearer token, kept in this browser tab only (sessionStorage), and the
// panel where it is pasted or forgotten.

import { announce } from "./dom.js";

export const session = {
  get token() { return sessionStorage.getItem("ledger.token") || ""; },
  set token(value) { value ? sessionStorage.setItem("ledger.token", value) : sessionStorage.removeItem("ledger.token"); },
};

export function authHeaders() {
  return session.token ? { Authorization: "Bearer " + session.token } : {};
}

export function showTokenPanel(message) {
  const panel = document.getElementById("token-panel");
  panel.hidden = false;
  document.getElementById("token-toggle").setAttribute("aria-expanded", "true");
  if (message) announce(message);
}

export function describeToken() {
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

/** Wires the panel; tokenChanged runs after a token is set or forgotten (live updates, the view). */
export function setUpTokenPanel(tokenChanged) {
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
    tokenChanged();
  });
  document.getElementById("token-clear").addEventListener("click", () => {
    session.token = "";
    describeToken();
    tokenChanged();
  });
  describeToken();
}
