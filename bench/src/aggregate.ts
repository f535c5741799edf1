import type { RunResult, Variant } from './model';
import { median } from '@acme/testing';

/** Ratios of a variant to its reference: medians of the per-round ratios (runs of a round are adjacent in time). */
export interface Ratios {
  readonly reference: string;
  readonly reqPerS: number;
  readonly p50: number;
  readonly p99: number;
  readonly cpuUsPerReq: number;
}

/** The medians over the rounds of one variant at one concurrency. */
export interface AggregateRow {
  readonly variant: Variant;
  readonly concurrency: number;
  readonly runs: number;
  readonly errors: number;
  readonly reqPerS: number;
  readonly p50Us: number;
  readonly p99Us: number;
  readonly cpuUsPerReq: number;
  readonly dbCpuUsPerReq: number | null;
  /** Sum over the path's processes of each one's peak, highest over the rounds. */
  readonly peakRssMb: number;
  readonly generatorCorePercent: number;
  readonly ratios?: Ratios;
}

const sum = (values: Record<string, number>) => Object.values(values).reduce((a, b) => a + b, 0);

/**
 * Medians per (variant, concurrency), and each variant's ratios to its
 * reference. A ratio is computed per round (the two runs were next to each
 * other in time, so slow drift of the shared machine hits both) and the
 * median of those is reported.
 */
export function aggregate(variants: readonly Variant[], runs: readonly RunResult[]): AggregateRow[] {
  const rows: AggregateRow[] = [];
  const concurrencies = [...new Set(runs.map((r) => r.concurrency))].sort((a, b) => a - b);
  for (const variant of variants) {
    for (const concurrency of concurrencies) {
      const own = runs.filter((r) => r.variant === variant.id && r.concurrency === concurrency);
      if (own.length === 0) continue;
      const dbFigures = own.map((r) => r.dbCpuUsPerReq).filter((v): v is number => v !== null);
      const reference = variant.reference
        ? runs.filter((r) => r.variant === variant.reference && r.concurrency === concurrency)
        : [];
      rows.push({
        variant,
        concurrency,
        runs: own.length,
        errors: own.reduce((total, r) => total + r.errors, 0),
        reqPerS: median(own.map((r) => r.reqPerS)),
        p50Us: median(own.map((r) => r.latencyUs.p50)),
        p99Us: median(own.map((r) => r.latencyUs.p99)),
        cpuUsPerReq: median(own.map((r) => r.cpuUsPerReq)),
        dbCpuUsPerReq: dbFigures.length > 0 ? median(dbFigures) : null,
        peakRssMb: Math.max(...own.map((r) => sum(r.peakRssMb))),
        generatorCorePercent: median(own.map((r) => r.generatorCorePercent)),
        ratios: variant.reference ? pairedRatios(variant.reference, own, reference) : undefined,
      });
    }
  }
  return rows;
}

function pairedRatios(referenceId: string, own: readonly RunResult[], reference: readonly RunResult[]): Ratios | undefined {
  const pairs = own
    .map((run) => [run, reference.find((r) => r.round === run.round)] as const)
    .filter((pair): pair is readonly [RunResult, RunResult] => pair[1] !== undefined);
  if (pairs.length === 0) return undefined;
  const ratio = (pick: (r: RunResult) => number) => median(pairs.map(([a, b]) => pick(a) / pick(b)));
  return {
    reference: referenceId,
    reqPerS: ratio((r) => r.reqPerS),
    p50: ratio((r) => r.latencyUs.p50),
    p99: ratio((r) => r.latencyUs.p99),
    cpuUsPerReq: ratio((r) => r.cpuUsPerReq),
  };
}
