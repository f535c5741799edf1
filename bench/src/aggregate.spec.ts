import { aggregate } from './aggregate';
import type { RunResult, Variant } from './model';

const product: Variant = { id: 'p', scenario: 'GetUser', system: 'product', label: 'product', generator: 'h2load', reference: 'b' };
const baseline: Variant = { id: 'b', scenario: 'GetUser', system: 'baseline', label: 'baseline', generator: 'h2load' };

function run(variant: string, round: number, reqPerS: number, p99: number, extra: Partial<RunResult> = {}): RunResult {
  return {
    variant,
    concurrency: 16,
    round,
    startedAt: '2026-01-01T00:00:00.000Z',
    durationS: 6,
    requests: reqPerS * 6,
    errors: 0,
    reqPerS,
    latencyUs: { p50: p99 / 4, p90: p99 / 2, p99, max: p99 * 2, mean: p99 / 3 },
    serverCpuUs: { server: 1_000_000 },
    cpuUsPerReq: 1_000_000 / (reqPerS * 6),
    dbCpuUsPerReq: null,
    rssAtStartMb: { a: 90, b: 20 },
    peakRssMb: { a: 100, b: 20 },
    generatorCpuUsPerReq: 5,
    generatorCorePercent: 3,
    loadAverage: 1,
    ...extra,
  };
}

describe('aggregate', () => {
  it('reports medians over the rounds and the median of the per-round ratios to the reference', () => {
    // The machine slows down in round 3 for both: per-round ratios stay 0.9, 0.8, 0.9.
    const runs = [run('p', 1, 900, 10), run('b', 1, 1000, 8), run('p', 2, 800, 12), run('b', 2, 1000, 8), run('p', 3, 450, 30), run('b', 3, 500, 20)];
    const [productRow, baselineRow] = aggregate([product, baseline], runs);

    expect(productRow).toMatchObject({ concurrency: 16, runs: 3, reqPerS: 800, p99Us: 12 });
    expect(productRow?.ratios?.reqPerS).toBeCloseTo(0.9);
    expect(productRow?.ratios?.p99).toBeCloseTo(1.5); // per round 10/8, 12/8, 30/20 = 1.25, 1.5, 1.5
    expect(baselineRow).toMatchObject({ reqPerS: 1000, ratios: undefined });
  });

  it('adds up the path’s processes for peak RSS and keeps the highest round; counts every error', () => {
    const runs = [run('p', 1, 900, 10, { peakRssMb: { a: 100, b: 30 }, errors: 2 }), run('p', 2, 900, 10, { peakRssMb: { a: 90, b: 20 }, errors: 1 })];
    const [row] = aggregate([product], runs);
    expect(row?.peakRssMb).toBe(130);
    expect(row?.errors).toBe(3);
    expect(row?.ratios).toBeUndefined(); // no reference run measured
  });

  it('keeps concurrencies apart and ignores the database figure when it is unknown', () => {
    const runs = [run('b', 1, 1000, 8, { concurrency: 1, dbCpuUsPerReq: 40 }), run('b', 1, 3000, 9, { concurrency: 64 })];
    const rows = aggregate([baseline], runs);
    expect(rows.map((r) => [r.concurrency, r.reqPerS, r.dbCpuUsPerReq])).toEqual([
      [1, 1000, 40],
      [64, 3000, null],
    ]);
  });
});
