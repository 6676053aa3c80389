// The two-clock map: every event of the history as a point, when it happened in the world across (occurredOn) and when
// the ledger recorded it up (recordedAt). A fact recorded the day it happened sits on the diagonal; the higher above
// it, the later the ledger learned it. A retraction (which takes effect when recorded) stands at its recording day (at
// the right edge, when that lies beyond the dates shown), linked to the event it struck out, and that event to its
// replacement. A crosshair — dragged, or set with the two sliders
// under the map — picks "what the ledger knew on" and "what had happened in the world by" at once and shows the page
// then; "Replay" draws the points in the order the ledger recorded them.

import { h, svg, fill, announce, drawAtWidth } from "./dom.js";
import { dayNumber, isoDay, showInstant, todayUtc } from "./dates.js";
import { axisTicks } from "./timeline-axis.js";
import { recordingScale, MS_PER_DAY } from "./recording-scale.js";

const NARROWEST = 320;

// An entry is one agreement's timeline entry; on a party's map each also names its agreementId.
const key = e => `${e.agreementId || ""}:${e.version}`;
const label = e => e.agreementId ? `${e.agreementId} v${e.version}` : `v${e.version}`;
// recordedAt always has six fraction digits (docs/api.md), so the strings sort as the instants do.
const inRecordingOrder = (a, b) => a.recordedAt < b.recordedAt ? -1 : a.recordedAt > b.recordedAt ? 1
  : (a.agreementId || "").localeCompare(b.agreementId || "") || a.version - b.version;

/**
 * entries: the whole history as known now (one agreement's, or a party's agreements'); at: { asOf, effectiveOn } of
 * the view; show(times) opens the view at other times.
 */
export function twoClockMap(entries, at, show) {
  const byRecording = [...entries].sort(inRecordingOrder);
  const frame = h("div", { class: "map-frame" });
  const status = h("p", { class: "help", id: "map-status", "aria-live": "polite" });
  const moments = recordingMoments(byRecording);
  const knewOn = h("input", { type: "range", id: "map-known", min: 1, max: moments.length, step: 1 });
  const happenedBy = h("input", { type: "range", id: "map-happened", step: 1 });
  const replay = h("button", { type: "button", class: "secondary", id: "map-replay", text: "Replay the recording" });
  const apply = h("button", { type: "button", id: "map-show", text: "Show the page then" });
  const place = { moment: momentKnownAt(moments, at.asOf), day: null };
  let map = null;

  const readout = () => {
    const moment = moments[place.moment];
    knewOn.value = place.moment + 1;
    knewOn.setAttribute("aria-valuetext", `after ${moment.label}, ${showInstant(moment.recordedAt)}`);
    happenedBy.value = place.day;
    happenedBy.setAttribute("aria-valuetext", isoDay(place.day));
    fill(status, `The ledger as it knew it after ${moment.label} (${showInstant(moment.recordedAt)}), and the world as it was by ${isoDay(place.day)}.`);
    map?.crosshair(place);
  };
  const times = () => ({ asOf: moments[place.moment].recordedAt, effectiveOn: isoDay(place.day) });
  knewOn.addEventListener("input", () => { place.moment = Number(knewOn.value) - 1; readout(); });
  happenedBy.addEventListener("input", () => { place.day = Number(happenedBy.value); readout(); });
  apply.addEventListener("click", () => show(times()));
  replay.addEventListener("click", () => map?.replay(replay, status));

  const draw = width => {
    map = drawMap(byRecording, moments, width, place, picked => { Object.assign(place, picked); readout(); }, () => show(times()));
    happenedBy.min = map.firstDay;
    happenedBy.max = map.lastDay;
    if (place.day === null) place.day = Math.min(map.lastDay, at.effectiveOn ? dayNumber(at.effectiveOn) : dayNumber(todayUtc()));
    frame.replaceChildren(map.element);
    readout();
  };
  const whole = h("div", { class: "two-clock-map", id: "two-clock-map" },
    h("p", { class: "help", id: "map-help", text: "Across: when it happened in the world. Up: when the ledger recorded it. On the diagonal, recorded the day it happened; " +
      "above it, learned later. Drag across the map, or use the two sliders, to choose a moment on each clock; letting go (or \"Show the page then\") shows the page as it was." }),
    frame,
    h("ul", { class: "map-legend", "aria-label": "Legend of the map" },
      h("li", { text: "● an event" }), h("li", { text: "○ struck through: retracted" }), h("li", { text: "✕ a retraction, dotted to what it struck out" }),
      h("li", { text: "green line: to the event that replaced it" }), h("li", { text: "dashed: recorded the day it happened" }),
      h("li", { text: "orange: the moment chosen on each clock (faded: not yet known or not yet happened then)" })),
    h("div", { class: "grid map-controls" },
      h("div", {}, h("label", { for: "map-known", text: "Crosshair, recording clock: known after" }), knewOn),
      h("div", {}, h("label", { for: "map-happened", text: "Crosshair, world clock: happened by" }), happenedBy)),
    h("div", { class: "actions" }, apply, replay),
    status);
  drawAtWidth(whole, frame, NARROWEST, draw);
  return whole;
}

