// The timeline picture: an SVG of one agreement's stages along the time axis (by occurredOn), with a
// lane each for negotiation, signatures, funding, deliveries, targets and everything else.

import { h, svg } from "./dom.js";
import { dayNumber, todayUtc } from "./dates.js";

const STAGE_COLOURS = { Proposed: "#d9dee5", Negotiating: "#b9d3f0", Negotiated: "#8db8e8", Signed: "#a6d8b4", Funded: "#74c08c", Delivered: "#3f9d5e" };

const LANES = ["Stage", "Negotiation", "Signatures", "Funding", "Deliveries", "Targets", "Other"];

export function legend() {
  return h("ul", { class: "legend", "aria-label": "Legend" },
    h("li", { text: "● negotiation round" }), h("li", { text: "◆ terms agreed / signature" }), h("li", { text: "■ funding" }),
    h("li", { text: "△ deliverable planned, ▲ delivered" }), h("li", { text: "⚑ target (red: overdue, green: met)" }),
    h("li", { text: "○ source, amendment, standing, reservation" }),
    h("li", { text: "● consent, ■ entry into force, ○ withdrawal (Signatures lane)" }));
}

export function timelinePicture(agreement, entries, referenceDate) {
  const live = entries.filter(e => !e.retracted && e.occurredOn);
  const dates = [agreement.proposedOn, referenceDate, ...live.map(e => e.occurredOn),
    ...agreement.targets.map(t => t.targetDate), ...agreement.deliverables.map(d => d.dueBy).filter(Boolean)];
  const known = dates.filter(d => d !== referenceDate).map(dayNumber);
  let first = Math.min(...known), last = Math.max(...known);
  // The reference date (today, or the date looked at) widens the picture only when it is near the
  // events; far beyond them it would squeeze every event into a corner, so the bands run to the edge.
  const reference = dayNumber(referenceDate);
  const referenceShown = reference <= last || reference - last <= Math.max(180, (last - first) / 2);
  if (referenceShown) { first = Math.min(first, reference); last = Math.max(last, reference); }
  const pad = Math.max(7, Math.round((last - first) * 0.04));
  first -= pad; last += pad;
  const width = 960, left = 104, right = 16, top = 8, lane = 38, axis = 28;
  const height = top + LANES.length * lane + axis;
  const x = date => left + (dayNumber(date) - first) / (last - first) * (width - left - right);
  const y = name => top + LANES.indexOf(name) * lane + lane / 2;

  const title = svg("title", { id: "picture-title" }, `Timeline of ${agreement.title}`);
  const desc = svg("desc", { id: "picture-desc" }, `Stages reached: ${agreement.stages.map(s => `${s.stage} on ${s.reachedOn}`).join(", ")}. ` +
    `${live.length} events from ${agreement.proposedOn}. The table of events below lists the same events.`);
  const picture = svg("svg", { class: "timeline-picture", id: "timeline-picture", viewBox: `0 0 ${width} ${height}`, role: "img", "aria-labelledby": "picture-title picture-desc" }, title, desc);

  LANES.forEach((name, i) => {
    picture.append(
      svg("rect", { x: 0, y: top + i * lane, width, height: lane, fill: i % 2 ? "#f7f9fb" : "#ffffff" }),
      svg("text", { x: 8, y: y(name) + 4, class: "lane-label" }, name));
  });

  // Stages along the line, each from the day it was reached to the next one (or the reference date).
  agreement.stages.forEach((stage, i) => {
    const from = x(stage.reachedOn);
    const to = i + 1 < agreement.stages.length ? x(agreement.stages[i + 1].reachedOn) : referenceShown ? x(referenceDate) : width - right;
    const band = svg("g", { class: "stage", "data-stage": stage.stage },
      svg("title", {}, `${stage.stage} from ${stage.reachedOn}`),
      svg("rect", { x: from, y: y("Stage") - 12, width: Math.max(2, to - from), height: 24, fill: STAGE_COLOURS[stage.stage] || "#ccc", stroke: "#ffffff" }));
    if (to - from > 64) band.append(svg("text", { x: from + 4, y: y("Stage") + 4 }, stage.stage));
    picture.append(band);
  });
  if (["Suspended", "Terminated", "Withdrawn"].includes(agreement.status)) {
    picture.append(svg("text", { x: width - right - 4, y: y("Stage") - 14, "text-anchor": "end", fill: "#a4161a" }, `now ${agreement.status}`));
  }

  // Labels of markers close together in one lane alternate above and below, so they do not overlap.
  const lastLabel = {};
  const marker = (entry, laneName, shape, label) => {
    const cx = x(entry.occurredOn), cy = y(laneName);
    const group = svg("g", { class: "marker", "data-type": entry.type, "data-version": entry.version },
      svg("title", {}, `${entry.occurredOn}: ${entry.summary}`), shapeAt(shape, cx, cy));
    if (label) {
      const previous = lastLabel[laneName];
      const row = previous && cx - previous.x < 8 * previous.length + 12 ? (previous.row + 1) % 3 : 0;
      lastLabel[laneName] = { x: cx, length: label.length, row };
      group.append(svg("text", { x: cx + 8 + (row === 2 ? 8 * previous.length + 4 : 0), y: row === 1 ? cy + 15 : cy - 6 }, label));
    }
    picture.append(group);
  };

  for (const e of live) {
    switch (e.type) {
      case "negotiation_round_held": marker(e, "Negotiation", "circle"); break;
      case "terms_agreed": marker(e, "Negotiation", "diamond", "terms"); break;
      case "party_signed": marker(e, "Signatures", "diamond", e.data.party); break;
      case "consent_expressed": marker(e, "Signatures", e.data.instrument === "definitive-signature" ? "diamond" : "circle", `${e.data.party} ${e.data.instrument}`); break;
      case "entered_into_force": marker(e, "Signatures", "square", `in force: ${(e.data.parties || []).join(" ")}`); break;
      case "party_withdrew": marker(e, "Signatures", "ring", `${e.data.party} withdrew`); break;
      case "funding_committed": marker(e, "Funding", "square", `${Number(e.data.amount).toLocaleString("en")} ${e.data.currency}`); break;
      case "deliverable_planned": marker(e, "Deliveries", "triangle-open", e.data.deliverableId); break;
      case "deliverable_delivered": marker(e, "Deliveries", "triangle", e.data.deliverableId); break;
      case "target_set": break;
      case "agreement_proposed": break;
      default: marker(e, "Other", "ring");
    }
  }

  for (const target of agreement.targets) {
    const state = target.met ? "met" : target.overdue ? "overdue" : "pending";
    const colour = { met: "#1d6b33", overdue: "#a4161a", pending: "#4a5360" }[state];
    const cx = x(target.targetDate), cy = y("Targets");
    picture.append(svg("g", { class: `marker target ${state}`, "data-milestone": target.milestone },
      svg("title", {}, `Target: ${target.milestone} by ${target.targetDate} — ${state}`),
      svg("line", { x1: cx, y1: cy + 11, x2: cx, y2: cy - 11, stroke: colour, "stroke-width": 2 }),
      svg("path", { d: `M${cx},${cy - 11} l11,4 l-11,4 z`, fill: colour }),
      svg("text", { x: cx + 13, y: cy + 4, fill: colour }, `${target.milestone}${state === "overdue" ? " OVERDUE" : ""}`)));
  }

  // The reference date: today, or the date being looked at.
  const referenceLabel = referenceDate === todayUtc() ? `today (${referenceDate})` : referenceDate;
  if (referenceShown) {
    const now = x(referenceDate);
    picture.append(svg("line", { x1: now, y1: top, x2: now, y2: top + LANES.length * lane, stroke: "#0b5cad", "stroke-dasharray": "4 3" }),
      svg("text", { x: Math.min(now + 3, width - 110), y: top + LANES.length * lane - 4, fill: "#0b5cad" }, referenceLabel));
  } else {
    picture.append(svg("text", { x: width - right, y: top + LANES.length * lane - 4, fill: "#0b5cad", "text-anchor": "end" }, `continues to ${referenceLabel} →`));
  }

  picture.append(axisTicks(first, last, x, top + LANES.length * lane, width));
  return picture;
}

