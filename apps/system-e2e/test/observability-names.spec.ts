import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { APPS, metricNamesIn, OBSERVABILITY_DIR, useMetricsSystem } from './support/metrics-system';

// What the Grafana dashboard and the Prometheus rules query must exist: a
// misspelled metric or label gives an empty panel and an alert that never
// fires, and nothing else would say so (the dashboard cannot run here). Real
// gateway, order-service and user-service serving metrics, driven through
// each path the dashboard shows (orders made and refused, reads, a deleted
// user's event through the outbox to the consumer), then scraped.

const RULES_DIR = join(OBSERVABILITY_DIR, 'prometheus/rules');
const DASHBOARDS_DIR = join(OBSERVABILITY_DIR, 'grafana/dashboards');
// Added by Prometheus (job, instance) or by the histogram format (le), never by the services.
const SCRAPE_LABELS = new Set(['job', 'instance', 'le']);

interface Query {
  readonly source: string;
  readonly expr: string;
}

/** Every PromQL expression the rules and the dashboards hold, with where it comes from. */
function queries(): { queries: Query[]; recorded: Set<string> } {
  const recorded = new Set<string>();
  const found: Query[] = [];
  for (const file of readdirSync(RULES_DIR).filter((f) => f.endsWith('.yml'))) {
    const doc = parse(readFileSync(join(RULES_DIR, file), 'utf8')) as { groups: { rules: { record?: string; alert?: string; expr: string }[] }[] };
    for (const rule of doc.groups.flatMap((g) => g.rules)) {
      if (rule.record) recorded.add(rule.record);
      found.push({ source: `${file} ${rule.record ?? rule.alert}`, expr: rule.expr });
    }
  }
  type Panel = { title?: string; targets?: { expr?: string }[]; panels?: Panel[] };
  for (const file of readdirSync(DASHBOARDS_DIR).filter((f) => f.endsWith('.json'))) {
    const dashboard = JSON.parse(readFileSync(join(DASHBOARDS_DIR, file), 'utf8')) as { panels?: Panel[] };
    for (const panel of (dashboard.panels ?? []).flatMap((p) => [p, ...(p.panels ?? [])])) {
      for (const target of panel.targets ?? []) if (target.expr) found.push({ source: `${file} "${panel.title}"`, expr: target.expr });
    }
  }
  return { queries: found, recorded };
}

/** The metric names an expression reads and the label names it groups or filters by. */
function namesIn(expr: string): { metrics: string[]; labels: string[] } {
  const labels = [
    ...[...expr.matchAll(/\b(?:by|on|without|ignoring)\s*\(([^)]*)\)/g)].flatMap((m) => m[1]!.split(',')),
    ...[...expr.matchAll(/\{([^}]*)\}/g)].flatMap((m) => [...m[1]!.matchAll(/(\w+)\s*(?:=~|!~|!=|=)\s*"([^"]*)"/g)].map((l) => l[1]!)),
  ].map((l) => l.trim());
  // A label the expression itself tests for presence (l="" / l!="") is optional: error_type is there only on failures.
  const optional = new Set([...expr.matchAll(/(\w+)\s*!?=\s*""/g)].map((m) => m[1]!));
  const required = labels.filter((l) => l !== '' && !SCRAPE_LABELS.has(l) && !optional.has(l));
  const metrics = metricNamesIn(expr);
  return { metrics, labels: required };
}

describe('every metric and label the dashboard and the rules query (real processes, Prometheus scrape)', () => {
  // As docker-compose.yml runs them without the observability profile: metrics on, the OTLP endpoint empty.
  const observed = useMetricsSystem('e2e_observability_names', { OTEL_EXPORTER_OTLP_ENDPOINT: '' });
  const { scrape, post } = observed;

  it('finds each in a scrape of the services after orders, reads, refusals and an event', async () => {
    const user = (await (await post('/users', { email: 'observed@example.com', name: 'Observed' })).json()) as { id: string };
    const item = { sku: 'O-1', quantity: 1, unitPriceCents: '100' };
    const order = await post('/orders', { userId: user.id, items: [item] });
    expect(order.status).toBe(201);
    expect((await post('/orders', { userId: '01890a5d-ac96-774b-bcce-b302099a8057', items: [item] })).status).toBe(422);
    expect((await observed.call(`/orders/${((await order.json()) as { id: string }).id}`)).status).toBe(200);
    expect((await observed.call(`/users/${user.id}`, { method: 'DELETE' })).status).toBe(204);
    // The event's way through the outbox, the relay and the consumer is asynchronous: poll the counter, bounded.
    const consumed = async () => (await scrape('order-service')).some((s) => s.name === 'messaging_client_consumed_messages_total');
    for (const deadline = Date.now() + 15_000; !(await consumed()) && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 200));

    const samples = (await Promise.all(APPS.map((app) => scrape(app)))).flat();
    const labelsOf = new Map<string, Set<string>>();
    for (const s of samples) {
      const known = labelsOf.get(s.name) ?? new Set<string>();
      for (const label of Object.keys(s.labels)) known.add(label);
      labelsOf.set(s.name, known);
    }
    const { queries: all, recorded } = queries();
    // (Both sources were read: the check below is not vacuous.)
    expect(all.some((q) => q.source.endsWith('.json"') || q.source.includes('.json '))).toBe(true);
    expect(all.some((q) => q.source.startsWith('slo-orders.yml'))).toBe(true);

    const missing: string[] = [];
    for (const { source, expr } of all) {
      const { metrics, labels } = namesIn(expr);
      const scraped = metrics.filter((m) => !recorded.has(m));
      for (const metric of scraped) if (!labelsOf.has(metric)) missing.push(`${source}: metric ${metric}`);
      // A label must be on a series the expression reads (recorded series carry the labels their rules keep).
      if (scraped.length === 0) continue;
      for (const label of labels) {
        const onSome = metrics.some((m) => labelsOf.get(m)?.has(label) || recorded.has(m));
        if (!onSome) missing.push(`${source}: label ${label} on ${scraped.join(', ')}`);
      }
    }
    expect(missing).toEqual([]);
  });

  // This system runs as npm start does, without TLS between the services; each says so once at boot, on purpose.
  const DELIBERATE_WARNINGS = [/"msg":"GRPC_TLS=off: /];

  it('runs no trace exporter and logs no error with the endpoint empty, as compose sets it without the profile', () => {
    for (const app of APPS) {
      const logs = observed.system.process(app).logs;
      expect([app, logs.length > 0]).toEqual([app, true]);
      // The services' JSON lines say "level":"info"; the SDK's own diagnostics are plain text.
      expect(logs).toContain('"level":"info"');
      const complaints = logs
        .split('\n')
        .filter((line) => /"level":"(warn|error|fatal)"/.test(line) || /OTLP|exporter/i.test(line))
        .filter((line) => !DELIBERATE_WARNINGS.some((warning) => warning.test(line)));
      expect([app, complaints]).toEqual([app, []]);
    }
  });
});
