import { describeExit, RESTART_BACKOFF, type RestartBackoff, RestartSchedule } from './restart-backoff';

/** What the supervisor uses of a ServiceProcess (@acme/testing). */
export interface SupervisedProcess {
  readonly name: string;
  readonly pid: number;
  readonly exited: Promise<number | null>;
  readonly running: boolean;
  readonly readyAfterMs: number;
  readonly child: { readonly signalCode: NodeJS.Signals | null };
}

/** What the supervisor uses of a RunningSystem (launchSystem's). */
export interface SupervisedSystem {
  readonly apps: readonly string[];
  processes(app: string): SupervisedProcess[];
  process(app: string, replica: number): SupervisedProcess;
  /** Starts the replica again on its address; resolves once it is ready. */
  restart(app: string, replica: number): Promise<SupervisedProcess>;
}

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
  /** Starts under way, by replica. */
  private readonly starting = new Map<string, Promise<void>>();
  /** Processes being replaced on purpose (`npm run dev`): their exit is no crash. */
  private readonly replacing = new Set<SupervisedProcess>();
  private readonly schedules = new Map<string, RestartSchedule>();

  constructor(
    private readonly system: SupervisedSystem,
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
      // A crashed replica waiting for its backoff is started now instead, once;
      // one being started is let finish first, then replaced.
      const key = keyOf(app, replica);
      clearTimeout(this.timers.get(key));
      this.timers.delete(key);
      await this.starting.get(key);
      if (this.stopped) return;
      const old = this.system.process(app, replica);
      if (old.running) this.replacing.add(old);
      await this.track(key, this.startReplica(app, replica));
    }
  }

  /** No more restarts; waits for starts under way, so stopping the system stops them too. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    await Promise.allSettled([...this.starting.values()]);
  }

  private watch(app: string, replica: number, process: SupervisedProcess, startedAt: number): void {
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
      // Its output is on the console already: the first line of the reason, without the pointer to it.
      const reason = (error instanceof Error ? error.message : String(error)).split('\n')[0]?.replace(/; the end of .*$/, '');
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
      void this.track(key, this.startReplica(app, replica));
    }, delayMs);
    this.timers.set(key, timer);
  }

  private async track(key: string, start: Promise<void>): Promise<void> {
    this.starting.set(key, start);
    try {
      await start;
    } finally {
      if (this.starting.get(key) === start) this.starting.delete(key);
    }
  }
}

const keyOf = (app: string, replica: number) => `${app}#${replica}`;
