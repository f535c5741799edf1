/**
 * Microseconds on CLOCK_MONOTONIC (process.hrtime), which every process on
 * the machine reads alike: a time the change writer took and one a watcher
 * took compare directly, with no wall-clock step between them.
 */
export const monotonicUs = (): number => Number(process.hrtime.bigint() / 1000n);
