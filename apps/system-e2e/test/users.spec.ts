import { create } from '@bufbuild/protobuf';
import { timestampDate } from '@bufbuild/protobuf/wkt';
import { userV1 } from '@acme/contracts';
import { ServiceStack } from '@acme/testing';
import { expectStatus, status } from './support/expect-status';

describe('UserService end to end (real processes, real gRPC, real Postgres)', () => {
  let system: ServiceStack;
  beforeAll(async () => {
    system = await ServiceStack.start();
  });
  afterAll(() => system?.stop());

  it('creates, gets and deletes a user', async () => {
    const created = await system.users.createUser({ email: 'grace@example.com', name: 'Grace Hopper', idempotencyKey: '' });
    expect(created).toMatchObject({ email: 'grace@example.com', name: 'Grace Hopper' });
    expect(created.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(Math.abs(timestampDate(created.createTime!).getTime() - Date.now())).toBeLessThan(60_000);

    expect(await system.users.getUser({ id: created.id })).toEqual(created);
    expect(await system.users.deleteUser({ id: created.id })).toEqual(create(userV1.DeleteUserResponseSchema));
    await expectStatus(system.users.getUser({ id: created.id }), status.NOT_FOUND, `user ${created.id} not found`);
    await expectStatus(system.users.deleteUser({ id: created.id }), status.NOT_FOUND);
  });

  it('stores unicode and SQL metacharacters verbatim', async () => {
    const name = `Robert'); DROP TABLE users;-- \\ %_ "Zoë" 李小龍 👩🏽‍💻`;
    const created = await system.users.createUser({ email: "o'brien+tag@example.com", name, idempotencyKey: '' });
    const read = await system.users.getUser({ id: created.id });
    expect(read.name).toBe(name);
    expect(read.email).toBe("o'brien+tag@example.com");
    // ...and the database holds exactly those characters, not an escaped form.
    expect(await system.userDb.query(`SELECT name FROM users WHERE id = $1`, [created.id])).toEqual([{ name }]);
  });

  it('refuses a duplicate email in any letter case with ALREADY_EXISTS', async () => {
    await system.users.createUser({ email: 'dup@example.com', name: 'First', idempotencyKey: '' });
    await expectStatus(
      system.users.createUser({ email: 'DUP@Example.com', name: 'Second', idempotencyKey: '' }),
      status.ALREADY_EXISTS,
      'a user with email DUP@Example.com already exists',
    );
  });

  // One case per kind of field rule (buf.validate, checked before the handler).
  it.each<[Partial<{ email: string; name: string; idempotencyKey: string }>, string]>([
    [{ email: '' }, 'email: is required'],
    [{ email: 'not-an-email' }, 'email: must be a valid email address, e.g. ada@example.com'],
    [{ email: `a@${`${'b'.repeat(63)}.`.repeat(4)}com` }, 'email: must be at most 254 characters, got 261'],
    [{ name: '' }, 'name: is required'],
    [{ name: ' \t ' }, 'name: must not be blank'],
    [{ name: 'x'.repeat(201) }, 'name: must be at most 200 characters, got 201'],
    [{ name: 'a\u0000b' }, 'name: must not contain NUL characters'],
    [{ idempotencyKey: 'k'.repeat(256) }, 'idempotency_key: must be at most 255 characters, got 256'],
  ])('answers INVALID_ARGUMENT naming the field for %j, storing nothing', async (fields, message) => {
    const before = await system.userDb.query(`SELECT count(*)::int AS n FROM users`);
    const request = { email: 'rules@example.com', name: 'A', idempotencyKey: '', ...fields };
    expect(await expectStatus(system.users.createUser(request), status.INVALID_ARGUMENT)).toBe(message);
    expect(await system.userDb.query(`SELECT count(*)::int AS n FROM users`)).toEqual(before);
  });

  it.each([
    ['', 'id: is required'],
    ['nope', 'id: must be a UUID, got "nope"'],
    ['123', 'id: must be a UUID, got "123"'],
    ["' OR 1=1 --", `id: must be a UUID, got "' OR 1=1 --"`],
  ])('answers INVALID_ARGUMENT for id %p', async (id, message) => {
    expect(await expectStatus(system.users.getUser({ id }), status.INVALID_ARGUMENT)).toBe(message);
    expect(await expectStatus(system.users.deleteUser({ id }), status.INVALID_ARGUMENT)).toBe(message);
  });

  it('takes an id in either letter case', async () => {
    const created = await system.users.createUser({ email: 'upper@example.com', name: 'Upper', idempotencyKey: '' });
    expect(await system.users.getUser({ id: created.id.toUpperCase() })).toEqual(created);
    expect(await system.users.deleteUser({ id: created.id.toUpperCase() })).toEqual(create(userV1.DeleteUserResponseSchema));
    await expectStatus(system.users.getUser({ id: created.id }), status.NOT_FOUND, `user ${created.id} not found`);
  });

  describe('ListUsers', () => {
    let ids: string[];
    beforeAll(async () => {
      await system.userDb.query('DELETE FROM users');
      ids = [];
      for (let i = 0; i < 7; i++) ids.push((await system.users.createUser({ email: `page${i}@example.com`, name: `P${i}`, idempotencyKey: '' })).id);
    });

    it('pages through every user exactly once, oldest first', async () => {
      const seen: string[] = [];
      let pageToken = '';
      let pages = 0;
      do {
        const page = await system.users.listUsers({ pageSize: 3, pageToken });
        expect(page.users.length).toBeLessThanOrEqual(3);
        seen.push(...page.users.map((u) => u.id));
        pageToken = page.nextPageToken;
        pages++;
      } while (pageToken !== '');
      expect(seen).toEqual(ids);
      expect(pages).toBe(3);
    });

    it('keeps pages stable when users are added while paging', async () => {
      const first = await system.users.listUsers({ pageSize: 2, pageToken: '' });
      const added = await system.users.createUser({ email: 'late@example.com', name: 'Late', idempotencyKey: '' });
      const second = await system.users.listUsers({ pageSize: 2, pageToken: first.nextPageToken });
      expect(second.users.map((u) => u.id)).toEqual(ids.slice(2, 4));
      await system.users.deleteUser({ id: added.id });
    });

    it('uses the default page size for 0 and the last page has no token', async () => {
      const all = await system.users.listUsers({ pageSize: 0, pageToken: '' });
      expect(all.users.map((u) => u.id)).toEqual(ids);
      expect(all.nextPageToken).toBe('');
    });

    it.each([-1, 101])('rejects page_size %p', async (pageSize) => {
      await expectStatus(system.users.listUsers({ pageSize, pageToken: '' }), status.INVALID_ARGUMENT, /^page_size: /);
    });

    it('rejects a tampered page token', async () => {
      const { nextPageToken } = await system.users.listUsers({ pageSize: 1, pageToken: '' });
      const tampered = `${nextPageToken.slice(0, 4)}${nextPageToken[4] === 'A' ? 'B' : 'A'}${nextPageToken.slice(5)}`;
      await expectStatus(system.users.listUsers({ pageSize: 1, pageToken: tampered }), status.INVALID_ARGUMENT, /^page_token: /);
      await expectStatus(system.users.listUsers({ pageSize: 1, pageToken: 'garbage' }), status.INVALID_ARGUMENT, /^page_token: /);
    });
  });
});
