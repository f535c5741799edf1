import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { DevIdentity, freePort, workspacePath } from '@acme/testing';

export interface StackPorts {
  readonly postgres: number;
  readonly user: number;
  readonly order: number;
  readonly gateway: number;
  readonly identity: number;
}

/** `npm start` as a user runs it (the built launcher), on free ports and a fresh data directory, in a process group of its own. */
export class StackUnderTest {
  /** Everything it printed so far, stdout and stderr. */
  output = '';
  private readonly lineListeners = new Set<(line: string) => void>();

  private constructor(
    readonly process: ChildProcess,
    readonly ports: StackPorts,
    readonly dataRoot: string,
  ) {}

  /** Starts it with `args` (e.g. --replicas) and resolves once it printed "ready". */
  static async start(args: readonly string[] = [], env: Readonly<Record<string, string>> = {}): Promise<StackUnderTest> {
    const dataRoot = mkdtempSync(join(tmpdir(), 'local-stack-'));
    chmodSync(dataRoot, 0o755); // Postgres runs as its own user and must reach its data directory
    const ports = { postgres: await freePort(), user: await freePort(), order: await freePort(), gateway: await freePort(), identity: await freePort() };
    const child = spawn(process.execPath, [workspacePath('tools/local-stack/dist/main.js'), ...args], {
      env: {
        PATH: process.env['PATH'] ?? '',
        LOCAL_POSTGRES_DIR: join(dataRoot, 'postgres'),
        LOCAL_POSTGRES_PORT: String(ports.postgres),
        USER_SERVICE_PORT: String(ports.user),
        ORDER_SERVICE_PORT: String(ports.order),
        GATEWAY_PORT: String(ports.gateway),
        IDENTITY_PROVIDER_PORT: String(ports.identity),
        LOG_FORMAT: 'json',
        LOG_LEVEL: 'warn',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // its own process group, like a terminal session, so a test can "press Ctrl-C"
    });
    const stack = new StackUnderTest(child, ports, dataRoot);
    child.stderr!.on('data', (chunk: Buffer) => (stack.output += chunk.toString()));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      stack.output += `${line}\n`;
      for (const listener of stack.lineListeners) listener(line);
    });
    const exited = new Promise<never>((_, reject) =>
      child.once('exit', (code) => reject(new Error(`local stack exited with ${code} before it was ready:\n${stack.output}`))),
    );
    await Promise.race([stack.nextLine(/^\[local-stack\] ready$/, 110_000), exited]);
    exited.catch(() => undefined);
    return stack;
  }

  get gateway(): string {
    return `http://127.0.0.1:${this.ports.gateway}`;
  }

  /** The stack's development identity provider, for the admin token the tests call with. */
  get identity(): DevIdentity {
    return new DevIdentity(`http://127.0.0.1:${this.ports.identity}`);
  }

  /** Resolves with the first line printed from now on that matches. */
  nextLine(pattern: RegExp, timeoutMs: number): Promise<RegExpExecArray> {
    return new Promise((resolve, reject) => {
      const finish = (error?: Error, match?: RegExpExecArray) => {
        clearTimeout(timer);
        this.lineListeners.delete(listener);
        if (error) reject(error);
        else resolve(match!);
      };
      const timer = setTimeout(() => finish(new Error(`no line matching ${pattern} within ${timeoutMs} ms:\n${this.output}`)), timeoutMs);
      const listener = (line: string) => {
        const match = pattern.exec(line);
        if (match) finish(undefined, match);
      };
      this.lineListeners.add(listener);
    });
  }

  /** The pid the endpoint list gives for the process named `name`. */
  pidOf(name: string): number {
    const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const pid = new RegExp(`^\\s+${escaped}\\s+(?:grpc|http)\\s.*pid (\\d+)\\)$`, 'm').exec(this.output)?.[1];
    if (!pid) throw new Error(`the endpoint list names no ${name}:\n${this.output}`);
    return Number(pid);
  }

  /** Kills whatever is left (after a failed test) and removes the data directory. */
  cleanUp(): void {
    if (this.process.exitCode === null && this.process.signalCode === null) process.kill(-this.process.pid!, 'SIGKILL');
    rmSync(this.dataRoot, { recursive: true, force: true });
  }
}

/** Calls `probe` until `done` holds of its answer or `timeoutMs` passes; resolves with the last answer. */
export async function pollUntil<T>(probe: () => Promise<T>, done: (value: T) => boolean, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 100)); // between attempts, not in place of waiting for an event
  }
}
