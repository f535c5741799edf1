import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The identity a user is bound to: the `sub` of the access token of the
 * caller that registered itself (CreateUser without the admin role). NULL
 * for users an admin created. A subject has at most one user, which is how a
 * token proves which user it acts for.
 */
export class AddUserSubject1796700000000 implements MigrationInterface {
  name = 'AddUserSubject1796700000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE users ADD COLUMN subject text CHECK (char_length(subject) BETWEEN 1 AND 255)`);
    await db.query(`CREATE UNIQUE INDEX users_subject ON users (subject) WHERE subject IS NOT NULL`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX users_subject`);
    await db.query(`ALTER TABLE users DROP COLUMN subject`);
  }
}
