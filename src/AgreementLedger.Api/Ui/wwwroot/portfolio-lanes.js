// The portfolio picture: a table with one row per agreement, whose last cell is its lane — its stages from the
// day each was reached, its next target's flag (red when overdue) and the reference date — all along one date
// axis (the header's; on a phone, where rows are stacked cards, each lane carries its own). Drawn from the items
// of one answer of GET /agreements, at the width shown, so 12 px text stays 12 px.

import { h, svg, fill } from "./dom.js";
import { dayNumber, showInstant } from "./dates.js";
import { fact } from "./agreement-details.js";
import { axisTicks } from "./timeline-axis.js";
import { STAGE_COLOURS } from "./timeline-picture.js";

const LANE = 40, AXIS = 28, SIDE = 8;
// About what a 12 px character takes: a label is drawn only where it fits.
const CHAR = 7;
const PHONE = "(max-width: 600px)";

/** The table of lanes for `items`, drawn around `referenceDate`; `partyLinks(codes)` makes the parties' links, `agreementLink(item)` an agreement's. */
export function portfolioTable(items, referenceDate, { partyLinks, agreementLink }) {
  const span = spanOf(items, referenceDate);
  const axisCell = h("div", { class: "lane-axis", "aria-hidden": "true" });
  const lanes = items.map(item => {
    const button = h("button", { type: "button", class: "lane", "aria-expanded": "false", "data-id": item.id },
      h("span", { class: "visually-hidden", text: laneText(item) }));
    button.addEventListener("click", () => toggleDetails(button, item, agreementLink));
    return { item, button };
  });
  const table = h("table", { class: "portfolio", id: "portfolio" },
    h("caption", { class: "visually-hidden", text: "Agreements, each with its stages along one date axis" }),
    h("colgroup", {}, ["agreement", "kind", "status", "parties", "target", "lane"].map(c => h("col", { class: `col-${c}` }))),
    h("thead", {}, h("tr", {}, ["Agreement", "Kind", "Status", "Parties", "Next target"].map(t => h("th", { scope: "col", text: t })),
      h("th", { scope: "col" }, h("span", { class: "visually-hidden", text: "Stages and next target on the date axis" }), axisCell))),
    h("tbody", {}, lanes.map(({ item, button }) => h("tr", { "data-id": item.id },
      h("th", { scope: "row" }, agreementLink(item), h("br"), h("code", { text: item.id })),
      h("td", { "data-label": "Kind", text: item.kind }),
      h("td", { "data-label": "Status" }, h("span", { class: `badge ${item.status}`, text: item.status })),
      h("td", { "data-label": "Parties" }, partyLinks(item.parties)),
      h("td", { "data-label": "Next target" }, targetText(item.nextTarget)),
      h("td", { class: "lane-cell" }, button)))));

  let drawn = 0;
  const draw = () => {
    const width = Math.floor(lanes[0]?.button.clientWidth || axisCell.clientWidth);
    if (!width || width === drawn) return;
    drawn = width;
    const phone = matchMedia(PHONE).matches;
    const x = date => SIDE + (dayNumber(date) - span.first) / (span.last - span.first) * (width - 2 * SIDE);
    fill(axisCell, phone ? null : svg("svg", { width, height: AXIS, class: "lane-picture" }, axis(span, x, 2, width)));
    for (const { item, button } of lanes) {
      button.querySelector("svg")?.remove();
      button.prepend(lanePicture(item, span, x, width, phone));
    }
  };
  const resized = new ResizeObserver(() => { if (!table.isConnected) resized.disconnect(); else draw(); });
  resized.observe(table);
  return { table, draw };
}

/** The first and last day drawn: every date of the page's lanes and the reference date, with a margin. */
function spanOf(items, referenceDate) {
  const days = items.flatMap(i => [i.proposedOn, ...i.stages.map(s => s.reachedOn), i.nextTarget?.targetDate]).filter(Boolean).map(dayNumber);
  const reference = dayNumber(referenceDate);
  const first = Math.min(reference, ...days), last = Math.max(reference, ...days);
  const pad = Math.max(7, Math.round((last - first) * 0.03));
  return { first: first - pad, last: last + pad, referenceDate };
}

