import { sqlIdentifier, type SqlExecutor } from '../sql';

/**
 * The inbox table a consuming service creates in its own database (in its own
 * migration; this is the shape the consumer relies on):
 *
 *   CREATE TABLE inbox (
 *     consumer       text        NOT NULL,   -- which consumer (queue) processed it
 *     event_id       uuid        NOT NULL,
 *     event_type     text        NOT NULL,
 *     processed_time timestamptz NOT NULL DEFAULT now(),
 *     PRIMARY KEY (consumer, event_id)
 *   );
 *   CREATE INDEX inbox_processed_time_idx ON inbox (processed_time);
 */
export const DEFAULT_INBOX_TABLE = 'inbox';

/**
 * Records that `consumer` processed the event, in the transaction that applies
 * its effect. False when it was recorded before: the event is a redelivery or
 * a duplicate publish, and its effect must not be applied again. A concurrent
 * insert of the same id waits for the other transaction and then reports
 * false (or true, if that one rolled back).
 */
export async function recordInInbox(
  tx: SqlExecutor,
  entry: { consumer: string; eventId: string; type: string },
  table = DEFAULT_INBOX_TABLE,
): Promise<boolean> {
  const rows = await tx.query(
    `INSERT INTO ${sqlIdentifier(table)} (consumer, event_id, event_type) VALUES ($1, $2, $3)
     ON CONFLICT (consumer, event_id) DO NOTHING
     RETURNING event_id`,
    [entry.consumer, entry.eventId, entry.type],
  );
  return rows.length === 1;
}

/** Deletes inbox entries older than `retentionMs` (far longer than any redelivery can take). */
export async function pruneInbox(db: SqlExecutor, retentionMs: number, table = DEFAULT_INBOX_TABLE): Promise<number> {
  const rows = await db.query<{ n: number }>(
    `WITH pruned AS (
       DELETE FROM ${sqlIdentifier(table)} WHERE processed_time < now() - $1::float8 * interval '1 millisecond' RETURNING 1
     ) SELECT count(*)::int AS n FROM pruned`,
    [retentionMs],
  );
  return rows[0]?.n ?? 0;
}
