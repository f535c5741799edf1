import { createTestVhost, type TestVhost } from '@acme/messaging/testing';
import { launchSystem, OtlpReceiver, type ReceivedSpan, type RunningSystem } from '@acme/testing';

const SERVER = 2;
const CLIENT = 3;
const PRODUCER = 4;
const CONSUMER = 5;
const ERROR = 2;
const GRPC_SCOPE = '@opentelemetry/instrumentation-grpc';

/** The trace id a traced response quotes in its traceparent header. */
function traceIdOf(response: Response): string {
  const traceparent = response.headers.get('traceparent') ?? '';
  const match = /^00-([0-9a-f]{32})-[0-9a-f]{16}-0[01]$/.exec(traceparent);
  if (!match?.[1]) throw new Error(`no usable traceparent header: ${JSON.stringify(traceparent)}`);
  return match[1];
}

// Real gateway, order-service and user-service (and RabbitMQ) exporting OTLP
// to a receiver in this test: one trace across HTTP, two gRPC hops and
// Postgres, and on through the outbox and the broker.
describe('tracing (real processes, OTLP to a test receiver)', () => {
  let receiver: OtlpReceiver;
  let vhost: TestVhost;
  let system: RunningSystem;
  let gateway: string;
  let authorization: string;

  beforeAll(async () => {
    [receiver, vhost] = await Promise.all([OtlpReceiver.start(), createTestVhost('e2e_tracing')]);
    system = await launchSystem({
      apps: ['user-service', 'order-service', 'api-gateway'],
      brokerUrl: vhost.url,
      env: { ...receiver.env, LOG_LEVEL: 'info' },
    });
    gateway = `http://${system.address('api-gateway')}`;
    // order-service declares its queue when it starts consuming; events published before would be dropped.
    await system.process('order-service').waitForOutput('consuming order-service.user-events');
    authorization = `Bearer ${await system.identity.token('admin')}`;
  });
  afterAll(async () => {
    await system?.stop();
    await receiver?.stop();
    await vhost?.delete();
  });

  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${gateway}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization, ...headers }, body: JSON.stringify(body) });

  it('follows POST /orders from the edge through order-service and user-service to Postgres as one trace', async () => {
    const user = (await (await post('/users', { email: 'traced@example.com', name: 'Traced' })).json()) as { id: string };
    const response = await post('/orders', { userId: user.id, items: [{ sku: 'T-1', quantity: 1, unitPriceCents: '100' }] });
    expect(response.status).toBe(201);
    const traceId = traceIdOf(response);

    // Each process exports on its own schedule: wait for every hop, and for the statements that write and read.
    const has = (service: string, test: (s: ReceivedSpan) => boolean) => (all: readonly ReceivedSpan[]) =>
      all.some((s) => s.traceId === traceId && s.service === service && test(s));
    const expected = [
      has('api-gateway', (s) => s.name === 'POST /orders'),
      has('api-gateway', (s) => s.kind === CLIENT),
      has('order-service', (s) => s.kind === SERVER),
      has('order-service', (s) => /^pg\.query:INSERT orders/.test(s.name)),
      has('order-service', (s) => s.kind === CLIENT && s.scope === GRPC_SCOPE),
      has('user-service', (s) => s.kind === SERVER),
      has('user-service', (s) => /^pg\.query:SELECT users/.test(s.name)),
    ];
    await receiver.waitFor((all) => expected.every((found) => found(all)), 'every hop of the POST /orders trace');
    const trace = receiver.trace(traceId);

    const edge = trace.find((s) => s.name === 'POST /orders');
    expect(edge).toMatchObject({ service: 'api-gateway', kind: SERVER, parentSpanId: '' });
    const parentOf = (span: ReceivedSpan | undefined) => trace.find((s) => s.spanId === span?.parentSpanId);
    const grpc = (service: string, kind: number) => trace.find((s) => s.service === service && s.kind === kind && s.scope === GRPC_SCOPE);
    const orderClient = grpc('api-gateway', CLIENT);
    const orderServer = grpc('order-service', SERVER);
    const userClient = grpc('order-service', CLIENT);
    const userServer = grpc('user-service', SERVER);
    expect(orderClient?.name).toBe('grpc.acme.order.v1.OrderService/CreateOrder');
    expect(parentOf(orderClient)).toBe(edge);
    expect(parentOf(orderServer)).toBe(orderClient);
    expect(userClient?.name).toBe('grpc.acme.user.v1.UserService/GetUser');
    expect(parentOf(userClient)).toBe(orderServer);
    expect(parentOf(userServer)).toBe(userClient);
    // Postgres statements sit under the server span that made them, named by what they do.
    const queries = trace.filter((s) => s.scope === '@opentelemetry/instrumentation-pg' && s.name.startsWith('pg.query'));
    expect(queries.filter((q) => q.service === 'order-service').map((q) => parentOf(q))).toEqual(
      queries.filter((q) => q.service === 'order-service').map(() => orderServer),
    );
    expect(queries.map((q) => q.name)).toEqual(expect.arrayContaining([expect.stringMatching(/^pg\.query:INSERT orders #\d+/), expect.stringMatching(/^pg\.query:SELECT users #\d+/)]));
    expect(trace.every((s) => s.statusCode !== ERROR)).toBe(true);
    // One tree: every span but the edge's has its parent in the trace.
    expect(trace.filter((s) => s !== edge && !parentOf(s))).toEqual([]);
  });

  it('marks the spans of a refused order as errors, and logs carry the trace id', async () => {
    const response = await post('/orders', { userId: '01890a5d-ac96-774b-bcce-b302099a8057', items: [{ sku: 'T-1', quantity: 1, unitPriceCents: '1' }] });
    expect(response.status).toBe(422);
    const traceId = traceIdOf(response);
    await receiver.waitFor(
      (all) => all.some((s) => s.traceId === traceId && s.service === 'order-service' && s.kind === SERVER),
      'order-service server span of the refused order',
    );
    const server = receiver.trace(traceId).find((s) => s.service === 'order-service' && s.kind === SERVER);
    expect(server?.statusCode).toBe(ERROR);
    // The gateway's access line for this request carries the trace it belongs to.
    await system.process('api-gateway').waitForOutput(new RegExp(`"trace_id":"${traceId}"`));
  });

  it('traces no health checks, readiness probes or reflection', async () => {
    expect(await fetch(`${gateway}/readyz`).then((r) => r.status)).toBe(200);
    expect(await fetch(`${gateway}/healthz`).then((r) => r.status)).toBe(200);
    // Spans are exported in batches: one more traced request flushes whatever the probes would have made.
    const marker = traceIdOf(await post('/users', { email: 'marker@example.com', name: 'Marker' }));
    await receiver.waitFor((all) => all.some((s) => s.traceId === marker && s.service === 'user-service'), 'the marker trace');
    const noise = receiver.spans.filter((s) => /health|readyz|healthz|Reflection|Check|Watch/i.test(s.name));
    expect(noise).toEqual([]);
  });

  it('follows DELETE /users/{id} through the outbox and RabbitMQ to the orders it cancels, and their OrderCancelled', async () => {
    const user = (await (await post('/users', { email: 'leaving@example.com', name: 'Leaving' })).json()) as { id: string };
    expect((await post('/orders', { userId: user.id, items: [{ sku: 'T-2', quantity: 1, unitPriceCents: '5' }] })).status).toBe(201);
    const response = await fetch(`${gateway}/users/${user.id}`, { method: 'DELETE', headers: { authorization } });
    expect(response.status).toBe(204);
    const traceId = traceIdOf(response);

    // Each process exports on its own schedule: wait for every hop, up to order-service publishing OrderCancelled.
    const hops: [string, number][] = [['user-service', SERVER], ['user-service', PRODUCER], ['order-service', CONSUMER], ['order-service', PRODUCER]];
    await receiver.waitFor(
      (all) => hops.every(([service, kind]) => all.some((s) => s.traceId === traceId && s.service === service && s.kind === kind)),
      'every hop of the DELETE /users trace',
    );
    const trace = receiver.trace(traceId);
    const parentOf = (span: ReceivedSpan | undefined) => trace.find((s) => s.spanId === span?.parentSpanId);
    const deleteServer = trace.find((s) => s.service === 'user-service' && s.kind === SERVER);
    const userPublish = trace.find((s) => s.service === 'user-service' && s.kind === PRODUCER);
    const consume = trace.find((s) => s.service === 'order-service' && s.kind === CONSUMER);
    const orderPublish = trace.find((s) => s.service === 'order-service' && s.kind === PRODUCER);
    expect(deleteServer?.name).toBe('grpc.acme.user.v1.UserService/DeleteUser');
    // The relay publishes in the trace the outbox row was written in, the consumer continues the message's.
    expect(parentOf(userPublish)).toBe(deleteServer);
    expect(parentOf(consume)).toBe(userPublish);
    expect(parentOf(orderPublish)?.spanId).toBe(consume?.spanId);
    // The consumer's database work (inbox, tombstone, cancellations) is under its span.
    const consumerQueries = trace.filter((s) => s.service === 'order-service' && s.name.startsWith('pg.query'));
    expect(consumerQueries.map((q) => q.name)).toEqual(expect.arrayContaining([expect.stringMatching(/^pg\.query:UPDATE orders #\d+/)]));
    expect(consumerQueries.every((q) => parentOf(q) === consume)).toBe(true);
  });
});