function lanePicture(item, span, x, width, phone) {
  const picture = svg("svg", { class: "lane-picture", width, height: LANE + (phone ? AXIS : 0), "aria-hidden": "true", focusable: "false" });
  const end = x(span.referenceDate);
  // A stage's label gives way to the target's flag: the stage is also in the Status column, the flag only here.
  const flag = item.nextTarget ? x(item.nextTarget.targetDate) : null;
  item.stages.forEach((stage, i) => {
    const from = x(stage.reachedOn);
    const latest = i + 1 === item.stages.length;
    const to = latest ? Math.max(end, from + 2) : x(item.stages[i + 1].reachedOn);
    const label = stage.stage.length * CHAR;
    // Inside its band when it fits; the latest stage's may follow its band instead.
    let at = label + 8 <= to - from ? from + 4 : latest && to + 4 + label <= width - SIDE ? to + 4 : null;
    if (flag !== null && at !== null && flag >= at - 2 && flag <= at + label + 2) at = null;
    picture.append(svg("g", { class: "stage", "data-stage": stage.stage, "data-reached-on": stage.reachedOn },
      svg("rect", { x: from, y: 4, width: Math.max(2, to - from), height: 18, fill: STAGE_COLOURS[stage.stage] || "#ccc", stroke: "#ffffff" }),
      at === null ? null : svg("text", { x: at, y: 17 }, stage.stage)));
  });
  picture.append(svg("line", { class: "reference", x1: end, y1: 1, x2: end, y2: LANE - 1, stroke: "#0b5cad", "stroke-dasharray": "3 3" }));
  const target = item.nextTarget;
  if (target) {
    const state = target.overdue ? "overdue" : "pending";
    const colour = target.overdue ? "#a4161a" : "#4a5360";
    const cx = x(target.targetDate);
    const text = `${target.milestone}${target.overdue ? " OVERDUE" : " target"}`;
    const right = cx + 12 + text.length * CHAR <= width - SIDE;
    picture.append(svg("g", { class: `target ${state}`, "data-milestone": target.milestone, "data-target-date": target.targetDate },
      svg("line", { x1: cx, y1: 2, x2: cx, y2: LANE - 2, stroke: colour, "stroke-width": 2 }),
      svg("path", { d: `M${cx},${LANE - 16} l10,4 l-10,4 z`, fill: colour }),
      svg("text", { x: right ? cx + 12 : cx - 4, y: LANE - 5, "text-anchor": right ? "start" : "end", fill: colour, class: "target-label" }, text)));
  }
  if (phone) picture.append(axis(span, x, LANE + 2, width));
  return picture;
}

/** The timeline's axis, without the tick labels that would stick out of the lane's ends. */
function axis(span, x, baseline, width) {
  const ticks = axisTicks(span.first, span.last, x, baseline, width, 70);
  for (const label of ticks.querySelectorAll("text")) {
    const half = label.textContent.length * CHAR / 2;
    if (Number(label.getAttribute("x")) - half < 0 || Number(label.getAttribute("x")) + half > width) label.remove();
  }
  return ticks;
}

function targetText(target) {
  if (!target) return "—";
  return h("span", { class: target.overdue ? "overdue" : null, text: `${target.milestone} by ${target.targetDate}${target.overdue ? " — OVERDUE" : ""}` });
}

/** What the lane says in words: its stages with their dates, and its next target. */
function laneText(item) {
  const stages = item.stages.map(s => `${s.stage} from ${s.reachedOn}`).join(", ");
  const target = item.nextTarget ? `; next target ${item.nextTarget.milestone} by ${item.nextTarget.targetDate}${item.nextTarget.overdue ? ", overdue" : ""}` : "";
  return `Details of ${item.title}: ${stages}${target}`;
}

/** Opens (or closes) the row under a lane that tells its details. */
function toggleDetails(button, item, agreementLink) {
  const row = button.closest("tr");
  let details = row.nextElementSibling?.classList.contains("lane-details") ? row.nextElementSibling : null;
  if (!details) {
    const id = `lane-details-${row.sectionRowIndex}`;
    details = h("tr", { class: "lane-details", id },
      h("td", { colspan: 6 }, h("dl", { class: "facts" },
        fact("Stages", h("ol", { class: "stage-list" }, item.stages.map(s => h("li", {}, `${s.stage} from `, h("time", { datetime: s.reachedOn, text: s.reachedOn }))))),
        fact("Next target", targetText(item.nextTarget)),
        fact("Proposed on", item.proposedOn),
        fact("Last change", showInstant(item.lastRecordedAt)),
        fact("Version", String(item.version))),
      h("p", {}, agreementLink(item, `Open ${item.title}`))));
    row.after(details);
    button.setAttribute("aria-controls", id);
  } else {
    details.hidden = !details.hidden;
  }
  button.setAttribute("aria-expanded", String(!details.hidden));
}
