import { parseOptions, phases, SETTLE_PHASE_MS, UsageError } from './options';

describe('parseOptions', () => {
  it.each<[string[], { minutes: number; seed: number; clients: number }]>([
    [[], { minutes: 1.5, seed: 77, clients: 4 }],
    [['--minutes', '10', '--seed', '42'], { minutes: 10, seed: 42, clients: 4 }],
    [['--minutes=0.75', '--seed=0', '--clients=8'], { minutes: 0.75, seed: 0, clients: 8 }],
  ])('%j', (args, expected) => {
    expect(parseOptions(args, () => 77)).toEqual({ ...expected, help: false });
  });

  it.each([
    [['--minutes', 'ten'], /--minutes: expected minutes/],
    [['--minutes', '0.1'], /--minutes: expected minutes/],
    [['--seed', '-1'], /--seed: expected an integer/],
    [['--seed', '1.5'], /--seed: expected an integer/],
    [['--seed'], /--seed needs a value/],
    [['--fast'], /unknown option --fast/],
  ])('%j is refused', (args, message) => {
    expect(() => parseOptions(args)).toThrow(UsageError);
    expect(() => parseOptions(args)).toThrow(message);
  });
});

describe('phases', () => {
  it.each([
    [1.5, { totalMs: 90_000, faultsFromMs: 9_000, faultsUntilMs: 90_000 - SETTLE_PHASE_MS, maxFaults: 8 }],
    [10, { totalMs: 600_000, faultsFromMs: 10_000, faultsUntilMs: 600_000 - SETTLE_PHASE_MS, maxFaults: 71 }],
  ])('%d minutes', (minutes, expected) => {
    expect(phases(minutes)).toEqual(expected);
  });
});
