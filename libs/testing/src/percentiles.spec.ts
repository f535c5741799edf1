import { median, percentile, summarizeLatencies } from './percentiles';

describe('percentile (nearest rank)', () => {
  const values = Array.from({ length: 100 }, (_, i) => i + 1); // 1..100

  it('returns observed values: p50 of 1..100 is 50, p99 is 99, p100 is the maximum', () => {
    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 99)).toBe(99);
    expect(percentile(values, 100)).toBe(100);
    expect(percentile(values, 0)).toBe(1);
  });

  it('rounds the rank up on small samples (p99 of 10 values is the largest)', () => {
    const ten = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    expect(percentile(ten, 99)).toBe(10);
    expect(percentile(ten, 90)).toBe(9);
    expect(percentile(ten, 50)).toBe(5);
    expect(percentile(ten, 51)).toBe(6); // 5 covers only 50%
  });

  it('refuses an empty list and a percentile outside 0..100', () => {
    expect(() => percentile([], 50)).toThrow(/empty/);
    expect(() => percentile([1], 101)).toThrow(/0\.\.100/);
    expect(() => percentile([1], Number.NaN)).toThrow(/0\.\.100/);
  });
});

describe('median', () => {
  it('takes the middle of an odd count and the mean of the two middles of an even one, whatever the order', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([7])).toBe(7);
  });
});

describe('summarizeLatencies', () => {
  it('sorts numerically (not as strings) before taking percentiles', () => {
    const summary = summarizeLatencies([900, 1000, 80, 7, 60]);
    expect(summary).toEqual({ count: 5, p50: 80, p90: 1000, p99: 1000, max: 1000, mean: 409.4 });
  });

  it('refuses a run in which nothing completed', () => {
    expect(() => summarizeLatencies([])).toThrow(/no completed request/);
  });
});
