import { join } from 'node:path';
import { freePort } from '@acme/testing';
import type { ColdStartResult } from '../model';
import { BenchProcess } from '../system/bench-process';
import type { ProcessKey, ServiceSpec } from '../system/services';
import { processMemory } from '../stats/proc';

/**
 * Starts fresh instances of a server, one at a time, beside the running
 * system (whose servers are their upstreams), and times spawn → ready: for
 * gRPC servers grpc.health.v1 Watch reporting SERVING, for the gateway its
 * "listening" log line. RSS is read at that moment.
 */
export async function measureColdStarts(
  specs: Record<ProcessKey, ServiceSpec>,
  keys: readonly ProcessKey[],
  starts: number,
  logDir: string,
  log: (line: string) => void,
): Promise<ColdStartResult[]> {
  const results: ColdStartResult[] = [];
  for (const key of keys) {
    const spec = specs[key];
    const startMs: number[] = [];
    const rssAtReadyMb: number[] = [];
    for (let i = 1; i <= starts; i++) {
      const port = await freePort();
      const { process, readyAfterMs } = await BenchProcess.start(
        { name: `${key} (cold start ${i})`, script: spec.script, env: spec.env(port), logFile: join(logDir, `${key}-cold-start-${i}.log`) },
        spec.readiness(port),
      );
      startMs.push(readyAfterMs);
      rssAtReadyMb.push(processMemory(process.pid).rssKb / 1024);
      await process.stop();
    }
    log(`${key}: cold start ${startMs.map((ms) => Math.round(ms)).join(', ')} ms`);
    results.push({ service: key, system: spec.system, readyWhen: spec.readyWhen, startMs, rssAtReadyMb });
  }
  return results;
}
