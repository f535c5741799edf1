import { randomUUID } from 'node:crypto';
import type { Answer, RequestOptions } from '../support/http';
import { jsonLines, waitForLogLine } from '../support/logs';
import type { Stack } from '../support/stack';

const MiB = 1024 * 1024;

/** A JSON body of exactly `bytes` bytes: a user whose name pads it out. */
const userBodyOfSize = (bytes: number) => {
  const empty = JSON.stringify({ email: 'big@example.com', name: '' });
  return JSON.stringify({ email: 'big@example.com', name: 'x'.repeat(bytes - empty.length) });
};

/** Bad input is answered at the edge, before any gRPC call. */
export function edgeValidationRoutes(stack: Stack): void {
  let buyer: { id: string };
  const refusedIds: string[] = [];

  /** Sends a request that must be refused here, tagged so the services' logs can be searched for it. */
  const refused = (method: string, path: string, options: RequestOptions = {}) => {
    const requestId = `edge-${refusedIds.length}-${randomUUID()}`;
    refusedIds.push(requestId);
    return stack.api.send(method, path, { ...options, headers: { ...options.headers, 'x-request-id': requestId } });
  };

  const expectProblem = (answer: Answer, status: number, detail: string | RegExp) => {
    expect(answer.status).toBe(status);
    expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(answer.body).toMatchObject({ type: 'about:blank', status, requestId: expect.any(String) });
    if (typeof detail === 'string') expect(answer.body.detail).toBe(detail);
    else expect(answer.body.detail).toMatch(detail);
  };

  beforeAll(async () => {
    buyer = (await stack.api.post('/users', { body: { email: 'edge@example.com', name: 'Edge' } })).body;
  });

  it('malformed JSON: 400', async () => {
    expectProblem(await refused('POST', '/users', { rawBody: '{"email": "a@b.co", "name": }', headers: { 'content-type': 'application/json' } }), 400, /not valid JSON/);
    expectProblem(await refused('POST', '/users', { rawBody: '{"__proto__": {"admin": true}}', headers: { 'content-type': 'application/json' } }), 400, /not valid JSON/);
    expectProblem(await refused('POST', '/users', { rawBody: '', headers: { 'content-type': 'application/json' } }), 400, /empty/);
  });

  it('wrong types: 400 naming the field, also inside arrays', async () => {
    const name = await refused('POST', '/users', { body: { email: 'a@b.co', name: 42 } });
    expectProblem(name, 400, 'name: must be a string');
    expect(name.body.invalidParams).toEqual([{ name: 'name', reason: 'must be a string' }]);
    expectProblem(await refused('POST', '/users', { body: ['a@b.co'] }), 400, 'body: must be a JSON object');
    const item = (patch: object) => ({ userId: buyer.id, items: [{ sku: 'A', quantity: 1, unitPriceCents: '1', ...patch }] });
    expectProblem(await refused('POST', '/orders', { body: item({ quantity: '2' }) }), 400, 'items[0].quantity: must be an integer');
    expectProblem(await refused('POST', '/orders', { body: item({ quantity: 1.5 }) }), 400, 'items[0].quantity: must be an integer');
    expectProblem(await refused('POST', '/orders', { body: { userId: buyer.id, items: {} } }), 400, 'items: must be an array');
  });

  it('money only as a string of digits that fits int64, and as the proto allows (>= 0)', async () => {
    const item = (unitPriceCents: unknown) => ({ userId: buyer.id, items: [{ sku: 'A', quantity: 1, unitPriceCents }] });
    expectProblem(await refused('POST', '/orders', { body: item(1999) }), 400, 'items[0].unitPriceCents: must be a string');
    for (const text of ['12.50', '1e3', ' 1', '', '9223372036854775808', '-9223372036854775809']) {
      expectProblem(await refused('POST', '/orders', { body: item(text) }), 400, /^items\[0\]\.unitPriceCents: must be an int64 as a decimal string, -9223372036854775808 to 9223372036854775807/);
    }
    expectProblem(await refused('POST', '/orders', { body: item('-5') }), 400, 'items[0].unitPriceCents: must be at least 0, got -5');
  });

  it('missing, empty, blank and unknown fields: 400 naming the field', async () => {
    expectProblem(await refused('POST', '/users', { body: { email: 'a@b.co' } }), 400, 'name: is required');
    expectProblem(await refused('POST', '/users', { body: { email: 'a@b.co', name: '   ' } }), 400, 'name: must not be blank');
    expectProblem(await refused('POST', '/users', { body: { email: '', name: 'A' } }), 400, 'email: is required');
    expectProblem(await refused('POST', '/users', { body: { email: 'a@b.co', name: 'A', admin: true } }), 400, 'admin: is not a known field');
    expectProblem(await refused('POST', '/orders', { body: { userId: buyer.id } }), 400, 'items: is required');
    expectProblem(await refused('POST', '/orders', { body: { userId: buyer.id, items: [] } }), 400, 'items: must contain at least one item');
    expectProblem(await refused('POST', '/orders', { body: { userId: buyer.id, items: [{ sku: 'A', quantity: 1 }] } }), 400, 'items[0].unitPriceCents: is required');
    expectProblem(await refused('POST', '/orders', { body: { userId: buyer.id, items: [{ sku: 'no spaces', quantity: 1, unitPriceCents: '1' }] } }), 400, 'items[0].sku: must match the pattern ^[A-Za-z0-9._-]*$');
    expectProblem(await refused('POST', '/orders', { body: { userId: 'bob', items: [{ sku: 'A', quantity: 1, unitPriceCents: '1' }] } }), 400, 'userId: must be a UUID, got "bob"');
  });

  it('path, query and header parameters: 400 naming them', async () => {
    expectProblem(await refused('GET', '/users/not-a-uuid'), 400, 'id: must be a UUID, got "not-a-uuid"');
    expectProblem(await refused('POST', '/orders/123/cancel'), 400, 'id: must be a UUID, got "123"');
    expectProblem(await refused('GET', '/users?page_size=abc'), 400, 'page_size: must be a whole number');
    expectProblem(await refused('GET', `/users/${buyer.id}/orders?page_size=101`), 400, 'page_size: must be between 0 and 100, got 101');
    expectProblem(await refused('GET', '/users?pagesize=5'), 400, 'pagesize: is not a known field');
    const body = { userId: buyer.id, items: [{ sku: 'A', quantity: 1, unitPriceCents: '1' }] };
    expectProblem(await refused('POST', '/orders', { body, headers: { 'Idempotency-Key': 'k'.repeat(256) } }), 400, 'Idempotency-Key: must be at most 255 characters');
  });

  it('strings that are not well-formed Unicode in a JSON body: 400 naming the field, nothing stored altered', async () => {
    const json = { 'content-type': 'application/json' };
    // A \u escape of half a surrogate pair: JSON.parse yields a lone surrogate, which the gRPC encoder would turn into U+FFFD.
    const lone = await refused('POST', '/users', { rawBody: '{"email":"l@example.com","name":"A\\ud800B"}', headers: json });
    expectProblem(lone, 400, /^name: contains \\ud800, half of a surrogate pair without the other half/);
    expect(lone.body.invalidParams).toEqual([{ name: 'name', reason: expect.stringMatching(/^contains \\ud800/) }]);
    const item = '{"userId":"' + buyer.id + '","items":[{"sku":"A","quantity":1,"unitPriceCents":"1"},{"sku":"B\\udc00","quantity":1,"unitPriceCents":"1"}]}';
    expectProblem(await refused('POST', '/orders', { rawBody: item, headers: json }), 400, /^items\[1\]\.sku: contains \\udc00/);
    expectProblem(await refused('POST', '/users', { rawBody: '{"email":"l@example.com","name":"A","\\ud800":1}', headers: json }), 400, /^body: has a field name that contains \\ud800/);
    // Bytes that are not UTF-8: a truncated 4-byte sequence (Fastify used to decode it to one U+FFFD and store that), and a Latin-1 é.
    for (const [bytes, shown] of [[[0xf0, 0x9f, 0x98], '0xF0 0x9F 0x98'], [[0xe9], '0xE9']] as const) {
      const body = Buffer.concat([Buffer.from('{"email":"l@example.com","name":"A'), Buffer.from(bytes), Buffer.from('B"}')]);
      expectProblem(await refused('POST', '/users', { rawBody: body, headers: json }), 400, `name: contains bytes that are not UTF-8 (${shown}); send JSON encoded as UTF-8`);
    }
    const outsideStrings = Buffer.concat([Buffer.from('{"email":"l@example.com","name":"A"}'), Buffer.from([0xff])]);
    expectProblem(await refused('POST', '/users', { rawBody: outsideStrings, headers: json }), 400, /^body: contains bytes that are not UTF-8 \(0xFF\)/);
  });

  it('query and path parameters whose percent-escapes are not UTF-8: 400 naming them, never passed on undecoded', async () => {
    expectProblem(await refused('GET', '/users?page_token=%E9'), 400, /^page_token: contains %E9, which is not UTF-8/);
    expectProblem(await refused('GET', `/users/${buyer.id}/orders?page_token=ok%ED%A0%80`), 400, /^page_token: contains %ED%A0%80, which is not UTF-8/);
    expectProblem(await refused('GET', '/users?%E9=1'), 400, /^querystring: has a field name that contains %E9/);
    expectProblem(await refused('GET', '/users/%E9'), 400, /^id: contains %E9, which is not UTF-8/);
    expectProblem(await refused('POST', '/orders/%ED%A0%80/cancel'), 400, /^id: contains %ED%A0%80, which is not UTF-8/);
    expectProblem(await refused('GET', '/users/50%'), 400, /^id: contains a % that starts no %XX escape/);
    expectProblem(await refused('GET', '/nope/%E9'), 400, /^path: contains %E9, which is not UTF-8/);
  });

  it('a body over 1 MiB: 413; exactly 1 MiB is read (and refused for its content)', async () => {
    const json = { 'content-type': 'application/json' };
    expectProblem(await refused('POST', '/users', { rawBody: userBodyOfSize(MiB + 1), headers: json }), 413, /too large/i);
    expectProblem(await refused('POST', '/users', { rawBody: userBodyOfSize(MiB), headers: json }), 400, /^name: must be at most 200 characters, got \d+$/);
  });

  it('a body that is not JSON: 415', async () => {
    expectProblem(await refused('POST', '/users', { rawBody: '{"email":"a@b.co","name":"A"}', headers: { 'content-type': 'text/plain' } }), 415, /text\/plain/);
    expectProblem(await refused('POST', '/users', { rawBody: 'email=a%40b.co&name=A', headers: { 'content-type': 'application/x-www-form-urlencoded' } }), 415, /urlencoded/);
  });

  it('an unknown route: 404 problem+json', async () => {
    expectProblem(await refused('GET', '/nope'), 404, 'there is no route GET /nope; see /docs');
    expectProblem(await refused('PUT', `/users/${buyer.id}`, { body: { name: 'B' } }), 404, /^there is no route PUT/);
  });

  it('none of those requests reached a service', async () => {
    // A request each service answers with a logged failure; its log line
    // arriving means every earlier line has arrived too (one ordered pipe).
    const barrier = `barrier-${randomUUID()}`;
    expect((await stack.api.get(`/orders/${randomUUID()}`, { headers: { 'x-request-id': barrier } })).status).toBe(404);
    expect((await stack.api.post('/orders', { body: { userId: randomUUID(), items: [{ sku: 'A', quantity: 1, unitPriceCents: '1' }] }, headers: { 'x-request-id': barrier } })).status).toBe(422);
    await waitForLogLine(stack.services.orderService, (line) => line['requestId'] === barrier);
    await waitForLogLine(stack.services.userService, (line) => line['requestId'] === barrier);

    const seen = [...jsonLines(stack.services.userService.logs), ...jsonLines(stack.services.orderService.logs)].map((line) => line['requestId']);
    expect(refusedIds.length).toBeGreaterThan(25);
    expect(refusedIds.filter((id) => seen.includes(id))).toEqual([]);
    expect(await stack.services.userDb.query(`SELECT 1 FROM users WHERE email IN ('a@b.co', 'big@example.com', 'l@example.com')`)).toEqual([]);
    expect(await stack.services.orderDb.query('SELECT id FROM orders WHERE user_id = $1', [buyer.id])).toEqual([]);
  });
}
