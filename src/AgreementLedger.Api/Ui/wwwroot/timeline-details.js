// What one marker of the timeline picture stands for, shown in a panel under the picture when the marker
// is focused, clicked or tapped (a hover tooltip reaches neither the keyboard nor a finger), and the keys
// that move between markers.

import { h, fill } from "./dom.js";
import { isoSeconds } from "./dates.js";
import { fact } from "./agreement-details.js";

export function detailsPanel() {
  return h("div", { class: "timeline-details", id: "timeline-details" },
    h("p", { class: "help", text: "No event chosen yet." }));
}

/** Fills the panel with the event's details; `extra` adds facts of its own (a target's date and state). */
export function showDetails(panel, entry, extra = []) {
  fill(panel,
    h("h3", { text: `Version ${entry.version}: ${entry.summary}` }),
    h("dl", { class: "facts" },
      fact("Type", h("code", { text: entry.type })),
      fact("Occurred on", entry.occurredOn ? h("time", { datetime: entry.occurredOn, text: entry.occurredOn }) : "—"),
      fact("Recorded at (UTC)", h("time", { datetime: entry.recordedAt, text: isoSeconds(entry.recordedAt) })),
      fact("Recorded by", entry.recordedBy),
      fact("Version", String(entry.version)),
      extra.map(([term, value]) => fact(term, value))));
}

/** The accessible name of a marker: what happened, when, and the version that recorded it. */
export function markerName(entry) {
  return `${entry.summary}, on ${entry.occurredOn}, version ${entry.version}`;
}

/** Arrow keys, Home and End move the focus between the picture's markers in the order of time. */
export function markerKeys(picture) {
  picture.addEventListener("keydown", event => {
    const markers = [...picture.querySelectorAll(".marker[tabindex]")].sort((a, b) => a.dataset.at - b.dataset.at);
    const at = markers.indexOf(document.activeElement);
    const moves = { ArrowRight: at + 1, ArrowDown: at + 1, ArrowLeft: at - 1, ArrowUp: at - 1, Home: 0, End: markers.length - 1 };
    if (at < 0 || !(event.key in moves)) return;
    event.preventDefault();
    markers[Math.max(0, Math.min(markers.length - 1, moves[event.key]))].focus();
  });
}
