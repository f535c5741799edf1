import type { EventContract, EventMessage } from '@acme/contracts';
import { sqlIdentifier, type SqlExecutor } from '../sql';

/** A row to be written to the outbox, in the same transaction as the change it announces. */
export interface OutboxEvent {
  readonly eventId: string;
  readonly type: string;
  readonly routingKey: string;
  readonly payload: Uint8Array;
}

/** Encodes an event message for the outbox. */
export function outboxEvent<T extends EventMessage>(contract: EventContract<T>, message: T): OutboxEvent {
  return { eventId: message.eventId, type: contract.type, routingKey: contract.routingKey, payload: contract.encode(message) };
}

/**
 * The outbox table every publishing service creates in its own database (in
 * its own migration; this is the shape the relay relies on):
 *
 *   CREATE TABLE outbox (
 *     id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,  -- publish order
 *     event_id          uuid        NOT NULL UNIQUE,
 *     event_type        text        NOT NULL,
 *     routing_key       text        NOT NULL,
 *     payload           bytea       NOT NULL,
 *     create_time       timestamptz NOT NULL DEFAULT now(),
 *     attempts          integer     NOT NULL DEFAULT 0,
 *     next_attempt_time timestamptz NOT NULL DEFAULT now(),
 *     last_error        text,
 *     sent_time         timestamptz
 *   );
 *   CREATE INDEX outbox_pending_idx ON outbox (id) WHERE sent_time IS NULL;
 *   CREATE INDEX outbox_sent_time_idx ON outbox (sent_time) WHERE sent_time IS NOT NULL;
 */
export const DEFAULT_OUTBOX_TABLE = 'outbox';

/**
 * Appends events to the outbox with `db`, which must be the transaction that
 * makes the change they announce: both commit, or neither does.
 */
export async function appendToOutbox(db: SqlExecutor, events: readonly OutboxEvent[], table = DEFAULT_OUTBOX_TABLE): Promise<void> {
  if (events.length === 0) return;
  await db.query(
    `INSERT INTO ${sqlIdentifier(table)} (event_id, event_type, routing_key, payload)
     SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::bytea[])
     RETURNING id`,
    [
      events.map((e) => e.eventId),
      events.map((e) => e.type),
      events.map((e) => e.routingKey),
      events.map((e) => Buffer.from(e.payload.buffer, e.payload.byteOffset, e.payload.byteLength)),
    ],
  );
}
