import { createMigratedDatabase, schemaDrift, type MigratedDatabase } from '@acme/testing';
import { loadUserServiceConfig } from '../src/config';
import { userDatabase } from '../src/database/data-source';

// The entities are the typed description of the schema; the migrations make
// it. This proves they agree (see schemaDrift for what is compared).
describe('user-service entities and migrations (real Postgres)', () => {
  let db: MigratedDatabase;
  beforeAll(async () => {
    db = await createMigratedDatabase('users_drift', (url) => loadUserServiceConfig({ DATABASE_URL: url }), userDatabase);
  });
  afterAll(() => db.cleanup());

  it('describe the same schema: TypeORM would change nothing', async () => {
    expect(await schemaDrift(db.dataSource)).toEqual([]);
  });

  it('and the check notices when they do not', async () => {
    await db.dataSource.query(`ALTER TABLE users ADD COLUMN stray text`);
    await db.dataSource.query(`DROP INDEX users_idempotency_key`);
    const drift = await schemaDrift(db.dataSource);
    expect(drift).toContain('ALTER TABLE "users" DROP COLUMN "stray"');
    expect(drift.some((q) => q.includes('"users_idempotency_key"'))).toBe(true);
  });
});
