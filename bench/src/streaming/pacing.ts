// Open-loop pacing: operations are issued on a fixed schedule, whether or
// not earlier ones have been answered, so a slow server meets the same
// arrival rate instead of slowing its own load down (what a closed loop of
// callers waiting for answers would do, hiding the delay it causes).

/** When operation `index` (0-based) is due, in ms after the start. */
export const dueAt = (index: number, ratePerS: number): number => (index * 1000) / ratePerS;

/** How many operations are due `elapsedMs` after the start (the first is due at 0). */
export const dueBy = (elapsedMs: number, ratePerS: number): number => (elapsedMs < 0 ? 0 : Math.floor((elapsedMs * ratePerS) / 1000) + 1);

/** Operations in a run of `durationMs` at `ratePerS`. */
export const operationsIn = (durationMs: number, ratePerS: number): number => Math.round((durationMs * ratePerS) / 1000);

export interface OpenLoopRun {
  readonly ratePerS: number;
  readonly operations: number;
  /** Starts operation `index`; not awaited (that is what makes the loop open). */
  readonly fire: (index: number) => void;
  /** Milliseconds on a monotonic clock (performance.now by default). */
  readonly now?: () => number;
}

/**
 * Fires `operations` operations on schedule, each as soon as it is due;
 * when the process fell behind (a long GC, a busy event loop) it fires all
 * that are due at once rather than dropping any. Resolves when the last one
 * was fired, with how late each one was, in ms (what shows whether the
 * generator itself kept up).
 */
export function runOpenLoop(run: OpenLoopRun): Promise<number[]> {
  const now = run.now ?? (() => performance.now());
  const lateness: number[] = [];
  const started = now();
  let fired = 0;
  return new Promise((resolve) => {
    const tick = () => {
      const due = Math.min(run.operations, dueBy(now() - started, run.ratePerS));
      while (fired < due) {
        lateness.push(Math.max(0, now() - started - dueAt(fired, run.ratePerS)));
        run.fire(fired++);
      }
      if (fired >= run.operations) {
        resolve(lateness);
        return;
      }
      setTimeout(tick, Math.max(0, started + dueAt(fired, run.ratePerS) - now()));
    };
    tick();
  });
}
