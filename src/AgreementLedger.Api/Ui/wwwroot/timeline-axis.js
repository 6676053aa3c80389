// The timeline picture's date axis: ticks on whole days, months or years, the finest step whose labels
// do not crowd each other, so that even a history of one day has dated ticks.

import { svg } from "./dom.js";
import { isoDay } from "./dates.js";

const DAY = 86400000;
// Each step: its length in days (roughly, to choose it), how to find the ticks, and how to label one.
const STEPS = [
  ...[1, 2, 7, 14].map(days => ({ days, ticks: (first, last) => dayTicks(first, last, days), label: d => d })),
  ...[1, 2, 3, 6].map(months => ({ days: 30.4 * months, ticks: (first, last) => monthTicks(first, last, months), label: d => d.slice(0, 7) })),
  ...[1, 2, 5, 10, 20, 50].map(years => ({ days: 365.25 * years, ticks: (first, last) => monthTicks(first, last, 12 * years), label: d => d.slice(0, 4) })),
];

/** The axis under the lanes from day number `first` to `last`, drawn with `x` (a date to its x), `labelWidth` apart at least. */
export function axisTicks(first, last, x, baseline, width, labelWidth = 84) {
  const group = svg("g", { class: "axis" }, svg("line", { x1: 0, y1: baseline, x2: width, y2: baseline, stroke: "#6b7684" }));
  const pixelsPerDay = (x(isoDay(last)) - x(isoDay(first))) / Math.max(1, last - first);
  const step = STEPS.find(s => s.days * pixelsPerDay >= labelWidth) || STEPS[STEPS.length - 1];
  for (const day of step.ticks(first, last)) {
    const tx = x(day);
    group.append(svg("line", { x1: tx, y1: baseline, x2: tx, y2: baseline + 5, stroke: "#6b7684" }),
      svg("text", { x: tx, y: baseline + 19, "text-anchor": "middle", class: "tick" }, step.label(day)));
  }
  return group;
}

function dayTicks(first, last, days) {
  const ticks = [];
  for (let n = Math.ceil(first / days) * days; n <= last; n += days) ticks.push(isoDay(n));
  return ticks;
}

function monthTicks(first, last, months) {
  const ticks = [];
  const start = new Date(first * DAY);
  let index = Math.floor((start.getUTCFullYear() * 12 + start.getUTCMonth()) / months) * months;
  for (let day = monthStart(index); dayNumberOf(day) <= last; index += months, day = monthStart(index)) {
    if (dayNumberOf(day) >= first) ticks.push(day);
  }
  return ticks;
}

function monthStart(index) { return `${String(Math.floor(index / 12)).padStart(4, "0")}-${String(index % 12 + 1).padStart(2, "0")}-01`; }
function dayNumberOf(iso) { return Date.parse(iso + "T00:00:00Z") / DAY; }