/** The distinct recording moments, oldest first, each named by the newest event recorded then (a correction's two share one). */
function recordingMoments(byRecording) {
  const moments = [];
  for (const e of byRecording) {
    const last = moments[moments.length - 1];
    if (last && last.recordedAt === e.recordedAt) last.label = label(e);
    else moments.push({ recordedAt: e.recordedAt, t: Date.parse(e.recordedAt), label: label(e) });
  }
  return moments;
}

/** The index of the newest moment at or before an instant (the newest of all when there is none). */
function momentKnownAt(moments, asOf) {
  if (!asOf) return moments.length - 1;
  const t = Date.parse(/T/.test(asOf) ? asOf : asOf + "T23:59:59.999Z");
  return Math.max(0, moments.filter(m => m.t <= t).length - 1);
}

function drawMap(byRecording, moments, width, place, pick, release) {
  const left = 92, right = 16, top = 12, bottom = 34;
  const height = Math.min(420, Math.max(260, 140 + byRecording.length * 12));
  const plotWidth = width - left - right, plotHeight = height - top - bottom;
  const recorded = byRecording.map(e => Date.parse(e.recordedAt));
  const dated = byRecording.filter(e => e.occurredOn).map(e => dayNumber(e.occurredOn));
  // Across: the effective dates (and today, when it is near them); a retraction, dated by its recording, at most at the edge.
  const today = dayNumber(todayUtc());
  let firstDay = Math.min(...dated), lastDay = Math.max(...dated);
  if (today - lastDay <= Math.max(180, (lastDay - firstDay) / 2)) lastDay = Math.max(lastDay, today);
  const pad = Math.max(2, Math.round((lastDay - firstDay) * 0.04));
  firstDay -= pad; lastDay += pad;
  const x = day => left + (Math.max(firstDay, Math.min(lastDay, day)) - firstDay) / (lastDay - firstDay) * plotWidth;
  const dayAt = px => Math.round(firstDay + (px - left) / plotWidth * (lastDay - firstDay));
  // Up: from the first day shown to just after the newest recording.
  const newest = Math.max(...recorded), start = Math.min(firstDay * MS_PER_DAY, ...recorded);
  const scale = recordingScale(recorded, start, newest + Math.max(60000, (newest - start) * 0.02), plotHeight);
  const y = t => top + scale.y(t);
  const dayOf = e => e.occurredOn ? dayNumber(e.occurredOn) : Math.floor(Date.parse(e.recordedAt) / MS_PER_DAY);

  const late = byRecording.filter(e => e.occurredOn && Date.parse(e.recordedAt) - (dayNumber(e.occurredOn) + 1) * MS_PER_DAY > 0).length;
  const retracted = byRecording.filter(e => e.retracted).length;
  // The diagonal, "recorded the day it happened": exact through the scale's knots, which are linear between them.
  const diagonal = [firstDay * MS_PER_DAY, ...recorded.filter(t => t > firstDay * MS_PER_DAY && t < lastDay * MS_PER_DAY), lastDay * MS_PER_DAY]
    .sort((a, b) => a - b).map(t => `${x(t / MS_PER_DAY).toFixed(2)},${y(t).toFixed(2)}`).join(" ");
  const points = new Map();
  const versions = new Map(byRecording.map(e => [key(e), e]));
  const picture = svg("svg", { width, height, viewBox: `0 0 ${width} ${height}`, role: "img", "aria-labelledby": "map-title map-desc", class: "map" },
    svg("title", { id: "map-title" }, "Two-clock map: when each event happened, and when the ledger recorded it"),
    svg("desc", { id: "map-desc" }, `${byRecording.length} events; ${late} recorded after the day they happened; ${retracted} retracted. The events table lists them with both dates.`),
    svg("polyline", { class: "diagonal", points: diagonal }),
    axisTicks(firstDay, lastDay, date => x(dayNumber(date)), height - bottom, width),
    recordingLabels(moments, y, left),
    svg("text", { x: left - 6, y: y(start) - 4, "text-anchor": "end", class: "tick" }, isoDay(Math.floor(start / MS_PER_DAY))),
    byRecording.map(e => link(e, versions, x, y, dayOf)),
    byRecording.map(e => {
      const point = marker(e, x(dayOf(e)), y(Date.parse(e.recordedAt)));
      points.set(key(e), point);
      return point;
    }));
  const across = svg("line", { class: "crosshair", y1: top, y2: height - bottom });
  const up = svg("line", { class: "crosshair", x1: left, x2: width - right });
  picture.append(across, up);

  // Dragging: the pointer's place on each clock, snapped to a recording moment (the newest at or below it) and a day.
  const toPlace = event => {
    const box = picture.getBoundingClientRect();
    const px = Math.max(left, Math.min(width - right, event.clientX - box.left));
    const t = scale.instant(Math.max(0, Math.min(plotHeight, event.clientY - box.top - top)));
    return { day: dayAt(px), moment: Math.max(0, moments.filter(m => m.t <= t).length - 1) };
  };
  let dragging = false;
  picture.addEventListener("pointerdown", event => { dragging = true; picture.setPointerCapture(event.pointerId); pick(toPlace(event)); });
  picture.addEventListener("pointermove", event => { if (dragging) pick(toPlace(event)); });
  picture.addEventListener("pointerup", event => { if (!dragging) return; dragging = false; pick(toPlace(event)); release(); });

  const crosshair = ({ moment, day }) => {
    const { t, recordedAt } = moments[moment];
    const at = y(t);
    up.setAttribute("y1", at); up.setAttribute("y2", at);
    across.setAttribute("x1", x(day)); across.setAttribute("x2", x(day));
    for (const e of byRecording) points.get(key(e)).classList.toggle("beyond", e.recordedAt > recordedAt || (e.occurredOn && dayOf(e) > day));
  };

  let timer = null;
  const replay = (button, status) => {
    if (timer) { stop(button, status, "Replay stopped."); return; }
    const reduced = matchMedia("(prefers-reduced-motion: reduce)").matches;
    picture.classList.add("replaying");
    points.forEach(p => p.classList.add("unrecorded"));
    button.textContent = "Stop the replay";
    let next = 0;
    const step = () => {
      const e = byRecording[next++];
      points.get(key(e)).classList.remove("unrecorded");
      up.setAttribute("y1", y(recorded[next - 1])); up.setAttribute("y2", y(recorded[next - 1]));
      fill(status, `Recorded ${label(e)} (${next} of ${byRecording.length}): ${e.summary}`);
      if (next >= byRecording.length) stop(button, status, `Replay finished: the ledger recorded ${byRecording.length} events.`);
    };
    if (reduced) { while (next < byRecording.length) step(); return; }
    timer = setInterval(step, Math.max(40, Math.min(500, 5000 / byRecording.length)));
    step();
  };
  const stop = (button, status, message) => {
    clearInterval(timer);
    timer = null;
    picture.classList.remove("replaying");
    points.forEach(p => p.classList.remove("unrecorded"));
    button.textContent = "Replay the recording";
    fill(status, message);
    announce(message);
    crosshair(place);
  };
  return { element: picture, firstDay, lastDay, crosshair, replay };
}

