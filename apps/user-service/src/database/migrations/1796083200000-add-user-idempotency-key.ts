import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * CreateUser's optional idempotency key, kept with the user it created so a
 * repeat of that request finds it. NULL when the request had none; a key is
 * unique across users (a key reused for another user is refused).
 */
export class AddUserIdempotencyKey1796083200000 implements MigrationInterface {
  name = 'AddUserIdempotencyKey1796083200000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE users ADD COLUMN idempotency_key text CHECK (char_length(idempotency_key) BETWEEN 1 AND 255)`);
    await db.query(`CREATE UNIQUE INDEX users_idempotency_key ON users (idempotency_key) WHERE idempotency_key IS NOT NULL`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX users_idempotency_key`);
    await db.query(`ALTER TABLE users DROP COLUMN idempotency_key`);
  }
}
