import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The transactional outbox (layout documented in @acme/messaging's outbox-event.ts). */
export class CreateOutbox1795688900000 implements MigrationInterface {
  name = 'CreateOutbox1795688900000';

  async up(db: QueryRunner): Promise<void> {
    // Written in the same transaction as the change an event announces;
    // the relay publishes pending rows in id order and marks them sent.
    await db.query(`
      CREATE TABLE outbox (
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
      )`);
    // The relay's claim query reads only pending rows; sent ones are pruned by age.
    await db.query(`CREATE INDEX outbox_pending_idx ON outbox (id) WHERE sent_time IS NULL`);
    await db.query(`CREATE INDEX outbox_sent_time_idx ON outbox (sent_time) WHERE sent_time IS NOT NULL`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE outbox`);
  }
}
