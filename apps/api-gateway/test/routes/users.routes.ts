import { randomUUID } from 'node:crypto';
import type { Answer } from '../support/http';
import type { Stack } from '../support/stack';

/** /users through the gateway to the real user-service. */
export function usersRoutes(stack: Stack): void {
  it('creates a user: 201, Location, camelCase JSON, RFC 3339 time, unicode kept verbatim', async () => {
    const name = 'Zoë 山田 🚀 O\'Brien';
    const created = await stack.api.post('/users', { body: { email: 'zoe@example.com', name } });
    expect(created.status).toBe(201);
    expect(created.headers.get('content-type')).toMatch(/^application\/json/);
    expect(created.body).toEqual({ id: expect.any(String), email: 'zoe@example.com', name, createTime: expect.any(String) });
    expect(created.headers.get('location')).toBe(`/users/${created.body.id}`);
    expect(new Date(created.body.createTime).toISOString()).toBe(created.body.createTime);

    const fetched = await stack.api.get(created.headers.get('location')!);
    expect(fetched.status).toBe(200);
    expect(fetched.body).toEqual(created.body);
    const rows = await stack.services.userDb.query<{ name: string }>('SELECT name FROM users WHERE id = $1', [created.body.id]);
    expect(rows).toEqual([{ name }]);
  });

  it('an Idempotency-Key makes POST /users safe to repeat: the same user again, 422 for the key with other fields, echoed', async () => {
    const key = `signup-${randomUUID()}`;
    const body = { email: 'repeat@example.com', name: 'Repeat' };
    const first = await stack.api.post('/users', { body, headers: { 'idempotency-key': key } });
    expect(first.status).toBe(201);
    expect(first.headers.get('idempotency-key')).toBe(key);
    const again = await stack.api.post('/users', { body, headers: { 'idempotency-key': key } });
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get('location')).toBe(`/users/${first.body.id}`);

    const reused = await stack.api.post('/users', { body: { ...body, name: 'Other' }, headers: { 'idempotency-key': key } });
    expect(reused.status).toBe(422);
    expect(reused.body.detail).toBe(`idempotency_key "${key}" was already used for user ${first.body.id} with a different email or name`);
    const unkeyed = await stack.api.post('/users', { body });
    expect(unkeyed.status).toBe(409);
    expect(unkeyed.headers.get('idempotency-key')).toBeNull();
    expect(await stack.services.userDb.query('SELECT id FROM users WHERE email = $1', [body.email])).toEqual([{ id: first.body.id }]);
  });

  it('keeps well-formed text that arrives escaped: a surrogate pair as \\u escapes, UTF-8 as percent-escapes', async () => {
    const created = await stack.api.post('/users', { rawBody: '{"email":"escaped@example.com","name":"\\ud83d\\ude80 Rocket"}', headers: { 'content-type': 'application/json' } });
    expect(created.status).toBe(201);
    expect(await stack.services.userDb.query('SELECT name FROM users WHERE id = $1', [created.body.id])).toEqual([{ name: '🚀 Rocket' }]);
    // The decoded token reaches user-service, which judges it (it never issued it).
    const listed = await stack.api.get('/users?page_token=caf%C3%A9');
    expect(listed.body.detail).toMatch(/^page_token: is not a page token issued/);
  });

  it('pages through users with page_size and page_token', async () => {
    for (const n of [1, 2, 3]) expect((await stack.api.post('/users', { body: { email: `page${n}@example.com`, name: `Page ${n}` } })).status).toBe(201);
    const seen: string[] = [];
    let token: string | null = null;
    do {
      const page: Answer = await stack.api.get(`/users?page_size=2${token ? `&page_token=${encodeURIComponent(token)}` : ''}`);
      expect(page.status).toBe(200);
      expect(page.body.users.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.users.map((u: { email: string }) => u.email));
      token = page.body.nextPageToken;
    } while (token);
    expect(seen).toEqual(expect.arrayContaining(['page1@example.com', 'page2@example.com', 'page3@example.com']));
    expect(new Set(seen).size).toBe(seen.length);
  });

  it('deletes a user: 204 without body, then 404 as problem+json', async () => {
    const { body: user } = await stack.api.post('/users', { body: { email: 'gone@example.com', name: 'Gone' } });
    const deleted = await stack.api.delete(`/users/${user.id}`);
    expect(deleted.status).toBe(204);
    expect(deleted.text).toBe('');
    const again = await stack.api.delete(`/users/${user.id}`);
    expect(again.status).toBe(404);
    expect(again.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(again.body).toMatchObject({ type: 'about:blank', title: 'Not Found', status: 404, instance: `/users/${user.id}` });
    expect(again.body.detail).toContain(user.id);
  });

  it('answers 404 for an unknown user, with the request id in body and header', async () => {
    const id = randomUUID();
    const answer = await stack.api.get(`/users/${id}`, { headers: { 'x-request-id': 'users-spec-404' } });
    expect(answer.status).toBe(404);
    expect(answer.headers.get('x-request-id')).toBe('users-spec-404');
    expect(answer.body).toEqual({
      type: 'about:blank',
      title: 'Not Found',
      status: 404,
      detail: `user ${id} not found`,
      instance: `/users/${id}`,
      requestId: 'users-spec-404',
    });
  });

  it('answers 409 for a duplicate email (any letter case), writing nothing', async () => {
    expect((await stack.api.post('/users', { body: { email: 'dup@example.com', name: 'First' } })).status).toBe(201);
    const duplicate = await stack.api.post('/users', { body: { email: 'DUP@example.com', name: 'Second' } });
    expect(duplicate.status).toBe(409);
    expect(duplicate.body).toMatchObject({ status: 409, title: 'Conflict' });
    expect(duplicate.body.detail).toMatch(/already exists/);
    const rows = await stack.services.userDb.query(`SELECT 1 FROM users WHERE lower(email) = 'dup@example.com'`);
    expect(rows).toHaveLength(1);
  });

  it("passes the service's own validation through as 400 (an email the edge cannot judge)", async () => {
    const answer = await stack.api.post('/users', { body: { email: 'not-an-email', name: 'X' } });
    expect(answer.status).toBe(400);
    expect(answer.body.detail).toMatch(/^email: must be a valid email address/);
  });
}
