import { exclusionKey, FAULT_KINDS, faultSchedule, peakConcurrency, SAME_TARGET_GAP_MS, STALLED_APP, type PlannedFault, type ScheduleOptions, targetKey } from './fault-schedule';
import { Prng } from './prng';

const OPTIONS: ScheduleOptions = { fromMs: 10_000, untilMs: 70_000, maxFaults: 8, maxConcurrent: 2 };
const SEEDS = Array.from({ length: 25 }, (_, i) => i * 7919 + 1);

describe('faultSchedule', () => {
  it('is the same for the same seed', () => {
    expect(faultSchedule(new Prng(5), OPTIONS)).toEqual(faultSchedule(new Prng(5), OPTIONS));
    expect(faultSchedule(new Prng(5), OPTIONS)).not.toEqual(faultSchedule(new Prng(6), OPTIONS));
  });

  it.each(SEEDS)('seed %i: bounded, inside the fault phase, in start order, numbered', (seed) => {
    const faults = faultSchedule(new Prng(seed), OPTIONS);
    expect(faults.length).toBeGreaterThan(0);
    expect(faults.length).toBeLessThanOrEqual(OPTIONS.maxFaults);
    for (const fault of faults) {
      expect(fault.startMs).toBeGreaterThanOrEqual(OPTIONS.fromMs);
      expect(fault.endMs).toBeLessThanOrEqual(OPTIONS.untilMs); // over before the settle phase
      expect(fault.endMs).toBeGreaterThan(fault.startMs);
    }
    expect(faults.map((f) => f.startMs)).toEqual([...faults.map((f) => f.startMs)].sort((a, b) => a - b));
    expect(faults.map((f) => f.id)).toEqual(faults.map((_, i) => i));
  });

  it.each(SEEDS)('seed %i: no two faults of one target overlap or follow closer than the gap; at most 2 at once', (seed) => {
    const faults = faultSchedule(new Prng(seed), OPTIONS);
    for (const a of faults) {
      for (const b of faults) {
        if (a === b || exclusionKey(a.target) !== exclusionKey(b.target) || b.startMs < a.startMs) continue;
        expect(b.startMs).toBeGreaterThanOrEqual(a.endMs + SAME_TARGET_GAP_MS);
      }
    }
    expect(peakConcurrency(faults)).toBeLessThanOrEqual(OPTIONS.maxConcurrent);
  });

  it.each(SEEDS)('seed %i: every kind at least once when there is room for as many faults', (seed) => {
    const kinds = new Set(faultSchedule(new Prng(seed), OPTIONS).map((f) => f.kind));
    expect([...kinds].sort()).toEqual([...FAULT_KINDS].sort());
  });

  it('gives added latency a value only to latency faults, and a signal only to gateway kills (both signals over a long run)', () => {
    const faults = faultSchedule(new Prng(11), { ...OPTIONS, maxFaults: 60, untilMs: 600_000 });
    for (const fault of faults) {
      expect(fault.latencyMs !== undefined).toBe(fault.kind === 'user-latency');
      expect(fault.signal !== undefined).toBe(fault.kind === 'gateway-kill');
    }
    expect(new Set(faults.flatMap((f) => f.signal ?? []))).toEqual(new Set(['SIGKILL', 'SIGTERM']));
  });

  it('stalls only replicas of the consuming app, and both of them over a long run', () => {
    const stalls = faultSchedule(new Prng(11), { ...OPTIONS, maxFaults: 60, untilMs: 600_000 }).filter((f) => f.kind === 'sigstop');
    expect(new Set(stalls.map((f) => targetKey(f.target)))).toEqual(new Set([`${STALLED_APP}#0`, `${STALLED_APP}#1`]));
  });

  it('never plans both gateways down at once', () => {
    const kills = faultSchedule(new Prng(11), { ...OPTIONS, maxFaults: 60, untilMs: 600_000 }).filter((f) => f.kind === 'gateway-kill');
    expect(new Set(kills.map((f) => targetKey(f.target)))).toEqual(new Set(['gateway#0', 'gateway#1']));
    for (let i = 1; i < kills.length; i++) expect((kills[i] as PlannedFault).startMs).toBeGreaterThanOrEqual((kills[i - 1] as PlannedFault).endMs + SAME_TARGET_GAP_MS);
  });

  it('plans nothing when the fault phase is shorter than any fault', () => {
    expect(faultSchedule(new Prng(1), { ...OPTIONS, untilMs: OPTIONS.fromMs + 500 })).toEqual([]);
  });
});

describe('peakConcurrency', () => {
  it.each([
    [[], 0],
    [[{ startMs: 0, endMs: 10 }], 1],
    [[{ startMs: 0, endMs: 10 }, { startMs: 10, endMs: 20 }], 1], // touching is not overlapping
    [[{ startMs: 0, endMs: 10 }, { startMs: 5, endMs: 20 }, { startMs: 6, endMs: 7 }], 3],
  ])('%j -> %i', (faults, peak) => {
    expect(peakConcurrency(faults)).toBe(peak);
  });
});
