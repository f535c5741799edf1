/** RSS of the server with this many idle streams open. */
export interface StreamsRss {
  readonly streams: number;
  readonly rssMb: number;
}

/**
 * MB of RSS per 1,000 streams between the first point (the fewest streams,
 * normally none) and the last: one-time costs of the first streams (code
 * paths compiled, pools grown) count against the streams, so the figure is
 * on the high side of the marginal cost.
 */
export function mbPer1000Streams(points: readonly StreamsRss[]): number {
  const sorted = [...points].sort((a, b) => a.streams - b.streams);
  const first = sorted[0];
  const last = sorted[sorted.length - 1];
  if (!first || !last || last.streams === first.streams) throw new Error('need RSS at two different stream counts');
  return (last.rssMb - first.rssMb) / ((last.streams - first.streams) / 1000);
}

/** Whether the last `window` samples lie within `toleranceMb` of each other (RSS has stopped moving). */
export function rssSettled(samplesMb: readonly number[], window: number, toleranceMb: number): boolean {
  if (samplesMb.length < window) return false;
  const recent = samplesMb.slice(-window);
  return Math.max(...recent) - Math.min(...recent) <= toleranceMb;
}
