import type { RunningSystem, ServiceProcess } from '@acme/testing';
import { describeExit, RESTART_BACKOFF, type RestartBackoff, RestartSchedule } from './restart-backoff';

/**
 * Keeps every replica of a running system up: one that exits (crash, OOM,
 * `kill -9`) is started again on its address after a backoff, while the
 * others keep running, so its callers see UNAVAILABLE meanwhile and recover
 * by themselves when their channel reconnects.
 */
export class Supervisor {
  private stopped = false;
  /** Restarts waiting out their backoff, by replica. */
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly starting = new Set<Promise<unknown>>();
  /** Processes being replaced on purpose (`npm run dev`): their exit is no crash. */
  private readonly replacing = new Set<ServiceProcess>();
  private readonly schedules = new Map<string, RestartSchedule>();

  constructor(
    private readonly system: RunningSystem,
    private readonly log: (line: string) => void,
    private readonly backoff: RestartBackoff = RESTART_BACKOFF,
  ) {}

  /** Starts watching every replica launched so far. */
  watchAll(): void {
    for (const app of this.system.apps) {
      this.system.processes(app).forEach((process, replica) => this.watch(app, replica, process, performance.now()));
    }
  }

  /** Replaces every replica of `app` with a freshly started one (after a rebuild), one at a time so callers always have one. */
  async replace(app: string): Promise<void> {
    for (let replica = 0; replica < this.system.processes(app).length; replica++) {
      if (this.stopped) return;
      // A crashed replica waiting for its backoff is started now instead, once.
      clearTimeout(this.timers.get(keyOf(app, replica)));
      this.timers.delete(keyOf(app, replica));
      const old = this.system.process(app, replica);
      if (old.running) this.replacing.add(old);
      await this.track(this.startReplica(app, replica));
    }
  }

  /** No more restarts; waits for starts under way, so stopping the system stops them too. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    await Promise.allSettled([...this.starting]);
  }

  private watch(app: string, replica: number, process: ServiceProcess, startedAt: number): void {
    void process.exited.then((code) => {
      if (this.stopped || this.replacing.delete(process)) return;
      const { restart, delayMs } = this.scheduleOf(process.name).next(performance.now() - startedAt);
      this.log(`${process.name} exited (${describeExit(code, process.child.signalCode)}), restart ${restart} in ${delayMs} ms`);
      this.later(app, replica, delayMs);
    });
  }

  private async startReplica(app: string, replica: number): Promise<void> {
    if (this.stopped) return;
    const startedAt = performance.now();
    const name = this.system.process(app, replica).name;
    try {
      const process = await this.system.restart(app, replica);
      this.log(`${process.name} is up again (pid ${process.pid}, ready after ${Math.round(process.readyAfterMs)} ms)`);
      this.watch(app, replica, process, startedAt);
    } catch (error) {
      if (this.stopped) return;
      const { restart, delayMs } = this.scheduleOf(name).next(0);
      const reason = (error instanceof Error ? error.message : String(error)).split('\n')[0];
      this.log(`${name} failed to start (${reason}), restart ${restart} in ${delayMs} ms`);
      this.later(app, replica, delayMs);
    }
  }

  private scheduleOf(name: string): RestartSchedule {
    let schedule = this.schedules.get(name);
    if (!schedule) this.schedules.set(name, (schedule = new RestartSchedule(this.backoff)));
    return schedule;
  }

  private later(app: string, replica: number, delayMs: number): void {
    if (this.stopped) return;
    const key = keyOf(app, replica);
    const timer = setTimeout(() => {
      this.timers.delete(key);
      void this.track(this.startReplica(app, replica));
    }, delayMs);
    this.timers.set(key, timer);
  }

  private async track(start: Promise<void>): Promise<void> {
    this.starting.add(start);
    try {
      await start;
    } finally {
      this.starting.delete(start);
    }
  }
}

const keyOf = (app: string, replica: number) => `${app}#${replica}`;
