import type { ChangeLatencyResult, StreamingResult, UserWriteRun } from '../model';
import { evaluateStreamingBudget } from './budget';
import { changeLatencyTable, idleStreamsTable } from './streaming-tables';

const latencies = { count: 4, p50: 2_000, p90: 3_000, p99: 9_000, max: 12_000, mean: 3_000 };

const latency = (ratePerS: number, deliveries: Partial<ChangeLatencyResult['deliveries']> = {}): ChangeLatencyResult => ({
  watchers: 1_000,
  users: 500,
  ratePerS,
  durationS: 20,
  changes: ratePerS * 20,
  achievedPerS: ratePerS,
  failedWrites: 0,
  writeLatencyUs: latencies,
  deliveries: { expected: ratePerS * 40, delivered: ratePerS * 40, missing: 0, duplicates: 0, unexpected: 0, fromReturnedUs: latencies, fromSentUs: latencies, beforeReturn: 0, ...deliveries },
  outOfOrder: 0,
  endedStreams: 0,
  writerLatenessMs: { p99: 1, max: 2 },
  maxInFlight: 3,
  writerCorePercent: 10,
  watchersCorePercent: 3,
  orderServiceCorePercent: 40,
  orderServiceCpuUsPerChange: 800,
});

const run = (label: string, concurrency: number, rowsPerS: number, rowsWritten = 100_000): UserWriteRun => ({
  label,
  concurrency,
  users: 100_000,
  rowsWritten,
  errors: 0,
  elapsedS: rowsWritten / rowsPerS,
  rowsPerS,
  serverCpuUsPerRow: 100,
  dbCpuUsPerRow: 50,
  generatorCorePercent: 20,
});

const streaming = (overrides: Partial<StreamingResult> = {}): StreamingResult => ({
  idle: {
    points: [
      { streams: 0, connections: 0, rssMb: 130, settleMs: 1_800, settled: true },
      { streams: 1_000, connections: 10, rssMb: 138, settleMs: 1_800, settled: true },
      { streams: 5_000, connections: 50, rssMb: 180, settleMs: 20_000, settled: false },
    ],
    mbPer1000: 10,
    streamsPerConnection: 100,
    subscriptionsAfterClose: 0,
    rssAfterCloseMb: 170,
  },
  latency: [latency(500), latency(100)],
  imports: { createUser: run('CreateUser, unary, c=16', 16, 2_000), importUsers: run('ImportUsers, one stream', 1, 10_000), ratio: 5 },
  loadAverages: [1, 1, 1],
  ...overrides,
});

describe('evaluateStreamingBudget', () => {
  it('passes each target exactly at its limit, with one delivery line per change rate, and says when a reading had not settled', () => {
    const lines = evaluateStreamingBudget(streaming());
    expect(lines.map((l) => [l.name, l.pass])).toEqual([
      ['order-service RSS per 1,000 idle WatchOrders streams <= 10 MB', true],
      ['WatchOrders at 500 changes/s delivers every change to every watcher of its user, once and in order', true],
      ['WatchOrders at 100 changes/s delivers every change to every watcher of its user, once and in order', true],
      ['ImportUsers rows/s >= 5x CreateUser at c=16', true],
    ]);
    expect(lines[0]?.detail).toBe('10.00 MB (0 → 5000 streams: 130 MB → 180 MB); 1 reading(s) had not settled');
    expect(lines[3]?.detail).toBe('5.00x (10000 vs 2000 rows/s, 100000 users each)');
  });

  it('fails on memory past the limit, on any delivery fault, and on an import that did not write every user however fast', () => {
    const failing = streaming({
      idle: { ...streaming().idle, mbPer1000: 10.001 },
      latency: [latency(500, { duplicates: 1, delivered: 19_999, missing: 1 })],
      imports: { createUser: run('CreateUser, unary, c=16', 16, 2_000), importUsers: run('ImportUsers, one stream', 1, 20_000, 99_000), ratio: 10 },
    });
    const lines = evaluateStreamingBudget(failing);
    expect(lines.map((l) => l.pass)).toEqual([false, false, false]);
    expect(lines[0]?.detail).toMatch(/^10\.01 MB/);
    expect(lines[1]?.detail).toBe('19999 of 20000 delivered, 1 duplicates, 0 unexpected, 0 out of order, 0 streams ended, 0 failed writes');
    expect(lines[2]?.detail).toMatch(/rows written 99000 \/ 100000, not all users$/);
  });
});

describe('streaming tables', () => {
  it('shows what each step of idle streams added per 1,000, and marks a reading taken at the bound', () => {
    const rows = idleStreamsTable(streaming().idle).split('\n');
    expect(rows[3]).toMatch(/\|\s+1,000 \|\s+10 \|\s+138\.0 \|.*\|\s+8\.00 \|$/);
    expect(rows[4]).toMatch(/20\.0 \(bound, not settled\) \|\s+10\.50 \|$/);
  });

  it('puts each change rate in a column of its own', () => {
    const table = changeLatencyTable([latency(500), latency(100)]).split('\n');
    expect(table[0]).toMatch(/\| figure\s+\|\s+500 changes\/s \|\s+100 changes\/s \|/);
    expect(table.find((l) => l.startsWith('| from write returned'))).toMatch(/2\.00 \/ 9\.00 \/ 12\.00 \|\s+2\.00 \/ 9\.00 \/ 12\.00 \|$/);
  });
});
