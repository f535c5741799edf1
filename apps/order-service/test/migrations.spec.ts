import { createTestDatabase, revertAllMigrations, type TestDatabase } from '@acme/testing';
import { runMigrations } from '@acme/persistence';
import { loadOrderServiceConfig } from '../src/config';
import { createOrderDataSource } from '../src/database/data-source';

describe('order-service migrations (real Postgres)', () => {
  let database: TestDatabase;
  const config = () => loadOrderServiceConfig({ DATABASE_URL: database.url });

  beforeAll(async () => {
    database = await createTestDatabase('orders_migrations');
  });
  afterAll(() => database.drop());

  it('create orders and order_items with money as bigint and the idempotency constraint', async () => {
    expect(await runMigrations(createOrderDataSource(config()), () => undefined)).toEqual([
      'CreateOrders1764150100000',
      'CreateOutbox1795688900000',
      'CreateInbox1795688900001',
      'CreateDeletedUsers1795688900002',
      'NotifyOutboxWrites1796083200001',
      'LockUserOrders1796400000000',
      'TraceOutboxRows1796500000000',
      'CreateOrderChanges1796600000000',
    ]);
    const tables = await database.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name`,
    );
    expect(tables.map((t) => t.table_name)).toEqual(['deleted_users', 'inbox', 'order_changes', 'order_changes_horizon', 'order_items', 'orders', 'outbox', 'schema_migrations']);
    const inboxKey = await database.query<{ def: string }>(
      `SELECT pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conrelid = 'inbox'::regclass AND contype = 'p'`,
    );
    expect(inboxKey).toEqual([{ def: 'PRIMARY KEY (consumer, event_id)' }]);

    const columns = await database.query<{ table_name: string; column_name: string; data_type: string }>(
      `SELECT table_name, column_name, data_type FROM information_schema.columns
        WHERE table_name IN ('orders', 'order_items') ORDER BY table_name, ordinal_position`,
    );
    const byTable = (t: string) => Object.fromEntries(columns.filter((c) => c.table_name === t).map((c) => [c.column_name, c.data_type]));
    expect(byTable('orders')).toMatchObject({
      id: 'uuid',
      user_id: 'uuid',
      idempotency_key: 'text',
      request_hash: 'text',
      status: 'text',
      total_cents: 'bigint',
      create_time: 'timestamp with time zone',
      update_time: 'timestamp with time zone',
    });
    expect(byTable('order_items')).toMatchObject({
      order_id: 'uuid',
      position: 'smallint',
      sku: 'text',
      quantity: 'integer',
      unit_price_cents: 'bigint',
    });

    const constraints = await database.query<{ conname: string; def: string }>(
      `SELECT conname, pg_get_constraintdef(oid) AS def FROM pg_constraint
        WHERE conrelid IN ('orders'::regclass, 'order_items'::regclass) ORDER BY conname`,
    );
    const defs = Object.fromEntries(constraints.map((c) => [c.conname, c.def]));
    expect(defs['orders_user_id_idempotency_key_key']).toBe('UNIQUE (user_id, idempotency_key)');
    // No foreign key leaves this database: users live in user-service's.
    expect(Object.values(defs).filter((d) => d.startsWith('FOREIGN KEY'))).toEqual([
      'FOREIGN KEY (order_id) REFERENCES orders(id) ON DELETE CASCADE',
    ]);
    const indexes = await database.query<{ indexname: string }>(`SELECT indexname FROM pg_indexes WHERE tablename = 'orders'`);
    expect(indexes.map((i) => i.indexname)).toContain('orders_user_id_id_idx');
  });

  it('revert cleanly', async () => {
    await revertAllMigrations(createOrderDataSource(config()));
    const tables = await database.query(
      `SELECT 1 FROM information_schema.tables WHERE table_name IN ('orders', 'order_items', 'outbox', 'inbox', 'deleted_users', 'order_changes', 'order_changes_horizon')`,
    );
    expect(tables).toHaveLength(0);
  });
});
