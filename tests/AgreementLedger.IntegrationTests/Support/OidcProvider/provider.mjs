// A real OpenID provider (oidc-provider) for the sign-in tests, on 127.0.0.1:PORT: the web page's public
// client (authorization code with PKCE, refresh tokens), JWT access tokens for the ledger's audience with
// a `role` claim, and its own login and consent forms (a user name and password checked against USERS).
//
// Environment: PORT; CLIENT_ID; REDIRECT_URI (the page's address, also where sign-out returns);
// AUDIENCE (the ledger's Ledger:Auth:Audience, an absolute URI: the resource indicator); ACCESS_TOKEN_TTL
// (seconds); USERS, JSON {"name": {"password": "…", "name": "…", "roles": ["recorder", …]}}.
// Prints "listening <issuer>" once it answers.

import { randomBytes } from "node:crypto";
import Provider, { errors } from "oidc-provider";

const { PORT, CLIENT_ID, REDIRECT_URI, AUDIENCE } = process.env;
const accessTokenTTL = Number(process.env.ACCESS_TOKEN_TTL || 60);
const users = JSON.parse(process.env.USERS || "{}");
const issuer = `http://127.0.0.1:${PORT}`;

const provider = new Provider(issuer, {
  clients: [{
    client_id: CLIENT_ID,
    token_endpoint_auth_method: "none",
    application_type: "web",
    redirect_uris: [REDIRECT_URI],
    post_logout_redirect_uris: [REDIRECT_URI],
    grant_types: ["authorization_code", "refresh_token"],
    response_types: ["code"],
  }],
  cookies: { keys: [randomBytes(32).toString("base64url")] },
  scopes: ["openid", "offline_access", "profile"],
  claims: { openid: ["sub"], profile: ["name"] },
  findAccount: (_ctx, id) => users[id] && { accountId: id, claims: () => ({ sub: id, name: users[id].name }) },
  // A public client gets a refresh token whether or not the consent prompt asked for offline_access.
  issueRefreshToken: (_ctx, client) => client.grantTypeAllowed("refresh_token"),
  extraTokenClaims: (_ctx, token) => token.kind === "AccessToken" ? { role: users[token.accountId]?.roles ?? [] } : undefined,
  features: {
    devInteractions: { enabled: false },
    // The confirmation before the provider ends its session (and sends the browser back to the page).
    rpInitiatedLogout: {
      enabled: true,
      logoutSource: (ctx, form) => {
        ctx.body = page("Sign out", `${form}<p>Sign out of the test provider?</p>
<button type="submit" form="op.logoutForm" value="yes" name="logout">Yes, sign me out</button>`);
      },
    },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => AUDIENCE,
      useGrantedResource: () => true,
      getResourceServerInfo: (_ctx, resource) => {
        if (resource !== AUDIENCE) throw new errors.InvalidTarget();
        return { scope: "ledger", audience: AUDIENCE, accessTokenTTL, accessTokenFormat: "jwt", jwt: { sign: { alg: "RS256" } } };
      },
    },
  },
  interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
  ttl: { Session: 3600, Grant: 3600, Interaction: 600, AuthorizationCode: 60, RefreshToken: 3600, IdToken: 3600 },
});

const page = (title, body) => `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title></head>
<body><main><h1>${title}</h1>${body}</main></body></html>`;
const escape = text => String(text).replace(/[&<>"]/g, c => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);

async function form(ctx) {
  let text = "";
  for await (const chunk of ctx.req) text += chunk;
  return new URLSearchParams(text);
}

function loginForm(uid, problem) {
  return page("Sign in to the test provider", `${problem ? `<p role="alert">${escape(problem)}</p>` : ""}
<form method="post" action="/interaction/${uid}/login">
  <label for="username">User name</label> <input id="username" name="username" autocomplete="username" required>
  <label for="password">Password</label> <input id="password" name="password" type="password" autocomplete="current-password" required>
  <button type="submit">Sign in</button>
</form>`);
}

async function consent(details) {
  const { prompt: { details: missing }, params, session: { accountId } } = details;
  const grant = details.grantId ? await provider.Grant.find(details.grantId) : new provider.Grant({ accountId, clientId: params.client_id });
  if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(" "));
  if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
  for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes || {})) grant.addResourceScope(indicator, scopes.join(" "));
  return { consent: { grantId: await grant.save() } };
}

provider.use(async (ctx, next) => {
  const route = ctx.path.match(/^\/interaction\/([^/]+)(?:\/(login|consent))?$/);
  if (!route) return next();
  const details = await provider.interactionDetails(ctx.req, ctx.res);
  const [, uid, step] = route;
  ctx.type = "html";
  if (ctx.method === "GET") {
    ctx.body = details.prompt.name === "login"
      ? loginForm(uid)
      : page("Allow access", `<p>${escape(details.params.client_id)} asks to act as you at the ledger.</p>
<form method="post" action="/interaction/${uid}/consent"><button type="submit">Allow</button></form>`);
    return;
  }
  let result;
  if (step === "login") {
    const body = await form(ctx);
    const user = users[body.get("username")];
    if (!user || user.password !== body.get("password")) {
      ctx.body = loginForm(uid, "Wrong user name or password.");
      return;
    }
    result = { login: { accountId: body.get("username") } };
  } else {
    result = await consent(details);
  }
  ctx.status = 303;
  ctx.redirect(await provider.interactionResult(ctx.req, ctx.res, result, { mergeWithLastSubmission: step === "consent" }));
});

provider.listen(Number(PORT), "127.0.0.1", () => console.log(`listening ${issuer}`));
