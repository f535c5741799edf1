import { type MemoryBounds, type MemorySample, memorySeries } from './memory-growth';

const BOUNDS: MemoryBounds = { growthFactor: 1.5, warmUpMs: 10_000, minSpanMs: 30_000, minSamples: 9 };
/** One reading every 2 s from `fromMs` to `untilMs`, of the memory `mb(atMs)`. */
const readings = (process: string, pid: number, fromMs: number, untilMs: number, mb: (atMs: number) => number): MemorySample[] =>
  Array.from({ length: Math.floor((untilMs - fromMs) / 2_000) + 1 }, (_, i) => ({ process, pid, atMs: fromMs + i * 2_000, rssMb: mb(fromMs + i * 2_000) }));

describe('memorySeries', () => {
  it("compares the median of a life's last third with its first, from the run's warm-up on", () => {
    // 60 MB before the warm-up ends (ignored), then 100 MB rising to 200 MB over 90 s: 46 readings in thirds of 15, whose middles are at 24 s and 86 s.
    const samples = readings('api-gateway', 7, 0, 100_000, (at) => (at < 10_000 ? 60 : 100 + ((at - 10_000) / 90_000) * 100));
    const [life] = memorySeries(samples, 10_000, BOUNDS);
    expect(life).toMatchObject({ process: 'api-gateway', pid: 7, samples: 51, peakMb: 200 });
    expect(life?.firstMb).toBeCloseTo(100 + (14 / 90) * 100, 6);
    expect(life?.lastMb).toBeCloseTo(100 + (76 / 90) * 100, 6);
  });

  it('is not fooled by one reading: a collection at the end or a spike at the start moves a median little', () => {
    const flat = readings('api-gateway', 7, 0, 100_000, (at) => (at === 100_000 ? 400 : at === 12_000 ? 20 : 100));
    expect(memorySeries(flat, 10_000, BOUNDS)[0]?.growth).toBe(1);
  });

  it("starts a restarted replica's series over at its restart, after its own warm-up", () => {
    const before = readings('order-service@a', 1, 0, 40_000, () => 300);
    // The new life: 60 MB while it starts (its first 10 s), then a steady 90.
    const after = readings('order-service@a', 2, 44_000, 100_000, (at) => (at < 54_000 ? 60 : 90));
    const lives = memorySeries([...before, ...after], 10_000, BOUNDS);
    expect(lives.map((l) => [l.pid, l.growth])).toEqual([
      [1, 1],
      [2, 1],
    ]);
  });

  it('leaves a life too short to compare uncompared (listed with its peak)', () => {
    const short = readings('order-service@a', 3, 70_000, 100_000, (at) => at / 1_000);
    const [life] = memorySeries(short, 10_000, BOUNDS);
    expect(life).toEqual({ process: 'order-service@a', pid: 3, fromMs: 70_000, untilMs: 100_000, samples: 16, peakMb: 100 });
  });
});
