import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { APPS, metricNamesIn, OBSERVABILITY_DIR, type Sample, useMetricsSystem } from './support/metrics-system';

const RULES_DIR = join(OBSERVABILITY_DIR, 'prometheus/rules');
const OK = 0;
const NOT_FOUND = 5;
const FAILED_PRECONDITION = 9;

/** The sum of `name` over the samples whose labels include `labels`. */
function total(samples: readonly Sample[], name: string, labels: Record<string, string | number> = {}): number {
  return samples
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === String(v)))
    .reduce((sum, s) => sum + s.value, 0);
}

/** Every metric name the rules' expressions read (recorded series excepted: they come from the rules). */
function metricNamesInRules(): Set<string> {
  const recorded = new Set<string>();
  const read = new Set<string>();
  for (const file of readdirSync(RULES_DIR).filter((f) => f.endsWith('.yml'))) {
    const doc = parse(readFileSync(join(RULES_DIR, file), 'utf8')) as { groups: { rules: { record?: string; expr: string }[] }[] };
    for (const rule of doc.groups.flatMap((g) => g.rules)) {
      if (rule.record) recorded.add(rule.record);
      for (const name of metricNamesIn(rule.expr)) read.add(name);
    }
  }
  return new Set([...read].filter((n) => !recorded.has(n)));
}

/** A scraped family name for a metric a rule reads: histograms are scraped as _bucket/_count/_sum. */
const scrapedNames = (samples: readonly Sample[]) => new Set(samples.map((s) => s.name));

