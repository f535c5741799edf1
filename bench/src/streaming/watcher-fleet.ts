import { type ChildProcess, fork } from 'node:child_process';
import { processCpuMicros } from '@acme/testing';
import type { WatchCommand, WatchReply } from './watch-worker';

type Reply<T extends WatchReply['type']> = Extract<WatchReply, { type: T }>;

/** The watch worker (watch-worker.ts) as the bench drives it: one command at a time, each answered. */
export class WatcherFleet {
  private readonly waiting: { resolve: (reply: WatchReply) => void; reject: (error: Error) => void }[] = [];
  private exitError: Error | undefined;

  private constructor(private readonly child: ChildProcess) {
    child.on('message', (message: WatchReply) => {
      const next = this.waiting.shift();
      if (!next) return;
      if (message.type === 'failed') next.reject(new Error(`watch worker: ${message.error}`));
      else next.resolve(message);
    });
    child.on('exit', (code, signal) => {
      this.exitError = new Error(`the watch worker exited (${signal ?? `code ${code}`})`);
      for (const next of this.waiting.splice(0)) next.reject(this.exitError);
    });
  }

  static start(): WatcherFleet {
    return new WatcherFleet(fork(require.resolve('./watch-worker'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
  }

  get pid(): number {
    return this.child.pid as number;
  }

  /** CPU time the worker has used so far, in µs. */
  cpuUs(): number {
    return processCpuMicros(this.pid);
  }

  /** Opens one watcher per entry (a user id twice: two watchers of that user); resolves once all have their snapshot. */
  open(origin: string, userIds: readonly string[], timeoutMs = 120_000): Promise<Reply<'opened'>> {
    return this.send({ type: 'open', origin, userIds }, 'opened', timeoutMs);
  }

  record(): Promise<Reply<'count'>> {
    return this.send({ type: 'record' }, 'count');
  }

  count(): Promise<Reply<'count'>> {
    return this.send({ type: 'count' }, 'count');
  }

  report(): Promise<Reply<'report'>> {
    return this.send({ type: 'report' }, 'report');
  }

  close(): Promise<Reply<'closed'>> {
    return this.send({ type: 'close' }, 'closed');
  }

  /** Ends the worker (its streams go with its connections). */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGTERM');
    await exited;
  }

  private send<T extends WatchReply['type']>(command: WatchCommand, expected: T, timeoutMs = 30_000): Promise<Reply<T>> {
    if (this.exitError) return Promise.reject(this.exitError);
    return new Promise<Reply<T>>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the watch worker did not answer ${command.type} within ${timeoutMs} ms`)), timeoutMs);
      this.waiting.push({
        resolve: (reply) => {
          clearTimeout(timer);
          if (reply.type === expected) resolve(reply as Reply<T>);
          else reject(new Error(`the watch worker answered ${command.type} with ${reply.type}`));
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      this.child.send(command);
    });
  }
}
