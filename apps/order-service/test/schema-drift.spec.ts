import { createMigratedDatabase, schemaDrift, type MigratedDatabase } from '@acme/testing';
import { loadOrderServiceConfig } from '../src/config';
import { orderDatabase } from '../src/database/data-source';

// The entities are the typed description of the schema; the migrations make
// it. This proves they agree (see schemaDrift for what is compared).
describe('order-service entities and migrations (real Postgres)', () => {
  let db: MigratedDatabase;
  beforeAll(async () => {
    db = await createMigratedDatabase('orders_drift', (url) => loadOrderServiceConfig({ DATABASE_URL: url }), orderDatabase);
  });
  afterAll(() => db.cleanup());

  it('describe the same schema: TypeORM would change nothing', async () => {
    expect(await schemaDrift(db.dataSource)).toEqual([]);
  });

  it('and the check notices when they do not', async () => {
    await db.dataSource.query(`ALTER TABLE orders ADD COLUMN stray text`);
    await db.dataSource.query(`DROP INDEX orders_user_id_id_idx`);
    const drift = await schemaDrift(db.dataSource);
    expect(drift).toContain('ALTER TABLE "orders" DROP COLUMN "stray"');
    expect(drift.some((q) => q.includes('"orders_user_id_id_idx"'))).toBe(true);
  });
});
