import { meterOf } from '@acme/telemetry';
import type { OutboxRelay } from '../outbox/outbox-relay';
import { sqlIdentifier, type SqlExecutor } from '../sql';

const meter = () => meterOf('@acme/messaging');

/**
 * The outbox's backlog, read from the table at each scrape (so it is right
 * whether or not a relay runs, e.g. without a broker): outbox.pending rows
 * and outbox.oldest_pending.age, how long the oldest has waited (0 when none
 * do). The count reads the pending-rows index only. A scrape during a database
 * outage reports nothing (the series go stale) rather than a wrong zero.
 */
export function observeOutboxBacklog(db: SqlExecutor, table: string): () => void {
  const pending = meter().createObservableGauge('outbox.pending', { description: 'Outbox rows not yet published', unit: '{row}' });
  const age = meter().createObservableGauge('outbox.oldest_pending.age', {
    description: 'How long the oldest unpublished outbox row has waited',
    unit: 's',
  });
  const sql = `SELECT count(*)::int AS n, coalesce(extract(epoch FROM now() - min(create_time)), 0)::float8 AS age
                 FROM ${sqlIdentifier(table)} WHERE sent_time IS NULL`;
  const observe = async (result: import('@opentelemetry/api').BatchObservableResult) => {
    const rows = await db.query<{ n: number; age: number }>(sql).catch(() => []);
    const row = rows[0];
    if (!row) return;
    result.observe(pending, row.n);
    result.observe(age, row.age);
  };
  meter().addBatchObservableCallback(observe, [pending, age]);
  return () => meter().removeBatchObservableCallback(observe, [pending, age]);
}

/**
 * messaging.client.sent.messages for every event the relay published
 * (confirmed by the broker) or failed to publish (error.type set; the row
 * stays pending and is retried), by exchange.
 */
export function countRelayPublishes(relay: OutboxRelay, exchange: string): void {
  const sent = meter().createCounter('messaging.client.sent.messages', {
    description: 'Events the outbox relay published, and those the broker did not confirm (error.type)',
    unit: '{message}',
  });
  const ok = { 'messaging.system': 'rabbitmq', 'messaging.destination.name': exchange };
  const failed = { ...ok, 'error.type': 'not_confirmed' };
  relay.on('cycle', (cycle) => {
    if (cycle.published > 0) sent.add(cycle.published, ok);
    if (cycle.failed > 0) sent.add(cycle.failed, failed);
  });
}
