import { setTimeout as delay } from 'node:timers/promises';
import type { OpenWatch, WatchConnection } from './watch-update';

/** Between a connection's end and the next attempt (a replica or gateway being restarted refuses for a while). */
const RECONNECT_DELAY_MS = 250;
/** Bound on the attempts of one watcher, whatever the run's length (one every RECONNECT_DELAY_MS would take over 4 min). */
const MAX_CONNECTS = 1_000;

export type WatchTransport = 'sse' | 'grpc';

/** What a watcher received, for the checker. */
export interface WatchRecord {
  readonly id: number;
  readonly transport: WatchTransport;
  readonly userId: string;
  /** The seq its snapshot ended at: every change of the user after it is what it must receive. Undefined: never accepted. */
  readonly fromSeq?: string;
  /** The changes received, in order, as (seq, order, kind). */
  readonly received: readonly { seq: string; orderId: string; kind: 'CREATED' | 'CANCELLED' }[];
  readonly connects: number;
  /** Why its connections ended (how many times each reason), the last one excepted if it was the watcher's own stop. */
  readonly ends: Readonly<Record<string, number>>;
}

/**
 * One watcher of one user's orders: connects, and after each end (a replica
 * or gateway gone, a refusal) connects again resuming after the last token
 * it received, until stopped. It keeps every change as it came, duplicates
 * and all, so the checker can tell what went wrong.
 */
export class OrderWatcher {
  private fromSeq: string | undefined;
  private readonly received: { seq: string; orderId: string; kind: 'CREATED' | 'CANCELLED' }[] = [];
  private readonly ends: Record<string, number> = {};
  private connects = 0;
  private lastSeq = '';
  private connection: WatchConnection | undefined;
  private stopped = false;
  private readonly running: Promise<void>;
  private progress: (() => void) | undefined;

  constructor(
    readonly id: number,
    readonly transport: WatchTransport,
    readonly userId: string,
    private readonly open: OpenWatch,
  ) {
    this.running = this.run();
  }

  private async run(): Promise<void> {
    while (!this.stopped && this.connects < MAX_CONNECTS) {
      // Watchers start on different replicas or gateways, and each reconnect goes to the next.
      const connection = (this.connection = this.open(this.userId, this.lastSeq, this.id + this.connects++, (update) => {
        if (update.kind === 'SNAPSHOT_END') this.fromSeq ??= update.seq;
        else this.received.push({ seq: update.seq, orderId: update.orderId, kind: update.kind });
        this.lastSeq = update.seq;
        this.progress?.();
      }));
      const reason = await connection.ended;
      if (this.stopped) break;
      // Numbers in the reason (ports, ids) would make every end its own kind.
      const kind = reason.replace(/\d{3,}/g, 'N').slice(0, 120);
      this.ends[kind] = (this.ends[kind] ?? 0) + 1;
      await delay(RECONNECT_DELAY_MS);
    }
  }

  /** Resolves once a change with `seq` or a later one has arrived (true), or after `timeoutMs` (false). */
  async reached(seq: string, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    const done = () => this.lastSeq !== '' && BigInt(this.lastSeq) >= BigInt(seq);
    while (!done() && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, deadline - Date.now());
        this.progress = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    this.progress = undefined;
    return done();
  }

  async stop(): Promise<WatchRecord> {
    this.stopped = true;
    this.connection?.cancel();
    await this.running;
    return {
      id: this.id,
      transport: this.transport,
      userId: this.userId,
      ...(this.fromSeq === undefined ? {} : { fromSeq: this.fromSeq }),
      received: this.received,
      connects: this.connects,
      ends: this.ends,
    };
  }
}