function shapeAt(shape, cx, cy) {
  const fill = "#10243e";
  switch (shape) {
    case "circle": return svg("circle", { cx, cy, r: 6, fill });
    case "ring": return svg("circle", { cx, cy, r: 5, fill: "#ffffff", stroke: fill, "stroke-width": 2 });
    case "diamond": return svg("path", { d: `M${cx},${cy - 7} l7,7 l-7,7 l-7,-7 z`, fill: "#1d6b33" });
    case "square": return svg("rect", { x: cx - 6, y: cy - 6, width: 12, height: 12, fill: "#7a4a00" });
    case "triangle": return svg("path", { d: `M${cx},${cy - 7} l7,12 l-14,0 z`, fill });
    default: return svg("path", { d: `M${cx},${cy - 7} l7,12 l-14,0 z`, fill: "#ffffff", stroke: fill, "stroke-width": 2 });
  }
}

function axisTicks(first, last, x, baseline, width) {
  const group = svg("g", { class: "axis" }, svg("line", { x1: 0, y1: baseline, x2: width, y2: baseline, stroke: "#6b7684" }));
  const span = last - first;
  const step = span > 3 * 365 ? 12 : span > 240 ? 3 : 1;
  const start = new Date(first * 86400000);
  let year = start.getUTCFullYear();
  let month = Math.floor(start.getUTCMonth() / step) * step + 1;
  for (let i = 0; i < 400; i++) {
    const day = `${year}-${String(month).padStart(2, "0")}-01`;
    if (dayNumber(day) > last) break;
    if (dayNumber(day) >= first) {
      const tx = x(day);
      group.append(svg("line", { x1: tx, y1: baseline, x2: tx, y2: baseline + 5, stroke: "#6b7684" }),
        svg("text", { x: tx + 2, y: baseline + 17 }, step === 12 ? String(year) : `${year}-${String(month).padStart(2, "0")}`));
    }
    month += step;
    while (month > 12) { month -= 12; year++; }
  }
  return group;
}
