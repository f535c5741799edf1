import { execFile } from 'node:child_process';
import { setTimeout as delay } from 'node:timers/promises';
import { promisify } from 'node:util';
import { connect } from 'amqplib';
import { EVENTS } from '@acme/contracts';
import { countPendingEvents } from '@acme/messaging';
import { grpcServing, httpReady } from '@acme/testing';
import type { OrderChangeRow } from '../check/watch-invariants';
import type { SettledState } from '../history/records';
import { GATEWAYS, REPLICAS_PER_APP, REPLICATED_APPS } from '../plan/fault-schedule';
import { type ChaosSystem, GATEWAY, HEALTH_SERVICE } from './chaos-system';

/** How long the system gets to settle after the workload: every replica serving, the outboxes empty, the deletions applied. */
export const SETTLE_TIMEOUT_MS = 30_000;
const POLL_MS = 200;

/**
 * Polls `condition` (a database state nothing announces) until it holds or
 * `deadline` passes; returns whether it held.
 */
async function eventually(condition: () => Promise<boolean>, deadline: number): Promise<boolean> {
  while (!(await condition())) {
    if (Date.now() >= deadline) return false;
    await delay(POLL_MS);
  }
  return true;
}

/** Messages in each dead-letter queue of the run's vhost (rabbitmqctl, as the vhost itself was made). */
async function deadLetterCounts(vhost: string): Promise<Record<string, number>> {
  const { stdout } = await promisify(execFile)(process.env['RABBITMQCTL'] ?? 'rabbitmqctl', ['-q', 'list_queues', '-p', vhost, '--no-table-headers', 'name', 'messages'], { timeout: 60_000 });
  const queues = stdout
    .trim()
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter(([name]) => name?.endsWith('.dlq'));
  return Object.fromEntries(queues.map(([name, messages]) => [name as string, Number(messages)]));
}

/**
 * The message-id of every message in each dead-letter queue: taken without
 * acknowledging, so closing the channel puts them back (a person looking at
 * the vhost before it is deleted still finds them).
 */
async function deadLetterIds(brokerUrl: string, counts: Readonly<Record<string, number>>): Promise<Record<string, string[]>> {
  const connection = await connect(brokerUrl);
  try {
    const channel = await connection.createChannel();
    const ids: Record<string, string[]> = {};
    for (const [queue, count] of Object.entries(counts)) {
      const found: string[] = (ids[queue] = []);
      // Bounded by the count just read: nothing else publishes to a dead-letter queue once the system has settled.
      for (let i = 0; i < count; i++) {
        const message = await channel.get(queue, { noAck: false });
        if (message === false) break;
        found.push(typeof message.properties.messageId === 'string' ? message.properties.messageId : '(none)');
      }
    }
    await channel.close();
    return ids;
  } finally {
    await connection.close().catch(() => undefined);
  }
}

/**
 * Waits (bounded) until the system is whole and quiet, then reads what the
 * checker compares the history with. It does not fail when the bound passes:
 * whatever is still wrong then is what the checker reports.
 */
export async function settle(chaos: ChaosSystem, deletedUsers: readonly string[], poisoned: number): Promise<{ state: SettledState; settledMs: number }> {
  const began = Date.now();
  const deadline = began + SETTLE_TIMEOUT_MS;
  const { system } = chaos;
  const remaining = () => Math.max(1, deadline - Date.now());
  await Promise.allSettled([
    ...REPLICATED_APPS.flatMap((app) => Array.from({ length: REPLICAS_PER_APP }, (_, i) => grpcServing(system.address(app, i), HEALTH_SERVICE[app], remaining()))),
    ...Array.from({ length: GATEWAYS }, (_, i) => httpReady(`http://${system.address(GATEWAY, i)}/readyz`, remaining(), () => system.process(GATEWAY, i).running)),
  ]);
  const users = system.database('user-service');
  const orders = system.database('order-service');
  await eventually(async () => (await countPendingEvents(users)) + (await countPendingEvents(orders)) === 0, deadline);
  await eventually(async () => {
    const rows = await orders.query<{ n: number }>('SELECT count(*)::int AS n FROM deleted_users WHERE user_id = ANY($1::uuid[])', [deletedUsers]);
    return rows[0]?.n === deletedUsers.length;
  }, deadline);
  // The poisoned messages reach the dead-letter queue once a consumer has refused them (it may have been cut off when they came).
  await eventually(async () => Object.values(await deadLetterCounts(chaos.vhost.name)).reduce((a, b) => a + b, 0) >= poisoned, deadline);
  const settledMs = Date.now() - began;

  const [orderRows, deleted, pendingUsers, pendingOrders, events, dlq] = await Promise.all([
    orders.query<{ id: string; user_id: string; idempotency_key: string; status: string; create_ms: string }>(
      'SELECT id, user_id, idempotency_key, status, (extract(epoch FROM create_time) * 1000)::bigint AS create_ms FROM orders',
    ),
    orders.query<{ user_id: string }>('SELECT user_id FROM deleted_users'),
    countPendingEvents(users),
    countPendingEvents(orders),
    users.query<{ event_id: string }>('SELECT event_id FROM outbox WHERE event_type = $1', [EVENTS.userDeleted.type]),
    deadLetterCounts(chaos.vhost.name).then((counts) => deadLetterIds(chaos.vhost.url, counts)),
  ]);
  const inbox = await orders.query<{ event_id: string; n: number }>('SELECT event_id, count(*)::int AS n FROM inbox WHERE event_id = ANY($1::uuid[]) GROUP BY event_id', [events.map((e) => e.event_id)]);
  const inboxRows = new Map(inbox.map((row) => [row.event_id, row.n]));
  return {
    settledMs,
    state: {
      orders: orderRows.map((row) => ({ id: row.id, userId: row.user_id, idempotencyKey: row.idempotency_key, status: row.status, createMs: Number(row.create_ms) })),
      deletedUsers: deleted.map((row) => row.user_id),
      pendingOutbox: { 'user-service': pendingUsers, 'order-service': pendingOrders },
      userDeletedEvents: events.map((event) => ({ eventId: event.event_id, inboxRows: inboxRows.get(event.event_id) ?? 0 })),
      deadLettered: dlq,
    },
  };
}

/** order_changes of `userIds` (what their watchers had to receive), once the system has settled. */
export async function changesOf(chaos: ChaosSystem, userIds: readonly string[]): Promise<OrderChangeRow[]> {
  return chaos.system
    .database('order-service')
    .query<OrderChangeRow>('SELECT seq::text AS seq, user_id AS "userId", order_id AS "orderId", kind FROM order_changes WHERE user_id = ANY($1::uuid[]) ORDER BY seq', [userIds]);
}
