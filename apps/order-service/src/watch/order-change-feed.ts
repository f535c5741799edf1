import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { orderV1 } from '@acme/contracts';
import type { PushedStream } from '@acme/grpc-kit';
import { OutboxListener } from '@acme/messaging';
import { Database } from '@acme/persistence';
import { meterOf } from '@acme/telemetry';
import { ORDER_SERVICE_CONFIG, type OrderServiceConfig } from '../config';
import { type OrderChange, OrderChangesRepository } from './order-changes.repository';
import { Watcher } from './watcher';
import { CHANGE_PRUNE_INTERVAL_MS, CHANGE_READ_BATCH, LISTEN_RECONNECT_DELAY_MS } from './watch-limits';

/**
 * This replica's view of order_changes: one LISTEN connection, woken by the
 * NOTIFY every commit to order_changes sends (from any replica), reads what
 * is new once and hands each change to its user's watchers (which push it
 * onto their streams). The table, not the notification, is the source: a lost or late NOTIFY (the
 * connection was cut) only delays a read, which after a reconnect catches up.
 * A replica without watchers reads nothing (under a write load, reading every
 * change for nobody was Postgres work per order); its cursor is brought up to
 * date before its next watcher reads its own catch-up.
 */
@Injectable()
export class OrderChangeFeed implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('OrderChangeFeed');
  // An array, not a Set, per user: most users have one watcher, and an array of one is the smaller.
  private readonly watchers = new Map<string, Watcher[]>();
  private cursor = '0';
  private reading: Promise<void> | undefined;
  private again = false;
  /** No watcher since a change was skipped: the cursor lags, and is caught up (catchUp) before the next watcher reads. */
  private stale = false;
  private catchingUp: Promise<void> | undefined;
  private listener: OutboxListener | undefined;
  private pruning: NodeJS.Timeout | undefined;
  private live = 0;

  constructor(
    private readonly db: Database,
    private readonly changes: OrderChangesRepository,
    @Inject(ORDER_SERVICE_CONFIG) private readonly config: OrderServiceConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    meterOf('order-service')
      .createObservableGauge('order_watch.subscriptions', { description: 'Live WatchOrders streams on this replica', unit: '{stream}' })
      .addCallback((gauge) => gauge.observe(this.live));
    this.cursor = await this.changes.latestSeq().catch(() => '0');
    this.listener = new OutboxListener({ url: this.db.url, table: 'order_changes', onWritten: () => this.wake(), reconnectDelayMs: LISTEN_RECONNECT_DELAY_MS });
    await this.listener.start();
    this.pruning = setInterval(() => void this.changes.prune().catch((error: Error) => this.logger.warn(`pruning order_changes failed: ${error.message}`)), CHANGE_PRUNE_INTERVAL_MS);
    this.pruning.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.pruning);
    await this.listener?.stop();
  }

  /** Live watch streams on this replica. */
  get subscriptions(): number {
    return this.live;
  }

  /**
   * A watcher that receives every change of `userId` read from now on, onto
   * `stream`, until the stream ends (whatever ends it removes the watcher).
   * Resolves once the feed reads every change after the ones visible now, so
   * that the caller's catch-up, read after this, meets it without a gap.
   */
  async subscribe(userId: string, stream: PushedStream<orderV1.OrderUpdate>): Promise<Watcher> {
    const watcher = new Watcher(userId, stream, this.config.WATCH_MAX_PENDING_UPDATES);
    const list = this.watchers.get(userId);
    // Copied, never changed in place: a delivery that ends a stream (and so removes its watcher) may be iterating the list.
    this.watchers.set(userId, list ? [...list, watcher] : [watcher]);
    this.live++;
    stream.onEnd(() => this.remove(watcher));
    if (this.stale) await (this.catchingUp ??= this.catchUp());
    return watcher;
  }

  /**
   * The cursor moved to the last change visible now: everything up to it is
   * in the table for a watcher's own catch-up (seqs become visible in order,
   * see the create-order-changes migration), everything after it the feed
   * reads. Then reads what came meanwhile.
   */
  private async catchUp(): Promise<void> {
    try {
      this.cursor = await this.changes.latestSeq();
      this.stale = false;
    } finally {
      this.catchingUp = undefined;
    }
    this.wake();
  }

  private remove(watcher: Watcher): void {
    const list = this.watchers.get(watcher.userId);
    if (!list?.includes(watcher)) return;
    this.live--;
    if (list.length === 1) this.watchers.delete(watcher.userId);
    else this.watchers.set(watcher.userId, list.filter((other) => other !== watcher));
  }

  private wake(): void {
    // Nobody to hand a change to, or a catch-up under way (which wakes the feed when done).
    if (this.live === 0 || this.catchingUp) {
      if (!this.reading) this.stale = true;
      else this.again = true;
      return;
    }
    if (this.reading) {
      this.again = true;
      return;
    }
    this.reading = this.readNew().finally(() => {
      this.reading = undefined;
      if (this.again) this.wake();
    });
  }

  private async readNew(): Promise<void> {
    try {
      let batch: OrderChange[];
      do {
        this.again = false;
        batch = await this.changes.changesAfter(this.cursor, CHANGE_READ_BATCH);
        for (const change of batch) {
          this.cursor = change.seq;
          for (const watcher of this.watchers.get(change.userId) ?? []) watcher.deliver(change);
        }
      } while (batch.length === CHANGE_READ_BATCH || this.again);
    } catch (error) {
      // The next NOTIFY (or the listener's reconnect) reads again from the same cursor.
      this.logger.warn(`reading order_changes failed: ${(error as Error).message}`);
    }
  }
}
