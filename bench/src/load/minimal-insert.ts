import { randomBytes } from 'node:crypto';
import { Pool } from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { summarizeLatencies } from '@acme/testing';
import type { LoadOutcome } from './h2load';
import { ORDER_ITEMS } from './grpc-messages';

/**
 * The anchor of the order write: the rows one CreateOrder leaves behind (an
 * order, its items, its outbox row) written by one prepared statement straight
 * through pg, with no service, no idempotency replay, no tombstone check and
 * no lock. Its Postgres CPU per insert is what the schema itself costs; the
 * product's CreateOrder is measured against it.
 */
const MINIMAL_INSERT = `
  WITH new_order AS (
    INSERT INTO orders (id, user_id, idempotency_key, request_hash, status, total_cents)
    VALUES ($1::uuid, $2::uuid, $3::text, 'anchor', 'CREATED', $4::bigint)
    RETURNING id
  ), new_items AS (
    INSERT INTO order_items (order_id, position, sku, quantity, unit_price_cents)
    SELECT new_order.id, item.position, item.sku, item.quantity, item.unit_price_cents
      FROM new_order, unnest($5::text[], $6::integer[], $7::bigint[]) WITH ORDINALITY AS item (sku, quantity, unit_price_cents, position)
  ), new_event AS (
    INSERT INTO outbox (event_id, event_type, routing_key, payload)
    SELECT $8::uuid, 'acme.order.v1.OrderCreated', 'order.v1.created', $9::bytea FROM new_order
  )
  SELECT 1 AS one FROM new_order`;

const ANCHOR_CONNECTIONS = 16;
const TOTAL = ORDER_ITEMS.reduce((sum, item) => sum + BigInt(item.quantity ?? 0) * (item.unitPriceCents ?? 0n), 0n).toString();
const SKUS = ORDER_ITEMS.map((item) => item.sku);
const QUANTITIES = ORDER_ITEMS.map((item) => item.quantity);
const PRICES = ORDER_ITEMS.map((item) => String(item.unitPriceCents));
// About the size of an encoded OrderCreated.
const PAYLOAD = randomBytes(64);

/**
 * A pool that stays open across runs: the measured Postgres CPU is read from
 * the backends after each run, so they must outlive it. Close it at the end.
 */
export function minimalInsertLoad(url: string, userIds: readonly string[], keyPrefix: string) {
  // As many connections as a service's pool has at most (DATABASE_POOL_SIZE's range is set far higher, but the
  // four bench databases share one server's max_connections): more loops than connections wait in the pool.
  const pool = new Pool({ connectionString: url, max: ANCHOR_CONNECTIONS, application_name: 'bench-minimal-insert' });
  let sequence = 0;
  const insertOne = () => {
    const n = sequence++;
    return pool.query({
      name: 'minimal-insert',
      text: MINIMAL_INSERT,
      values: [uuidv7(), userIds[n % userIds.length], `${keyPrefix}-${n}`, TOTAL, SKUS, QUANTITIES, PRICES, uuidv7(), PAYLOAD],
    });
  };
  return {
    /** `concurrency` loops inserting back to back for `durationS`. */
    async load(concurrency: number, durationS: number): Promise<LoadOutcome> {
      const latencies: number[] = [];
      let errors = 0;
      let errorSample: string | undefined;
      const cpuBefore = process.cpuUsage();
      const started = performance.now();
      const deadline = started + durationS * 1000;
      const worker = async () => {
        while (performance.now() < deadline) {
          const t = performance.now();
          try {
            await insertOne();
            latencies.push((performance.now() - t) * 1000);
          } catch (error) {
            errors++;
            errorSample ??= error instanceof Error ? error.message : String(error);
          }
        }
      };
      await Promise.all(Array.from({ length: concurrency }, worker));
      const wallMs = performance.now() - started;
      const cpu = process.cpuUsage(cpuBefore);
      return {
        requests: latencies.length,
        errors,
        ...(errorSample ? { errorSample } : {}),
        durationS: wallMs / 1000,
        latency: summarizeLatencies(latencies),
        generatorCpuUs: cpu.user + cpu.system,
        generatorWallMs: wallMs,
      };
    },
    close: () => pool.end(),
  };
}
