// The timeline picture: an SVG of one agreement's stages along the time axis (by occurredOn), with a
// lane each for negotiation, signatures, funding, deliveries, targets and everything else. It is drawn
// at the width it is shown at, so its text keeps its size; on a phone the cards replace it (app.css).

import { h, svg, drawAtWidth } from "./dom.js";
import { dayNumber, todayUtc } from "./dates.js";
import { axisTicks } from "./timeline-axis.js";
import { detailsPanel, showDetails, markerName, markerKeys } from "./timeline-details.js";
import { timelineCards } from "./timeline-cards.js";

export const STAGE_COLOURS = { Proposed: "#d9dee5", Negotiating: "#b9d3f0", Negotiated: "#8db8e8", Signed: "#a6d8b4", Funded: "#74c08c", Delivered: "#3f9d5e" };

const LANES = ["Stage", "Negotiation", "Signatures", "Funding", "Deliveries", "Targets", "Other"];
// Narrower than this the picture is not shown (the cards are), so it is never drawn narrower.
const NARROWEST = 600;

export function legend() {
  return h("ul", { class: "legend", "aria-label": "Legend" },
    h("li", { text: "○ proposal (Stage lane)" }),
    h("li", { text: "● negotiation round" }), h("li", { text: "◆ terms agreed / signature" }), h("li", { text: "■ funding" }),
    h("li", { text: "△ deliverable planned, ▲ delivered" }), h("li", { text: "⚑ target (red: overdue, green: met)" }),
    h("li", { text: "○ source, amendment, standing, reservation" }),
    h("li", { text: "● consent, ■ entry into force, ○ withdrawal (Signatures lane)" }));
}

/** The picture, the panel its markers fill and the phone's cards, in one element that redraws the picture on resizing. */
export function timelinePicture(agreement, entries, referenceDate) {
  const frame = h("div", { class: "timeline-frame" });
  const panel = detailsPanel();
  const help = h("p", { class: "help timeline-help", id: "timeline-help",
    text: "Each event is a marker: Tab to one (the arrow keys then move between them), or click or tap it, to see its details below the picture." });
  const whole = h("div", { class: "timeline", id: "timeline-picture" }, help, frame, panel, timelineCards(entries));
  let chosen = null;
  const choose = (marker, entry, extra) => {
    chosen = marker.dataset.key;
    frame.querySelectorAll(".marker.chosen").forEach(m => m.classList.remove("chosen"));
    marker.classList.add("chosen");
    showDetails(panel, entry, extra);
  };
  const draw = width => {
    const focused = frame.contains(document.activeElement) ? document.activeElement.dataset.key : null;
    const picture = drawPicture(agreement, entries, referenceDate, width, choose);
    frame.replaceChildren(picture);
    fitLabels(picture, width);
    const again = key => key && [...picture.querySelectorAll(".marker")].find(m => m.dataset.key === key);
    again(chosen)?.classList.add("chosen");
    again(focused)?.focus();
  };
  drawAtWidth(whole, frame, NARROWEST, draw);
  return whole;
}

