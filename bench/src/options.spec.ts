import { parseOptions } from './options';

describe('parseOptions', () => {
  it('defaults to 6 s runs, 3 rounds at c=1,16,64, 5 cold starts and both scenarios', () => {
    expect(parseOptions([])).toMatchObject({
      quick: false,
      profile: false,
      durationS: 6,
      rounds: 3,
      concurrency: [1, 16, 64],
      coldStarts: 5,
      scenarios: ['GetUser', 'CreateOrder'],
    });
  });

  it('applies the --quick preset, and explicit options win over it (also as Nx forwards them, --quick=true)', () => {
    expect(parseOptions(['--quick'])).toMatchObject({ durationS: 2, rounds: 1, concurrency: [1, 16], coldStarts: 1 });
    expect(parseOptions(['--quick=true', '--rounds=2'])).toMatchObject({ quick: true, durationS: 2, rounds: 2 });
    expect(parseOptions(['--profile'])).toMatchObject({ profile: true, concurrency: [16], coldStarts: 0, rounds: 1 });
  });

  it('sorts and deduplicates concurrency levels and keeps only ones that split over 4 connections', () => {
    expect(parseOptions(['--concurrency=64,1,16,1']).concurrency).toEqual([1, 16, 64]);
    expect(() => parseOptions(['--concurrency=10'])).toThrow(/multiple of 4/);
    expect(() => parseOptions(['--concurrency=0'])).toThrow(/--concurrency must be an integer >= 1/);
  });

  it('names what is wrong with a bad argument', () => {
    expect(() => parseOptions(['--duration'])).toThrow(/--duration needs a value/);
    expect(() => parseOptions(['--duration=1.5'])).toThrow(/--duration must be an integer/);
    expect(() => parseOptions(['--scenarios=GetUser,ListUsers'])).toThrow(/unknown scenario "ListUsers"/);
    expect(() => parseOptions(['--fast'])).toThrow(/unknown option --fast/);
    expect(() => parseOptions(['quick'])).toThrow(/unexpected argument "quick"/);
    expect(() => parseOptions(['--quick=yes'])).toThrow(/--quick takes no value/);
  });

  it('takes the Streaming levels, sorted and deduplicated, with smaller ones under --quick', () => {
    expect(parseOptions([])).toMatchObject({ idleStreams: [1_000, 5_000], importUsers: 100_000, changeRates: [500, 100] });
    expect(parseOptions(['--quick'])).toMatchObject({ idleStreams: [250, 1_000], importUsers: 10_000 });
    expect(parseOptions(['--idle-streams=5000,1000,5000', '--import-users=50000', '--change-rates=100,500,100', '--scenarios=Streaming'])).toMatchObject({
      idleStreams: [1_000, 5_000],
      importUsers: 50_000,
      changeRates: [500, 100],
      scenarios: ['Streaming'],
    });
    expect(() => parseOptions(['--idle-streams=0'])).toThrow(/--idle-streams must be an integer >= 1/);
  });

  it('accepts zero cold starts and zero warm-up (skip them)', () => {
    expect(parseOptions(['--cold-starts=0', '--warmup=0'])).toMatchObject({ coldStarts: 0, warmupS: 0 });
  });
});
