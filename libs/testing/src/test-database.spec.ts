import { createServer } from 'node:net';
import { createTestDatabase, TEST_POSTGRES_ADMIN_URL } from './test-database';
import { freePort } from './free-port';
import { Client } from 'pg';

async function databaseExists(name: string): Promise<boolean> {
  const admin = new Client({ connectionString: TEST_POSTGRES_ADMIN_URL });
  await admin.connect();
  try {
    return (await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount === 1;
  } finally {
    await admin.end();
  }
}

describe('createTestDatabase (real Postgres)', () => {
  it('creates a uniquely named, usable database and drops it even while connected', async () => {
    const [a, b] = await Promise.all([createTestDatabase('testing_lib'), createTestDatabase('testing_lib')]);
    try {
      expect(a.name).not.toBe(b.name);
      expect(a.name).toMatch(/^testing_lib_[a-z0-9]+_[0-9a-f]{8}$/);
      await a.query('CREATE TABLE t (v text)');
      await a.query('INSERT INTO t VALUES ($1)', ['x']);
      expect(await a.query('SELECT v FROM t')).toEqual([{ v: 'x' }]);
      expect(await databaseExists(a.name)).toBe(true);

      const lingering = new Client({ connectionString: a.url });
      await lingering.connect();
      lingering.on('error', () => undefined); // DROP ... WITH (FORCE) ends this session
      await a.drop();
      expect(await databaseExists(a.name)).toBe(false);
    } finally {
      await b.drop();
    }
  });
});

describe('freePort', () => {
  it('returns a port that can be listened on', async () => {
    const port = await freePort();
    await new Promise<void>((resolve, reject) => {
      const server = createServer().once('error', reject);
      server.listen(port, '127.0.0.1', () => server.close(() => resolve()));
    });
  });
});
