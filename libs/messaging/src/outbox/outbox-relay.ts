import { EventEmitter } from 'node:events';
import { Logger } from '@nestjs/common';
import type { ConfirmPublisher } from '../amqp/confirm-publisher';
import type { OutgoingEvent } from '../amqp/event-message';
import { sqlIdentifier, type SqlDatabase, type SqlExecutor } from '../sql';
import { WakeSignal } from '../wake-signal';
import { DEFAULT_OUTBOX_TABLE } from './outbox-event';
import { OutboxListener } from './outbox-notify';

export interface OutboxRelayOptions {
  readonly table?: string;
  /** Rows claimed, published and marked per cycle. */
  readonly batchSize: number;
  /** Pause between cycles when there is nothing to do (a nudge cuts it short). */
  readonly pollIntervalMs: number;
  /** A row whose publish failed waits initial * 2^(attempts - 1), at most max, before its next try. */
  readonly retryInitialDelayMs?: number;
  readonly retryMaxDelayMs?: number;
  /** Sent rows are kept this long (for inspection), then deleted. */
  readonly retentionMs?: number;
}

/** What one cycle did (emitted as 'cycle' after each commit that marked rows, for metrics and tests). */
export interface RelayCycle {
  readonly claimed: number;
  readonly published: number;
  readonly failed: number;
}

interface PendingRow {
  id: string;
  event_id: string;
  event_type: string;
  routing_key: string;
  payload: Buffer;
  create_time: Date;
  traceparent: string | null;
}

const PRUNE_EVERY_MS = 3_600_000;
const PRUNE_BATCH = 1_000;

/**
 * Publishes what the service wrote to its outbox table, at least once.
 *
 * Each cycle, in one database transaction: claim the oldest pending rows with
 * FOR UPDATE SKIP LOCKED (a second replica running the same loop skips them
 * and takes the next ones, so no row is published by two replicas in one
 * cycle), publish them and wait for the broker's confirms, then mark the
 * confirmed rows sent and give the others a retry time with exponential
 * backoff. A crash after publishing and before the commit leaves the rows
 * pending, so they are published again: consumers deduplicate on event id.
 *
 * The loop runs after each commit that wrote rows (the outbox's trigger
 * notifies every replica listening on the database, see outbox-notify.ts: no
 * service has to remember to call anything), every poll interval (retries
 * that came due, notifications missed while the listening connection was
 * down), and as soon as the broker is back after an outage; it does not touch
 * the table while the broker is unreachable.
 */
export class OutboxRelay extends EventEmitter<{ cycle: [RelayCycle] }> {
  private readonly logger = new Logger('OutboxRelay');
  private readonly wake = new WakeSignal();
  private readonly table: string;
  private stopping: AbortController | undefined;
  private loop: Promise<void> | undefined;
  private lastPrune = 0;
  private failing = false;
  private listener: OutboxListener | undefined;

  constructor(
    private readonly db: SqlDatabase,
    private readonly publisher: ConfirmPublisher,
    private readonly options: OutboxRelayOptions,
  ) {
    super();
    this.table = sqlIdentifier(options.table ?? DEFAULT_OUTBOX_TABLE);
  }

  start(): void {
    if (this.loop) return;
    const stopping = new AbortController();
    this.stopping = stopping;
    this.listener = new OutboxListener({
      url: this.db.url,
      table: this.table,
      onWritten: () => this.nudge(),
      reconnectDelayMs: this.options.pollIntervalMs,
    });
    void this.listener.start();
    this.loop = this.run(stopping.signal);
  }

  /** Something was committed to the outbox: publish it now rather than at the next poll. */
  nudge(): void {
    this.wake.nudge();
  }

  /** Stops after the current cycle (whose publishes are confirmed or failed and whose marks are committed). */
  async stop(): Promise<void> {
    this.stopping?.abort();
    this.wake.nudge();
    await this.listener?.stop();
    this.listener = undefined;
    await this.loop;
    this.loop = undefined;
  }

  /** Claims, publishes and marks one batch. Exposed for tests and tools; the loop calls it. */
  async relayOnce(): Promise<RelayCycle> {
    const cycle = await this.db.transaction(async (tx) => {
      const rows = await tx.query<PendingRow>(
        `SELECT id::text, event_id, event_type, routing_key, payload, create_time, traceparent
           FROM ${this.table}
          WHERE sent_time IS NULL AND next_attempt_time <= now()
          ORDER BY id
          LIMIT $1
          FOR UPDATE SKIP LOCKED`,
        [this.options.batchSize],
      );
      if (rows.length === 0) return { claimed: 0, published: 0, failed: [] };
      const results = await this.publisher.publishAll(rows.map(toOutgoing));
      const sent = rows.filter((_, i) => results[i]?.ok).map((r) => r.id);
      const failed = rows.flatMap((r, i) => {
        const result = results[i];
        return result && !result.ok ? [{ id: r.id, error: result.error }] : [];
      });
      await this.markSent(tx, sent);
      await this.scheduleRetries(tx, failed);
      return { claimed: rows.length, published: sent.length, failed };
    });
    if (cycle.claimed === 0) return { claimed: 0, published: 0, failed: 0 };
    // Reported once the marks are committed: what a listener hears is what the table says.
    this.report(cycle.claimed, cycle.published, cycle.failed);
    const done = { claimed: cycle.claimed, published: cycle.published, failed: cycle.failed.length };
    this.emit('cycle', done);
    return done;
  }

