/**
 * How `npm start` restarts a crashed service, as an orchestrator would
 * (compose's `restart: unless-stopped`, Kubernetes' CrashLoopBackOff): never
 * gives up, waits longer after each crash in a row so a service that cannot
 * start does not spin the CPU, and forgets past crashes once the service has
 * stayed up for a while.
 */
export interface RestartBackoff {
  /** Delay before the first restart; each further one doubles it. */
  readonly initialDelayMs: number;
  /** The delay never grows beyond this. */
  readonly maxDelayMs: number;
  /** Up this long, a service counts as healthy again: its next crash is restart 1. */
  readonly resetAfterMs: number;
}

export const RESTART_BACKOFF: RestartBackoff = { initialDelayMs: 400, maxDelayMs: 15_000, resetAfterMs: 30_000 };

/** The delay before restart `n` (1-based): initial, doubled per crash in a row, capped. */
export function restartDelayMs(n: number, backoff: RestartBackoff = RESTART_BACKOFF): number {
  if (!Number.isInteger(n) || n < 1) throw new Error(`restart number must be a positive integer, got ${n}`);
  // 2 ** n overflows to Infinity for huge n, which Math.min caps as well.
  return Math.min(backoff.initialDelayMs * 2 ** (n - 1), backoff.maxDelayMs);
}

export interface PlannedRestart {
  /** 1 for the first crash after a healthy run, 2 for the next crash in a row, ... */
  readonly restart: number;
  readonly delayMs: number;
}

/** The crash history of one replica: what to do each time it exits (or fails to start). */
export class RestartSchedule {
  private crashesInARow = 0;

  constructor(private readonly backoff: RestartBackoff = RESTART_BACKOFF) {}

  /** It exited after running `upForMs` (0: it never became ready). */
  next(upForMs: number): PlannedRestart {
    if (upForMs >= this.backoff.resetAfterMs) this.crashesInARow = 0;
    this.crashesInARow += 1;
    return { restart: this.crashesInARow, delayMs: restartDelayMs(this.crashesInARow, this.backoff) };
  }
}

/** How a process ended, as a person reads it: "code 1", "killed by SIGKILL". */
export function describeExit(code: number | null, signal: NodeJS.Signals | null): string {
  if (signal) return `killed by ${signal}`;
  return `code ${code ?? 'unknown'}`;
}
