export interface ChaosOptions {
  /** Length of the workload, faults and settle phase included. */
  readonly minutes: number;
  readonly seed: number;
  /** Virtual clients, each one request at a time. */
  readonly clients: number;
  readonly help: boolean;
}

export const USAGE = `npm run chaos -- [options]

  --minutes N   length of the soak (default 1.5; fractions allowed). The first
                10 % (at most 10 s) is fault-free warm-up, the last 15 s
                have no faults so the system can show it recovered
  --seed S      integer 0..4294967295: the same seed gives the same fault
                schedule and the same workload choices (default: drawn, printed)
  --clients N   virtual clients (default 4), each paced at 20 requests/s at most
  --help

Exit code 0 when every invariant held, 1 when one did not (see the report).`;

export class UsageError extends Error {}

export function parseOptions(args: readonly string[], randomSeed: () => number = () => Math.floor(Math.random() * 0xffff_ffff)): ChaosOptions {
  const values = new Map<string, string>();
  let help = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '--help' || arg === '-h') {
      help = true;
      continue;
    }
    const match = /^--(minutes|seed|clients)(?:=(.*))?$/.exec(arg);
    if (!match) throw new UsageError(`unknown option ${arg}`);
    const value = match[2] ?? args[++i];
    if (value === undefined) throw new UsageError(`--${match[1]} needs a value`);
    values.set(match[1] as string, value);
  }
  const number = (name: string, fallback: number, valid: (n: number) => boolean, rule: string) => {
    const text = values.get(name);
    if (text === undefined) return fallback;
    const n = Number(text);
    if (text.trim() === '' || !valid(n)) throw new UsageError(`--${name}: expected ${rule} (got "${text}")`);
    return n;
  };
  return {
    minutes: number('minutes', 1.5, (n) => n >= 0.75 && n <= 24 * 60, 'minutes from 0.75 to 1440'),
    seed: number('seed', values.has('seed') ? 0 : randomSeed(), (n) => Number.isInteger(n) && n >= 0 && n <= 0xffff_ffff, 'an integer 0..4294967295'),
    clients: number('clients', 4, (n) => Number.isInteger(n) && n >= 1 && n <= 64, 'an integer 1..64'),
    help,
  };
}

/** The end of the run: the workload goes on, without faults, so each fault's recovery is seen. */
export const SETTLE_PHASE_MS = 15_000;

/** The phases of a soak of `minutes`, in ms from the workload's start. */
export function phases(minutes: number): { totalMs: number; faultsFromMs: number; faultsUntilMs: number; maxFaults: number } {
  const totalMs = Math.round(minutes * 60_000);
  const faultsFromMs = Math.min(10_000, Math.round(totalMs * 0.1));
  const faultsUntilMs = totalMs - SETTLE_PHASE_MS;
  // About one fault every 8 s (at most two at once).
  return { totalMs, faultsFromMs, faultsUntilMs, maxFaults: Math.max(1, Math.floor((faultsUntilMs - faultsFromMs) / 8_000)) };
}
