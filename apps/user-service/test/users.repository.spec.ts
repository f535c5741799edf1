import { v7 as uuidv7 } from 'uuid';
import { createMigratedDatabase, type MigratedDatabase } from '@acme/testing';
import { loadUserServiceConfig } from '../src/config';
import { userDatabase } from '../src/database/data-source';
import { UsersRepository } from '../src/users/users.repository';

describe('UsersRepository (real Postgres)', () => {
  let db: MigratedDatabase;
  let users: UsersRepository;

  beforeAll(async () => {
    db = await createMigratedDatabase('users_repo', (url) => loadUserServiceConfig({ DATABASE_URL: url }), userDatabase);
    users = new UsersRepository(db.sql);
  });
  afterAll(() => db.cleanup());

  it('inserts and reads back a user verbatim, with the database clock as create time', async () => {
    const id = uuidv7();
    const name = `Robert'); DROP TABLE users;-- «Ünïcødé» 😀`;
    const result = await users.insert({ id, email: 'bobby@example.com', name, idempotencyKey: '' });
    const inserted = 'inserted' in result ? result.inserted : undefined;
    expect(inserted).toMatchObject({ id, email: 'bobby@example.com', name });
    expect(inserted?.createTime).toBeInstanceOf(Date);
    expect(await users.findById(id)).toEqual(inserted);
  });

  it('reports a taken email in any letter case by returning its holder, writing nothing', async () => {
    const first = uuidv7();
    await users.insert({ id: first, email: 'case@example.com', name: 'A', idempotencyKey: '' });
    expect(await users.insert({ id: uuidv7(), email: 'CASE@Example.COM', name: 'B', idempotencyKey: 'k-case' })).toEqual({
      existing: expect.objectContaining({ id: first, email: 'case@example.com', name: 'A', idempotencyKey: '' }),
    });
    const rows = await db.database.query(`SELECT name, idempotency_key FROM users WHERE lower(email) = 'case@example.com'`);
    expect(rows).toEqual([{ name: 'A', idempotency_key: null }]);
  });

  it('reports a taken idempotency key by returning the user created with it, even for another email', async () => {
    const id = uuidv7();
    await users.insert({ id, email: 'keyed@example.com', name: 'K', idempotencyKey: 'k-keyed' });
    expect(await users.insert({ id: uuidv7(), email: 'other@example.com', name: 'O', idempotencyKey: 'k-keyed' })).toEqual({
      existing: expect.objectContaining({ id, email: 'keyed@example.com', idempotencyKey: 'k-keyed' }),
    });
    expect(await db.database.query(`SELECT 1 FROM users WHERE email = 'other@example.com'`)).toEqual([]);
  });

  it('writes one user for concurrent inserts with the same key, and every caller learns which', async () => {
    const results = await Promise.all(
      Array.from({ length: 12 }, () => users.insert({ id: uuidv7(), email: 'race@example.com', name: 'Race', idempotencyKey: 'k-race' })),
    );
    const ids = new Set(results.map((r) => ('inserted' in r ? r.inserted.id : r.existing.id)));
    expect(ids.size).toBe(1);
    expect(results.filter((r) => 'inserted' in r)).toHaveLength(1);
    expect(await db.database.query(`SELECT count(*)::int AS n FROM users WHERE idempotency_key = 'k-race'`)).toEqual([{ n: 1 }]);
  });

  it('lists in id order after a key, without gaps or repeats', async () => {
    const all = await users.listAfter(undefined, 1000);
    const ids = all.map((u) => u.id);
    expect(ids).toEqual([...ids].sort());
    const [first, ...rest] = ids;
    expect((await users.listAfter(first, 1000)).map((u) => u.id)).toEqual(rest);
    expect(await users.listAfter(ids[ids.length - 1], 10)).toEqual([]);
  });

  it('deletes once', async () => {
    const id = uuidv7();
    await users.insert({ id, email: 'gone@example.com', name: 'Gone', idempotencyKey: '' });
    expect(await users.deleteById(id)).toBe(true);
    expect(await users.deleteById(id)).toBe(false);
    expect(await users.findById(id)).toBeUndefined();
  });
});
