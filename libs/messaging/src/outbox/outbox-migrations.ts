import type { MigrationInterface, QueryRunner } from 'typeorm';
import { sqlIdentifier, type SqlExecutor } from '../sql';
import { DEFAULT_OUTBOX_TABLE } from './outbox-event';
import { createOutboxNotifyTrigger, dropOutboxNotifyTrigger } from './outbox-notify';

// The outbox's migrations, shared by every publishing service: each lists
// them in its own migrations (index.ts), so the table's shape is stated here
// only and follows what the relay relies on.

/**
 * The statements that create the outbox table `table`. Rows are written in
 * the same transaction as the change an event announces; the relay publishes
 * pending rows in id order and marks them sent.
 */
export function outboxTableStatements(table = DEFAULT_OUTBOX_TABLE): string[] {
  const t = sqlIdentifier(table);
  return [
    `CREATE TABLE ${t} (
       id                bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
       event_id          uuid        NOT NULL UNIQUE,
       event_type        text        NOT NULL,
       routing_key       text        NOT NULL,
       payload           bytea       NOT NULL,
       create_time       timestamptz NOT NULL DEFAULT now(),
       attempts          integer     NOT NULL DEFAULT 0,
       next_attempt_time timestamptz NOT NULL DEFAULT now(),
       last_error        text,
       sent_time         timestamptz
     )`,
    // The relay's claim query reads only pending rows; sent ones are pruned by age.
    `CREATE INDEX ${sqlIdentifier(`${table}_pending_idx`)} ON ${t} (id) WHERE sent_time IS NULL`,
    `CREATE INDEX ${sqlIdentifier(`${table}_sent_time_idx`)} ON ${t} (sent_time) WHERE sent_time IS NOT NULL`,
  ];
}

/**
 * Creates the outbox table. (Its name and timestamp are those the services'
 * own copies had, so databases that ran them see it as applied.)
 */
export class CreateOutbox1795688900000 implements MigrationInterface {
  name = 'CreateOutbox1795688900000';

  async up(db: QueryRunner): Promise<void> {
    for (const statement of outboxTableStatements()) await db.query(statement);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE ${sqlIdentifier(DEFAULT_OUTBOX_TABLE)}`);
  }
}

/** Each commit that writes events to the outbox wakes the relay (outbox-notify.ts). */
export class NotifyOutboxWrites1796083200001 implements MigrationInterface {
  name = 'NotifyOutboxWrites1796083200001';

  async up(db: QueryRunner): Promise<void> {
    await createOutboxNotifyTrigger(db, DEFAULT_OUTBOX_TABLE);
  }

  async down(db: QueryRunner): Promise<void> {
    await dropOutboxNotifyTrigger(db, DEFAULT_OUTBOX_TABLE);
  }
}

/** The trace each row was recorded in (W3C traceparent; null when untraced), which its publish continues. */
export class TraceOutboxRows1796500000000 implements MigrationInterface {
  name = 'TraceOutboxRows1796500000000';

  async up(db: QueryRunner): Promise<void> {
    await addOutboxTraceColumn(db, DEFAULT_OUTBOX_TABLE);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE ${sqlIdentifier(DEFAULT_OUTBOX_TABLE)} DROP COLUMN traceparent`);
  }
}

/** The statement of TraceOutboxRows, for schemas built without the migrations (the library's tests). */
export async function addOutboxTraceColumn(db: SqlExecutor, table: string): Promise<void> {
  await db.query(`ALTER TABLE ${sqlIdentifier(table)} ADD COLUMN traceparent text`);
}
