import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';

const COLORS = [36, 35, 33, 32, 34];
let nextColor = 0;

/** A child process whose output is shown line by line behind a coloured `[name]` prefix. */
export class Child {
  readonly exited: Promise<number | null>;
  private readonly process: ChildProcess;

  constructor(
    readonly name: string,
    script: string,
    env: Record<string, string>,
  ) {
    // Own process group: Ctrl-C in the terminal reaches only the launcher,
    // which then stops the children in order.
    this.process = spawn(process.execPath, [script], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    const prefix = process.stdout.isTTY ? `\x1b[${COLORS[nextColor++ % COLORS.length]}m[${name}]\x1b[0m` : `[${name}]`;
    for (const stream of [this.process.stdout, this.process.stderr]) {
      if (stream) {
        createInterface({ input: stream }).on('line', (line) => console.log(`${prefix} ${line}`));
      }
    }
    this.exited = once(this.process, 'exit').then(([code]) => code as number | null);
  }

  get running(): boolean {
    return this.process.exitCode === null && this.process.signalCode === null;
  }

  /** SIGTERM (graceful shutdown), then SIGKILL if it has not exited within `graceMs`. */
  async stop(graceMs = 15_000): Promise<number | null> {
    if (!this.running) return this.exited;
    this.process.kill('SIGTERM');
    const timer = setTimeout(() => this.process.kill('SIGKILL'), graceMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }
}

/** Runs a script to completion (e.g. migrations), failing if it fails. */
export async function runToCompletion(name: string, script: string, env: Record<string, string>): Promise<void> {
  const code = await new Child(name, script, env).exited;
  if (code !== 0) throw new Error(`${name} failed with exit code ${code}`);
}