function drawPicture(agreement, entries, referenceDate, width, choose) {
  const live = entries.filter(e => !e.retracted && e.occurredOn);
  // Every date the picture shows but the reference date: an agreement proposed today has its proposal
  // among them, and so a first and a last day.
  const known = [agreement.proposedOn, ...live.map(e => e.occurredOn),
    ...agreement.targets.map(t => t.targetDate), ...agreement.deliverables.map(d => d.dueBy).filter(Boolean)].map(dayNumber);
  let first = Math.min(...known), last = Math.max(...known);
  // The reference date (today, or the date looked at) widens the picture only when it is near the
  // events; far beyond them it would squeeze every event into a corner, so the bands run to the edge.
  const reference = dayNumber(referenceDate);
  const referenceShown = reference <= last || reference - last <= Math.max(180, (last - first) / 2);
  if (referenceShown) { first = Math.min(first, reference); last = Math.max(last, reference); }
  const pad = Math.max(7, Math.round((last - first) * 0.04));
  first -= pad; last += pad;
  const left = 104, right = 16, top = 8, lane = 38, axis = 30;
  const height = top + LANES.length * lane + axis;
  const x = date => left + (dayNumber(date) - first) / (last - first) * (width - left - right);
  const y = name => top + LANES.indexOf(name) * lane + lane / 2;

  const title = svg("title", { id: "picture-title" }, `Timeline of ${agreement.title}`);
  const desc = svg("desc", { id: "picture-desc" }, `Stages reached: ${agreement.stages.map(s => `${s.stage} on ${s.reachedOn}`).join(", ")}. ` +
    `${live.length} events from ${agreement.proposedOn}. The table of events below lists the same events.`);
  const picture = svg("svg", { class: "timeline-picture", viewBox: `0 0 ${width} ${height}`, width, height, role: "group",
    "aria-labelledby": "picture-title", "aria-describedby": "picture-desc timeline-help" }, title, desc);
  markerKeys(picture);

  LANES.forEach((name, i) => {
    picture.append(
      svg("rect", { x: 0, y: top + i * lane, width, height: lane, fill: i % 2 ? "#f7f9fb" : "#ffffff" }),
      svg("text", { x: 8, y: y(name) + 4, class: "lane-label" }, name));
  });

  // Stages along the line, each from the day it was reached to the next one (or the reference date).
  agreement.stages.forEach((stage, i) => {
    const from = x(stage.reachedOn);
    const latest = i + 1 === agreement.stages.length;
    const to = !latest ? x(agreement.stages[i + 1].reachedOn) : referenceShown ? x(referenceDate) : width - right;
    // A label wider than its band is dropped, but the latest stage's goes after its band: nothing follows it.
    picture.append(svg("g", { class: "stage", "data-stage": stage.stage },
      svg("title", {}, `${stage.stage} from ${stage.reachedOn}`),
      svg("rect", { x: from, y: y("Stage") - 12, width: Math.max(2, to - from), height: 24, fill: STAGE_COLOURS[stage.stage] || "#ccc", stroke: "#ffffff" }),
      svg("text", { x: from + 10, y: y("Stage") + 4, "data-within": to - from - 12, "data-after": latest ? Math.max(from + 10, to + 4) : null }, stage.stage)));
  });
  if (["Suspended", "Terminated", "Withdrawn"].includes(agreement.status)) {
    picture.append(svg("text", { x: width - right - 4, y: y("Stage") - 14, "text-anchor": "end", fill: "#a4161a" }, `now ${agreement.status}`));
  }

  // Labels of markers close together in one lane alternate above and below, so they do not overlap.
  const lastLabel = {};
  const marker = (entry, laneName, shape, label, at = entry.occurredOn, extra = [], cls = "") => {
    const cx = x(at), cy = y(laneName);
    const group = svg("g", { class: `marker ${cls}`.trim(), "data-type": entry.type, "data-version": entry.version, "data-key": `v${entry.version}`,
      "data-at": dayNumber(at), tabindex: 0, role: "button", "aria-label": markerName(entry) + extra.map(([t, v]) => `, ${t.toLowerCase()} ${v}`).join(""),
      "aria-controls": "timeline-details" },
      svg("circle", { class: "halo", cx, cy, r: 12 }), shapeAt(shape, cx, cy));
    const show = () => choose(group, entry, extra);
    group.addEventListener("focus", show);
    group.addEventListener("click", show);
    if (label) {
      const previous = lastLabel[laneName];
      const row = previous && cx - previous.x < 8 * previous.length + 12 ? (previous.row + 1) % 3 : 0;
      lastLabel[laneName] = { x: cx, length: label.length, row };
      group.append(svg("text", { x: cx + 14 + (row === 2 ? 8 * previous.length + 4 : 0), y: row === 1 ? cy + 16 : cy - 6, "data-flip": cx - 14 }, label));
    }
    // Speech users say what they see: the name holds the visible text (WCAG 2.5.3).
    const visible = group.textContent.trim();
    if (visible && !group.getAttribute("aria-label").startsWith(visible)) group.setAttribute("aria-label", `${visible}: ${group.getAttribute("aria-label")}`);
    picture.append(group);
    return group;
  };

  for (const e of live) {
    switch (e.type) {
      case "agreement_proposed": marker(e, "Stage", "ring"); break;
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
      default: marker(e, "Other", "ring");
    }
  }

  // A target is drawn on its date, from the latest event that set it.
  for (const target of agreement.targets) {
    const state = target.met ? "met" : target.overdue ? "overdue" : "pending";
    const colour = { met: "#1d6b33", overdue: "#a4161a", pending: "#4a5360" }[state];
    const setBy = live.filter(e => e.type === "target_set" && e.data.milestone === target.milestone).at(-1);
    const facts = [["Target date", target.targetDate], ["State", state]];
    const flag = setBy ? marker(setBy, "Targets", "none", null, target.targetDate, facts, `target ${state}`)
      : picture.appendChild(svg("g", { class: `marker target ${state}` }, svg("title", {}, `Target: ${target.milestone} by ${target.targetDate} — ${state}`)));
    const cx = x(target.targetDate), cy = y("Targets");
    flag.setAttribute("data-milestone", target.milestone);
    flag.append(svg("line", { x1: cx, y1: cy + 11, x2: cx, y2: cy - 11, stroke: colour, "stroke-width": 2 }),
      svg("path", { d: `M${cx},${cy - 11} l11,4 l-11,4 z`, fill: colour }),
      svg("text", { x: cx + 14, y: cy + 4, fill: colour, "data-flip": cx - 4 }, `${target.milestone}${state === "overdue" ? " OVERDUE" : ""}`));
  }

  // The reference date: today, or the date being looked at.
  const referenceLabel = referenceDate === todayUtc() ? `today (${referenceDate})` : referenceDate;
  const bottom = top + LANES.length * lane;
  if (referenceShown) {
    const now = x(referenceDate);
    picture.append(svg("line", { x1: now, y1: top, x2: now, y2: bottom, stroke: "#0b5cad", "stroke-dasharray": "4 3" }),
      svg("text", { x: now + 4, y: bottom - 4, fill: "#0b5cad", "data-flip": now - 4 }, referenceLabel));
  } else {
    picture.append(svg("text", { x: width - right, y: bottom - 4, fill: "#0b5cad", "text-anchor": "end" }, `continues to ${referenceLabel} →`));
  }

  picture.append(axisTicks(first, last, day => x(day), bottom, width));
  return picture;
}

