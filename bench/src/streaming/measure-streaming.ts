import type { Client } from 'pg';
import { loadAverage1 } from '@acme/testing';
import type { ChangeLatencyResult, StreamingResult } from '../model';
import type { StreamingPlan } from '../scenarios';
import type { StreamingStack } from '../system/streaming-stack';
import { measureChangeLatency } from './change-latency';
import { measureIdleStreams } from './idle-streams';
import { measureImportVsCreate } from './import-vs-create';
import { WatcherFleet } from './watcher-fleet';

/**
 * The Streaming scenario on its own stack: idle WatchOrders streams, then
 * change-to-client latency at each rate, then ImportUsers against CreateUser (last: it
 * empties the users table the watchers' users were in).
 */
export async function measureStreaming(stack: StreamingStack, plan: StreamingPlan, admin: Client, workDir: string, log: (line: string) => void): Promise<StreamingResult> {
  const fleet = WatcherFleet.start();
  const loadAverages: number[] = [];
  try {
    const idle = await measureIdleStreams(stack, fleet, plan, log);
    loadAverages.push(loadAverage1());
    const latency: ChangeLatencyResult[] = [];
    for (const rate of plan.changeRates) latency.push(await measureChangeLatency(stack, fleet, plan, rate, workDir, log));
    loadAverages.push(loadAverage1());
    await fleet.stop();
    const imports = await measureImportVsCreate(stack, plan, admin, workDir, log);
    loadAverages.push(loadAverage1());
    return { idle, latency, imports, loadAverages };
  } finally {
    await fleet.stop();
  }
}
