import { randomUUID } from 'node:crypto';
import { waitForLogLine } from '../support/logs';
import { exchange, rawRequest, type RawResponse } from '../support/raw-http';
import type { Stack } from '../support/stack';

/** Every visible ASCII character, '!' to '~'. */
const VISIBLE_ASCII = String.fromCharCode(...Array.from({ length: 0x7e - 0x21 + 1 }, (_, i) => 0x21 + i));
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Header values the gateway echoes, stores or forwards, sent as raw bytes
 * (fetch refuses bytes outside ASCII). Node reads header bytes as latin1
 * and writes strings back as UTF-8, so only ASCII survives the round trip.
 */
export function headerBytesRoutes(stack: Stack): void {
  const newBuyer = async (): Promise<string> => (await stack.api.post('/users', { body: { email: `raw-${randomUUID()}@example.com`, name: 'Raw' } })).body.id;
  const createOrder = (userId: string, headers: [string, string][]) =>
    exchange(
      stack.gateway.url,
      rawRequest('POST', '/orders', [['Content-Type', 'application/json'], ['Authorization', `Bearer ${stack.token}`], ...headers], JSON.stringify({ userId, items: [{ sku: 'RAW', quantity: 1, unitPriceCents: '100' }] })),
    );
  /** What order-service holds, asked the way a client would. */
  const ordersOf = async (userId: string): Promise<string[]> => (await stack.api.get(`/users/${userId}/orders`)).body.orders.map((o: { id: string }) => o.id);
  const headerText = (answer: RawResponse, name: string) => answer.rawHeaders.get(name)?.toString('latin1');

  const expectRefusedKey = (answer: RawResponse, reason: RegExp) => {
    expect(answer.status).toBe(400);
    expect(headerText(answer, 'content-type')).toMatch(/^application\/problem\+json/);
    expect(answer.body.invalidParams).toEqual([{ name: 'Idempotency-Key', reason: expect.stringMatching(reason) }]);
    expect(answer.body.detail).toMatch(/^Idempotency-Key: /);
    // A refused key is not echoed: there is nothing to retry with.
    expect(answer.rawHeaders.has('idempotency-key')).toBe(false);
  };

  it('refuses an Idempotency-Key with a byte outside ASCII, so a retry with the echoed key cannot place a second order', async () => {
    const buyer = await newBuyer();
    expectRefusedKey(await createOrder(buyer, [['Idempotency-Key', 'key\xe9']]), /visible ASCII/);
    // The gateway used to echo that key as UTF-8 (6b 65 79 c3 a9); those bytes, sent back, read as another key.
    expectRefusedKey(await createOrder(buyer, [['Idempotency-Key', 'key\xc3\xa9']]), /visible ASCII/);
    expect(await ordersOf(buyer)).toEqual([]);
  });

  it('echoes a key of every visible ASCII character byte for byte; the retry with those bytes returns the same order', async () => {
    const buyer = await newBuyer();
    const first = await createOrder(buyer, [['Idempotency-Key', VISIBLE_ASCII]]);
    expect(first.status).toBe(201);
    const echoed = first.rawHeaders.get('idempotency-key')!;
    expect(echoed).toEqual(Buffer.from(VISIBLE_ASCII, 'latin1'));
    const retry = await createOrder(buyer, [['Idempotency-Key', echoed.toString('latin1')]]);
    expect(retry.status).toBe(201);
    expect(retry.body.id).toBe(first.body.id);
    expect(await ordersOf(buyer)).toEqual([first.body.id]);
    const rows = await stack.services.orderDb.query<{ idempotency_key: string }>('SELECT idempotency_key FROM orders WHERE user_id = $1', [buyer]);
    expect(rows).toEqual([{ idempotency_key: VISIBLE_ASCII }]);
  });

  it('refuses a key with a space, an empty key and a repeated header (which Node would join with ", ")', async () => {
    const buyer = await newBuyer();
    expectRefusedKey(await createOrder(buyer, [['Idempotency-Key', 'two words']]), /no spaces/);
    expectRefusedKey(await createOrder(buyer, [['Idempotency-Key', '']]), /must not be empty/);
    expectRefusedKey(await createOrder(buyer, [['Idempotency-Key', 'a'], ['Idempotency-Key', 'b']]), /no spaces/);
    expect(await ordersOf(buyer)).toEqual([]);
  });

  it('replaces an x-request-id with a byte outside ASCII, in the answer and in what it forwards, never echoing it re-encoded', async () => {
    const answer = await exchange(stack.gateway.url, rawRequest('GET', `/users/${randomUUID()}`, { 'x-request-id': 'trace-\xe9', Authorization: `Bearer ${stack.token}` }));
    expect(answer.status).toBe(404);
    const replaced = headerText(answer, 'x-request-id');
    expect(replaced).toMatch(UUID);
    expect(answer.body.requestId).toBe(replaced);
    // user-service logs its NOT_FOUND with the id it was sent: the replacement.
    await waitForLogLine(stack.services.userService, (line) => line['requestId'] === replaced);
  });

  it('quotes a Content-Type with bytes outside ASCII as \\x escapes in the 415 detail', async () => {
    const answer = await exchange(stack.gateway.url, rawRequest('POST', '/users', { 'Content-Type': 'text/plain; charset=caf\xe9', Authorization: `Bearer ${stack.token}` }, '{}'));
    expect(answer.status).toBe(415);
    expect(answer.body.detail).toBe('the body must be application/json, not text/plain; charset=caf\\xE9');
  });
}
