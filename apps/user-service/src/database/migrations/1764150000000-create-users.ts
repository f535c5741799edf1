import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateUsers1764150000000 implements MigrationInterface {
  name = 'CreateUsers1764150000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE users (
        id          uuid        PRIMARY KEY,
        email       text        NOT NULL CHECK (char_length(email) BETWEEN 3 AND 254),
        name        text        NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
        create_time timestamptz NOT NULL DEFAULT now()
      )`);
    // Emails are unique regardless of letter case; the index also serves lookups by email.
    await db.query(`CREATE UNIQUE INDEX users_email_lower_key ON users (lower(email))`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE users`);
  }
}
