import { readFile, rm } from 'node:fs/promises';
import { summarizeLatencies, type LatencySummary } from '@acme/testing';
import { http2Layout, runGenerator } from './run-generator';

export interface H2loadRun {
  readonly url: string;
  /** File holding the request body (a length-prefixed gRPC message), sent with every request. */
  readonly bodyFile: string;
  readonly headers: Record<string, string>;
  readonly concurrency: number;
  /** Run for this long... */
  readonly durationS?: number;
  /** ...or send exactly this many requests. */
  readonly requests?: number;
  /** Where h2load writes one line per request (deleted afterwards). */
  readonly logFile: string;
}

export interface LoadOutcome {
  readonly requests: number;
  readonly errors: number;
  readonly errorSample?: string;
  readonly durationS: number;
  readonly latency: LatencySummary;
  readonly generatorCpuUs: number;
  readonly generatorWallMs: number;
}

const FINISHED = /finished in ([\d.]+)(ms|s),/;
const SUMMARY = /requests: (\d+) total, (\d+) started, (\d+) done, (\d+) succeeded, (\d+) failed, (\d+) errored, (\d+) timeout/;

/**
 * Parses h2load's --log-file (tab-separated: start time µs since epoch, HTTP
 * status, µs until the response ended). Lines with status 0 are requests
 * that did not complete normally.
 */
export function parseH2loadLog(text: string): { latenciesUs: number[]; incomplete: number; nonOk: number } {
  const latenciesUs: number[] = [];
  let incomplete = 0;
  let nonOk = 0;
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const [, status, elapsed] = line.split('\t');
    if (status === '0') incomplete++;
    else if (status !== '200') nonOk++;
    else latenciesUs.push(Number(elapsed));
  }
  return { latenciesUs, incomplete, nonOk };
}

/**
 * One fixed-duration h2load run. h2load cannot see gRPC statuses (they are
 * in trailers behind HTTP 200), so callers check the body once beforehand:
 * every request sends the same bytes and gets the same answer.
 */
export async function runH2load(run: H2loadRun): Promise<LoadOutcome> {
  const { connections, streamsPerConnection } = http2Layout(run.concurrency);
  const args = [
    '-c', String(connections),
    '-m', String(streamsPerConnection),
    '-t', '1',
    ...(run.requests !== undefined ? ['-n', String(run.requests)] : ['-D', String(run.durationS)]),
    '-d', run.bodyFile,
    ...Object.entries(run.headers).flatMap(([name, value]) => ['-H', `${name}: ${value}`]),
    `--log-file=${run.logFile}`,
    run.url,
  ];
  const exit = await runGenerator('h2load', args);
  const summary = SUMMARY.exec(exit.stdout);
  if (!summary) throw new Error(`unexpected h2load output:\n${exit.stdout}`);
  const log = parseH2loadLog(await readFile(run.logFile, 'utf8'));
  await rm(run.logFile, { force: true });
  const failed = Number(summary[5]) + Number(summary[6]) + Number(summary[7]) + log.nonOk;
  return {
    requests: log.latenciesUs.length,
    errors: failed,
    errorSample: failed > 0 ? exit.stdout.split('\n').filter((l) => /failed|errored|status codes/.test(l)).join('; ') : undefined,
    durationS: run.durationS ?? finishedSeconds(exit.stdout),
    latency: summarizeLatencies(log.latenciesUs),
    generatorCpuUs: exit.cpuUs,
    generatorWallMs: exit.wallMs,
  };
}

function finishedSeconds(stdout: string): number {
  const match = FINISHED.exec(stdout);
  if (!match) throw new Error(`h2load did not say how long it ran:\n${stdout}`);
  return Number(match[1]) / (match[2] === 'ms' ? 1000 : 1);
}
