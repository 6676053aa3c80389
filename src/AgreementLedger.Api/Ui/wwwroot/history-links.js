// How the events of one agreement refer to each other across the two clocks: a retraction to the event it
// retracted, a correction's replacement to the event it corrects, and a fact learned late to the newest event it
// was recorded after although it happened before it ("recorded after v5").

/** Each entry's relations: retractedIn (the retraction's version), corrects, retracts, recordedAfter. */
export function relations(entries) {
  const retractions = new Map();
  for (const e of entries) if (e.type === "event_retracted" && e.data?.version) retractions.set(e.data.version, e.version);
  const late = recordedAfter(entries);
  const of = new Map();
  for (const e of entries) {
    of.set(e.version, {
      retractedIn: retractions.get(e.version) || null,
      retracts: e.type === "event_retracted" ? e.data?.version || null : null,
      corrects: e.data?.corrects || null,
      correctedBy: e.correctedBy || null,
      recordedAfter: late.get(e.version) || null,
    });
  }
  return of;
}

/**
 * For each dated entry (in effective order, as the timeline answers), the newest version that comes later in
 * effective time but was recorded before it; absent when it was recorded in order. A prefix maximum over versions
 * (a Fenwick tree), so ten thousand events cost a few milliseconds.
 */
export function recordedAfter(entries) {
  const dated = entries.filter(e => e.occurredOn);
  const size = dated.reduce((most, e) => Math.max(most, e.version), 0);
  const tree = new Array(size + 1).fill(0);
  const insert = version => { for (let i = version; i <= size; i += i & -i) tree[i] = Math.max(tree[i], version); };
  const newestBelow = version => { let most = 0; for (let i = version - 1; i > 0; i -= i & -i) most = Math.max(most, tree[i]); return most; };
  const late = new Map();
  for (let i = dated.length - 1; i >= 0; i--) {
    const newest = newestBelow(dated[i].version);
    if (newest) late.set(dated[i].version, newest);
    insert(dated[i].version);
  }
  return late;
}

/** The entries with each retraction moved to just after the event it retracted (a retraction has no date of its own). */
export function retractionsInPlace(entries) {
  const shown = new Set(entries.map(e => e.version));
  const retractions = new Map();
  for (const e of entries) if (e.type === "event_retracted" && shown.has(e.data?.version)) retractions.set(e.data.version, e);
  const placed = [];
  for (const e of entries) {
    if (e.type === "event_retracted" && retractions.get(e.data?.version) === e) continue;
    placed.push(e);
    const retraction = retractions.get(e.version);
    if (retraction) placed.push(retraction);
  }
  return placed;
}
