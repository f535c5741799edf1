import { writeFile, rm } from 'node:fs/promises';
import { summarizeLatencies } from '@acme/testing';
import type { LoadOutcome } from './h2load';
import type { GrpcLoadConfig, GrpcLoadResult } from './grpc-load-worker';
import { http2Layout, runGenerator } from './run-generator';

export interface NodeHttp2Run {
  readonly origin: string;
  readonly path: string;
  readonly templates: readonly Buffer[];
  readonly counterOffset: number;
  readonly counterWidth: number;
  readonly concurrency: number;
  readonly durationS: number;
  /** Stop after this many calls instead (durationS is then only a bound). */
  readonly requests?: number;
  readonly configFile: string;
}

const RESULT = /^BENCH_GRPC_LOAD (.*)$/m;

/** One fixed-duration run of grpc-load-worker (a separate process, so its CPU is measured apart). */
export async function runNodeHttp2(run: NodeHttp2Run): Promise<LoadOutcome> {
  const { connections } = http2Layout(run.concurrency);
  const config: GrpcLoadConfig = {
    origin: run.origin,
    path: run.path,
    templates: run.templates.map((t) => t.toString('base64')),
    counterOffset: run.counterOffset,
    counterWidth: run.counterWidth,
    connections,
    concurrency: run.concurrency,
    durationMs: run.durationS * 1000,
    timeout: '10S',
    ...(run.requests !== undefined ? { requests: run.requests } : {}),
  };
  await writeFile(run.configFile, JSON.stringify(config));
  try {
    const exit = await runGenerator(process.execPath, [require.resolve('./grpc-load-worker'), run.configFile]);
    const match = RESULT.exec(exit.stdout);
    if (!match) throw new Error(`grpc-load-worker printed no result:\n${exit.stdout}\n${exit.stderr}`);
    const result = JSON.parse(match[1] as string) as GrpcLoadResult;
    if (result.completed === 0) throw new Error(`no call succeeded; first error: ${result.errorSample}`);
    return {
      requests: result.completed,
      errors: result.failed,
      errorSample: result.errorSample,
      durationS: result.elapsedMs / 1000,
      latency: summarizeLatencies(result.latenciesUs),
      generatorCpuUs: exit.cpuUs,
      generatorWallMs: exit.wallMs,
    };
  } finally {
    await rm(run.configFile, { force: true });
  }
}
