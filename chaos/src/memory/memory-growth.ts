import { median } from '@acme/testing';

/** One reading of a long-lived process's resident memory. */
export interface MemorySample {
  /** The process's name (a replica keeps its name across restarts; its pid tells the lives apart). */
  readonly process: string;
  readonly pid: number;
  /** Wall clock, ms since the epoch. */
  readonly atMs: number;
  readonly rssMb: number;
}

export interface MemoryBounds {
  /** The last third's median may be at most this multiple of the first third's. */
  readonly growthFactor: number;
  /** A life's readings are compared from this long after its first reading (a fresh process fills its caches and JIT first). */
  readonly warmUpMs: number;
  /** A life compared must span at least this after its warm-up, and hold at least `minSamples` readings. */
  readonly minSpanMs: number;
  readonly minSamples: number;
}

/** One life of one process (from its start or restart to its end or the run's), and how its memory moved. */
export interface MemorySeries {
  readonly process: string;
  readonly pid: number;
  readonly fromMs: number;
  readonly untilMs: number;
  readonly samples: number;
  readonly peakMb: number;
  /** Medians of the first and the last third of the compared readings; undefined when the life was too short to compare. */
  readonly firstMb?: number;
  readonly lastMb?: number;
  /** lastMb / firstMb. */
  readonly growth?: number;
}

/** The samples of each life of each process (a process and pid), in reading order. */
export function livesOf(samples: readonly MemorySample[]): MemorySample[][] {
  const lives = new Map<string, MemorySample[]>();
  for (const sample of samples) {
    const key = `${sample.process}#${sample.pid}`;
    const life = lives.get(key);
    if (life) life.push(sample);
    else lives.set(key, [sample]);
  }
  return [...lives.values()];
}

/**
 * The memory of each life of each process: its readings from `comparedFromMs`
 * (the end of the run's warm-up) or from `warmUpMs` after its own first
 * reading, whichever is later (a restarted replica starts over), split in
 * thirds; the median of the last third against the median of the first.
 * Medians of thirds, not two readings, so one garbage collection's moment
 * does not decide it.
 */
export function memorySeries(samples: readonly MemorySample[], comparedFromMs: number, bounds: MemoryBounds): MemorySeries[] {
  return livesOf(samples).map((life) => {
    const sorted = [...life].sort((a, b) => a.atMs - b.atMs);
    const first = sorted[0] as MemorySample;
    const from = Math.max(comparedFromMs, first.atMs + bounds.warmUpMs);
    const compared = sorted.filter((s) => s.atMs >= from);
    const base = {
      process: first.process,
      pid: first.pid,
      fromMs: first.atMs,
      untilMs: (sorted[sorted.length - 1] as MemorySample).atMs,
      samples: sorted.length,
      peakMb: Math.max(...sorted.map((s) => s.rssMb)),
    };
    const span = compared.length === 0 ? 0 : (compared[compared.length - 1] as MemorySample).atMs - (compared[0] as MemorySample).atMs;
    if (compared.length < bounds.minSamples || span < bounds.minSpanMs) return base;
    const third = Math.floor(compared.length / 3);
    const firstMb = median(compared.slice(0, third).map((s) => s.rssMb));
    const lastMb = median(compared.slice(compared.length - third).map((s) => s.rssMb));
    return { ...base, firstMb, lastMb, growth: lastMb / firstMb };
  });
}
