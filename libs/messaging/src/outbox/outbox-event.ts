import { bufferView, type EventContract, type EventMessage } from '@acme/contracts';
import { activeTraceparent } from '@acme/telemetry';
import { sqlIdentifier, type SqlExecutor } from '../sql';

/** A row to be written to the outbox, in the same transaction as the change it announces. */
export interface OutboxEvent {
  readonly eventId: string;
  readonly type: string;
  readonly routingKey: string;
  readonly payload: Uint8Array;
  /** The trace the change was made in (W3C traceparent), so the publish and what consumers do continue it. */
  readonly traceparent: string | null;
}

/** Encodes an event message for the outbox, with the trace of the operation recording it (if traced). */
export function outboxEvent<T extends EventMessage>(contract: EventContract<T>, message: T): OutboxEvent {
  return {
    eventId: message.eventId,
    type: contract.type,
    routingKey: contract.routingKey,
    payload: contract.encode(message),
    traceparent: activeTraceparent() ?? null,
  };
}

/** The outbox table's name; its shape is outboxTableStatements() (outbox-migrations.ts). */
export const DEFAULT_OUTBOX_TABLE = 'outbox';

/** The columns a writer fills; the relay's columns (attempts, sent_time...) take their defaults. */
const WRITTEN_COLUMNS = '(event_id, event_type, routing_key, payload, traceparent)';

/** The payload as pg binds bytea. */
const payloadBytes = (event: OutboxEvent): Buffer => bufferView(event.payload);

/**
 * Appends events to the outbox with `db`, which must be the transaction that
 * makes the change they announce: both commit, or neither does.
 */
export async function appendToOutbox(db: SqlExecutor, events: readonly OutboxEvent[], table = DEFAULT_OUTBOX_TABLE): Promise<void> {
  if (events.length === 0) return;
  await db.query(
    `INSERT INTO ${sqlIdentifier(table)} ${WRITTEN_COLUMNS}
     SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::bytea[], $5::text[])
     RETURNING id`,
    [
      events.map((e) => e.eventId),
      events.map((e) => e.type),
      events.map((e) => e.routingKey),
      events.map(payloadBytes),
      events.map((e) => e.traceparent),
    ],
  );
}

/**
 * For a service that writes its change and its event in one statement (one
 * round trip): the INSERT of one event, as a data-modifying CTE body that
 * writes the row once per row of `from` (none when the change wrote nothing),
 * its values bound from parameter `$firstParam` on (outboxInsertValues).
 */
export function outboxInsertSql(from: string, firstParam: number, table = DEFAULT_OUTBOX_TABLE): string {
  const p = (i: number) => `$${firstParam + i}`;
  return `INSERT INTO ${sqlIdentifier(table)} ${WRITTEN_COLUMNS}
           SELECT ${p(0)}::uuid, ${p(1)}::text, ${p(2)}::text, ${p(3)}::bytea, ${p(4)}::text FROM ${from}`;
}

/** The parameter values outboxInsertSql binds, in its order. */
export const outboxInsertValues = (event: OutboxEvent): unknown[] => [
  event.eventId,
  event.type,
  event.routingKey,
  payloadBytes(event),
  event.traceparent,
];
