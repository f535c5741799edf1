import { join } from 'node:path';
import { describeReadiness, freePort, processMemory, ServiceProcess } from '@acme/testing';
import type { ColdStartResult } from '../model';
import { type BenchSystem, systemOf } from '../system/bench-system';

/**
 * Starts fresh instances of a server, one at a time, beside the running
 * system (whose servers are their upstreams), and times spawn → ready, as
 * each server's readiness says: grpc.health.v1 Watch reporting SERVING, or
 * the gateway's /readyz answering 200. RSS is read at that moment.
 */
export async function measureColdStarts(
  system: BenchSystem,
  keys: readonly Parameters<BenchSystem['instanceOptions']>[0][],
  starts: number,
  logDir: string,
  log: (line: string) => void,
): Promise<ColdStartResult[]> {
  const results: ColdStartResult[] = [];
  for (const key of keys) {
    const startMs: number[] = [];
    const rssAtReadyMb: number[] = [];
    let readyWhen = '';
    for (let i = 1; i <= starts; i++) {
      const options = system.instanceOptions(key, await freePort());
      readyWhen = options.readiness ? describeReadiness(options.readiness) : 'spawned';
      const process = await ServiceProcess.start({ ...options, name: `${key} (cold start ${i})`, output: { file: join(logDir, `${key}-cold-start-${i}.log`) } });
      startMs.push(process.readyAfterMs);
      rssAtReadyMb.push(processMemory(process.pid).rssKb / 1024);
      await process.stop();
    }
    log(`${key}: cold start ${startMs.map((ms) => Math.round(ms)).join(', ')} ms`);
    results.push({ service: key, system: systemOf(key), readyWhen, startMs, rssAtReadyMb });
  }
  return results;
}
