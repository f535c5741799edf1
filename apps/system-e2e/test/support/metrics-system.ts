import { join } from 'node:path';
import { createTestVhost, type TestVhost } from '@acme/messaging/testing';
import { freePort, launchSystem, type ProcessEnv, type RunningSystem } from '@acme/testing';

export const APPS = ['user-service', 'order-service', 'api-gateway'] as const;
export type App = (typeof APPS)[number];

/** deploy/observability: the Prometheus rules and the Grafana dashboards. */
export const OBSERVABILITY_DIR = join(__dirname, '../../../../deploy/observability');

export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** Prometheus text format, the samples only (comments skipped); enough for what the exporter writes. */
export function parseScrape(text: string): Sample[] {
  return text.split('\n').flatMap((line) => {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match?.[1] || match[3] === undefined) return [];
    const labels = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]));
    return [{ name: match[1], labels, value: Number(match[3]) }];
  });
}

const PROMQL_KEYWORDS = new Set(['and', 'or', 'unless', 'bool', 'offset']);

/**
 * The metric names a PromQL expression reads: what is left once strings,
 * label matchers, ranges and grouping clauses are gone, minus function names
 * (followed by "(") and keyword operators.
 */
export function metricNamesIn(expr: string): string[] {
  const bare = expr
    .replace(/"[^"]*"/g, '""')
    .replace(/\{[^}]*\}|\[[^\]]*\]/g, '')
    .replace(/\b(by|on|without|ignoring|group_left|group_right)\s*\([^)]*\)/g, '');
  return [...bare.matchAll(/([a-zA-Z_:][\w:]*)(\s*\()?/g)].filter(([, n, call]) => n && !call && !PROMQL_KEYWORDS.has(n)).map(([, n]) => n!);
}

export interface MetricsSystem {
  readonly system: RunningSystem;
  /** The gateway's base URL. */
  readonly gateway: string;
  scrape(app: App): Promise<Sample[]>;
  post(path: string, body: unknown): Promise<Response>;
  /** Any request to the gateway, as the admin (like post). */
  call(path: string, init?: RequestInit): Promise<Response>;
}

/**
 * The three apps and RabbitMQ (a vhost of its own), each app serving
 * Prometheus metrics on a port of its own, started before the enclosing
 * file's tests (once order-service consumes) and stopped after them. Read
 * the fields inside tests only.
 */
export function useMetricsSystem(vhostName: string, env: ProcessEnv = {}): MetricsSystem {
  let vhost: TestVhost | undefined;
  let system: RunningSystem | undefined;
  const metricsPort = {} as Record<App, number>;
  const running = () => {
    if (!system) throw new Error('the metrics system is not started (use it inside a test)');
    return system;
  };
  const gatewayUrl = () => `http://${running().address('api-gateway')}`;
  /** The development provider's admin: the requests are about metrics, not about who may make them. */
  let authorization = '';

  beforeAll(async () => {
    vhost = await createTestVhost(vhostName);
    for (const app of APPS) metricsPort[app] = await freePort();
    system = await launchSystem({
      apps: [...APPS],
      brokerUrl: vhost.url,
      env: { LOG_LEVEL: 'info', ...env },
      appEnv: Object.fromEntries(APPS.map((app) => [app, { METRICS_PORT: String(metricsPort[app]), METRICS_HOST: '127.0.0.1' }])),
    });
    await system.process('order-service').waitForOutput('consuming order-service.user-events');
    authorization = `Bearer ${await system.identity.token('admin')}`;
  });
  afterAll(async () => {
    await system?.stop();
    await vhost?.delete();
  });

  return {
    get system() {
      return running();
    },
    get gateway() {
      return gatewayUrl();
    },
    scrape: async (app) => {
      const response = await fetch(`http://127.0.0.1:${metricsPort[app]}/metrics`);
      expect(response.status).toBe(200);
      return parseScrape(await response.text());
    },
    post: (path, body) => fetch(`${gatewayUrl()}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization }, body: JSON.stringify(body) }),
    call: (path, init = {}) => fetch(`${gatewayUrl()}${path}`, { ...init, headers: { ...(init.headers as Record<string, string> | undefined), authorization } }),
  };
}
