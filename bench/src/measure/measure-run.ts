import type { Client } from 'pg';
import type { LoadOutcome } from '../load/h2load';
import type { RunResult, Variant } from '../model';
import { loadAverage1, processCpuMicros, processMemory, resetPeakRss } from '@acme/testing';
import { backendCpuDelta, databaseBackendCpu } from './database-cpu';

export interface MeasuredProcess {
  readonly name: string;
  readonly pid: number;
}

export interface RunSpec {
  readonly variant: Variant;
  readonly concurrency: number;
  readonly round: number;
  /** Every server process on the request's path. */
  readonly processes: readonly MeasuredProcess[];
  /** The databases those processes use. */
  readonly databases: readonly string[];
  /** Runs the load generator for the run's duration. */
  readonly load: () => Promise<LoadOutcome>;
}

/**
 * One measured run: the servers' CPU time (/proc utime + stime) and the
 * Postgres backends' CPU time are read just before the generator starts and
 * just after it exits, so every request of the run, and nothing else of
 * note, falls in between; peak RSS is reset before and read after.
 */
export async function measureRun(spec: RunSpec, admin: Client): Promise<RunResult> {
  const startedAt = new Date().toISOString();
  const rssAtStartMb = Object.fromEntries(spec.processes.map((p) => [p.name, processMemory(p.pid).rssKb / 1024]));
  const peakResettable = spec.processes.every((p) => resetPeakRss(p.pid));
  const dbBefore = await databaseBackendCpu(admin, spec.databases);
  const cpuBefore = spec.processes.map((p) => processCpuMicros(p.pid));

  const outcome = await spec.load();

  const cpuAfter = spec.processes.map((p) => processCpuMicros(p.pid));
  const dbAfter = await databaseBackendCpu(admin, spec.databases);
  const serverCpuUs = Object.fromEntries(spec.processes.map((p, i) => [p.name, (cpuAfter[i] as number) - (cpuBefore[i] as number)]));
  const totalCpu = Object.values(serverCpuUs).reduce((a, b) => a + b, 0);
  const requests = outcome.requests;
  return {
    variant: spec.variant.id,
    concurrency: spec.concurrency,
    round: spec.round,
    startedAt,
    durationS: outcome.durationS,
    requests,
    errors: outcome.errors,
    reqPerS: requests / outcome.durationS,
    latencyUs: {
      p50: outcome.latency.p50,
      p90: outcome.latency.p90,
      p99: outcome.latency.p99,
      max: outcome.latency.max,
      mean: outcome.latency.mean,
    },
    serverCpuUs,
    cpuUsPerReq: totalCpu / requests,
    dbCpuUsPerReq: dbAfter.size > 0 ? backendCpuDelta(dbBefore, dbAfter) / requests : null,
    rssAtStartMb,
    // Without permission to reset it, VmHWM is the peak since the process started.
    peakRssMb: Object.fromEntries(spec.processes.map((p) => [p.name, processMemory(p.pid).hwmKb / 1024])),
    ...(peakResettable ? {} : { peakRssSinceStart: true }),
    generatorCpuUsPerReq: outcome.generatorCpuUs / requests,
    generatorCorePercent: (outcome.generatorCpuUs / (outcome.generatorWallMs * 1000)) * 100,
    loadAverage: loadAverage1(),
  };
}
