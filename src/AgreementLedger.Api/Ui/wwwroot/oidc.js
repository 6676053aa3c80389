// Signing in with the ledger's OpenID provider (GET /ui/config says which): the authorization code flow
// with PKCE (S256), state and nonce, as a public client; the access token is the bearer, renewed with the
// refresh token before it expires. Discovery, tokens and refreshes are fetched from the authority's origin,
// which the page's content security policy admits; the sign-in itself is a navigation to the authority and
// back to this page's address (the redirect URI), whose query carries the code.

const PENDING = "ledger.oidc.pending";
const TOKENS = "ledger.oidc.tokens";

const base64url = bytes => btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
const random = (size = 32) => base64url(crypto.getRandomValues(new Uint8Array(size)));
const challenge = async verifier => base64url(new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier))));
const trimSlash = text => text.replace(/\/+$/, "");

export const redirectUri = () => location.origin + "/";

/** The claims of a JWT, unchecked: the page reads its own tokens, the service checks them. */
export function claims(jwt) {
  try {
    return JSON.parse(atob(jwt.split(".")[1].replace(/-/g, "+").replace(/_/g, "/")));
  } catch {
    return null;
  }
}

let metadata = null;
async function discover(config) {
  if (metadata) return metadata;
  const response = await fetch(trimSlash(config.authority) + "/.well-known/openid-configuration", { headers: { Accept: "application/json" } });
  if (!response.ok) throw new Error(`the authority's discovery document answered ${response.status}`);
  const found = await response.json();
  if (trimSlash(found.issuer || "") !== trimSlash(config.authority)) throw new Error(`the authority names itself ${found.issuer}, not ${config.authority}`);
  return (metadata = found);
}

/** RFC 8707: the audience goes as a resource indicator when it is an absolute URI, as the RFC requires. */
function withResource(params, config) {
  if (/^[a-z][a-z0-9+.-]*:/i.test(config.audience || "")) params.set("resource", config.audience);
  return params;
}

/** Leaves for the authority's sign-in page; the page comes back to redirectUri() with a code (completeSignIn). */
export async function startSignIn(config) {
  if (!crypto.subtle) throw new Error("signing in needs this page served over https");
  const found = await discover(config);
  const pending = { state: random(), nonce: random(), verifier: random(48), returnTo: location.hash || "#/" };
  sessionStorage.setItem(PENDING, JSON.stringify(pending));
  const params = withResource(new URLSearchParams({
    response_type: "code", client_id: config.clientId, redirect_uri: redirectUri(),
    scope: ["openid", "offline_access", config.scope].filter(Boolean).join(" "),
    state: pending.state, nonce: pending.nonce, code_challenge: await challenge(pending.verifier), code_challenge_method: "S256",
  }), config);
  location.assign(found.authorization_endpoint + "?" + params);
}

async function tokenRequest(config, params) {
  const found = await discover(config);
  const response = await fetch(found.token_endpoint, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: "application/json" },
    body: withResource(params, config),
  });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(body.error_description || body.error || `the token endpoint answered ${response.status}`);
  return body;
}

/** What the token endpoint answered, kept in this tab: the access token is returned for use as the bearer. */
function keep(answer, previous) {
  const lifetime = (Number(answer.expires_in) || (claims(answer.access_token)?.exp - Date.now() / 1000) || 300) * 1000;
  const kept = {
    refreshToken: answer.refresh_token || previous?.refreshToken || null,
    idToken: answer.id_token || previous?.idToken || null,
    // Renewed half-way through a short token's life, a minute before a long one's end.
    refreshAt: Date.now() + lifetime - Math.min(60_000, lifetime / 2),
  };
  sessionStorage.setItem(TOKENS, JSON.stringify(kept));
  return answer.access_token;
}

const kept = () => JSON.parse(sessionStorage.getItem(TOKENS) || "null");

/**
 * On the way back from the authority (a `state` in the query): checks the state, exchanges the code with its
 * verifier, checks the ID token's nonce, issuer and audience, and answers { token } or { problem }; null when
 * this load is no sign-in's return. The query goes from the address either way, and the route the user was on returns.
 */
export async function completeSignIn(config) {
  const answer = new URLSearchParams(location.search);
  if (!answer.has("state") || !(answer.has("code") || answer.has("error"))) return null;
  const pending = JSON.parse(sessionStorage.getItem(PENDING) || "null");
  sessionStorage.removeItem(PENDING);
  history.replaceState(null, "", "/" + (pending?.returnTo || "#/"));
  if (!pending || answer.get("state") !== pending.state) return { problem: "the answer matches no sign-in started in this tab; sign in again" };
  if (answer.has("error")) return { problem: answer.get("error_description") || answer.get("error") };
  try {
    const found = await discover(config);
    if (answer.has("iss") && answer.get("iss") !== found.issuer) return { problem: `the answer came from ${answer.get("iss")}, not ${found.issuer}` };
    const tokens = await tokenRequest(config, new URLSearchParams({
      grant_type: "authorization_code", code: answer.get("code"), redirect_uri: redirectUri(), client_id: config.clientId, code_verifier: pending.verifier,
    }));
    const id = claims(tokens.id_token || "");
    if (!id || id.nonce !== pending.nonce || trimSlash(id.iss || "") !== trimSlash(found.issuer) || ![].concat(id.aud).includes(config.clientId)) {
      return { problem: "the authority's ID token is not for this sign-in" };
    }
    return { token: keep(tokens, null) };
  } catch (error) {
    return { problem: error.message };
  }
}

/** When the access token is due for renewal (ms since the epoch), or null when there is no refresh token. */
export const refreshDue = () => (kept()?.refreshToken ? kept().refreshAt : null);

/** A new access token for the refresh token (which the authority may replace); throws when the sign-in has ended. */
export async function refresh(config) {
  const previous = kept();
  if (!previous?.refreshToken) throw new Error("no refresh token");
  return keep(await tokenRequest(config, new URLSearchParams({ grant_type: "refresh_token", refresh_token: previous.refreshToken, client_id: config.clientId })), previous);
}

/** Forgets the tokens, and ends the session at the authority when it offers to (coming back to this page). */
export async function signOut(config) {
  const previous = kept();
  sessionStorage.removeItem(TOKENS);
  let found = null;
  try { found = await discover(config); } catch { return; }
  if (found.revocation_endpoint && previous?.refreshToken) {
    await fetch(found.revocation_endpoint, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ token: previous.refreshToken, token_type_hint: "refresh_token", client_id: config.clientId }),
    }).catch(() => {});
  }
  if (found.end_session_endpoint) {
    const params = new URLSearchParams({ client_id: config.clientId, post_logout_redirect_uri: redirectUri() });
    if (previous?.idToken) params.set("id_token_hint", previous.idToken);
    location.assign(found.end_session_endpoint + "?" + params);
  }
}