/**
 * Keeps every label inside the frame, measured as drawn: one that would cross the right edge goes to the
 * left of its marker (data-flip), a stage's that outgrows its band goes after it or is dropped, and any
 * still crossing an edge is moved in.
 */
function fitLabels(picture, width) {
  for (const text of picture.querySelectorAll("text")) {
    let box = text.getBBox();
    if (box.width === 0) continue;
    if (text.dataset.within !== undefined && box.width > Number(text.dataset.within)) {
      if (text.dataset.after === undefined) { text.remove(); continue; }
      text.setAttribute("x", text.dataset.after);
      box = text.getBBox();
    }
    if (box.x + box.width > width - 2 && text.dataset.flip !== undefined) {
      text.setAttribute("text-anchor", "end");
      text.setAttribute("x", text.dataset.flip);
      box = text.getBBox();
    }
    const shift = box.x < 2 ? 2 - box.x : box.x + box.width > width - 2 ? width - 2 - box.x - box.width : 0;
    if (shift) text.setAttribute("x", Number(text.getAttribute("x")) + shift);
  }
}

function shapeAt(shape, cx, cy) {
  const fill = "#10243e";
  switch (shape) {
    case "none": return null;
    case "circle": return svg("circle", { cx, cy, r: 6, fill });
    case "ring": return svg("circle", { cx, cy, r: 5, fill: "#ffffff", stroke: fill, "stroke-width": 2 });
    case "diamond": return svg("path", { d: `M${cx},${cy - 7} l7,7 l-7,7 l-7,-7 z`, fill: "#1d6b33" });
    case "square": return svg("rect", { x: cx - 6, y: cy - 6, width: 12, height: 12, fill: "#7a4a00" });
    case "triangle": return svg("path", { d: `M${cx},${cy - 7} l7,12 l-14,0 z`, fill });
    default: return svg("path", { d: `M${cx},${cy - 7} l7,12 l-14,0 z`, fill: "#ffffff", stroke: fill, "stroke-width": 2 });
  }
}
