import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Event ids already processed, per consumer (layout documented in @acme/messaging's inbox.ts). */
export class CreateInbox1795688900001 implements MigrationInterface {
  name = 'CreateInbox1795688900001';

  async up(db: QueryRunner): Promise<void> {
    // A row is inserted in the transaction that applies an event's effect, so a
    // redelivered event finds it and changes nothing.
    await db.query(`
      CREATE TABLE inbox (
        consumer       text        NOT NULL,
        event_id       uuid        NOT NULL,
        event_type     text        NOT NULL,
        processed_time timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (consumer, event_id)
      )`);
    await db.query(`CREATE INDEX inbox_processed_time_idx ON inbox (processed_time)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE inbox`);
  }
}
