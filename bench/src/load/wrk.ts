import { writeFile, rm } from 'node:fs/promises';
import type { LoadOutcome } from './h2load';
import { runGenerator } from './run-generator';

export interface WrkRun {
  /** Base URL, e.g. http://127.0.0.1:8080 */
  readonly baseUrl: string;
  readonly request: WrkRequest;
  readonly concurrency: number;
  readonly durationS: number;
  /** Where the generated Lua script is written (deleted afterwards). */
  readonly scriptFile: string;
}

/** What each request is: a fixed GET, or a POST whose body and Idempotency-Key change per request. */
export type WrkRequest =
  | { readonly kind: 'get'; readonly path: string }
  | {
      readonly kind: 'create-order';
      readonly userIds: readonly string[];
      /** JSON of the items array, the same in every order. */
      readonly itemsJson: string;
      /** Prefix of the Idempotency-Key, unique to this run; a counter completes it. */
      readonly keyPrefix: string;
    };

const RESULT = /^BENCH_WRK (.*)$/m;

/** Lua string literal. */
const lua = (value: string) => JSON.stringify(value);

/**
 * The wrk script. wrk's request() is called for every request, so each POST
 * gets a fresh Idempotency-Key (every request writes an order) and the users
 * rotate; done() prints the figures as one JSON line. wrk counts HTTP status
 * >= 400 in errors.status.
 */
export function wrkScript(request: WrkRequest): string {
  const done = `
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('BENCH_WRK {"requests":%d,"durationUs":%d,"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d,"p50":%d,"p90":%d,"p99":%d,"max":%d,"mean":%.1f}\\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean))
end
`;
  if (request.kind === 'get') return `wrk.method = "GET"\n${done}`;
  return `
local users = { ${request.userIds.map(lua).join(', ')} }
local items = ${lua(request.itemsJson)}
local prefix = ${lua(request.keyPrefix)}
local thread_count = 0
local counter = 0

setup = function(thread)
  thread:set("thread_id", thread_count)
  thread_count = thread_count + 1
end

request = function()
  counter = counter + 1
  local user = users[(counter % #users) + 1]
  local body = '{"userId":"' .. user .. '","items":' .. items .. '}'
  local headers = { ["Content-Type"] = "application/json", ["Idempotency-Key"] = prefix .. "-" .. tostring(thread_id) .. "-" .. counter }
  return wrk.format("POST", "/orders", headers, body)
end
${done}`;
}

export interface WrkFigures {
  requests: number;
  durationUs: number;
  connect: number;
  read: number;
  write: number;
  status: number;
  timeout: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

export function parseWrkOutput(stdout: string): WrkFigures {
  const match = RESULT.exec(stdout);
  if (!match) throw new Error(`wrk printed no result line:\n${stdout}`);
  return JSON.parse(match[1] as string) as WrkFigures;
}

/** One fixed-duration wrk run over HTTP/1.1 keep-alive: one connection per in-flight request. */
export async function runWrk(run: WrkRun): Promise<LoadOutcome> {
  await writeFile(run.scriptFile, wrkScript(run.request));
  const path = run.request.kind === 'get' ? run.request.path : '/orders';
  try {
    const exit = await runGenerator('wrk', [
      '-t', '1',
      '-c', String(run.concurrency),
      '-d', `${run.durationS}s`,
      '--timeout', '10s',
      '-s', run.scriptFile,
      `${run.baseUrl}${path}`,
    ]);
    const figures = parseWrkOutput(exit.stdout);
    const errors = figures.connect + figures.read + figures.write + figures.status + figures.timeout;
    return {
      // wrk's requests include the failed ones; successful = total - status errors - timeouts.
      requests: figures.requests - figures.status,
      errors,
      errorSample: errors > 0 ? exit.stdout.split('\n').filter((l) => /Non-2xx|Socket errors/.test(l)).join('; ') : undefined,
      durationS: figures.durationUs / 1e6,
      latency: { count: figures.requests, p50: figures.p50, p90: figures.p90, p99: figures.p99, max: figures.max, mean: figures.mean },
      generatorCpuUs: exit.cpuUs,
      generatorWallMs: exit.wallMs,
    };
  } finally {
    await rm(run.scriptFile, { force: true });
  }
}
