import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { Database, type PostgresSettings } from '../src';

// Real Postgres. The database is made here with pg itself: @acme/testing builds on this lib, so it cannot be used from here.
const ADMIN_URL = process.env['TEST_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';

async function admin(sql: string): Promise<void> {
  const client = new Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

describe('Database (real Postgres)', () => {
  const name = `persistence_${randomBytes(4).toString('hex')}`;
  const url = Object.assign(new URL(ADMIN_URL), { pathname: `/${name}` }).toString();
  const settings = (overrides: Partial<PostgresSettings> = {}): PostgresSettings => ({
    url,
    applicationName: 'persistence-test',
    poolSize: 1,
    connectTimeoutMs: 2_000,
    statementTimeoutMs: 5_000,
    ...overrides,
  });
  let db: Database;

  beforeAll(async () => {
    await admin(`CREATE DATABASE ${name}`);
    db = new Database(settings());
    await db.query('CREATE TABLE notes (id int PRIMARY KEY, body text NOT NULL)');
  });
  afterEach(() => db.query('TRUNCATE notes'));
  afterAll(async () => {
    await db.close();
    await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  });

  it('prepares each SQL text once per connection and reuses it', async () => {
    const text = 'SELECT body FROM notes WHERE id = $1';
    await db.query('INSERT INTO notes VALUES ($1, $2) RETURNING id', [1, 'one']);
    // One pooled connection: every statement below runs on the same session.
    expect(await db.query(text, [1])).toEqual([{ body: 'one' }]);
    expect(await db.query(text, [2])).toEqual([]);
    const prepared = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_prepared_statements WHERE statement = $1', [text]);
    expect(prepared).toEqual([{ n: 1 }]);
  });

  it('commits what the work did, and returns its result', async () => {
    const result = await db.transaction(async (tx) => {
      await tx.query('INSERT INTO notes VALUES ($1, $2) RETURNING id', [1, 'kept']);
      return 'done';
    });
    expect(result).toBe('done');
    expect(await db.query('SELECT body FROM notes')).toEqual([{ body: 'kept' }]);
  });

  it('rolls back when the work throws, and rethrows its error', async () => {
    const failure = new Error('the work failed');
    await expect(
      db.transaction(async (tx) => {
        await tx.query('INSERT INTO notes VALUES ($1, $2) RETURNING id', [1, 'lost']);
        throw failure;
      }),
    ).rejects.toBe(failure);
    expect(await db.query('SELECT body FROM notes')).toEqual([]);
  });

  it('refuses a statement on a transaction that is over', async () => {
    let escaped: Parameters<Parameters<Database['transaction']>[0]>[0] | undefined;
    await db.transaction(async (tx) => {
      escaped = tx;
    });
    await expect(escaped?.query('SELECT 1')).rejects.toThrow('this transaction is over');
  });

  it('discards a connection that died inside a transaction, so the next statement gets a working one', async () => {
    await expect(db.transaction((tx) => tx.query('SELECT pg_terminate_backend(pg_backend_pid())'))).rejects.toThrow(/terminat/);
    // The pool holds one connection: had the dead one been returned, this would fail.
    expect(await db.query<{ one: number }>('SELECT 1 AS one')).toEqual([{ one: 1 }]);
  });

  it('waits for an unreachable database a bounded number of times, then says so', async () => {
    const nowhere = new Database(settings({ url: 'postgres://postgres@127.0.0.1:1/none', connectTimeoutMs: 200 }));
    try {
      await expect(nowhere.waitUntilReachable(2, 10)).rejects.toThrow('the database did not answer after 2 attempts: connect ECONNREFUSED');
    } finally {
      await nowhere.close();
      await nowhere.close(); // closing twice is harmless (shutdown paths may both close)
    }
  });
});
