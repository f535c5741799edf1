import { v7 as uuidv7 } from 'uuid';
import { SqlStatements } from '@acme/persistence';
import { createMigratedDatabase, type MigratedDatabase } from '@acme/testing';
import { loadUserServiceConfig } from '../src/config';
import { userDataSourceOptions } from '../src/database/data-source';
import { UsersRepository } from '../src/users/users.repository';

describe('UsersRepository (real Postgres)', () => {
  let db: MigratedDatabase;
  let users: UsersRepository;

  beforeAll(async () => {
    db = await createMigratedDatabase('users_repo', (url) => userDataSourceOptions(loadUserServiceConfig({ DATABASE_URL: url })));
    users = new UsersRepository(new SqlStatements(db.dataSource));
  });
  afterAll(() => db.cleanup());

  it('inserts and reads back a user verbatim, with the database clock as create time', async () => {
    const id = uuidv7();
    const name = `Robert'); DROP TABLE users;-- «Ünïcødé» 😀`;
    const inserted = await users.insert({ id, email: 'bobby@example.com', name });
    expect(inserted).toMatchObject({ id, email: 'bobby@example.com', name });
    expect(inserted?.createTime).toBeInstanceOf(Date);
    expect(await users.findById(id)).toEqual(inserted);
  });

  it('reports a taken email in any letter case as undefined, writing nothing', async () => {
    await users.insert({ id: uuidv7(), email: 'case@example.com', name: 'A' });
    expect(await users.insert({ id: uuidv7(), email: 'CASE@Example.COM', name: 'B' })).toBeUndefined();
    const rows = await db.database.query(`SELECT name FROM users WHERE lower(email) = 'case@example.com'`);
    expect(rows).toEqual([{ name: 'A' }]);
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
    await users.insert({ id, email: 'gone@example.com', name: 'Gone' });
    expect(await users.deleteById(id)).toBe(true);
    expect(await users.deleteById(id)).toBe(false);
    expect(await users.findById(id)).toBeUndefined();
  });
});
