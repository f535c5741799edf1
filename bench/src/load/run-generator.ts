import { spawn } from 'node:child_process';
import { parseProcStat, ticksToMicros } from '@acme/testing';

export interface GeneratorExit {
  readonly stdout: string;
  readonly stderr: string;
  /** CPU time (user + system) the generator used, children included, in microseconds. */
  readonly cpuUs: number;
  readonly wallMs: number;
}

// bash runs the generator, waits for it, then prints its own /proc stat line,
// whose cutime/cstime now hold the generator's CPU time (Node reaps its
// children itself and has no getrusage(RUSAGE_CHILDREN) to ask afterwards).
const WRAPPER = '"$@"; rc=$?; echo "BENCH_WRAPPER_STAT $(< /proc/$$/stat)" >&2; exit $rc';
const STAT_LINE = /^BENCH_WRAPPER_STAT (.*)$/m;

/** Runs a load generator to completion; rejects with its output when it fails. */
export function runGenerator(command: string, args: readonly string[]): Promise<GeneratorExit> {
  const started = performance.now();
  const child = spawn('bash', ['-c', WRAPPER, 'bench-generator', command, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      const wallMs = performance.now() - started;
      const stat = STAT_LINE.exec(stderr);
      const cleanStderr = stderr.replace(STAT_LINE, '').trim();
      if (code !== 0 || !stat) {
        reject(new Error(`${command} exited with code ${code}:\n${cleanStderr}\n${stdout.slice(-2000)}`));
        return;
      }
      const ticks = parseProcStat(stat[1] as string);
      resolve({ stdout, stderr: cleanStderr, cpuUs: ticksToMicros(ticks.cutime + ticks.cstime), wallMs });
    });
  });
}

/**
 * How `concurrency` in-flight requests are spread over HTTP/2 connections:
 * up to 4 connections (as a few client replicas or channels would open),
 * the rest as concurrent streams on them.
 */
export function http2Layout(concurrency: number): { connections: number; streamsPerConnection: number } {
  const connections = Math.min(4, concurrency);
  if (concurrency % connections !== 0) throw new Error(`concurrency ${concurrency} does not split over ${connections} connections`);
  return { connections, streamsPerConnection: concurrency / connections };
}