  private async run(signal: AbortSignal): Promise<void> {
    const pending = await countPendingEvents(this.db, this.table).catch(() => undefined);
    this.logger.log(`outbox relay started${pending === undefined ? '' : `: ${pending} events pending`}`);
    let databaseFailures = 0;
    while (!signal.aborted) {
      if (!this.publisher.usable) {
        await this.publisher.whenUsable(signal);
        continue;
      }
      let cycle: RelayCycle;
      try {
        cycle = await this.relayOnce();
        databaseFailures = 0;
      } catch (error) {
        databaseFailures += 1;
        const delay = Math.min(this.options.pollIntervalMs * 2 ** databaseFailures, 30_000);
        this.logger.warn(`outbox relay cannot read the outbox (${message(error)}); retrying in ${delay} ms`);
        await this.wake.wait(delay);
        continue;
      }
      await this.pruneIfDue();
      // A full batch means more may be waiting: go again without pausing.
      if (cycle.claimed === this.options.batchSize && cycle.failed === 0) continue;
      await this.wake.wait(this.options.pollIntervalMs);
    }
    this.logger.log('outbox relay stopped');
  }

  private async markSent(db: SqlExecutor, ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await db.query(
      `WITH marked AS (
         UPDATE ${this.table} SET sent_time = now(), last_error = NULL WHERE id = ANY($1::bigint[]) RETURNING id
       ) SELECT count(*)::int AS n FROM marked`,
      [ids],
    );
  }

  private async scheduleRetries(db: SqlExecutor, failed: readonly { id: string; error: string }[]): Promise<void> {
    if (failed.length === 0) return;
    await db.query(
      `WITH retried AS (
         UPDATE ${this.table} AS o
            SET attempts = o.attempts + 1,
                last_error = f.error,
                next_attempt_time = now() + least($3::float8, $4::float8 * power(2, o.attempts)) * interval '1 millisecond'
           FROM unnest($1::bigint[], $2::text[]) AS f (id, error)
          WHERE o.id = f.id
         RETURNING o.id
       ) SELECT count(*)::int AS n FROM retried`,
      [failed.map((f) => f.id), failed.map((f) => f.error), this.options.retryMaxDelayMs ?? 60_000, this.options.retryInitialDelayMs ?? 500],
    );
  }

  private report(claimed: number, published: number, failed: readonly { error: string }[]): void {
    if (failed.length > 0) {
      this.failing = true;
      this.logger.warn(
        `published ${published} of ${claimed} events; ${failed.length} stay in the outbox and are retried with backoff (${failed[0]?.error})`,
      );
    } else if (this.failing) {
      this.failing = false;
      this.logger.log(`publishing works again: published ${published} events`);
    } else {
      this.logger.debug(`published ${published} events`);
    }
  }

  /** Deletes sent rows older than the retention, a bounded batch at a time, about once an hour. */
  private async pruneIfDue(): Promise<void> {
    const now = Date.now();
    if (now - this.lastPrune < PRUNE_EVERY_MS) return;
    this.lastPrune = now;
    try {
      for (;;) {
        const rows = await this.db.query<{ n: number }>(
          `WITH pruned AS (
             DELETE FROM ${this.table} WHERE id IN (
               SELECT id FROM ${this.table}
                WHERE sent_time < now() - $1::float8 * interval '1 millisecond'
                ORDER BY sent_time LIMIT ${PRUNE_BATCH})
             RETURNING id
           ) SELECT count(*)::int AS n FROM pruned`,
          [this.options.retentionMs ?? 7 * 86_400_000],
        );
        if ((rows[0]?.n ?? 0) < PRUNE_BATCH) return;
      }
    } catch (error) {
      this.logger.warn(`could not prune sent outbox rows: ${message(error)}`);
    }
  }
}

/** Rows not yet published. */
export async function countPendingEvents(db: SqlExecutor, table = DEFAULT_OUTBOX_TABLE): Promise<number> {
  const rows = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${sqlIdentifier(table)} WHERE sent_time IS NULL`);
  return rows[0]?.n ?? 0;
}

const toOutgoing = (row: PendingRow): OutgoingEvent => ({
  eventId: row.event_id,
  type: row.event_type,
  routingKey: row.routing_key,
  payload: row.payload,
  recordTime: row.create_time,
  traceparent: row.traceparent,
});

const message = (error: unknown): string => (error instanceof Error ? error.message : String(error));
