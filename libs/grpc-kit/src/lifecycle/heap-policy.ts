import { setFlagsFromString } from 'node:v8';

/**
 * How far V8 lets the old generation grow past what survived the last full
 * GC before it collects again (its --heap-growing-percent; 0 leaves V8's own
 * factor, up to 4x, in place).
 *
 * Why a service sets it: under load V8's own factor lets a ~30 MB live heap
 * fill to ~90 MB with garbage before the next full GC, and the Buffers and
 * native memory that garbage holds wait with it, so RSS after a few seconds
 * of load read 170–240 MB against the 160 MB budget. Growth capped at
 * 1.5x the live heap holds it at ~150–165 MB for one or two more full GCs
 * per 100,000 calls, which are concurrent and incremental (docs/benchmarks.md,
 * "Memory"). It is a growth factor, not a limit: a heap that needs more still
 * gets it, unlike --max-old-space-size.
 */
export const DEFAULT_HEAP_GROWING_PERCENT = 50;

/** Applies the policy to this process; read by V8 at each full GC, so it takes effect from the next one. */
export function applyHeapPolicy(growingPercent: number): void {
  if (growingPercent > 0) setFlagsFromString(`--heap-growing-percent=${growingPercent}`);
}
