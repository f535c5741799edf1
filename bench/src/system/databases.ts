import { v7 as uuidv7 } from 'uuid';
import { createTestDatabase, migrateDatabase, type TestDatabase } from '@acme/testing';

/** The four databases of one benchmark run: users and orders, for the product and for the baseline. */
export interface BenchDatabases {
  readonly productUsers: TestDatabase;
  readonly productOrders: TestDatabase;
  readonly baselineUsers: TestDatabase;
  readonly baselineOrders: TestDatabase;
  /** Users present in both users databases, with the same ids. */
  readonly userIds: readonly string[];
}

/**
 * Creates the databases on the real Postgres, applies the services' own
 * migrations to all four (the baseline works on the very same schema) and
 * seeds the same users into both users databases. On failure, whatever was
 * created is dropped again.
 */
export async function createBenchDatabases(userCount: number, log: (line: string) => void): Promise<BenchDatabases & { drop(): Promise<void> }> {
  const created: TestDatabase[] = [];
  const make = async (prefix: string) => {
    const database = await createTestDatabase(prefix);
    created.push(database);
    return database;
  };
  const drop = async () => {
    await Promise.allSettled(created.map((database) => database.drop()));
  };
  try {
    const [productUsers, productOrders, baselineUsers, baselineOrders] = [
      await make('bench_product_users'),
      await make('bench_product_orders'),
      await make('bench_baseline_users'),
      await make('bench_baseline_orders'),
    ] as const;
    log('applying the services’ migrations to the four databases');
    await Promise.all([migrateDatabase('user-service', productUsers.url), migrateDatabase('order-service', productOrders.url)]);
    await Promise.all([migrateDatabase('user-service', baselineUsers.url), migrateDatabase('order-service', baselineOrders.url)]);
    const userIds = Array.from({ length: userCount }, () => uuidv7());
    const emails = userIds.map((_, i) => `bench-user-${i}@example.com`);
    const names = userIds.map((_, i) => `Bench User ${i}`);
    for (const database of [productUsers, baselineUsers]) {
      await database.query(`INSERT INTO users (id, email, name) SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[])`, [userIds, emails, names]);
      await database.query('ANALYZE users');
    }
    return { productUsers, productOrders, baselineUsers, baselineOrders, userIds, drop };
  } catch (error) {
    await drop();
    throw error;
  }
}
