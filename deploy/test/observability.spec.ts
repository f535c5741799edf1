import { readdirSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { dockerComposeConfig, parseCompose } from '../src/compose-checks';
import { collectorEndpoint, collectorOtlpHttpPort, scrapeTargets } from '../src/compose-observability';
import { renderOverlay, type K8sObject } from '../src/kustomize';
import {
  collectorPipelineProblems,
  dashboardExpressions,
  dashboardProblems,
  metricNames,
  promqlProblems,
  promtool,
  type Dashboard,
  type Datasource,
} from '../src/observability-config';
import { repoPath } from '../src/repo';
import { deployedAppNames } from '../src/deployed-apps';
import { selects, workloads } from '../src/workloads';

// The observability profile and component, checked by what runs here: the
// collector, Jaeger and Grafana have no image on these machines (the compose
// smoke runs Prometheus only), so their configuration is checked against the
// rules their loaders apply and against each other. Every metric the
// dashboard and the rules read is checked against a real scrape in
// apps/system-e2e/test/observability-names.spec.ts.

const SOURCE = 'deploy/observability';
const COMPONENT = 'k8s/components/observability';
const read = (path: string) => readFileSync(repoPath(path), 'utf8');
const COMPOSE_FILE = repoPath('docker-compose.yml');
const compose = parseCompose(read('docker-compose.yml'));
const collector = parse(read(`${SOURCE}/otel-collector/config.yaml`)) as Parameters<typeof collectorPipelineProblems>[0] & Record<string, unknown>;
const dashboard = JSON.parse(read(`${SOURCE}/grafana/dashboards/services.json`)) as Dashboard;
const RULE_FILES = readdirSync(repoPath(SOURCE, 'prometheus', 'rules')).filter((f) => f.endsWith('.yml')).sort();
const datasources = (parse(read(`${SOURCE}/grafana/provisioning/datasources/datasources.yml`)) as { datasources: Datasource[] }).datasources;

describe('the compose observability profile', () => {
  it('is accepted by docker-compose 1.29, with and without the traces sent to the collector', () => {
    expect(dockerComposeConfig(COMPOSE_FILE, { profiles: ['observability'] })).toEqual({ ok: true, output: '' });
    expect(dockerComposeConfig(COMPOSE_FILE, { profiles: ['observability'], env: { TRACES_OTLP_ENDPOINT: 'http://otel-collector:4318' } })).toEqual({ ok: true, output: '' });
  });

  it('mounts the files this check reads', () => {
    const mounts = Object.values(compose.services).flatMap((s) => (s.volumes ?? []).map(String));
    expect(mounts).toEqual(
      expect.arrayContaining([
        `./${SOURCE}/otel-collector/config.yaml:/etc/otelcol-contrib/config.yaml:ro`,
        `./${SOURCE}/prometheus/prometheus.compose.yml:/etc/prometheus/prometheus.yml:ro`,
        `./${SOURCE}/prometheus/rules:/etc/prometheus/rules:ro`,
        `./${SOURCE}/grafana/provisioning:/etc/grafana/provisioning:ro`,
        `./${SOURCE}/grafana/dashboards:/etc/grafana/dashboards:ro`,
      ]),
    );
  });
});

describe('the OpenTelemetry Collector configuration', () => {
  it('wires receiver -> processors -> exporter with components it declares, and uses each', () => {
    expect(collectorPipelineProblems(collector)).toEqual([]);
    expect(collector.service?.pipelines?.['traces']).toEqual({ receivers: ['otlp'], processors: ['memory_limiter', 'batch'], exporters: ['otlp/jaeger'] });
  });

  it('receives OTLP/HTTP where the services send it, and exports to Jaeger\'s OTLP port in compose and in the cluster', () => {
    expect(collectorOtlpHttpPort(collector)).toBe(4318);
    expect(collectorEndpoint(compose)).toBe('http://otel-collector:4318');
    const [host, port] = String((collector['exporters'] as Record<string, { endpoint: string }>)['otlp/jaeger']!.endpoint).split(':');
    expect(compose.services[host!]?.image).toMatch(/^jaegertracing\/all-in-one:/);
    const jaeger = service(renderOverlay('dev'), host!);
    expect(jaeger?.spec.ports.map((p) => p.port)).toContain(Number(port));
  });

  it('names the processors the collector documents in the order it requires (memory_limiter first, batch last)', () => {
    for (const pipeline of Object.values(collector.service?.pipelines ?? {})) {
      const processors = pipeline.processors ?? [];
      expect(processors[0]).toBe('memory_limiter');
      expect(processors.at(-1)).toBe('batch');
    }
  });

  it('fails the check on an undeclared, missing or unused component', () => {
    const broken = structuredClone(collector);
    broken.service!.pipelines!['traces']!.exporters = ['otlp/jeager'];
    broken.service!.pipelines!['tracez'] = { receivers: ['otlp'], exporters: [] };
    broken.service!.extensions = ['health_check', 'pprof'];
    expect(collectorPipelineProblems(broken).sort()).toEqual([
      'exporters.otlp/jaeger: declared but in no pipeline',
      'pipeline traces: exporter otlp/jeager is not declared under exporters',
      'pipeline tracez: no exporters',
      'pipeline tracez: not traces, metrics or logs',
      'service.extensions: pprof is not declared under extensions',
    ]);
  });
});

describe('Prometheus', () => {
  const configs = { compose: `${SOURCE}/prometheus/prometheus.compose.yml`, k8s: `${COMPONENT}/prometheus/prometheus.yml` };

  it.each(Object.entries(configs))('its %s configuration passes promtool check config', (_, file) => {
    expect(promtool(['check', 'config', '--syntax-only', repoPath(file)])).toEqual([]);
  });

  it('scrapes the same jobs in compose and in the cluster', () => {
    const jobs = (file: string) => [...scrapeTargets(parse(read(file))).keys()].sort();
    expect(jobs(configs.k8s)).toEqual(jobs(configs.compose));
    expect(jobs(configs.compose)).toEqual(deployedAppNames());
  });

  it('in the cluster, reaches each app through a headless Service that selects its pods, on their metrics port', () => {
    const objects = renderOverlay('dev');
    for (const [job, targets] of scrapeTargets(parse(read(configs.k8s)))) {
      const app = workloads(objects).find((w) => w.name === job)!;
      for (const target of targets) {
        const [host, port] = target.split(':');
        const headless = service(objects, host!);
        expect([target, headless?.spec.clusterIP]).toEqual([target, 'None']);
        expect(selects({ matchLabels: headless!.spec.selector }, app.podLabels)).toBe(true);
        expect(app.pod.containers[0]!.ports?.find((p) => p.name === 'metrics')?.containerPort).toBe(Number(port));
      }
    }
  });
});

describe('Grafana', () => {
  it('provisions a Prometheus and a Jaeger datasource at the addresses of their services in compose and in the cluster', () => {
    expect(datasources.map((d) => [d.uid, d.type]).sort()).toEqual([
      ['jaeger', 'jaeger'],
      ['prometheus', 'prometheus'],
    ]);
    const objects = renderOverlay('dev');
    for (const d of datasources) {
      const url = new URL(d.url);
      const ports = compose.services[url.hostname] ? service(objects, url.hostname)?.spec.ports.map((p) => p.port) : undefined;
      expect([d.uid, ports]).toEqual([d.uid, expect.arrayContaining([Number(url.port)])]);
    }
  });

  it('loads a valid dashboard whose panels, queries and trace links use the provisioned datasources', () => {
    expect(dashboardProblems(dashboard, datasources)).toEqual([]);
    const titles = (dashboard.panels ?? []).map((p) => p.title ?? '');
    for (const section of ['http.server.request.duration', 'rpc.server.duration', 'SLOs', 'outbox']) {
      expect(titles.some((t) => t.includes(section))).toBe(true);
    }
    // Latency panels (quantiles of a duration histogram) link to the traces.
    const latency = (dashboard.panels ?? []).filter((p) => (p.targets ?? []).some((t) => t.expr?.includes('histogram_quantile')));
    expect(latency.length).toBeGreaterThanOrEqual(3);
    for (const p of latency) expect(JSON.stringify(p)).toContain('/explore?left=');
  });

  it('queries only valid PromQL, and reads recorded series the rules really record', () => {
    const expressions = dashboardExpressions(dashboard);
    expect(expressions.length).toBeGreaterThan(15);
    expect(promqlProblems(expressions)).toEqual([]);
    const recorded = new Set(
      RULE_FILES.flatMap((f) =>
        (parse(read(`${SOURCE}/prometheus/rules/${f}`)) as { groups: { rules: { record?: string }[] }[] }).groups.flatMap((g) => g.rules.flatMap((r) => (r.record ? [r.record] : []))),
      ),
    );
    const readRecorded = expressions.flatMap(metricNames).filter((n) => n.includes(':'));
    expect(readRecorded.length).toBeGreaterThan(0);
    expect(readRecorded.filter((n) => !recorded.has(n))).toEqual([]);
  });

  it('fails the check on an unknown datasource, a duplicate id, or a query without expression', () => {
    const broken = structuredClone(dashboard);
    const [, first, second] = broken.panels!;
    first!.datasource = { type: 'prometheus', uid: 'prom' };
    second!.id = first!.id;
    delete second!.targets![0]!.expr;
    expect(dashboardProblems(broken, datasources)).toEqual([
      `panel ${first!.id} "${first!.title}": datasource uid prom is not provisioned`,
      `panel ${first!.id} "${second!.title}": id missing or not unique`,
      `panel ${first!.id} "${second!.title}": a query without refId or expr`,
    ]);
    expect(promqlProblems(['sum(rate(http_server_request_duration_count[5m])'])).not.toEqual([]);
  });
});

describe('k8s/components/observability', () => {
  // kustomize reads no file outside the component: these are copies, kept identical.
  const COPIES: [string, string][] = [
    [`${SOURCE}/otel-collector/config.yaml`, `${COMPONENT}/otel-collector/config.yaml`],
    ...RULE_FILES.map((f): [string, string] => [`${SOURCE}/prometheus/rules/${f}`, `${COMPONENT}/prometheus/rules/${f}`]),
    [`${SOURCE}/grafana/provisioning/datasources/datasources.yml`, `${COMPONENT}/grafana/provisioning/datasources.yml`],
    [`${SOURCE}/grafana/provisioning/dashboards/dashboards.yml`, `${COMPONENT}/grafana/provisioning/dashboards.yml`],
    [`${SOURCE}/grafana/dashboards/services.json`, `${COMPONENT}/grafana/dashboards/services.json`],
  ];

  it.each(COPIES)('%s is copied unchanged to %s', (source, copy) => {
    expect(read(copy)).toBe(read(source));
  });

  it('ships every rule file that Prometheus loads in compose', () => {
    const kustomization = read(`${COMPONENT}/kustomization.yaml`);
    expect(RULE_FILES.length).toBeGreaterThan(0);
    for (const file of RULE_FILES) expect(kustomization).toContain(`${file}=prometheus/rules/${file}`);
    expect(readdirSync(repoPath(COMPONENT, 'prometheus', 'rules')).sort()).toEqual(RULE_FILES);
  });
});

interface ServiceObject extends K8sObject {
  spec: { clusterIP?: string; selector: Record<string, string>; ports: { port: number }[] };
}
const service = (objects: readonly K8sObject[], name: string): ServiceObject | undefined =>
  objects.find((o) => o.kind === 'Service' && o.metadata.name === name) as ServiceObject | undefined;
