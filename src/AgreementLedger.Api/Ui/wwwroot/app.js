// AgreementLedger's page for policy staff and auditors. No framework and no build step: it calls the
// public HTTP API (docs/api.md) with the caller's bearer token and renders what it answers,
// including the API's own validation and lifecycle messages.
//
// This entry module routes the location hash to a view and starts sign-in and live updates; each
// part lives in its own module (no bundler: the browser loads them as ES modules from this origin).

import { loadConfig, setUpTokenPanel } from "./session.js";
import { live, onLiveEvent } from "./live.js";
import { parseHash } from "./navigation.js";
import { portfolioView } from "./portfolio-view.js";
import { proposeView } from "./propose-view.js";
import { agreementView } from "./agreement-view.js";
import { partyMapView } from "./party-map-view.js";

function route() {
  const { path, params } = parseHash();
  const main = document.getElementById("main");
  onLiveEvent(null);
  const agreement = path.match(/^\/agreements\/([^/]+)$/);
  // The portfolio takes the whole window: its lanes need the width.
  main.classList.toggle("wide", !agreement && path !== "/propose");
  if (agreement) return agreementView(main, decodeURIComponent(agreement[1]), params);
  const partyMap = path.match(/^\/parties\/([^/]+)\/map$/);
  if (partyMap) return partyMapView(main, decodeURIComponent(partyMap[1]), params);
  if (path === "/propose") return proposeView(main);
  return portfolioView(main, params);
}

await loadConfig();
await setUpTokenPanel(() => { live.restart(); route(); });
// The skip link must not change the hash: the hash is the page's route.
document.querySelector(".skip").addEventListener("click", event => {
  event.preventDefault();
  document.getElementById("main").focus();
});
window.addEventListener("hashchange", route);
live.restart();
route();
