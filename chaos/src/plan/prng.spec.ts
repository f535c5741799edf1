import { Prng } from './prng';

const draw = (prng: Prng, n: number) => Array.from({ length: n }, () => prng.next());

describe('Prng', () => {
  it('repeats its sequence for the same seed and differs for another', () => {
    expect(draw(new Prng(42), 5)).toEqual(draw(new Prng(42), 5));
    expect(draw(new Prng(42), 5)).not.toEqual(draw(new Prng(43), 5));
  });

  it('draws in [0, 1) and spreads evenly over ten buckets', () => {
    const values = draw(new Prng(7), 10_000);
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThan(1);
    const buckets = Array.from({ length: 10 }, (_, b) => values.filter((v) => Math.floor(v * 10) === b).length);
    for (const count of buckets) expect(count).toBeGreaterThan(850); // 1,000 expected each
  });

  it.each([
    [1, 6],
    [0, 0],
    [-3, 3],
  ])('int(%i, %i) stays within and reaches both ends', (min, max) => {
    const prng = new Prng(1);
    const seen = new Set(Array.from({ length: 500 }, () => prng.int(min, max)));
    expect(Math.min(...seen)).toBe(min);
    expect(Math.max(...seen)).toBe(max);
  });

  it('picks by weight, never a key of weight 0', () => {
    const prng = new Prng(3);
    const counts = { a: 0, b: 0, never: 0 };
    for (let i = 0; i < 4_000; i++) counts[prng.weighted({ a: 3, b: 1, never: 0 })]++;
    expect(counts.never).toBe(0);
    expect(counts.a / counts.b).toBeGreaterThan(2.5);
    expect(counts.a / counts.b).toBeLessThan(3.5);
  });

  it('forks streams that depend on the label, not on what the parent drew', () => {
    const parent = new Prng(9);
    const before = draw(parent.fork('client-1'), 3);
    draw(parent, 100);
    expect(draw(parent.fork('client-1'), 3)).toEqual(before);
    expect(draw(parent.fork('client-2'), 3)).not.toEqual(before);
  });

  it.each([-1, 1.5, 2 ** 32])('refuses the seed %p', (seed) => {
    expect(() => new Prng(seed)).toThrow(/a seed is an integer/);
  });
});
