import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateDeletedUsers1795688900002 implements MigrationInterface {
  name = 'CreateDeletedUsers1795688900002';

  async up(db: QueryRunner): Promise<void> {
    // Users that user-service announced as deleted (acme.user.v1.UserDeleted).
    // CreateOrder refuses them even when user-service has not answered NOT_FOUND
    // yet, e.g. when its check ran just before the deletion.
    await db.query(`
      CREATE TABLE deleted_users (
        user_id     uuid        PRIMARY KEY,
        delete_time timestamptz NOT NULL,
        event_id    uuid        NOT NULL,
        record_time timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE deleted_users`);
  }
}
