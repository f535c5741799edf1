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
 */
@Injectable()
export class OrderChangeFeed implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('OrderChangeFeed');
  // An array, not a Set, per user: most users have one watcher, and an array of one is the smaller.
  private readonly watchers = new Map<string, Watcher[]>();
  private cursor = '0';
  private reading: Promise<void> | undefined;
  private again = false;
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
   */
  subscribe(userId: string, stream: PushedStream<orderV1.OrderUpdate>): Watcher {
    const watcher = new Watcher(userId, stream, this.config.WATCH_MAX_PENDING_UPDATES);
    const list = this.watchers.get(userId);
    // Copied, never changed in place: a delivery that ends a stream (and so removes its watcher) may be iterating the list.
    this.watchers.set(userId, list ? [...list, watcher] : [watcher]);
    this.live++;
    stream.onEnd(() => this.remove(watcher));
    return watcher;
  }

  private remove(watcher: Watcher): void {
    const list = this.watchers.get(watcher.userId);
    if (!list?.includes(watcher)) return;
    this.live--;
    if (list.length === 1) this.watchers.delete(watcher.userId);
    else this.watchers.set(watcher.userId, list.filter((other) => other !== watcher));
  }

  private wake(): void {
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