/** One event's point: a dot, hollow and struck through once retracted; a cross for a retraction. */
function marker(e, cx, cy) {
  const name = `${label(e)}: ${e.summary} — ${e.occurredOn ? `happened ${e.occurredOn}` : "takes effect when recorded"}, recorded ${showInstant(e.recordedAt)}` +
    (e.retracted ? " (retracted)" : "");
  const shape = e.type === "event_retracted"
    ? [svg("line", { x1: cx - 5, y1: cy - 5, x2: cx + 5, y2: cy + 5 }), svg("line", { x1: cx - 5, y1: cy + 5, x2: cx + 5, y2: cy - 5 })]
    : [svg("circle", { cx, cy, r: 5.5 }), e.retracted ? svg("line", { class: "strike", x1: cx - 8, y1: cy, x2: cx + 8, y2: cy }) : null];
  return svg("g", { class: `point${e.retracted ? " retracted" : ""}${e.type === "event_retracted" ? " retraction" : ""}`, "data-version": e.version, "data-agreement": e.agreementId,
    "data-cx": cx.toFixed(2), "data-cy": cy.toFixed(2) }, svg("title", {}, name), shape);
}

/** A retraction's line to what it struck out, and a corrected event's arrow to its replacement. */
function link(e, versions, x, y, dayOf) {
  const to = e.type === "event_retracted" ? e.data?.version : e.correctedBy;
  const other = to && versions.get(key({ agreementId: e.agreementId, version: to }));
  if (!other) return null;
  return svg("line", { class: e.type === "event_retracted" ? "retracts" : "replaced-by", "data-from": e.version, "data-to": other.version, "data-agreement": e.agreementId,
    x1: x(dayOf(e)), y1: y(Date.parse(e.recordedAt)), x2: x(dayOf(other)), y2: y(Date.parse(other.recordedAt)) });
}

/** The recording clock's labels: the day of a recording moment, once per day, where it does not crowd the one below it. */
function recordingLabels(moments, y, left) {
  const group = svg("g", { class: "axis" });
  let lastY = Infinity, lastDay = "";
  for (const m of moments) {
    const at = y(m.t);
    if (lastY - at < 16 || m.recordedAt.slice(0, 10) === lastDay) continue;
    lastY = at;
    lastDay = m.recordedAt.slice(0, 10);
    group.append(svg("text", { x: left - 6, y: at + 4, "text-anchor": "end", class: "tick" }, m.recordedAt.slice(0, 10)));
  }
  return group;
}
