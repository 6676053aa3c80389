// The dates the page shows and the API takes: calendar dates (yyyy-mm-dd, UTC) and instants,
// with the browser's datetime-local inputs read and written in the viewer's own time.

export function todayUtc() { return new Date().toISOString().slice(0, 10); }
export function dayNumber(isoDate) { return Date.UTC(+isoDate.slice(0, 4), +isoDate.slice(5, 7) - 1, +isoDate.slice(8, 10)) / 86400000; }
export function localInputToInstant(value) { return value ? new Date(value).toISOString() : ""; }
export function instantToLocalInput(instant) {
  if (!instant) return "";
  const d = new Date(instant);
  if (isNaN(d)) return "";
  const pad = n => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}
export function showInstant(instant) { return instant ? instant.replace("T", " ").replace(/\.\d+Z$/, " UTC") : ""; }
/** An instant as ISO 8601 in UTC to the second: "2026-12-01T09:45:36Z". */
export function isoSeconds(instant) { return instant ? instant.replace(/\.\d+Z$/, "Z") : ""; }
