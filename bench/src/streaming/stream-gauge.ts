import { processMemory } from '@acme/testing';
import { rssSettled } from './idle-memory';
import { metricSum } from './metrics-text';

/** What order-service's metrics say about its streams and heap. */
export async function scrapeStreams(metricsUrl: string): Promise<{ subscriptions: number; heapUsedMb?: number }> {
  const text = await (await fetch(metricsUrl)).text();
  const subscriptions = metricSum(text, 'order_watch_subscriptions');
  if (subscriptions === undefined) throw new Error(`no order_watch_subscriptions in ${metricsUrl}`);
  const heap = metricSum(text, 'v8js_memory_heap_used');
  return { subscriptions, ...(heap !== undefined ? { heapUsedMb: heap / 2 ** 20 } : {}) };
}

/** Polls (bounded) until the live-subscription gauge shows `expected`: every stream subscribed, or every cancelled one freed. */
export async function subscriptionsReach(metricsUrl: string, expected: number, timeoutMs = 60_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const { subscriptions } = await scrapeStreams(metricsUrl);
    if (subscriptions === expected) return;
    if (performance.now() > deadline) throw new Error(`order_watch_subscriptions stayed at ${subscriptions}, expected ${expected}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** RSS holds still when it moves less than this over the window. */
const SETTLE = { sampleMs: 250, window: 8, toleranceMb: 1, boundMs: 20_000 } as const;

/**
 * RSS of `pid` once it stops moving (SETTLE: within 1 MB over 2 s of
 * samples, every 250 ms), or its last sample when 20 s pass first. Nothing
 * forces a GC in the server: RSS is what the budget is about, and V8 gives
 * memory back to the OS only after its own major GCs.
 */
export async function settledRss(pid: number): Promise<{ rssMb: number; settleMs: number; settled: boolean }> {
  const started = performance.now();
  const samples: number[] = [];
  for (;;) {
    samples.push(processMemory(pid).rssKb / 1024);
    const settled = rssSettled(samples, SETTLE.window, SETTLE.toleranceMb);
    const elapsed = performance.now() - started;
    if (settled || elapsed >= SETTLE.boundMs) return { rssMb: samples[samples.length - 1] as number, settleMs: elapsed, settled };
    await new Promise((resolve) => setTimeout(resolve, SETTLE.sampleMs));
  }
}
