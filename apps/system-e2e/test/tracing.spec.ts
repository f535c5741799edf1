import { launchSystem, OtlpReceiver, type ReceivedSpan, type RunningSystem } from '@acme/testing';

const SERVER = 2;
const CLIENT = 3;
const ERROR = 2;
const GRPC_SCOPE = '@opentelemetry/instrumentation-grpc';

/** The trace id a traced response quotes in its traceparent header. */
function traceIdOf(response: Response): string {
  const traceparent = response.headers.get('traceparent') ?? '';
  const match = /^00-([0-9a-f]{32})-[0-9a-f]{16}-0[01]$/.exec(traceparent);
  if (!match?.[1]) throw new Error(`no usable traceparent header: ${JSON.stringify(traceparent)}`);
  return match[1];
}

// Real gateway, order-service and user-service exporting OTLP to a receiver in
// this test: one trace across HTTP, two gRPC hops and Postgres.
describe('tracing (real processes, OTLP to a test receiver)', () => {
  let receiver: OtlpReceiver;
  let system: RunningSystem;
  let gateway: string;

  beforeAll(async () => {
    receiver = await OtlpReceiver.start();
    system = await launchSystem({ apps: ['user-service', 'order-service', 'api-gateway'], env: { ...receiver.env, LOG_LEVEL: 'info' } });
    gateway = `http://${system.address('api-gateway')}`;
  });
  afterAll(async () => {
    await system?.stop();
    await receiver?.stop();
  });

  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${gateway}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

  it('follows POST /orders from the edge through order-service and user-service to Postgres as one trace', async () => {
    const user = (await (await post('/users', { email: 'traced@example.com', name: 'Traced' })).json()) as { id: string };
    const response = await post('/orders', { userId: user.id, items: [{ sku: 'T-1', quantity: 1, unitPriceCents: '100' }] });
    expect(response.status).toBe(201);
    const traceId = traceIdOf(response);

    const spans = (await receiver.waitFor(
      (all) => all.some((s) => s.traceId === traceId && s.service === 'user-service' && s.kind === SERVER),
      'user-service server span in the POST /orders trace',
    )).filter((s) => s.traceId === traceId);
    await receiver.waitFor((all) => all.filter((s) => s.traceId === traceId).some((s) => s.name === 'POST /orders'), 'the edge span');
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
    expect(spans.every((s) => s.statusCode !== ERROR)).toBe(true);
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
});
