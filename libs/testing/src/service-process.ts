import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { HealthClient } from '@acme/grpc-kit';

export interface ServiceProcessOptions {
  /** Label in error messages. */
  readonly name: string;
  /** Node script to run, e.g. workspacePath('apps/user-service/dist/main.js'). */
  readonly script: string;
  readonly env: Record<string, string>;
  /** host:port of its gRPC server, to wait for SERVING. Omit for processes without one. */
  readonly grpcAddress?: string;
  readonly startTimeoutMs?: number;
}

/** A service running as a real child process, as in production. */
export class ServiceProcess {
  private output = '';
  readonly exited: Promise<number | null>;

  private constructor(
    readonly options: ServiceProcessOptions,
    readonly child: ChildProcess,
  ) {
    child.stdout?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    this.exited = once(child, 'exit').then(([code]) => code as number | null);
  }

  /** Starts the process and, if it has a gRPC address, resolves once its health says SERVING. */
  static async start(options: ServiceProcessOptions): Promise<ServiceProcess> {
    const child = spawn(process.execPath, [options.script], {
      env: { PATH: process.env['PATH'] ?? '', LOG_LEVEL: 'warn', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const service = new ServiceProcess(options, child);
    if (options.grpcAddress) {
      const health = new HealthClient(options.grpcAddress);
      try {
        await Promise.race([
          health.waitFor('SERVING', '', options.startTimeoutMs ?? 20_000),
          service.exited.then((code) => {
            throw new Error(`${options.name} exited with code ${code} before serving:\n${service.logs}`);
          }),
        ]);
      } catch (error) {
        child.kill('SIGKILL');
        throw error instanceof Error && error.message.includes('exited with code')
          ? error
          : new Error(`${options.name} did not become SERVING: ${String(error)}\n${service.logs}`);
      } finally {
        health.close();
      }
    }
    return service;
  }

  /** Runs a script to completion (e.g. migrations); rejects with its output if it fails. */
  static async run(name: string, script: string, env: Record<string, string>): Promise<string> {
    const service = new ServiceProcess({ name, script, env }, spawn(process.execPath, [script], {
      env: { PATH: process.env['PATH'] ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    }));
    const code = await service.exited;
    if (code !== 0) throw new Error(`${name} exited with code ${code}:\n${service.logs}`);
    return service.logs;
  }

  get logs(): string {
    return this.output;
  }

  /** Number of output lines matching `pattern` so far. */
  count(pattern: RegExp): number {
    return this.output.split('\n').filter((line) => pattern.test(line)).length;
  }

  /** Resolves as soon as the output has `times` lines matching `pattern` (checked on every write). */
  waitForOutput(pattern: RegExp, times = 1): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (this.count(pattern) < times) return false;
        this.child.stdout?.off('data', check);
        this.child.stderr?.off('data', check);
        this.child.off('exit', onExit);
        resolve();
        return true;
      };
      const onExit = () => {
        if (!check()) reject(new Error(`${this.options.name} exited before printing ${times}x ${pattern}:\n${this.logs}`));
      };
      if (check()) return;
      // Listeners added after the ones that append to `output`, so they see the new text.
      this.child.stdout?.on('data', check);
      this.child.stderr?.on('data', check);
      this.child.once('exit', onExit);
    });
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Sends a signal and waits for the process to exit; returns its exit code. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    if (this.running) this.child.kill(signal);
    return this.exited;
  }
}
