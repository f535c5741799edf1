import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { outputSink, type OutputSink, type ProcessOutput } from './process-output';
import { grpcServing, httpReady, type Readiness } from './readiness';

/** A process's whole environment (undefined: not set). */
export type ProcessEnv = Readonly<Record<string, string | undefined>>;

/** The default environment: PATH only, so the machine's settings do not leak into tests. */
export const PATH_ONLY: ProcessEnv = { PATH: process.env['PATH'] };

export interface ServiceProcessOptions {
  /** Label in output prefixes and error messages. */
  readonly name: string;
  /** Node script to run, e.g. appScript('user-service', 'serve'). */
  readonly script: string;
  /** Its whole environment: nothing is inherited unless passed here. */
  readonly env: ProcessEnv;
  /** Default 'capture'. */
  readonly output?: ProcessOutput;
  /** Node flags before the script, e.g. --cpu-prof (Node 20 refuses it in NODE_OPTIONS). */
  readonly nodeArgs?: readonly string[];
  /** Omit for processes that are ready when spawned. */
  readonly readiness?: Readiness;
  readonly startTimeoutMs?: number;
  /** Its own process group, so a terminal's Ctrl-C reaches only the launcher, which stops it in order. */
  readonly detached?: boolean;
}

/** A server (or a one-off script) running as a real child process, as in production. */
export class ServiceProcess {
  readonly exited: Promise<number | null>;
  /** Time from spawn to ready, in ms (0 until ready). */
  readyAfterMs = 0;

  private constructor(
    readonly options: ServiceProcessOptions,
    readonly child: ChildProcess,
    private readonly output: OutputSink,
    private readonly startedAt: number,
  ) {
    output.attach(child);
    // 'close', not 'exit': only then has all of its output been read (a test reading its last lines after it exits sees them).
    this.exited = once(child, 'close').then(([code]) => code as number | null);
  }

  /** Starts the process and resolves once it is ready; if it is not, kills it and rejects, quoting its output. */
  static async start(options: ServiceProcessOptions): Promise<ServiceProcess> {
    const service = ServiceProcess.spawn(options);
    const readiness = options.readiness;
    if (!readiness) return service;
    const timeoutMs = options.startTimeoutMs ?? 30_000;
    const died = service.exited.then((code) => {
      throw new Error(`${options.name} exited with code ${code} before it was ready; ${service.tail()}`);
    });
    try {
      await Promise.race([
        'grpcHealth' in readiness
          ? grpcServing(readiness.grpcHealth, readiness.service ?? '', timeoutMs, readiness.credentials)
          : 'httpUrl' in readiness
            ? httpReady(readiness.httpUrl, timeoutMs, () => service.running)
            : service.waitForOutput(readiness.logLine, 1, timeoutMs),
        died,
      ]);
    } catch (error) {
      service.child.kill('SIGKILL');
      const message = error instanceof Error ? error.message : String(error);
      throw message.includes('before it was ready') ? error : new Error(`${options.name} did not become ready: ${message}; ${service.tail()}`);
    }
    died.catch(() => undefined);
    service.readyAfterMs = performance.now() - service.startedAt;
    return service;
  }

  /** Runs a script to completion (e.g. migrations); resolves with its output, rejects with it if it fails. */
  static async run(name: string, script: string, env: ProcessEnv, output: ProcessOutput = 'capture'): Promise<string> {
    const service = ServiceProcess.spawn({ name, script, env, output });
    const code = await service.exited;
    if (code !== 0) throw new Error(`${name} exited with code ${code}:\n${service.logs}`);
    return service.logs;
  }

  private static spawn(options: ServiceProcessOptions): ServiceProcess {
    const output = outputSink(options.output ?? 'capture', options.name);
    const startedAt = performance.now();
    const child = spawn(process.execPath, [...(options.nodeArgs ?? []), options.script], {
      env: options.env,
      stdio: output.stdio,
      detached: options.detached ?? false,
    });
    return new ServiceProcess(options, child, output, startedAt);
  }

  get name(): string {
    return this.options.name;
  }

  get pid(): number {
    if (this.child.pid === undefined) throw new Error(`${this.name} has no pid`);
    return this.child.pid;
  }

  /** Its output so far (with console output, the last lines only). */
  get logs(): string {
    return this.output.text();
  }

  /** Calls `listener` whenever the process wrote more; returns the way to stop. */
  onOutput(listener: () => void): () => void {
    return this.output.onChange(listener);
  }

  /** Number of output lines matching `pattern` (a RegExp, or text a line contains) so far. */
  count(pattern: RegExp | string): number {
    const matches = typeof pattern === 'string' ? (line: string) => line.includes(pattern) : (line: string) => pattern.test(line);
    return this.logs.split('\n').filter(matches).length;
  }

  /** Resolves as soon as the output has `times` lines matching `pattern`; rejects if the process exits first (or after `timeoutMs`). */
  waitForOutput(pattern: RegExp | string, times = 1, timeoutMs?: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const finish = (error?: Error) => {
        stopWatching();
        clearTimeout(timer);
        this.child.off('close', onExit);
        if (error) reject(error);
        else resolve();
      };
      const check = () => {
        if (this.count(pattern) < times) return false;
        finish();
        return true;
      };
      const onExit = () => {
        if (!check()) finish(new Error(`${this.name} exited before printing ${times}x ${pattern}; ${this.tail()}`));
      };
      const stopWatching = this.onOutput(check);
      const timer = timeoutMs === undefined ? undefined : setTimeout(() => finish(new Error(`${this.name} did not print ${times}x ${pattern} within ${timeoutMs} ms; ${this.tail()}`)), timeoutMs);
      this.child.once('close', onExit);
      if (!this.running) onExit();
      else check();
    });
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Throws, naming the process and quoting its output, when it is no longer running (e.g. killed from outside). */
  assertRunning(): void {
    if (this.running) return;
    const how = this.child.signalCode ? `was killed by ${this.child.signalCode}` : `exited with code ${this.child.exitCode}`;
    throw new Error(`${this.name} (pid ${this.child.pid}) ${how}; ${this.tail()}`);
  }

  /**
   * Sends `signal` (SIGTERM: graceful shutdown, which also lets --cpu-prof
   * write its file) and SIGKILL if it has not exited after `graceMs`; resolves
   * with its exit code.
   */
  async stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = 15_000): Promise<number | null> {
    if (!this.running) return this.exited;
    this.child.kill(signal);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  private tail(): string {
    return `the end of ${this.output.where}:\n${this.logs.split('\n').slice(-40).join('\n')}`;
  }
}