// Real gateway, order-service and user-service (and RabbitMQ), each serving
// Prometheus metrics on a port of its own: after a known sequence of calls the
// counts by method and status are exactly those calls, probes are not counted,
// and every metric the alert rules read exists.
describe('metrics (real processes, Prometheus scrape)', () => {
  const metrics = useMetricsSystem('e2e_metrics');
  const { scrape, post } = metrics;

  it('counts each request and call by method, route and status, and no probes', async () => {
    const user = (await (await post('/users', { email: 'metered@example.com', name: 'Metered' })).json()) as { id: string };
    const item = { sku: 'M-1', quantity: 1, unitPriceCents: '100' };
    const created: string[] = [];
    for (let i = 0; i < 2; i++) {
      const response = await post('/orders', { userId: user.id, items: [item] });
      expect(response.status).toBe(201);
      created.push(((await response.json()) as { id: string }).id);
    }
    expect((await post('/orders', { userId: '01890a5d-ac96-774b-bcce-b302099a8057', items: [item] })).status).toBe(422);
    for (let i = 0; i < 3; i++) expect((await metrics.call(`/orders/${created[0]}`)).status).toBe(200);
    expect((await metrics.call('/orders/01890a5d-ac96-774b-bcce-b302099a8058')).status).toBe(404);
    for (const probe of ['/healthz', '/readyz']) expect((await fetch(`${metrics.gateway}${probe}`)).status).toBe(200);

    const edge = await scrape('api-gateway');
    const http = (method: string, route: string, status: number) =>
      total(edge, 'http_server_request_duration_count', { http_request_method: method, http_route: route, http_response_status_code: status });
    expect(http('POST', '/orders', 201)).toBe(2);
    expect(http('POST', '/orders', 422)).toBe(1);
    expect(http('GET', '/orders/:id', 200)).toBe(3);
    expect(http('GET', '/orders/:id', 404)).toBe(1);
    expect(http('POST', '/users', 201)).toBe(1);
    // Probes are not traffic; and every request counted is one of the above.
    expect(edge.filter((s) => /healthz|readyz/.test(s.labels['http_route'] ?? ''))).toEqual([]);
    expect(total(edge, 'http_server_request_duration_count')).toBe(8);
    // The 300 ms bucket the latency SLO reads exists.
    expect(edge.some((s) => s.name === 'http_server_request_duration_bucket' && s.labels['le'] === '0.3')).toBe(true);

    const rpc = (samples: readonly Sample[], side: 'server' | 'client', service: string, method: string, code: number) =>
      total(samples, `rpc_${side}_duration_count`, { rpc_service: service, rpc_method: method, rpc_grpc_status_code: code });
    const ORDERS = 'acme.order.v1.OrderService';
    const USERS = 'acme.user.v1.UserService';
    // Each call the gateway made to order-service is counted on both sides of that hop, with the same status.
    const orderCalls: [string, number, number][] = [
      ['CreateOrder', OK, 2],
      ['CreateOrder', FAILED_PRECONDITION, 1],
      ['GetOrder', OK, 3],
      ['GetOrder', NOT_FOUND, 1],
    ];
    const orders = await scrape('order-service');
    for (const [method, code, count] of orderCalls) {
      expect(`${method} ${code}: ${rpc(edge, 'client', ORDERS, method, code)}`).toBe(`${method} ${code}: ${count}`);
      expect(`${method} ${code}: ${rpc(orders, 'server', ORDERS, method, code)}`).toBe(`${method} ${code}: ${count}`);
    }
    expect(rpc(orders, 'client', USERS, 'GetUser', OK)).toBe(2);
    expect(rpc(orders, 'client', USERS, 'GetUser', NOT_FOUND)).toBe(1);

    const users = await scrape('user-service');
    expect(rpc(users, 'server', USERS, 'GetUser', OK)).toBe(2);
    expect(rpc(users, 'server', USERS, 'GetUser', NOT_FOUND)).toBe(1);
    expect(rpc(users, 'server', USERS, 'CreateUser', OK)).toBe(1);
    // The launcher's readiness and the gateway's /readyz ask grpc.health.v1: not counted.
    for (const samples of [users, orders]) expect(samples.filter((s) => s.labels['rpc_service']?.startsWith('grpc.'))).toEqual([]);
  });

  it('follows an event from the outbox through the relay to the consumer', async () => {
    const user = (await (await post('/users', { email: 'leaving-metered@example.com', name: 'Leaving' })).json()) as { id: string };
    expect((await metrics.call(`/users/${user.id}`, { method: 'DELETE' })).status).toBeLessThan(300);
    const processed = async () =>
      total(await scrape('order-service'), 'messaging_client_consumed_messages_total', { outcome: 'processed', messaging_destination_name: 'order-service.user-events' });
    for (const deadline = Date.now() + 15_000; (await processed()) < 1 && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 200));
    expect(await processed()).toBe(1);

    const users = await scrape('user-service');
    expect(total(users, 'messaging_client_sent_messages_total', { messaging_system: 'rabbitmq' })).toBeGreaterThanOrEqual(1);
    expect(users.filter((s) => s.name === 'messaging_client_sent_messages_total' && s.labels['error_type'])).toEqual([]);
    expect(total(users, 'outbox_pending')).toBe(0);
    const orders = await scrape('order-service');
    expect(total(orders, 'messaging_dlq_messages', { messaging_destination_name: 'order-service.user-events.dlq' })).toBe(0);
  });

  it('exposes the pool, runtime and process metrics, and every metric the alert rules read', async () => {
    const scraped = await Promise.all(APPS.map((app) => scrape(app)));
    for (const samples of scraped) {
      const names = scrapedNames(samples);
      for (const name of ['nodejs_eventloop_delay_p99', 'process_cpu_time_total', 'process_memory_usage', 'v8js_memory_heap_used']) {
        expect([name, names.has(name)]).toEqual([name, true]);
      }
    }
    const [users, orders] = scraped as [Sample[], Sample[], Sample[]];
    for (const samples of [users, orders]) {
      expect(samples.some((s) => s.name === 'db_client_connection_count' && s.labels['db_client_connection_state'] === 'used')).toBe(true);
      expect(scrapedNames(samples).has('db_client_connection_pending_requests')).toBe(true);
      expect(scrapedNames(samples).has('outbox_oldest_pending_age')).toBe(true);
    }
    const everything = new Set(scraped.flatMap((samples) => [...scrapedNames(samples)]));
    const read = [...metricNamesInRules()].sort();
    // (The parser finds the rules' names: the check below is not vacuous.)
    expect(read).toEqual(expect.arrayContaining(['http_server_request_duration_count', 'outbox_oldest_pending_age']));
    expect(read.filter((name) => !everything.has(name))).toEqual([]);
  });
});
