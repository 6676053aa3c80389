// The dates the page shows and the API takes: calendar dates (yyyy-mm-dd, UTC) and instants in UTC.

export function todayUtc() { return new Date().toISOString().slice(0, 10); }
export function dayNumber(isoDate) { return Date.UTC(+isoDate.slice(0, 4), +isoDate.slice(5, 7) - 1, +isoDate.slice(8, 10)) / 86400000; }
/** The calendar date (yyyy-mm-dd, UTC) of a day number: dayNumber's inverse. */
export function isoDay(day) { return new Date(day * 86400000).toISOString().slice(0, 10); }
export function showInstant(instant) { return instant ? instant.replace("T", " ").replace(/(\.\d+)?Z$/, " UTC") : ""; }
/** An instant as ISO 8601 in UTC to the second: "2026-12-01T09:45:36Z". */
export function isoSeconds(instant) { return instant ? instant.replace(/\.\d+Z$/, "Z") : ""; }
