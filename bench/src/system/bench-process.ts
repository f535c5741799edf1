import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, openSync, readFileSync, watch } from 'node:fs';
import { HealthClient } from '@acme/grpc-kit';

export interface BenchProcessOptions {
  readonly name: string;
  readonly script: string;
  readonly env: Record<string, string>;
  /** Both output streams go here (not through the benchmark's own process, which would spend CPU relaying them). */
  readonly logFile: string;
  /** Extra node flags, e.g. --cpu-prof (Node 20 refuses it in NODE_OPTIONS). */
  readonly nodeArgs?: readonly string[];
}

/** How readiness is awaited: grpc.health.v1 Watch until SERVING, or a line in the log (HTTP servers). */
export type Readiness = { readonly grpcAddress: string } | { readonly logLine: RegExp };

// The health client retries its connection on this short backoff while the
// server is not listening yet; grpc-js's default (1 s, growing) would round
// every cold start up to the next retry.
const FAST_RECONNECT = { 'grpc.initial_reconnect_backoff_ms': 10, 'grpc.max_reconnect_backoff_ms': 25 };

/** A server of the measured system, running as its own process. */
export class BenchProcess {
  readonly exited: Promise<number | null>;

  private constructor(
    readonly options: BenchProcessOptions,
    readonly child: ChildProcess,
    readonly startedAt: number,
  ) {
    this.exited = once(child, 'exit').then(([code]) => code as number | null);
  }

  get pid(): number {
    if (this.child.pid === undefined) throw new Error(`${this.options.name} has no pid`);
    return this.child.pid;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Starts it and resolves when it is ready; `readyAfterMs` is the time from spawn to ready. */
  static async start(options: BenchProcessOptions, readiness: Readiness, timeoutMs = 30_000): Promise<{ process: BenchProcess; readyAfterMs: number }> {
    const log = openSync(options.logFile, 'a');
    const env = { PATH: process.env['PATH'] ?? '', ...options.env };
    const startedAt = performance.now();
    const child = spawn(process.execPath, [...(options.nodeArgs ?? []), options.script], { env, stdio: ['ignore', log, log] });
    closeSync(log);
    const started = new BenchProcess(options, child, startedAt);
    const died = started.exited.then((code) => {
      throw new Error(`${options.name} exited with code ${code} before it was ready; its log (${options.logFile}):\n${tail(options.logFile)}`);
    });
    try {
      await Promise.race([
        'grpcAddress' in readiness ? servingOf(readiness.grpcAddress, timeoutMs) : lineIn(options.logFile, readiness.logLine, timeoutMs),
        died,
      ]);
    } catch (error) {
      child.kill('SIGKILL');
      throw error;
    }
    died.catch(() => undefined);
    return { process: started, readyAfterMs: performance.now() - startedAt };
  }

  /** Throws, naming the process and quoting its log, when it is no longer running (e.g. killed from outside). */
  assertRunning(): void {
    if (this.running) return;
    const how = this.child.signalCode ? `was killed by ${this.child.signalCode}` : `exited with code ${this.child.exitCode}`;
    throw new Error(`${this.options.name} (pid ${this.child.pid}) ${how} while the benchmark was running; the end of its log (${this.options.logFile}):\n${tail(this.options.logFile)}`);
  }

  /** SIGTERM (graceful shutdown, which also lets --cpu-prof write its file), SIGKILL after `graceMs`. */
  async stop(graceMs = 15_000): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}

async function servingOf(address: string, timeoutMs: number): Promise<void> {
  const health = new HealthClient(address, FAST_RECONNECT);
  try {
    await health.waitFor('SERVING', '', timeoutMs);
  } finally {
    health.close();
  }
}

/** Resolves when `pattern` appears in the file, following its growth with inotify. */
function lineIn(file: string, pattern: RegExp, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const watcher = watch(file);
    const finish = (error?: Error) => {
      clearTimeout(timer);
      watcher.close();
      if (error) reject(error);
      else resolve();
    };
    const check = () => {
      if (pattern.test(readFileSync(file, 'utf8'))) finish();
    };
    const timer = setTimeout(() => finish(new Error(`${file} did not show ${pattern} within ${timeoutMs} ms`)), timeoutMs);
    watcher.on('change', check);
    watcher.on('error', (error) => finish(error));
    check();
  });
}

function tail(file: string): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-30).join('\n');
  } catch {
    return '(no log)';
  }
}
