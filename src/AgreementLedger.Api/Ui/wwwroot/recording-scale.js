// The two-clock map's vertical scale: recording time, upward. Linear in time, except that each recording moment
// gets at least a few pixels above the one before, so that events recorded seconds apart stay apart (and can each be
// picked), while years without a recording still look long. Dates (the horizontal clock) map through the same
// scale, so "recorded the day it happened" is one line: the diagonal.

const MS_PER_DAY = 86400000;

/**
 * A scale from instants (ms) to y (px, top = newest) over knots: the domain's start, each recording moment and the
 * domain's end. height is what it may use; gap the least room between two recording moments.
 */
export function recordingScale(moments, start, end, height, gap = 10) {
  const knots = [...new Set([start, ...moments, end])].filter(t => t >= start && t <= end).sort((a, b) => a - b);
  const spans = knots.slice(1).map((t, i) => t - knots[i]);
  const total = spans.reduce((sum, s) => sum + s, 0) || 1;
  // Short spans get the gap; the others share what is left in proportion to their length.
  const least = Math.min(gap, height / Math.max(1, spans.length));
  let lengths = spans.map(s => s / total * height);
  for (let round = 0; round < 3; round++) {
    const short = lengths.map(l => l < least);
    const fixed = short.filter(Boolean).length * least;
    const rest = spans.reduce((sum, s, i) => short[i] ? sum : sum + s, 0) || 1;
    lengths = spans.map((s, i) => short[i] ? least : s / rest * Math.max(0, height - fixed));
  }
  const ys = [height];
  lengths.forEach(l => ys.push(ys[ys.length - 1] - l));

  const y = t => {
    if (t <= knots[0]) return ys[0];
    for (let i = 1; i < knots.length; i++) {
      if (t <= knots[i]) return ys[i - 1] + (ys[i] - ys[i - 1]) * ((t - knots[i - 1]) / ((knots[i] - knots[i - 1]) || 1));
    }
    return ys[ys.length - 1];
  };
  /** The instant at a height: a recording moment when within a few pixels of one, so a pick includes its version. */
  const instant = py => {
    const near = knots.findIndex((_, i) => Math.abs(ys[i] - py) <= least / 3);
    if (near >= 0) return knots[near];
    for (let i = 1; i < knots.length; i++) {
      if (py >= ys[i]) return knots[i - 1] + (knots[i] - knots[i - 1]) * ((ys[i - 1] - py) / ((ys[i - 1] - ys[i]) || 1));
    }
    return knots[knots.length - 1];
  };
  return { y, instant, yOfDay: day => y(day * MS_PER_DAY) };
}

export { MS_PER_DAY };
