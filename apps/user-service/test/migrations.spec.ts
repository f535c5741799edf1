import { createTestDatabase, revertAllMigrations, type TestDatabase } from '@acme/testing';
import { runMigrations } from '@acme/persistence';
import { loadUserServiceConfig } from '../src/config';
import { createUserDataSource } from '../src/database/data-source';

// The committed migrations, applied to an empty database, produce the schema
// the code relies on; and they can be reverted.
describe('user-service migrations (real Postgres)', () => {
  let database: TestDatabase;
  const config = () => loadUserServiceConfig({ DATABASE_URL: database.url });

  beforeAll(async () => {
    database = await createTestDatabase('users_migrations');
  });
  afterAll(() => database.drop());

  it('create the users table with its constraints, case-insensitive unique email, unique idempotency key and subject, and the outbox', async () => {
    const applied = await runMigrations(createUserDataSource(config()), () => undefined);
    expect(applied).toEqual([
      'CreateUsers1764150000000',
      'CreateOutbox1795688900000',
      'AddUserIdempotencyKey1796083200000',
      'NotifyOutboxWrites1796083200001',
      'TraceOutboxRows1796500000000',
      'AddUserSubject1796700000000',
    ]);

    const columns = await database.query<{ column_name: string; data_type: string; is_nullable: string }>(
      `SELECT column_name, data_type, is_nullable FROM information_schema.columns
        WHERE table_name = 'users' ORDER BY ordinal_position`,
    );
    expect(columns).toEqual([
      { column_name: 'id', data_type: 'uuid', is_nullable: 'NO' },
      { column_name: 'email', data_type: 'text', is_nullable: 'NO' },
      { column_name: 'name', data_type: 'text', is_nullable: 'NO' },
      { column_name: 'create_time', data_type: 'timestamp with time zone', is_nullable: 'NO' },
      { column_name: 'idempotency_key', data_type: 'text', is_nullable: 'YES' },
      { column_name: 'subject', data_type: 'text', is_nullable: 'YES' },
    ]);
    const subjectIndex = await database.query<{ indexdef: string }>(`SELECT indexdef FROM pg_indexes WHERE tablename = 'users' AND indexname = 'users_subject'`);
    expect(subjectIndex[0]?.indexdef).toMatch(/CREATE UNIQUE INDEX users_subject ON public\.users USING btree \(subject\) WHERE \(subject IS NOT NULL\)/);
    const keyIndex = await database.query<{ indexdef: string }>(
      `SELECT indexdef FROM pg_indexes WHERE tablename = 'users' AND indexname = 'users_idempotency_key'`,
    );
    expect(keyIndex[0]?.indexdef).toMatch(/CREATE UNIQUE INDEX users_idempotency_key ON public\.users USING btree \(idempotency_key\) WHERE \(idempotency_key IS NOT NULL\)/);
    const indexes = await database.query<{ indexdef: string }>(
      `SELECT indexdef FROM pg_indexes WHERE tablename = 'users' AND indexname = 'users_email_lower_key'`,
    );
    expect(indexes[0]?.indexdef).toMatch(/CREATE UNIQUE INDEX users_email_lower_key ON public\.users USING btree \(lower\(email\)\)/);

    const outbox = await database.query<{ column_name: string }>(
      `SELECT column_name FROM information_schema.columns WHERE table_name = 'outbox' ORDER BY ordinal_position`,
    );
    expect(outbox.map((c) => c.column_name)).toEqual([
      'id', 'event_id', 'event_type', 'routing_key', 'payload', 'create_time', 'attempts', 'next_attempt_time', 'last_error', 'sent_time', 'traceparent',
    ]);

    // The database itself refuses what the service would never write.
    await expect(database.query(`INSERT INTO users (id, email, name) VALUES (gen_random_uuid(), 'a@b.co', '')`)).rejects.toThrow(
      /check constraint/,
    );
  });

  it('are idempotent: a second run applies nothing', async () => {
    expect(await runMigrations(createUserDataSource(config()), () => undefined)).toEqual([]);
  });

  it('revert cleanly', async () => {
    await revertAllMigrations(createUserDataSource(config()));
    const tables = await database.query(`SELECT 1 FROM information_schema.tables WHERE table_name IN ('users', 'outbox')`);
    expect(tables).toHaveLength(0);
  });
});
