// The page's route lives in the location hash (#/path?params), so every view can be bookmarked.

import { query } from "./api.js";

export function parseHash() {
  const hash = location.hash.replace(/^#/, "") || "/";
  const [path, search] = hash.split("?");
  return { path, params: Object.fromEntries(new URLSearchParams(search || "")) };
}

export function go(path, params) {
  location.hash = "#" + path + query(params || {});
}
