import { processMemory } from '@acme/testing';

/** Resident set size of a process, in bytes (Linux /proc). */
export function rssBytes(pid: number): number {
  return processMemory(pid).rssKb * 1024;
}

/** Samples a process's RSS every `everyMs` until stop(), which returns the highest sample. */
export function samplePeakRss(pid: number, everyMs = 10): { stop(): number } {
  let peak = rssBytes(pid);
  const timer = setInterval(() => {
    try {
      peak = Math.max(peak, rssBytes(pid));
    } catch {
      // The process is gone; the test's own assertions say so.
    }
  }, everyMs);
  return {
    stop: () => {
      clearInterval(timer);
      return peak;
    },
  };
}

export const MiB = 1024 * 1024;
