// Live updates: the ledger's event stream (/events/stream) read as server-sent events over fetch,
// so the bearer token can be sent (EventSource cannot send headers). The page on screen listens.

import { authHeaders } from "./session.js";

export const live = {
  controller: null,
  lastId: null,
  listener: null,

  restart() {
    this.controller?.abort();
    this.controller = new AbortController();
    this.follow(this.controller.signal);
  },

  status(on, text) {
    const badge = document.getElementById("live");
    badge.classList.toggle("on", on);
    badge.textContent = text;
  },

  async follow(signal) {
    let delay = 1000;
    while (!signal.aborted) {
      try {
        const headers = { Accept: "text/event-stream", ...(await authHeaders()) };
        if (this.lastId) headers["Last-Event-ID"] = this.lastId;
        const response = await fetch("/events/stream", { headers, signal });
        if (response.status === 401 || response.status === 403) {
          this.status(false, response.status === 403 ? "Live updates need the subscriber or auditor role" : "Live updates need a token");
          return;
        }
        if (response.status === 429) {
          // Too many streams for this user on this node (other tabs): wait as long as the service asks.
          const wait = Math.max(1, Number(response.headers.get("Retry-After")) || 5);
          this.status(false, `Live updates paused: too many open tabs follow the ledger; retrying in ${wait} s`);
          await new Promise(resolve => setTimeout(resolve, wait * 1000));
          continue;
        }
        if (!response.ok) throw new Error("status " + response.status);
        this.status(true, "Live");
        delay = 1000;
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = "";
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value;
          let end;
          while ((end = buffer.indexOf("\n\n")) >= 0) {
            this.dispatch(buffer.slice(0, end));
            buffer = buffer.slice(end + 2);
          }
        }
      } catch (error) {
        if (signal.aborted) return;
      }
      this.status(false, "Live updates reconnecting…");
      await new Promise(resolve => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, 30000);
    }
  },

  dispatch(block) {
    let id = null, data = "";
    for (const line of block.split("\n")) {
      if (line.startsWith("id: ")) id = line.slice(4);
      else if (line.startsWith("data: ")) data += line.slice(6);
    }
    if (id) this.lastId = id;
    if (!data) return;
    const event = JSON.parse(data);
    this.listener?.(event);
  },
};

/** The page on screen is the only one that hears new events. */
export function onLiveEvent(listener) {
  live.listener = listener;
}

export function debounce(action, ms) {
  let timer = null;
  return (...args) => { clearTimeout(timer); timer = setTimeout(() => action(...args), ms); };
}
