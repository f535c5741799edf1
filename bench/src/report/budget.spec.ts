import type { AggregateRow } from '../aggregate';
import type { ColdStartResult, MemoryResult, Variant } from '../model';
import { evaluateBudget } from './budget';

const variant = (id: string, reference?: string): Variant => ({ id, scenario: 'GetUser', system: 'product', label: id, generator: 'h2load', reference });

function row(id: string, concurrency: number, reqPerS: number, p99Us: number, ratios?: { reference: string; reqPerS: number; p99: number }): AggregateRow {
  return {
    variant: variant(id, ratios?.reference),
    concurrency,
    runs: 3,
    errors: 0,
    reqPerS,
    p50Us: p99Us / 4,
    p99Us,
    cpuUsPerReq: 100,
    dbCpuUsPerReq: null,
    peakRssMb: 120,
    generatorCorePercent: 5,
    ratios: ratios ? { ...ratios, p50: 1, cpuUsPerReq: 1 } : undefined,
  };
}

const subjects = { getUser: 'gu', createOrder: 'co', gatewayCreateOrder: 'gw' };

describe('evaluateBudget', () => {
  const rows = [
    row('gu', 1, 500, 2_000, { reference: 'gu-base', reqPerS: 0.5, p99: 3 }), // c=1 is not server-bound: no line
    row('gu', 16, 850, 5_000, { reference: 'gu-base', reqPerS: 0.85, p99: 1 }),
    row('gu-base', 16, 1000, 4_000),
    row('co', 16, 740, 30_000, { reference: 'co-base', reqPerS: 0.74, p99: 1.5 }),
    row('co-base', 16, 1000, 20_000),
    row('co', 64, 800, 61_000, { reference: 'co-base', reqPerS: 0.8, p99: 1.51 }),
    row('co-base', 64, 1000, 40_000),
    row('gw', 16, 450, 40_000, { reference: 'co', reqPerS: 0.6, p99: 1.2 }),
  ];

  it('passes a ratio exactly at its limit and fails one just past it, with the figures behind each verdict', () => {
    const lines = evaluateBudget(rows, subjects, [], []);
    const verdicts = Object.fromEntries(lines.map((l) => [l.name, l.pass]));
    expect(verdicts).toEqual({
      'gRPC GetUser req/s >= 0.85x baseline at c=16': true,
      'gRPC CreateOrder req/s >= 0.75x baseline at c=16': false,
      'gRPC CreateOrder p99 <= 1.5x baseline at c=16': true,
      'HTTP POST /orders req/s >= 0.6x direct gRPC CreateOrder at c=16': true,
      'gRPC CreateOrder req/s >= 0.75x baseline at c=64': true,
      'gRPC CreateOrder p99 <= 1.5x baseline at c=64': false,
    });
    expect(lines.find((l) => l.name.startsWith('gRPC CreateOrder req/s') && l.name.endsWith('c=16'))?.detail).toBe('0.74x (740 req/s vs 1000 req/s)');
    expect(lines.find((l) => l.name.startsWith('gRPC CreateOrder p99') && l.name.endsWith('c=64'))?.detail).toBe('1.51x (61.00 ms vs 40.00 ms)');
  });

  it('judges cold start by the median of the starts and memory after warm-up, for product services only', () => {
    const coldStarts: ColdStartResult[] = [
      { service: 'user-service', system: 'product', readyWhen: 'SERVING', startMs: [1_400, 1_600, 1_450], rssAtReadyMb: [100] },
      { service: 'order-service', system: 'product', readyWhen: 'SERVING', startMs: [1_600, 1_501, 1_200], rssAtReadyMb: [100] },
      { service: 'baseline-user', system: 'baseline', readyWhen: 'SERVING', startMs: [9_999], rssAtReadyMb: [60] },
    ];
    const memory: MemoryResult[] = [
      { service: 'user-service', system: 'product', telemetry: 'off', afterWarmupMb: 160, peakMb: 170 },
      { service: 'api-gateway', system: 'gateway', telemetry: 'off', afterWarmupMb: 161, peakMb: 161 },
      { service: 'baseline-user', system: 'baseline', telemetry: 'off', afterWarmupMb: 999, peakMb: 999 },
      // A telemetry stack's processes are reported, not budgeted.
      { service: 'user-service@full', system: 'product', telemetry: 'full', afterWarmupMb: 999, peakMb: 999 },
    ];
    const lines = evaluateBudget([], subjects, coldStarts, memory);
    expect(lines.map((l) => [l.name, l.pass])).toEqual([
      ['user-service cold start <= 1500 ms', true],
      ['order-service cold start <= 1500 ms', false],
      ['user-service RSS after warm-up <= 160 MB', true],
      ['api-gateway RSS after warm-up <= 160 MB', false],
    ]);
    expect(lines[1]?.detail).toBe('median 1501 ms, max 1600 ms over 3 starts');
  });

  it('judges each telemetry mode against the same path with telemetry off, by its own floor', () => {
    const telemetryRow = (mode: 'off' | 'metrics' | 'sampled' | 'full', reqPerS: number): AggregateRow => ({
      ...row(`t-${mode}`, 16, reqPerS, 10_000, mode === 'off' ? undefined : { reference: 't-off', reqPerS: reqPerS / 1000, p99: 1 }),
      variant: { id: `t-${mode}`, scenario: 'Telemetry', system: 'product', label: `CreateOrder ${mode}`, generator: 'node-http2', telemetry: mode, reference: mode === 'off' ? undefined : 't-off' },
    });
    const lines = evaluateBudget([telemetryRow('off', 1000), telemetryRow('metrics', 970), telemetryRow('sampled', 949), telemetryRow('full', 850)], subjects, [], []);
    expect(lines.map((l) => [l.name, l.pass])).toEqual([
      ['CreateOrder metrics: req/s >= 0.97x telemetry off at c=16', true],
      ['CreateOrder sampled: req/s >= 0.95x telemetry off at c=16', false],
      ['CreateOrder full: req/s >= 0.85x telemetry off at c=16', true],
    ]);
    expect(lines[1]?.detail).toBe('0.94x (949 req/s vs 1000 req/s; CPU/req 1.00x)');
  });

  it('rounds a shown ratio against the product, so a near miss never reads as the limit', () => {
    const nearMiss = [row('gu', 16, 849.7, 5_000, { reference: 'gu-base', reqPerS: 0.8497, p99: 1 }), row('gu-base', 16, 1000, 4_000)];
    expect(evaluateBudget(nearMiss, subjects, [], [])).toEqual([
      { name: 'gRPC GetUser req/s >= 0.85x baseline at c=16', pass: false, detail: '0.84x (850 req/s vs 1000 req/s)' },
    ]);
    const p99NearMiss = [row('co', 16, 800, 30_100, { reference: 'co-base', reqPerS: 0.8, p99: 1.5001 }), row('co-base', 16, 1000, 20_000)];
    expect(evaluateBudget(p99NearMiss, subjects, [], []).find((l) => l.name.includes('p99'))?.detail).toBe('1.51x (30.10 ms vs 20.00 ms)');
  });

  it('leaves out budgets whose figures were not measured instead of passing them', () => {
    expect(evaluateBudget([row('gu', 1, 500, 2_000, { reference: 'gu-base', reqPerS: 0.1, p99: 9 })], subjects, [], [])).toEqual([]);
  });
});
