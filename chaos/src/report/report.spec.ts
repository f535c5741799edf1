import type { CheckResult } from '../check/invariants';
import type { FaultRecord, RequestRecord } from '../history/records';
import { renderPlot } from './plot';
import { faultTable, perSecond, totals } from './summary';

const fault = (id: number, kind: FaultRecord['kind'], startMs: number, endMs: number): FaultRecord => ({ id, kind, target: { kind: 'broker' }, startMs, endMs });
const request = (endMs: number, status: number): RequestRecord => ({ kind: 'list-orders', client: 0, gateway: 0, startMs: endMs - 5, endMs, status });

describe('the report', () => {
  it('summarises faults per kind: count, requests affected, recovery p50 and max over those that recovered', () => {
    const result: CheckResult = {
      violations: [],
      faults: [
        { fault: fault(0, 'broker-cut', 0, 1), affected: 2, recoveryMs: 30 },
        { fault: fault(1, 'broker-cut', 0, 1), affected: 1, recoveryMs: 10 },
        { fault: fault(2, 'broker-cut', 0, 1), affected: 0, recoveryMs: 20 },
        { fault: fault(3, 'sigkill', 0, 1), affected: 4 },
      ],
    };
    const rows = faultTable(result);
    expect(rows.find((r) => r.kind === 'broker-cut')).toEqual({ kind: 'broker-cut', injected: 3, affected: 3, recoveryP50Ms: 20, recoveryMaxMs: 30 });
    expect(rows.find((r) => r.kind === 'sigkill')).toEqual({ kind: 'sigkill', injected: 1, affected: 4 });
    expect(rows.find((r) => r.kind === 'user-latency')).toEqual({ kind: 'user-latency', injected: 0, affected: 0 });
  });

  it('counts requests by status and by kind, and per second with the failed ones', () => {
    const requests = [request(100, 200), request(900, 503), request(1_500, 200), request(1_600, 0), request(5_000, 200)];
    expect(totals(requests)).toEqual({ requests: 5, byStatus: { 0: 1, 200: 3, 503: 1 }, byKind: { 'list-orders': { 0: 1, 200: 3, 503: 1 } } });
    expect(perSecond(requests, 0, 3)).toEqual([
      { answered: 2, failed: 1 },
      { answered: 2, failed: 1 },
      { answered: 0, failed: 0 },
    ]);
  });

  it('plots both series and shades each fault window where it happened', () => {
    const svg = renderPlot(
      [
        { answered: 10, failed: 0 },
        { answered: 8, failed: 4 },
      ],
      [fault(0, 'broker-cut', 1_000, 2_000)],
      0,
    );
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.match(/<path /g)).toHaveLength(2);
    // Two seconds over 900 px: the window [1 s, 2 s] is the right half.
    expect(svg).toContain('<rect x="500.0" y="30" width="450.0"');
    expect(svg).toContain('>broker-cut broker</text>');
  });

  it('adds a memory panel with a line per process life when given readings', () => {
    const memory = [
      { process: 'api-gateway', pid: 1, atMs: 0, rssMb: 100 },
      { process: 'api-gateway', pid: 1, atMs: 1_000, rssMb: 200 },
      // Restarted: a new line.
      { process: 'api-gateway', pid: 2, atMs: 2_000, rssMb: 50 },
    ];
    const svg = renderPlot([{ answered: 1, failed: 0 }, { answered: 1, failed: 0 }], [], 0, memory);
    expect(svg).toContain('height="510"');
    expect(svg.match(/<path /g)).toHaveLength(4);
    expect(svg).toContain('<title>api-gateway pid 2</title>');
    expect(svg).toContain('>200 MB</text>');
  });

  it('names the faults only in tooltips when there are too many to label', () => {
    const faults = Array.from({ length: 17 }, (_, i) => fault(i, 'broker-cut', i * 1_000, i * 1_000 + 500));
    const svg = renderPlot(Array.from({ length: 20 }, () => ({ answered: 1, failed: 0 })), faults, 0);
    expect(svg.match(/<rect x=/g)).toHaveLength(17);
    expect(svg).not.toContain('>broker-cut broker</text>');
    expect(svg).toContain('<title>broker-cut broker</title>');
    expect(svg).toContain('(hover for each fault)');
  });
});
